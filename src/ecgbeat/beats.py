"""The beat container, beat segmentation around R peaks and RR-interval features.

Everything downstream of the data layer (models, training, evaluation) consumes a
:class:`BeatSet`: plain NumPy arrays with one row per beat, ready to become tensors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.ndimage import median_filter, percentile_filter

from ecgbeat import splits
from ecgbeat.signal.resample import resample

__all__ = [
    "MAJORITY_FREE_RR_FEATURES",
    "RELATIVE_RR_FEATURES",
    "RR_CENTRED_BEATS",
    "RR_FEATURE_NAMES",
    "RR_IRREGULARITY_BEATS",
    "RR_ORGANISATION_TOLERANCE",
    "RR_REGIONAL_BEATS",
    "RR_UPPER_PERCENTILE",
    "BeatSet",
    "interval_features",
    "rr_features",
    "segment",
    "segment_kachuee187",
]

#: Names of the columns returned by :func:`rr_features`, in order.
RR_FEATURE_NAMES: tuple[str, ...] = (
    "pre_rr_s",
    "post_rr_s",
    "local_rr_s",
    "record_rr_s",
    "pre_over_local",
    "post_over_local",
    "pre_over_record",
    "pre_over_post",
    # Appended later; the first eight keep their positions, so models trained on them
    # read the same columns.
    "pre_over_centred",
    "post_over_centred",
    "pre_over_regional",
    "post_over_regional",
    "pre_over_record_median",
    "irregularity",
    "prev_pre_over_centred",
    "next_post_over_centred",
    "pre_over_record_p90",
    "post_over_record_p90",
    "pre_over_regional_p90",
    "post_over_regional_p90",
    "organisation",
)
#: Intervals in the centred median that gives a beat's underlying rhythm; a median over a
#: few beats on both sides ignores the premature beat itself and its compensatory pause.
RR_CENTRED_BEATS = 9
#: Intervals in the wider ("regional") centred median, about half a minute of rhythm.
RR_REGIONAL_BEATS = 31
#: Successive-interval differences in the median that measures local irregularity.
RR_IRREGULARITY_BEATS = 17
#: Percentile of a record's (or region's) intervals that the ``*_p90`` ratios divide by.
#: A premature beat is early against the sinus cycle, and the sinus cycle stays among the
#: longest intervals even where premature beats are the majority; a median or mean is
#: then set by the premature beats themselves.
RR_UPPER_PERCENTILE = 90
#: Two beats share a rhythm when their previous and their next RR intervals both differ by
#: less than this share of the window's median interval (see ``organisation`` in
#: :func:`interval_features`). Sinus intervals vary by a few percent from beat to beat.
RR_ORGANISATION_TOLERANCE = 0.05
#: The ratios of a patient's own intervals whose reference is the record's or the
#: neighbourhood's mean or median (the 12 of ``train(protocol="inter-patient")``).
#: Absolute intervals (in seconds) differ more between patients than between N and S
#: beats of one patient, so a model that sees them learns the training patients' heart
#: rates; the ratios describe prematurity in any patient whose beats are mostly normal.
RELATIVE_RR_FEATURES: tuple[str, ...] = tuple(
    name
    for name in RR_FEATURE_NAMES
    if not name.endswith(("_s", "_p90")) and name != "organisation"
)
#: Features whose reading does not assume that most of a record's beats are normal: the
#: previous and next RR over the :data:`RR_UPPER_PERCENTILE` of the record's and of the
#: regional intervals, the previous over the next RR, and the local irregularity (a spread
#: of the intervals, not a comparison with the normal one).
MAJORITY_FREE_RR_FEATURES: tuple[str, ...] = (
    "pre_over_record_p90",
    "post_over_record_p90",
    "pre_over_regional_p90",
    "post_over_regional_p90",
    "pre_over_post",
    "irregularity",
)

#: Kachuee et al. 2018: beats at 125 Hz, cut at 1.2 x the median RR of a 10 s window,
#: zero-padded to 187 samples.
KACHUEE_FS = 125.0
KACHUEE_WINDOW_S = 10.0
KACHUEE_LENGTH = 187
KACHUEE_RR_FACTOR = 1.2


@dataclass(frozen=True, eq=False)
class BeatSet:
    """Labelled heartbeats, one row per beat.

    Parameters
    ----------
    X : ndarray of shape (n_beats, n_leads, n_samples), float32
        Beat waveforms.
    y : ndarray of shape (n_beats,), int64
        Class index of each beat into ``classes``.
    record : ndarray of shape (n_beats,), str
        Record (patient) identifier of each beat; protocols split on it.
    rr : ndarray of shape (n_beats, n_rr_features), float32
        RR-interval features (see :func:`rr_features`); ``n_rr_features`` may be 0.
    classes : tuple of str
        Class names; ``classes[y[i]]`` is the label of beat ``i``.
    fs : float
        Sampling rate of ``X`` in Hz.
    sample : ndarray of shape (n_beats,), int64, optional
        R-peak position in the original record, in samples at the record's own rate.
    symbol : ndarray of shape (n_beats,), str, optional
        Original annotation symbol of each beat.
    leads : tuple of str
        Lead names of the second axis of ``X``.
    rr_names : tuple of str
        Names of the columns of ``rr``.
    summary : mapping
        Counts of everything that was skipped while building the set (non-beat
        annotations, beats too close to a record edge, unmapped symbols, ...).
    params : mapping
        The parameters that built the set (database, records, preprocessing), kept so a
        trained model can reproduce the same pipeline.

    Examples
    --------
    >>> import numpy as np
    >>> beats = BeatSet(X=np.zeros((4, 1, 10), np.float32), y=np.array([0, 1, 0, 1]),
    ...                 record=np.array(["a", "a", "b", "b"]), rr=np.zeros((4, 0), np.float32),
    ...                 classes=("N", "V"), fs=360.0)
    >>> len(beats), beats.class_counts()
    (4, {'N': 2, 'V': 2})
    >>> beats[beats.record == "b"].records
    ('b',)
    """

    X: np.ndarray
    y: np.ndarray
    record: np.ndarray
    rr: np.ndarray
    classes: tuple[str, ...]
    fs: float
    sample: np.ndarray | None = None
    symbol: np.ndarray | None = None
    leads: tuple[str, ...] = ()
    rr_names: tuple[str, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float32)
        if X.ndim != 3:
            raise ValueError(
                f"X must have shape (n_beats, n_leads, n_samples), got shape {X.shape}; "
                "use X[:, None, :] for single-lead beats"
            )
        n = len(X)
        y = np.asarray(self.y, dtype=np.int64)
        record = np.asarray(self.record).astype(str)
        rr = np.asarray(self.rr, dtype=np.float32)
        # An (n, k) array keeps its k columns even when n is 0 (an empty selection).
        rr = rr if rr.ndim == 2 and len(rr) == n else rr.reshape(n, -1)
        classes = tuple(str(c) for c in self.classes)
        for name, arr in (("y", y), ("record", record)):
            if arr.shape != (n,):
                raise ValueError(f"{name} must have shape ({n},) to match X, got {arr.shape}")
        if len(classes) == 0:
            raise ValueError("classes must name at least one class")
        if n and (y.min() < 0 or y.max() >= len(classes)):
            raise ValueError(
                f"y holds class indices in [{y.min()}, {y.max()}] but only "
                f"{len(classes)} classes are named: {classes}"
            )
        if self.fs <= 0:
            raise ValueError(f"fs must be a positive sampling rate in Hz, got {self.fs}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "record", record)
        object.__setattr__(self, "rr", rr)
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "fs", float(self.fs))
        if not self.rr_names and rr.shape[1] == len(RR_FEATURE_NAMES):
            object.__setattr__(self, "rr_names", RR_FEATURE_NAMES)
        for name in ("sample", "symbol"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"{name} must have {n} entries to match X, got {len(value)}")
        if self.sample is not None:
            object.__setattr__(self, "sample", np.asarray(self.sample, dtype=np.int64))
        if self.symbol is not None:
            object.__setattr__(self, "symbol", np.asarray(self.symbol).astype(str))

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, index: Any) -> BeatSet:
        """Select beats with a boolean mask, an index array or a slice."""
        return replace(
            self,
            X=self.X[index],
            y=self.y[index],
            record=self.record[index],
            rr=self.rr[index],
            sample=None if self.sample is None else self.sample[index],
            symbol=None if self.symbol is None else self.symbol[index],
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.class_counts().items())
        return (
            f"BeatSet({len(self)} beats, {len(self.records)} records, "
            f"X{tuple(self.X.shape)}, fs={self.fs:g} Hz, classes: {counts})"
        )

    @property
    def records(self) -> tuple[str, ...]:
        """Distinct record identifiers, in order of first appearance."""
        _, first = np.unique(self.record, return_index=True)
        return tuple(str(r) for r in self.record[np.sort(first)])

    @property
    def num_classes(self) -> int:
        """Number of classes named in ``classes``."""
        return len(self.classes)

    def class_counts(self) -> dict[str, int]:
        """Number of beats of each class, including classes with no beat.

        Examples
        --------
        >>> import numpy as np
        >>> b = BeatSet(X=np.zeros((3, 1, 5)), y=[0, 0, 1], record=["r"] * 3,
        ...             rr=np.zeros((3, 0)), classes=("N", "S", "V"), fs=360)
        >>> b.class_counts()
        {'N': 2, 'S': 1, 'V': 0}
        """
        counts = np.bincount(self.y, minlength=self.num_classes)
        return {c: int(k) for c, k in zip(self.classes, counts, strict=True)}

    def split(
        self,
        protocol: str = "inter-patient",
        *,
        test_size: float = 0.2,
        seed: int = 0,
    ) -> tuple[BeatSet, BeatSet]:
        """Split into a training and a test set by an evaluation protocol.

        Parameters
        ----------
        protocol : {"inter-patient", "intra-patient"}
            ``"inter-patient"``: DS1 / DS2 of de Chazal et al. 2004 (records outside both
            lists, such as the paced ones, are left out of both).
            ``"intra-patient"``: stratified random split of beats; beats of one patient land
            in both sets, so scores are optimistic.
        test_size : float
            Fraction of beats in the test set (intra-patient only).
        seed : int
            Random seed (intra-patient only).

        Returns
        -------
        train, test : BeatSet

        Examples
        --------
        >>> import ecgbeat
        >>> beats = ecgbeat.load_beats("sample")
        >>> train, test = beats.split("inter-patient")
        >>> set(train.records).isdisjoint(test.records)
        True
        """
        if protocol == "inter-patient":
            train_idx, test_idx = splits.inter_patient_indices(self.record)
        elif protocol == "intra-patient":
            train_idx, test_idx = splits.intra_patient_indices(
                self.y, test_size=test_size, seed=seed
            )
        else:
            raise ValueError(
                f"unknown protocol {protocol!r}; use 'inter-patient' or 'intra-patient'"
            )
        return self[train_idx], self[test_idx]

    @classmethod
    def concat(cls, sets: Sequence[BeatSet]) -> BeatSet:
        """Join beat sets that share classes, sampling rate and beat shape.

        Examples
        --------
        >>> import numpy as np
        >>> a = BeatSet(X=np.zeros((2, 1, 5)), y=[0, 1], record=["a", "a"],
        ...             rr=np.zeros((2, 0)), classes=("N", "V"), fs=360)
        >>> len(BeatSet.concat([a, a]))
        4
        """
        if not sets:
            raise ValueError("concat needs at least one BeatSet")
        first = sets[0]
        for other in sets[1:]:
            if other.classes != first.classes or other.fs != first.fs:
                raise ValueError(
                    "cannot join beat sets with different classes or sampling rates: "
                    f"{first.classes} at {first.fs} Hz vs {other.classes} at {other.fs} Hz"
                )
            if other.X.shape[1:] != first.X.shape[1:] or other.rr.shape[1] != first.rr.shape[1]:
                raise ValueError(
                    f"cannot join beats of shape {first.X.shape[1:]} and {other.X.shape[1:]}"
                )
        has_sample = all(s.sample is not None for s in sets)
        has_symbol = all(s.symbol is not None for s in sets)
        summary: dict[str, Any] = {}
        for s in sets:
            for key, value in s.summary.items():
                if isinstance(value, int | float):
                    summary[key] = summary.get(key, 0) + value
        return replace(
            first,
            X=np.concatenate([s.X for s in sets]),
            y=np.concatenate([s.y for s in sets]),
            record=np.concatenate([s.record for s in sets]),
            rr=np.concatenate([s.rr for s in sets]),
            sample=np.concatenate([s.sample for s in sets]) if has_sample else None,
            symbol=np.concatenate([s.symbol for s in sets]) if has_symbol else None,
            summary=summary,
        )


def segment(
    signal: np.ndarray,
    rpeaks: np.ndarray,
    *,
    fs: float,
    before_s: float = 0.25,
    after_s: float = 0.45,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a fixed window around each R peak.

    Parameters
    ----------
    signal : ndarray of shape (n_leads, n_samples) or (n_samples,)
        The record.
    rpeaks : ndarray of shape (n_beats,)
        R-peak positions in samples.
    fs : float
        Sampling rate in Hz.
    before_s, after_s : float
        Window extent before and after the R peak, in seconds. The window has
        ``round(before_s * fs) + round(after_s * fs)`` samples, the R peak at index
        ``round(before_s * fs)``.

    Returns
    -------
    beats : ndarray of shape (n_kept, n_leads, n_window)
        The windows of the beats far enough from both record edges.
    kept : ndarray of shape (n_beats,), bool
        Which R peaks produced a window; the others were too close to an edge.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(1000.0)
    >>> beats, kept = segment(x, np.array([5, 500, 990]), fs=100, before_s=0.1, after_s=0.2)
    >>> beats.shape, kept.tolist(), float(beats[0, 0, 10])
    ((1, 1, 30), [False, True, False], 500.0)
    """
    if fs <= 0:
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs}")
    if before_s < 0 or after_s <= 0:
        raise ValueError(
            f"window must satisfy before_s >= 0 and after_s > 0, got {before_s}, {after_s}"
        )
    x = np.atleast_2d(np.asarray(signal))
    peaks = np.asarray(rpeaks, dtype=np.int64)
    before, after = round(before_s * fs), round(after_s * fs)
    kept = (peaks - before >= 0) & (peaks + after <= x.shape[-1])
    # One gather for all beats: (n_kept, 1, 1) starts + (1, 1, n_window) offsets.
    index = (peaks[kept] - before)[:, None, None] + np.arange(before + after)[None, None, :]
    lead = np.arange(x.shape[0])[None, :, None]
    return x[lead, index], kept


def segment_kachuee187(
    signal: np.ndarray,
    rpeaks: np.ndarray,
    *,
    fs: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut beats in the format of the Kaggle heartbeat CSVs (Kachuee et al. 2018).

    The record is resampled to 125 Hz and split into 10 s windows; each window is min-max
    normalised to [0, 1]; its nominal period T is the median RR interval of the R peaks it
    holds; each beat runs from its R peak for 1.2 T and is zero-padded to 187 samples.
    Unlike the paper, R peaks are taken as given (from annotations or a detector) rather
    than re-detected by thresholding, so every beat keeps its label.

    Parameters
    ----------
    signal : ndarray of shape (n_leads, n_samples) or (n_samples,)
        The record (filtered or raw).
    rpeaks : ndarray of shape (n_beats,)
        R-peak positions in samples at ``fs``.
    fs : float
        Sampling rate of ``signal`` in Hz.

    Returns
    -------
    beats : ndarray of shape (n_kept, n_leads, 187)
    kept : ndarray of shape (n_beats,), bool
        False for beats in a window with fewer than two R peaks (no RR interval) and for
        beats whose 1.2 T would run past the end of the record.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 360
    >>> x = np.zeros(60 * fs)
    >>> peaks = np.arange(fs // 2, 59 * fs, fs)       # 60 beats/min
    >>> x[peaks] = 1.0
    >>> beats, kept = segment_kachuee187(x, peaks, fs=fs)
    >>> beats.shape, float(beats[0, 0, 0]), int((beats[0, 0] != 0).sum() > 0)
    ((59, 1, 187), 1.0, 1)
    """
    x = np.atleast_2d(np.asarray(signal, dtype=np.float64))
    peaks = np.asarray(rpeaks, dtype=np.int64)
    if fs != KACHUEE_FS:
        x = resample(x, fs=fs, target_fs=KACHUEE_FS)
    # Peaks land on the nearest sample of the 125 Hz grid.
    peaks = np.clip(np.round(peaks * KACHUEE_FS / fs).astype(np.int64), 0, x.shape[-1] - 1)
    win = int(KACHUEE_WINDOW_S * KACHUEE_FS)
    n_win = -(-x.shape[-1] // win)
    padded = np.pad(x, ((0, 0), (0, n_win * win - x.shape[-1])), mode="edge")
    windows = padded.reshape(x.shape[0], n_win, win)
    lo, hi = windows.min(axis=-1), windows.max(axis=-1)
    scale = np.where(hi > lo, hi - lo, 1.0)
    norm = ((windows - lo[..., None]) / scale[..., None]).reshape(x.shape[0], -1)

    win_of_beat = peaks // win
    period = np.full(n_win, np.nan)
    rr = np.diff(peaks)
    same_window = win_of_beat[1:] == win_of_beat[:-1]
    # Median RR per window: a loop over 10 s windows (180 per half hour), not over beats.
    for w in np.unique(win_of_beat[1:][same_window]):
        period[w] = np.median(rr[same_window & (win_of_beat[1:] == w)])
    length = np.minimum(np.round(KACHUEE_RR_FACTOR * period[win_of_beat]), KACHUEE_LENGTH)
    kept = np.isfinite(length)
    kept[kept] &= peaks[kept] + length[kept] <= norm.shape[-1]
    length = length[kept].astype(np.int64)

    offsets = np.arange(KACHUEE_LENGTH)
    index = np.minimum(peaks[kept][:, None] + offsets, norm.shape[-1] - 1)
    beats = norm[:, index].transpose(1, 0, 2)
    beats[(offsets[None, :] >= length[:, None])[:, None, :].repeat(x.shape[0], axis=1)] = 0.0
    return beats.astype(np.float32), kept


def rr_features(rpeaks: np.ndarray, *, fs: float, local_beats: int = 10) -> np.ndarray:
    """RR-interval features of each beat, from R-peak times only.

    Parameters
    ----------
    rpeaks : ndarray of shape (n_beats,)
        R-peak positions in samples, increasing, every detected or annotated beat of the
        record (labels are never used).
    fs : float
        Sampling rate in Hz.
    local_beats : int
        Number of preceding RR intervals averaged into the local mean RR.

    Returns
    -------
    ndarray of shape (n_beats, 21), float32
        The columns of :func:`interval_features`, named by :data:`RR_FEATURE_NAMES`. The
        first beat takes the next RR as its previous one and the last beat its previous
        RR as its next one.

    Examples
    --------
    >>> import numpy as np
    >>> peaks = np.array([0, 360, 720, 900, 1260, 1620])   # the 4th beat is premature
    >>> f = rr_features(peaks, fs=360)
    >>> f.shape, round(float(f[3, 0]), 2), round(float(f[3, 4]), 2), round(float(f[3, 8]), 2)
    ((6, 21), 0.5, 0.57, 0.5)
    """
    peaks = np.asarray(rpeaks, dtype=np.float64)
    if peaks.ndim != 1:
        raise ValueError(f"rpeaks must be one-dimensional, got shape {peaks.shape}")
    if len(peaks) < 2:
        raise ValueError(
            f"RR features need at least two R peaks, got {len(peaks)}; "
            "the record is too short or the detector found no beats"
        )
    if np.any(np.diff(peaks) <= 0):
        raise ValueError("rpeaks must be strictly increasing; sort them and drop duplicates")
    rr = np.diff(peaks) / fs
    pre = np.concatenate([rr[:1], rr])
    post = np.concatenate([rr, rr[-1:]])
    return interval_features(pre, post, local_beats=local_beats)


def interval_features(
    pre_s: np.ndarray, post_s: np.ndarray, *, local_beats: int = 10
) -> np.ndarray:
    """RR features of a sequence of beats, from each beat's previous and next RR interval.

    :func:`rr_features` calls this with every beat of a record. Called with a subset of a
    record's beats (in record order, with their own intervals), it computes the references
    (means, medians, percentiles) over that subset only, e.g. to see how features behave in
    a record whose ectopic beats are the majority.

    Parameters
    ----------
    pre_s, post_s : ndarray of shape (n_beats,)
        Each beat's previous and next RR interval in seconds, beats in record order.
    local_beats : int
        Number of preceding intervals averaged into the local mean RR.

    Returns
    -------
    ndarray of shape (n_beats, 21), float32
        Columns named by :data:`RR_FEATURE_NAMES`: previous RR, next RR, local mean RR
        (the ``local_beats`` previous intervals up to and including the beat's own), record
        mean RR, all in seconds, then previous / local, next / local, previous / record and
        previous / next. Then ratios to medians centred on the beat, which an ectopic beat
        does not pull: previous and next RR over the median of the
        :data:`RR_CENTRED_BEATS` intervals around it and over the median of the
        :data:`RR_REGIONAL_BEATS` around it, previous RR over the record's median RR; the
        local ``irregularity`` (median absolute difference of successive intervals over
        :data:`RR_IRREGULARITY_BEATS`, over the regional median: near 0 in sinus rhythm,
        high in atrial fibrillation, whose irregular N beats otherwise look premature);
        the previous beat's previous RR and the next beat's next RR over the centred
        median (the rhythm just around the beat); and previous and next RR over the
        :data:`RR_UPPER_PERCENTILE` of the record's and of the regional intervals, which
        premature beats do not set even where they are the majority (see
        :data:`MAJORITY_FREE_RR_FEATURES`). Last, the rhythm's ``organisation``: the share
        of the :data:`RR_REGIONAL_BEATS` beats around a beat whose previous and next RR
        intervals both differ from those of another beat of that window by less than
        :data:`RR_ORGANISATION_TOLERANCE` times the window's median interval. Sinus rhythm
        scores near 1, and so does frequent ectopy, whose early beats repeat a coupling
        interval and a pause; atrial fibrillation, whose intervals never repeat, scores low
        (median 0.26 for the N beats of MIT-BIH record 203). Record statistics use every
        beat's previous interval but the first one's (in :func:`rr_features` a copy of its
        next one); medians near the ends use the edge intervals, the organisation only the
        record's beats. A premature (supraventricular or ventricular) beat shows ratios
        ``pre_over_local`` and ``pre_over_centred`` well below 1.

    Examples
    --------
    >>> import numpy as np
    >>> pre = np.array([1.0, 1.0, 0.5, 1.5, 1.0])   # the 3rd beat is premature
    >>> post = np.array([1.0, 0.5, 1.5, 1.0, 1.0])
    >>> f = interval_features(pre, post)
    >>> round(float(f[2, 7]), 2), round(float(f[2, 16]), 2)   # pre / post, pre / record p90
    (0.33, 0.37)
    """
    pre = np.asarray(pre_s, dtype=np.float64)
    post = np.asarray(post_s, dtype=np.float64)
    if pre.ndim != 1 or pre.shape != post.shape or len(pre) < 2:
        raise ValueError(
            f"pre_s and post_s must be one-dimensional with the same length >= 2, got "
            f"shapes {pre.shape} and {post.shape}"
        )
    if not (np.all(pre > 0) and np.all(post > 0)):
        raise ValueError("RR intervals must be positive seconds; drop duplicate R peaks first")
    intervals = pre[1:]
    # Trailing mean over the last `local_beats` previous intervals via a cumulative sum.
    csum = np.concatenate([[0.0], np.cumsum(pre)])
    idx = np.arange(len(pre))
    start = np.maximum(idx + 1 - local_beats, 0)
    local = (csum[idx + 1] - csum[start]) / (idx + 1 - start)
    record = np.full_like(pre, intervals.mean())
    centred = median_filter(pre, size=RR_CENTRED_BEATS, mode="nearest")
    regional = median_filter(pre, size=RR_REGIONAL_BEATS, mode="nearest")
    step = np.abs(np.diff(pre, prepend=pre[0]))
    irregularity = median_filter(step, size=RR_IRREGULARITY_BEATS, mode="nearest") / regional
    record_upper = np.percentile(intervals, RR_UPPER_PERCENTILE)
    regional_upper = percentile_filter(
        pre, RR_UPPER_PERCENTILE, size=RR_REGIONAL_BEATS, mode="nearest"
    )
    features = np.stack(
        [
            pre,
            post,
            local,
            record,
            pre / local,
            post / local,
            pre / record,
            pre / post,
            pre / centred,
            post / centred,
            pre / regional,
            post / regional,
            pre / np.median(intervals),
            irregularity,
            np.concatenate([pre[:1], pre[:-1]]) / centred,
            np.concatenate([post[1:], post[-1:]]) / centred,
            pre / record_upper,
            post / record_upper,
            pre / regional_upper,
            post / regional_upper,
            _organisation(pre, post, size=RR_REGIONAL_BEATS),
        ],
        axis=1,
    )
    return features.astype(np.float32)


#: Beats per block of :func:`_organisation`: its comparison arrays hold block x window x
#: window values (about 31 MB of float64 for 4,096 beats and the 31-beat window).
_ORGANISATION_BLOCK = 4096


def _organisation(pre: np.ndarray, post: np.ndarray, *, size: int) -> np.ndarray:
    """The ``organisation`` column of :func:`interval_features`: per beat, the share of the
    ``size`` beats centred on it (fewer at the record's ends) whose (previous, next) RR pair
    has another pair of the window within the tolerance in both intervals."""
    half = size // 2
    # Windows over NaN-padded intervals: a NaN compares as far from everything, so the
    # record's ends use the beats they have rather than copies that would match themselves.
    windows = [
        np.lib.stride_tricks.sliding_window_view(np.pad(a, half, constant_values=np.nan), size)
        for a in (pre, post)
    ]
    valid = ~np.isnan(windows[0])
    share = np.empty(len(pre))
    # Blocks of beats bound the (beats, size, size) comparison arrays on long Holter records.
    for start in range(0, len(pre), _ORGANISATION_BLOCK):
        block = slice(start, start + _ORGANISATION_BLOCK)
        tolerance = RR_ORGANISATION_TOLERANCE * np.nanmedian(windows[0][block], axis=1)
        close = np.ones((len(tolerance), size, size), dtype=bool)
        for w in windows:
            close &= np.abs(w[block, :, None] - w[block, None, :]) < tolerance[:, None, None]
        close[:, np.arange(size), np.arange(size)] = False
        share[block] = close.any(axis=2).sum(axis=1) / valid[block].sum(axis=1)
    return share
