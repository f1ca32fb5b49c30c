"""The preprocessing recipe that turns a record and its R peaks into model-ready beats.

A :class:`BeatConfig` names every step (filters, resampling, window, normalisation, RR
features); the same object is stored with a trained model so raw records are processed at
prediction time exactly as they were at training time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from ecgbeat.beats import RR_FEATURE_NAMES, rr_features, segment, segment_kachuee187
from ecgbeat.signal import bandpass, normalize, notch, remove_baseline, resample, resample_samples
from ecgbeat.signal.normalize import NORMALIZATIONS

__all__ = [
    "SEGMENTATIONS",
    "SINUS_MIN_PRE_OVER_P90",
    "TEMPLATES",
    "TEMPLATE_BEATS",
    "BeatConfig",
    "cut_beats",
    "extract_beats",
    "record_template",
    "template_candidates",
    "template_rows",
]

#: Names accepted by ``BeatConfig.segmentation``.
SEGMENTATIONS = ("window", "kachuee187")
#: Names accepted by ``BeatConfig.template``.
TEMPLATES = ("none", "record-median", "record-sinus")
#: Beats, spread evenly over a record, whose median is the record's template; a bound
#: keeps the template of a 24-hour recording cheap and equal in kind to a 30-minute one.
TEMPLATE_BEATS = 1000
#: ``template="record-sinus"`` takes the template from the beats whose previous interval
#: is at least this share of the record's 90th-percentile interval (``pre_over_record_p90``).
#: On MIT-BIH's DS1 that keeps 84 % of the N beats, 6 % of the S and 8 % of the V beats.
SINUS_MIN_PRE_OVER_P90 = 0.8


@dataclass(frozen=True)
class BeatConfig:
    """Every parameter that shapes a beat.

    Parameters
    ----------
    segmentation : {"window", "kachuee187"}
        ``"window"``: a fixed window of ``before_s`` + ``after_s`` around each R peak.
        ``"kachuee187"``: the Kaggle heartbeat format (125 Hz, min-max per 10 s window, 1.2 x
        median RR from the R peak, zero-padded to 187 samples); filters still apply,
        ``before_s``, ``after_s``, ``fs`` and ``normalize`` do not.
    before_s, after_s : float
        Window extent around the R peak in seconds. Wide windows (for instance 1.0 s
        each side) include the neighbouring beats as context.
    fs : float or None
        Resample each record to this rate first (R peaks move with it); None keeps the
        record's own rate.
    bandpass_hz : (float, float) or None
        Zero-phase Butterworth band-pass edges; None skips it.
    baseline : bool
        Remove baseline wander with the two median filters of de Chazal et al. 2004.
    notch_hz : float or None
        Power-line notch frequency (50 or 60 Hz); None skips it.
    normalize : {"zscore", "minmax", "none"}
        Per-beat, per-lead amplitude normalisation.
    rr_local_beats : int
        RR intervals averaged into the local mean RR.
    template : {"none", "record-median", "record-sinus"}
        ``"record-median"``: subtract the record's median beat (see
        :func:`record_template`) from every normalised beat, so the model sees how each
        beat departs from the patient's usual beat rather than the patient's own
        morphology, which a network memorises and which does not carry over to new
        patients. Needs the whole record (or at least many of its beats) at once.
        ``"record-sinus"``: the same, the median taken over the beats that are not
        premature (see :func:`template_candidates`), so that a record whose premature
        beats are the majority still gets its normal beat as the template.

    Examples
    --------
    >>> config = BeatConfig(before_s=0.3, after_s=0.5)
    >>> BeatConfig.from_dict(config.to_dict()) == config
    True
    >>> config.key() != BeatConfig().key()
    True
    """

    segmentation: str = "window"
    before_s: float = 0.25
    after_s: float = 0.45
    fs: float | None = None
    bandpass_hz: tuple[float, float] | None = (0.5, 40.0)
    baseline: bool = False
    notch_hz: float | None = None
    normalize: str = "zscore"
    rr_local_beats: int = 10
    template: str = "none"

    def __post_init__(self) -> None:
        if self.segmentation not in SEGMENTATIONS:
            raise ValueError(
                f"unknown segmentation {self.segmentation!r}; choose one of {SEGMENTATIONS}"
            )
        if self.normalize not in NORMALIZATIONS:
            raise ValueError(
                f"unknown normalize {self.normalize!r}; choose one of {NORMALIZATIONS}"
            )
        if self.before_s < 0 or self.after_s <= 0:
            raise ValueError(
                f"need before_s >= 0 and after_s > 0, got {self.before_s} and {self.after_s}"
            )
        if self.bandpass_hz is not None:
            object.__setattr__(self, "bandpass_hz", tuple(float(f) for f in self.bandpass_hz))
        if self.template not in TEMPLATES:
            raise ValueError(f"unknown template {self.template!r}; choose one of {TEMPLATES}")
        if self.rr_local_beats < 1:
            raise ValueError(f"rr_local_beats must be >= 1, got {self.rr_local_beats}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, stored in caches and checkpoints."""
        data = asdict(self)
        if self.bandpass_hz is not None:
            data["bandpass_hz"] = list(self.bandpass_hz)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BeatConfig:
        """Inverse of :meth:`to_dict`; unknown keys are an error, not ignored."""
        known = {f.name for f in fields(cls)}
        if unknown := sorted(set(data) - known):
            raise ValueError(f"unknown BeatConfig fields {unknown}; known fields: {sorted(known)}")
        return cls(**data)

    def key(self) -> str:
        """A short stable hash of the configuration (cache keys)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def output_fs(self, fs: float) -> float:
        """Sampling rate of the beats cut from a record sampled at ``fs``."""
        if self.segmentation == "kachuee187":
            return 125.0
        return float(self.fs or fs)

    def filter(self, signal: np.ndarray, *, fs: float) -> np.ndarray:
        """Apply the configured filters to a record (n_leads, n_samples) at ``fs``."""
        x = np.asarray(signal, dtype=np.float64)
        if self.baseline:
            x = remove_baseline(x, fs=fs)
        if self.notch_hz is not None:
            x = notch(x, fs=fs, freq_hz=self.notch_hz)
        if self.bandpass_hz is not None:
            x = bandpass(x, fs=fs, lowcut_hz=self.bandpass_hz[0], highcut_hz=self.bandpass_hz[1])
        return x


def extract_beats(
    signal: np.ndarray, rpeaks: np.ndarray, *, fs: float, config: BeatConfig | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Filter a record, cut one beat per R peak and compute RR features.

    Parameters
    ----------
    signal : ndarray of shape (n_leads, n_samples) or (n_samples,)
        The record in physical units.
    rpeaks : ndarray of shape (n_beats,)
        Every R peak of the record, in samples at ``fs``, increasing. RR features use all
        of them; beats too close to the record edge get no window.
    fs : float
        Sampling rate of ``signal`` in Hz.
    config : BeatConfig, optional
        The recipe; the default is ``BeatConfig()``.

    Returns
    -------
    X : ndarray of shape (n_kept, n_leads, n_samples), float32
    rr : ndarray of shape (n_kept, 21), float32
    kept : ndarray of shape (n_beats,), bool
        Which R peaks produced a beat.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 360
    >>> x = np.random.default_rng(0).normal(size=(1, 60 * fs))
    >>> peaks = np.arange(100, 60 * fs - 100, fs)
    >>> X, rr, kept = extract_beats(x, peaks, fs=fs)
    >>> X.shape, rr.shape, int(kept.sum())
    ((60, 1, 252), (60, 21), 60)
    """
    config = config or BeatConfig()
    x = np.atleast_2d(np.asarray(signal, dtype=np.float64))
    if x.shape[-1] == 0:
        raise ValueError("the signal is empty")
    if not np.isfinite(x).all():
        raise ValueError(
            f"the signal holds {int((~np.isfinite(x)).sum())} NaN or infinite samples; "
            "interpolate or cut the gaps before extracting beats"
        )
    peaks = np.asarray(rpeaks, dtype=np.int64)
    rr = rr_features(peaks, fs=fs, local_beats=config.rr_local_beats)
    X, kept = cut_beats(config.filter(x, fs=fs), peaks, fs=fs, config=config)
    rr = rr[kept]
    if config.template != "none" and len(X):
        X = X - record_template(X[template_candidates(rr, template=config.template)])
    return X, rr, kept


def template_candidates(rr: np.ndarray, *, template: str) -> np.ndarray:
    """Which beats of a record its template may be taken from.

    ``"record-median"``: every beat. ``"record-sinus"``: the beats whose previous RR
    interval is at least :data:`SINUS_MIN_PRE_OVER_P90` of the record's 90th-percentile
    interval. A premature beat (S or V) is early against the sinus cycle, which stays among
    a record's longest intervals however many beats come early, so these are the beats
    that follow a sinus-length cycle. A record in which none of them has a window (a few
    beats only) falls back to every beat.

    Parameters
    ----------
    rr : ndarray of shape (n_beats, 21)
        The record's RR features, columns as :func:`ecgbeat.beats.rr_features` returns them.
    template : {"record-median", "record-sinus"}
        The ``BeatConfig.template`` in use.

    Returns
    -------
    ndarray of shape (n_beats,), bool

    Examples
    --------
    >>> import numpy as np
    >>> from ecgbeat.beats import rr_features
    >>> peaks = np.cumsum([360, 360, 360, 200, 520, 360, 360])  # one beat 0.56 s early
    >>> rr = rr_features(peaks, fs=360)
    >>> template_candidates(rr, template="record-sinus").astype(int).tolist()
    [1, 1, 1, 0, 1, 1, 1]
    """
    if template not in TEMPLATES[1:]:
        raise ValueError(f"unknown template {template!r}; choose one of {TEMPLATES[1:]}")
    rr = np.asarray(rr)
    if rr.ndim != 2 or rr.shape[1] != len(RR_FEATURE_NAMES):
        raise ValueError(
            f"rr must have shape (n_beats, {len(RR_FEATURE_NAMES)}) with the columns of "
            f"rr_features, got {rr.shape}"
        )
    if template == "record-median":
        return np.ones(len(rr), dtype=bool)
    sinus = rr[:, RR_FEATURE_NAMES.index("pre_over_record_p90")] >= SINUS_MIN_PRE_OVER_P90
    return sinus if sinus.any() else np.ones(len(rr), dtype=bool)


def template_rows(n_beats: int, *, max_beats: int = TEMPLATE_BEATS) -> np.ndarray:
    """Rows of a record's ``n_beats`` beats that its template is taken from: all of them,
    or ``max_beats`` spread evenly over the record.

    Examples
    --------
    >>> template_rows(5).tolist(), template_rows(10, max_beats=4).tolist()
    ([0, 1, 2, 3, 4], [0, 3, 6, 9])
    """
    if n_beats <= max_beats:
        return np.arange(n_beats)
    return np.linspace(0, n_beats - 1, max_beats).round().astype(np.int64)


def record_template(beats: np.ndarray) -> np.ndarray:
    """A record's typical beat: the sample-wise median of its beats.

    Most beats of a record are the patient's normal beats, so the median is the patient's
    normal beat, whatever the patient's own morphology (bundle branch block, axis, lead
    placement). Labels are never used. Only the rows of :func:`template_rows` enter it.

    Parameters
    ----------
    beats : ndarray of shape (n_beats, n_leads, n_samples)
        Every beat of one record, in record order, as cut and normalised.

    Returns
    -------
    ndarray of shape (n_leads, n_samples), float32

    Examples
    --------
    >>> import numpy as np
    >>> beats = np.array([[[0.0, 1.0]], [[0.0, 1.2]], [[5.0, 5.0]]])  # two normal, one odd
    >>> record_template(beats)
    array([[0. , 1.2]], dtype=float32)
    """
    beats = np.asarray(beats)
    if beats.ndim != 3 or len(beats) == 0:
        raise ValueError(
            f"beats must have shape (n_beats, n_leads, n_samples) with n_beats >= 1, "
            f"got {beats.shape}"
        )
    return np.median(beats[template_rows(len(beats))], axis=0).astype(np.float32)


def cut_beats(
    filtered: np.ndarray, rpeaks: np.ndarray, *, fs: float, config: BeatConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Cut and normalise one beat per R peak of a record already filtered by ``config``.

    The step of :func:`extract_beats` after filtering (resampling, segmentation,
    normalisation), on its own so that record-level prediction can filter and cut a long
    record chunk by chunk while computing RR features once on the whole record.

    Parameters
    ----------
    filtered : ndarray of shape (n_leads, n_samples)
        The record after ``config.filter``, finite.
    rpeaks : ndarray of shape (n_beats,)
        R peaks in samples at ``fs``, increasing.
    fs : float
        Sampling rate of ``filtered`` in Hz.
    config : BeatConfig
        The recipe.

    Returns
    -------
    X : ndarray of shape (n_kept, n_leads, n_samples), float32
    kept : ndarray of shape (n_beats,), bool

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((1, 3600))
    >>> X, kept = cut_beats(x, np.array([50, 1800]), fs=360, config=BeatConfig())
    >>> X.shape, kept.tolist()
    ((1, 1, 252), [False, True])
    """
    peaks = np.asarray(rpeaks, dtype=np.int64)
    if config.segmentation == "kachuee187":
        return segment_kachuee187(filtered, peaks, fs=fs)
    if config.fs is not None and config.fs != fs:
        filtered = resample(filtered, fs=fs, target_fs=config.fs)
        peaks = resample_samples(peaks, fs=fs, target_fs=config.fs)
    X, kept = segment(
        filtered, peaks, fs=config.output_fs(fs), before_s=config.before_s, after_s=config.after_s
    )
    return normalize(X, method=config.normalize), kept
