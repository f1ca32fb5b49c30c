"""Record-level prediction: from a raw ECG (array, WFDB record, CSV, NumPy file) to a beat table.

:func:`predict_record` locates every beat with the R-peak detector and classifies it with
a trained :class:`~ecgbeat.training.classifier.Classifier`, preparing the beats exactly as
the training beats were prepared (the checkpoint's :class:`~ecgbeat.pipeline.BeatConfig`,
leads, sampling rate and RR features). Long recordings are processed in chunks, so a
24-hour Holter needs little memory beyond the signal itself. Beats that cannot be
classified reliably are kept and flagged, never silently dropped.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import wfdb

from ecgbeat.beats import KACHUEE_FS, KACHUEE_LENGTH, KACHUEE_WINDOW_S, rr_features
from ecgbeat.datasets.records import Record, RecordError, resolve_leads
from ecgbeat.evaluation.calibration import predictive_entropy
from ecgbeat.files import atomic_path, refuse_overwrite
from ecgbeat.pipeline import (
    BeatConfig,
    cut_beats,
    record_template,
    template_candidates,
    template_rows,
)
from ecgbeat.signal import detect_rpeaks, resample, resample_samples
from ecgbeat.smoothing import smooth_within_records
from ecgbeat.training.classifier import Classifier, load

__all__ = ["FLAGS", "BeatTable", "predict_command", "predict_record", "read_signal"]

#: Reasons a row of a :class:`BeatTable` is flagged, by priority (a row carries the first
#: that applies). Rows flagged ``"nan_gap"``, ``"edge"`` or ``"no_rr"`` have no prediction.
FLAGS: tuple[str, ...] = ("nan_gap", "edge", "no_rr", "flat", "saturated", "noisy")
#: Flags whose rows get NaN probabilities, label ``""`` and label index -1.
UNPREDICTED_FLAGS: frozenset[str] = frozenset({"nan_gap", "edge", "no_rr"})

# Sampling rates outside this range are taken as a wrong `fs` (a rate in kHz, a period
# passed as a rate, ...); the detector needs at least 50 Hz.
_MIN_FS, _MAX_FS = 50.0, 20_000.0
_MIN_DURATION_S = 2.0
# Chunks overlap by this margin on each side: more than the decay of the zero-phase
# filters (a 0.5 Hz 4th-order Butterworth falls below 1e-10 of its impulse within 30 s),
# the detector's 10 s level window and 9-beat RR median, and the resampling filters.
_MARGIN_S = 30.0
_MIN_CHUNK_S = 10.0
# Two detections from neighbouring chunks closer than the detector's refractory period
# (200 ms) are one beat seen twice at the chunk boundary.
_REFRACTORY_S = 0.2
# NaN gaps are interpolated for processing; beats within 0.5 s of a gap are flagged,
# since the band-pass filter spreads the interpolated stretch by a few hundred ms.
_GAP_PAD_S = 0.5
# A run of identical samples of at least 30 ms at the extreme value of its chunk (with
# 30 s margins) is a clipped (saturated) signal: a QRS peak lasts a few samples at most.
# Elsewhere, a run of at least 0.3 s is a flat line (a lead off, a dropout): a real ECG
# sampled at >= 50 Hz never holds one value that long.
_SATURATED_RUN_S = 0.03
_FLAT_RUN_S = 0.3
# A beat whose peak-to-peak amplitude in the filtered detection lead exceeds 5 x the
# record's median beat amplitude is flagged noisy (artefact, electrode motion). Ventricular
# beats reach 2-4 x the normal amplitude, so most stay unflagged.
_NOISY_RATIO = 5.0


@dataclass(frozen=True, eq=False)
class BeatTable:
    """The beats of one record, located and classified: one row per detected beat.

    Attributes
    ----------
    sample : ndarray of shape (n_beats,), int64
        R-peak position in samples at the input sampling rate ``fs``.
    time_s : ndarray of shape (n_beats,), float64
        R-peak time in seconds from the start of the record.
    label : ndarray of shape (n_beats,), str
        Predicted class name; ``""`` for rows without a prediction.
    label_index : ndarray of shape (n_beats,), int64
        Index of ``label`` into ``classes``; -1 for rows without a prediction.
    proba : ndarray of shape (n_beats, n_classes), float32
        Class probabilities, columns in the order of ``classes``; NaN rows where no
        prediction was possible (flags ``"nan_gap"``, ``"edge"``, ``"no_rr"``).
    uncertainty : ndarray of shape (n_beats,), float64
        Normalised predictive entropy in [0, 1] (0: one class certain, 1: all classes
        equally likely); NaN without a prediction.
    flag : ndarray of shape (n_beats,), str
        ``""`` for a normal row, else the first reason of :data:`FLAGS` that applies.
    classes : tuple of str
        Class names of the model.
    fs : float
        Sampling rate of the input in Hz.
    n_samples : int
        Length of the input in samples.

    Examples
    --------
    >>> import numpy as np
    >>> table = BeatTable(sample=np.array([100, 460]), label_index=np.array([0, -1]),
    ...                   proba=np.array([[0.9, 0.1], [np.nan, np.nan]], np.float32),
    ...                   flag=np.array(["", "edge"]), classes=("N", "V"), fs=360.0,
    ...                   n_samples=500)
    >>> len(table), table.label.tolist(), table.counts()
    (2, ['N', ''], {'N': 1, 'V': 0})
    >>> table.to_rows()[1]["flag"], table.to_rows()[1]["p_N"]
    ('edge', None)
    """

    sample: np.ndarray
    label_index: np.ndarray
    proba: np.ndarray
    flag: np.ndarray
    classes: tuple[str, ...]
    fs: float
    n_samples: int
    time_s: np.ndarray = None  # type: ignore[assignment]  # derived in __post_init__
    label: np.ndarray = None  # type: ignore[assignment]
    uncertainty: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        sample = np.asarray(self.sample, dtype=np.int64)
        n = len(sample)
        classes = tuple(str(c) for c in self.classes)
        index = np.asarray(self.label_index, dtype=np.int64)
        proba = np.asarray(self.proba, dtype=np.float32).reshape(n, len(classes))
        flag = np.asarray(self.flag, dtype=str).reshape(n)
        if index.shape != (n,):
            raise ValueError(f"label_index must have shape ({n},), got {index.shape}")
        if n and (index.min() < -1 or index.max() >= len(classes)):
            raise ValueError(f"label_index must lie in [-1, {len(classes) - 1}]")
        if not self.fs > 0:
            raise ValueError(f"fs must be a positive sampling rate in Hz, got {self.fs!r}")
        names = np.asarray([*classes, ""], dtype=str)
        predicted = index >= 0
        uncertainty = np.full(n, np.nan)
        if predicted.any():
            uncertainty[predicted] = predictive_entropy(
                np.clip(proba[predicted], 0.0, 1.0), normalize=True
            )
        for name, value in (
            ("sample", sample),
            ("label_index", index),
            ("proba", proba),
            ("flag", flag),
            ("classes", classes),
            ("fs", float(self.fs)),
            ("n_samples", int(self.n_samples)),
            ("time_s", sample / float(self.fs)),
            ("label", names[index]),
            ("uncertainty", uncertainty),
        ):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.sample)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        flagged = int((self.flag != "").sum())
        return (
            f"BeatTable({len(self)} beats in {self.n_samples / self.fs:.1f} s at "
            f"{self.fs:g} Hz, {counts}, {flagged} flagged)"
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names of :meth:`to_csv`, :meth:`to_dict` and :meth:`to_rows`."""
        probas = tuple(f"p_{c}" for c in self.classes)
        return ("sample", "time_s", "label", "label_index", *probas, "uncertainty", "flag")

    def counts(self) -> dict[str, int]:
        """Number of beats predicted as each class (every class listed; unpredicted rows not)."""
        counts = np.bincount(self.label_index[self.label_index >= 0], minlength=len(self.classes))
        return {c: int(k) for c, k in zip(self.classes, counts, strict=True)}

    def flag_counts(self) -> dict[str, int]:
        """Number of rows carrying each flag of :data:`FLAGS`."""
        return {f: int((self.flag == f).sum()) for f in FLAGS}

    def _column_arrays(self) -> dict[str, np.ndarray]:
        probas = {f"p_{c}": self.proba[:, i] for i, c in enumerate(self.classes)}
        return {
            "sample": self.sample,
            "time_s": self.time_s,
            "label": self.label,
            "label_index": self.label_index,
            **probas,
            "uncertainty": self.uncertainty,
            "flag": self.flag,
        }

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as JSON-safe lists (NaN becomes None), keyed by :attr:`columns`."""
        return {
            name: [None if isinstance(v, float) and math.isnan(v) else v for v in values.tolist()]
            for name, values in self._column_arrays().items()
        }

    def to_rows(self) -> list[dict[str, Any]]:
        """One JSON-safe dict per beat, keyed by :attr:`columns` (NaN becomes None)."""
        columns = self.to_dict()
        return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]

    def to_dataframe(self) -> Any:
        """The table as a ``pandas.DataFrame`` (NaN kept as NaN); needs pandas."""
        try:
            import pandas as pd
        except ImportError as err:  # pandas is optional: only this method needs it
            raise ImportError("to_dataframe needs pandas: pip install pandas") from err
        return pd.DataFrame(self._column_arrays())

    def to_csv(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the table as CSV: a header of :attr:`columns`, one line per beat.

        Probabilities and uncertainty are written with 6 significant digits, ``time_s``
        with 4 decimals; missing values (rows without a prediction) are empty fields. The
        file is written to a temporary file and renamed, so it is never left half-written.

        Raises
        ------
        FileExistsError
            ``path`` exists and ``overwrite`` is False.
        """
        path = Path(path)
        refuse_overwrite(path, overwrite=overwrite, hint=", or choose another path")
        with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns)
            probas = np.char.mod("%.6g", self.proba)
            probas[np.isnan(self.proba)] = ""
            unc = np.char.mod("%.6g", self.uncertainty)
            unc[np.isnan(self.uncertainty)] = ""
            times = np.char.mod("%.4f", self.time_s)
            writer.writerows(
                [s, t, lab, i, *p, u, f]
                for s, t, lab, i, p, u, f in zip(
                    self.sample.tolist(),
                    times.tolist(),
                    self.label.tolist(),
                    self.label_index.tolist(),
                    probas.tolist(),
                    unc.tolist(),
                    self.flag.tolist(),
                    strict=True,
                )
            )
        return path


# --------------------------------------------------------------------------------------
# Reading the input


def _check_fs(fs: Any) -> float:
    if isinstance(fs, bool) or not isinstance(fs, int | float | np.integer | np.floating):
        raise TypeError(f"fs must be a number (the sampling rate in Hz), got {type(fs).__name__}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive, finite sampling rate in Hz, got {fs!r}")
    if not _MIN_FS <= fs <= _MAX_FS:
        raise ValueError(
            f"fs={fs:g} Hz is not a plausible ECG sampling rate (expected {_MIN_FS:g} to "
            f"{_MAX_FS:g} Hz); pass the rate in Hz (e.g. fs=360), not in kHz or as a period"
        )
    return float(fs)


def _resolve_fs(given: Any, native: float | None, source: str) -> float:
    if native is None:
        if given is None:
            raise ValueError(f"{source} carries no sampling rate; pass fs= (in Hz), e.g. fs=250")
        return _check_fs(given)
    if given is not None and _check_fs(given) != native:
        raise ValueError(
            f"{source} is sampled at {native:g} Hz but fs={given!r} was passed; leave fs out "
            "(the file's own rate is used) or resample the signal yourself"
        )
    return _check_fs(native)


def _as_leads_by_samples(x: np.ndarray, source: str) -> np.ndarray:
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{source} must hold real numbers, got dtype {x.dtype}")
    if x.ndim == 1:
        return x[None, :]
    if x.ndim != 2:
        raise ValueError(
            f"{source} must be 1-D (n_samples,) or 2-D (n_leads, n_samples), got shape {x.shape}"
        )
    if x.shape[0] > x.shape[1]:
        raise ValueError(
            f"{source} of shape {x.shape} has more leads than samples; pass it as "
            "(n_leads, n_samples), e.g. signal.T"
        )
    return x


def _read_csv(path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """A CSV of one column per lead, with an optional header row of lead names."""
    try:
        with path.open(newline="") as handle:
            first = next(csv.reader(handle), [])
        try:
            [float(v) for v in first]
            header: tuple[str, ...] = ()
        except ValueError:
            header = tuple(v.strip() for v in first)
        data = np.loadtxt(path, delimiter=",", skiprows=1 if header else 0, ndmin=2)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ValueError(
            f"{path} is not a CSV of ECG samples ({err}); expected one numeric column per "
            "lead, comma-separated, with an optional header row of lead names"
        ) from None
    if header and len(header) != data.shape[1]:
        raise ValueError(
            f"{path}: the header names {len(header)} leads but rows hold {data.shape[1]}"
        )
    return data.T, header


def _read_wfdb(path: Path) -> tuple[str, Any]:
    base = path.with_suffix("") if path.suffix == ".hea" else path
    if not base.with_suffix(".hea").is_file():
        raise FileNotFoundError(
            f"no WFDB header {base.with_suffix('.hea')}; pass the record path without "
            "extension (e.g. data/mitdb/100) or with .hea"
        )
    try:
        return str(base), wfdb.rdheader(str(base))
    except Exception as err:  # wfdb raises many exception types for damaged files
        raise ValueError(
            f"{base} is not a readable WFDB record ({type(err).__name__}: {err})"
        ) from None


def read_signal(
    signal: Any, *, fs: float | None = None
) -> tuple[np.ndarray, float, tuple[str, ...], str]:
    """The samples, sampling rate and lead names of any input :func:`predict_record` takes.

    WFDB records are read whole here; use :func:`predict_record`, which reads only the leads
    the model takes.

    Parameters
    ----------
    signal : ndarray, Record or path
        An array (n_samples,) or (n_leads, n_samples), an
        :class:`ecgbeat.datasets.Record`, a WFDB record path (``.../100`` or
        ``.../100.hea``), a ``.csv`` (one column per lead, optional header of lead names)
        or a ``.npy`` file (memory-mapped, shape as for arrays).
    fs : float, optional
        Sampling rate in Hz; required for arrays, CSV and NPY files, and must agree with
        the rate of a record or WFDB file when given.

    Returns
    -------
    x : ndarray of shape (n_leads, n_samples)
        The samples (a view or memory map where possible, not a copy).
    fs : float
    leads : tuple of str
        Lead names; empty when the source names none.
    source : str
        A description of the input, for messages.

    Examples
    --------
    >>> import numpy as np
    >>> x, fs, leads, source = read_signal(np.zeros(1000), fs=250)
    >>> x.shape, fs, leads, source
    ((1, 1000), 250.0, (), 'the signal array')
    """
    return _read(signal, fs=fs, channels=None)


def _read(
    signal: Any, *, fs: float | None, channels: Any
) -> tuple[np.ndarray, float, tuple[str, ...], str]:
    """:func:`read_signal`; ``channels`` (a callable of the lead names) limits WFDB reads."""
    if isinstance(signal, Record):
        source = f"record {signal.name}"
        return signal.signal, _resolve_fs(fs, float(signal.fs), source), signal.leads, source
    if isinstance(signal, str | os.PathLike):
        path = Path(signal)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            if not path.is_file():
                raise FileNotFoundError(f"{path} not found")
            x, leads = _read_csv(path)
            source = str(path)
            return _as_leads_by_samples(x, source), _resolve_fs(fs, None, source), leads, source
        if suffix == ".npy":
            if not path.is_file():
                raise FileNotFoundError(f"{path} not found")
            try:
                x = np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as err:
                raise ValueError(f"{path} is not a NumPy array file ({err})") from None
            return (
                _as_leads_by_samples(x, str(path)),
                _resolve_fs(fs, None, str(path)),
                (),
                str(path),
            )
        if suffix not in ("", ".hea") and not path.with_suffix(".hea").is_file():
            raise ValueError(
                f"cannot read {path}: use a WFDB record (path without extension or .hea), "
                "a .csv (one column per lead) or a .npy file"
            )
        base, header = _read_wfdb(path)
        names = tuple(header.sig_name or ())
        wanted = list(range(len(names))) if channels is None else channels(names, base)
        try:
            rec = wfdb.rdrecord(base, channels=wanted)
        except Exception as err:  # wfdb raises many exception types for damaged files
            raise ValueError(
                f"{base} cannot be read ({type(err).__name__}: {err}); the files are damaged "
                "or incomplete"
            ) from None
        if rec.p_signal is None or rec.p_signal.shape[0] != header.sig_len:
            raise ValueError(f"{base}: the signal file is shorter than the header announces")
        source = f"WFDB record {base}"
        x = np.asarray(rec.p_signal).T
        return x, _resolve_fs(fs, float(rec.fs), source), tuple(rec.sig_name), source
    if isinstance(signal, np.ndarray | list | tuple):
        source = "the signal array"
        x = _as_leads_by_samples(np.asarray(signal), source)
        return x, _resolve_fs(fs, None, source), (), source
    raise TypeError(
        "signal must be a NumPy array, an ecgbeat.datasets.Record or a path to a WFDB "
        f"record, .csv or .npy file, got {type(signal).__name__}"
    )


def _model_channels(
    names: Sequence[str], n_rows: int, classifier: Classifier, lead: Any, source: str
) -> list[int]:
    """Rows of the input that feed the model's leads, in the model's lead order."""
    n_model = int(classifier.input_shape[0])
    available = list(names) if names else [str(i) for i in range(n_rows)]
    if lead is not None:
        try:
            channels = resolve_leads(available, lead, default_lead=None, record=source)
        except RecordError as err:
            raise ValueError(str(err).split(" Choose")[0] + "; pass lead= among them") from None
    elif (
        names
        and classifier.leads
        and all(any(a in names for a in want.split("/")) for want in classifier.leads)
    ):
        # Trained leads such as "V1/V5" list the names the second lead had across records.
        channels = [
            next(i for i, n in enumerate(names) if n in want.split("/"))
            for want in classifier.leads
        ]
    elif n_rows == n_model:
        if names and classifier.leads:
            warnings.warn(
                f"{source} has leads {list(names)}, not the training leads "
                f"{list(classifier.leads)}; using {list(names)} in their order. Pass lead= "
                "to choose",
                UserWarning,
                stacklevel=4,
            )
        channels = list(range(n_rows))
    else:
        raise ValueError(
            f"the model takes {n_model} lead(s) {list(classifier.leads)} but {source} has "
            f"{n_rows} lead(s) {available}; choose them with lead= (an index or name, or a "
            f"list of {n_model})"
        )
    if len(channels) != n_model:
        raise ValueError(
            f"the model takes {n_model} lead(s) {list(classifier.leads)} but lead={lead!r} "
            f"selects {len(channels)}; pass {n_model}"
        )
    return channels


# --------------------------------------------------------------------------------------
# Flags: intervals of NaN gaps, flat lines and clipping, tested against beat windows


def _runs(mask: np.ndarray) -> np.ndarray:
    """[start, stop) intervals of the True runs of a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[False], mask, [False]]).astype(np.int8)))
    return edges.reshape(-1, 2)


def _constant_runs(x: np.ndarray, *, min_len: int) -> np.ndarray:
    """[start, stop) intervals where ``x`` holds one value for at least ``min_len`` samples."""
    runs = _runs(np.diff(x) == 0)  # a run of k equal differences is k + 1 equal samples
    runs[:, 1] += 1
    return runs[runs[:, 1] - runs[:, 0] >= min_len]


def _overlaps(intervals: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Whether each window [start, stop) overlaps any of the [start, stop) intervals."""
    if len(intervals) == 0:
        return np.zeros(len(start), dtype=bool)
    order = np.argsort(intervals[:, 0])
    starts = intervals[order, 0]
    reach = np.maximum.accumulate(intervals[order, 1])  # furthest stop of the first k
    k = np.searchsorted(starts, stop, side="left") - 1  # intervals starting before `stop`
    return (k >= 0) & (reach[np.clip(k, 0, None)] > start)


def _fill_gaps(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN / infinite samples of each lead (in place)."""
    for row in x:
        bad = ~np.isfinite(row)
        if bad.any():
            good = np.flatnonzero(~bad)
            row[bad] = np.interp(np.flatnonzero(bad), good, row[good]) if good.size else 0.0
    return x


@dataclass
class _Intervals:
    gap: list[np.ndarray]
    flat: list[np.ndarray]
    saturated: list[np.ndarray]

    def add(self, raw: np.ndarray, *, offset: int, fs: float) -> None:
        """Record the gaps, flat lines and clipping of a raw chunk (n_leads, n) at ``offset``."""
        for row in raw:
            finite = np.isfinite(row)
            self.gap.append(_runs(~finite) + offset)
            if not finite.any():
                continue
            runs = _constant_runs(row, min_len=max(2, round(_SATURATED_RUN_S * fs)))
            at_rail = np.isin(row[runs[:, 0]], (np.nanmin(row), np.nanmax(row)))
            long = runs[:, 1] - runs[:, 0] >= round(_FLAT_RUN_S * fs)
            self.saturated.append(runs[at_rail] + offset)
            self.flat.append(runs[long & ~at_rail] + offset)

    @staticmethod
    def _join(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.empty((0, 2), np.int64)

    def flags(
        self, sample: np.ndarray, *, before: int, after: int, pad: int, rr_span: bool
    ) -> np.ndarray:
        """The gap / flat / saturated flag of each beat ("" for none)."""
        start, stop = sample - before, sample + after
        gap = self._join(self.gap)
        near_gap = _overlaps(gap, start - pad, stop + pad)
        if rr_span and len(sample) > 1:
            # The RR features of a beat next to a gap measure intervals across it.
            prev = np.concatenate([sample[:1], sample[:-1]])
            nxt = np.concatenate([sample[1:], sample[-1:]])
            near_gap |= _overlaps(gap, prev, nxt + 1)
        flag = np.full(len(sample), "", dtype=object)
        flag[_overlaps(self._join(self.saturated), start, stop)] = "saturated"
        flag[_overlaps(self._join(self.flat), start, stop)] = "flat"
        flag[near_gap] = "nan_gap"
        return flag


# --------------------------------------------------------------------------------------
# The chunked pipeline


@dataclass(frozen=True)
class _Chunk:
    core: tuple[int, int]  # samples whose beats this chunk reports, at the input rate
    span: tuple[int, int]  # samples it reads: the core and its margins


def _chunks(n: int, *, fs: float, chunk_s: float, margin_s: float) -> Iterator[_Chunk]:
    # Boundaries fall on multiples of 10 s, so that the 10 s windows of the kachuee187
    # segmentation are the same in every chunk as in the whole record.
    grid = max(1, round(KACHUEE_WINDOW_S * fs))
    size = max(1, round(chunk_s * fs / grid)) * grid
    margin = math.ceil(margin_s / KACHUEE_WINDOW_S) * grid
    for start in range(0, n, size):
        stop = min(start + size, n)
        yield _Chunk(core=(start, stop), span=(max(0, start - margin), min(n, stop + margin)))


@dataclass(frozen=True)
class _Plan:
    """Rates and windows of one prediction."""

    fs: float  # input rate
    work_fs: float  # rate at which the model's filters run and R peaks are detected
    config: BeatConfig
    before: int  # beat window in input samples (for flags)
    after: int

    def to_work(self, x: np.ndarray) -> np.ndarray:
        if self.work_fs == self.fs:
            return x
        return resample(x, fs=self.fs, target_fs=self.work_fs)

    def work_index(self, sample: int) -> int:
        return int(resample_samples(np.array([sample]), fs=self.fs, target_fs=self.work_fs)[0])


def _plan(classifier: Classifier, fs: float) -> _Plan:
    config = classifier.config
    if config is None:
        raise ValueError(
            "the classifier carries no preprocessing config (BeatConfig), so raw records "
            "cannot be prepared like its training beats; use a checkpoint written by "
            "ecgbeat.train()"
        )
    if config.segmentation == "window" and config.fs is None:
        # The beats were cut at the rate of the training records: resample to it.
        if classifier.fs is None:
            raise ValueError("the classifier does not record its training sampling rate (fs)")
        work_fs = float(classifier.fs)
    else:
        work_fs = fs  # the segmentation resamples to its own rate
    if config.bandpass_hz is not None and config.bandpass_hz[1] >= work_fs / 2:
        raise ValueError(
            f"the model band-passes beats up to {config.bandpass_hz[1]:g} Hz, which needs a "
            f"sampling rate above {2 * config.bandpass_hz[1]:g} Hz; the signal has {fs:g} Hz"
        )
    if config.segmentation == "kachuee187":
        before, after = 0, round(KACHUEE_LENGTH / KACHUEE_FS * fs)
    else:
        before, after = round(config.before_s * fs), round(config.after_s * fs)
    return _Plan(fs=fs, work_fs=work_fs, config=config, before=before, after=after)


def _detect(
    x: np.ndarray, channels: list[int], chunks: list[_Chunk], plan: _Plan
) -> tuple[np.ndarray, np.ndarray, _Intervals]:
    """R peaks (at the working rate), their amplitude, and the flag intervals."""
    peaks, amplitude = [], []
    intervals = _Intervals([], [], [])
    half = round(0.5 * (plan.before + plan.after) * plan.work_fs / plan.fs)
    for chunk in chunks:
        (c0, c1), (s0, s1) = chunk.core, chunk.span
        raw = np.array(x[channels, s0:s1], dtype=np.float64)
        intervals.add(raw, offset=s0, fs=plan.fs)
        lead = plan.config.filter(plan.to_work(_fill_gaps(raw[:1])), fs=plan.work_fs)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # flat chunks are flagged instead
            found = detect_rpeaks(lead, fs=plan.work_fs)
        offset = plan.work_index(s0)
        core = (found + offset >= plan.work_index(c0)) & (found + offset < plan.work_index(c1))
        found = found[core]
        window = np.clip(found[:, None] + np.arange(-half, half + 1), 0, lead.size - 1)
        peaks.append(found + offset)
        amplitude.append(np.ptp(lead[window], axis=1) if found.size else np.empty(0))
    peaks_w, amp = np.concatenate(peaks), np.concatenate(amplitude)
    # A beat at a chunk boundary may be found by both neighbours: keep the first.
    keep = np.diff(peaks_w, prepend=-np.inf) >= _REFRACTORY_S * plan.work_fs
    return peaks_w[keep], amp[keep], intervals


def _cut_in_chunks(
    x: np.ndarray,
    channels: list[int],
    chunks: list[_Chunk],
    plan: _Plan,
    peaks_w: np.ndarray,
    wanted: np.ndarray,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Filter and cut the record chunk by chunk; per chunk, yield the beats too close to an
    edge to be cut, the ``wanted`` beats that were cut, and their windows."""
    for chunk in chunks:
        (c0, c1), (s0, s1) = chunk.core, chunk.span
        offset = plan.work_index(s0)
        lo, hi = np.searchsorted(peaks_w, [offset, plan.work_index(s1)])
        core_lo, core_hi = np.searchsorted(peaks_w, [plan.work_index(c0), plan.work_index(c1)])
        if core_lo == core_hi:
            continue
        raw = _fill_gaps(np.array(x[channels, s0:s1], dtype=np.float64))
        filtered = plan.config.filter(plan.to_work(raw), fs=plan.work_fs)
        # Every peak of the span is passed, so that segmentations looking at neighbours
        # (kachuee187's median RR per 10 s) see them; only the core's beats are kept.
        X, kept = cut_beats(filtered, peaks_w[lo:hi] - offset, fs=plan.work_fs, config=plan.config)
        row_of_peak = np.cumsum(kept) - 1
        beats = np.arange(core_lo, core_hi)
        cut = kept[beats - lo]
        todo = beats[cut & wanted[beats]]
        yield beats[~cut], todo, X[row_of_peak[todo - lo]]


def _classify(
    classifier: Classifier,
    x: np.ndarray,
    channels: list[int],
    chunks: list[_Chunk],
    plan: _Plan,
    peaks_w: np.ndarray,
    rr: np.ndarray | None,
    skip: np.ndarray,
    candidates: np.ndarray,
    batch_size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of every beat (NaN where skipped or not cut) and the edge mask; the
    record's template, where the config has one, is taken from the beats at the indices
    ``candidates``."""
    proba = np.full((len(peaks_w), len(classifier.classes)), np.nan, dtype=np.float32)
    edge = np.zeros(len(peaks_w), dtype=bool)
    template = None
    if plan.config.template != "none":
        # A first pass cuts only the beats the record's template is taken from.
        wanted = np.zeros(len(peaks_w), dtype=bool)
        wanted[candidates[template_rows(len(candidates))]] = True
        parts = [X for _, _, X in _cut_in_chunks(x, channels, chunks, plan, peaks_w, wanted)]
        if sum(map(len, parts)):
            template = record_template(np.concatenate(parts))
    smoothing = classifier.smoothing
    # Smoothing compares each beat with every like beat of the record, so the windows are
    # kept until the last chunk is classified.
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for not_cut, todo, X in _cut_in_chunks(x, channels, chunks, plan, peaks_w, ~skip):
        edge[not_cut] = True
        if template is not None:
            X = X - template
        for start in range(0, todo.size, batch_size):
            part = slice(start, start + batch_size)
            proba[todo[part]] = classifier.network_proba(
                X[part], rr=None if rr is None else rr[todo[part]]
            )
        if smoothing is not None:
            kept.append((todo, X))
    if kept:
        rows = np.concatenate([todo for todo, _ in kept])
        windows = np.concatenate([X for _, X in kept])
        proba[rows] = smooth_within_records(proba[rows], windows, smoothing=smoothing)
    return proba, edge


def predict_record(
    classifier: Classifier,
    signal: Any,
    *,
    fs: float | None = None,
    lead: Any = None,
    chunk_s: float = 1800.0,
    batch_size: int = 2048,
) -> BeatTable:
    """Locate and classify every beat of a raw ECG recording.

    The recording is prepared as the classifier's training beats were: resampled to the
    training rate when it differs (R peaks move along), filtered with the checkpoint's
    :class:`~ecgbeat.pipeline.BeatConfig`, R peaks detected on the first model lead with
    :func:`ecgbeat.signal.detect_rpeaks`, beats cut and normalised by
    :func:`ecgbeat.pipeline.cut_beats`, RR features computed once on all detected peaks of
    the whole record; with a record template (``template="record-median"`` or
    ``"record-sinus"``) a first pass takes it from up to
    :data:`~ecgbeat.pipeline.TEMPLATE_BEATS` of its beats (for ``"record-sinus"``, of
    those :func:`~ecgbeat.pipeline.template_candidates` keeps) spread over it.
    The record is processed in chunks of ``chunk_s`` seconds that
    overlap by 30 s on each side, so memory stays bounded on 24-hour recordings. A
    classifier that smooths within records (:attr:`Classifier.smoothing`) keeps the beat
    windows and smooths the whole record's probabilities after its last chunk (about 250
    MB for 24 hours of two-lead ECG at the inter-patient recipe's 1.8 s windows).

    Parameters
    ----------
    classifier : Classifier
        A trained classifier (``ecgbeat.load(path)``).
    signal : ndarray, Record or path
        ``(n_samples,)`` or ``(n_leads, n_samples)`` array; an
        :class:`ecgbeat.datasets.Record`; a WFDB record path (``.../100`` or
        ``.../100.hea``); a ``.csv`` (one column per lead, optional header row of lead
        names) or ``.npy`` file (memory-mapped).
    fs : float, optional
        Sampling rate in Hz; required for arrays, CSV and NPY files.
    lead : int, str or sequence, optional
        Which rows (indices, or names for WFDB records, Records and CSV headers) feed the
        model, one per model lead; the first is the detection lead. Default: the training
        leads by name (``classifier.leads``), else every row when their number is the
        model's.
    chunk_s : float
        Seconds of signal per chunk (at least 10; rounded to a multiple of 10).
    batch_size : int
        Beats per call to the classifier.

    Returns
    -------
    BeatTable
        One row per detected beat, flagged rows included (see :data:`FLAGS`).

    Raises
    ------
    ValueError
        Empty or too short signal (under 2 s or one beat window), missing or implausible
        ``fs``, a lead count the model does not take, a file that is not an ECG, a
        classifier without preprocessing config.
    TypeError
        A non-numeric signal or ``fs``, or an unsupported input type.
    FileNotFoundError
        A path that does not exist.

    Examples
    --------
    An untrained network stands in for a trained one here (``ecgbeat.load(path)``):

    >>> from ecgbeat.datasets import locate, read_record
    >>> from ecgbeat.models import create_model
    >>> net = create_model("cnn3", num_classes=2, input_length=252)
    >>> clf = Classifier(net, metadata={"classes": ["N", "V"], "input_shape": [1, 252],
    ...                                 "fs": 360.0, "config": BeatConfig().to_dict(),
    ...                                 "leads": ["MLII"]})
    >>> record = read_record(locate("sample"), "101", default_lead="MLII")
    >>> table = predict_record(clf, record.signal[0], fs=record.fs)
    >>> len(table) > 100, table.columns
    (True, ('sample', 'time_s', 'label', 'label_index', 'p_N', 'p_V', 'uncertainty', 'flag'))
    >>> table = predict_record(clf, locate("sample") / "101")   # WFDB path: fs from the header
    """
    if not hasattr(classifier, "network_proba") or not hasattr(classifier, "config"):
        raise TypeError(
            f"classifier must be an ecgbeat Classifier (ecgbeat.load(path)), got "
            f"{type(classifier).__name__}"
        )
    if not chunk_s >= _MIN_CHUNK_S:
        raise ValueError(f"chunk_s must be at least {_MIN_CHUNK_S:g} s, got {chunk_s!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive number of beats, got {batch_size}")
    picked: list[int] = []

    def wfdb_channels(names: tuple[str, ...], source: str) -> list[int]:
        picked[:] = _model_channels(names, len(names), classifier, lead, f"WFDB record {source}")
        return picked

    x, fs, names, source = _read(signal, fs=fs, channels=wfdb_channels)
    if picked:  # a WFDB read returned only the model's leads, in order
        channels = list(range(len(picked)))
    else:
        channels = _model_channels(names, x.shape[0], classifier, lead, source)
    plan = _plan(classifier, fs)
    n = x.shape[1]
    min_n = max(round(_MIN_DURATION_S * fs), plan.before + plan.after)
    if n < min_n:
        raise ValueError(
            f"{source} holds {n} samples ({n / fs:.2f} s at {fs:g} Hz); at least "
            f"{min_n / fs:.2f} s are needed. Check fs, or pass a longer recording"
        )
    if not np.isfinite(x[channels[0]]).any():
        raise ValueError(f"{source} holds no finite sample in its detection lead")

    chunks = list(_chunks(n, fs=fs, chunk_s=chunk_s, margin_s=_MARGIN_S))
    peaks_w, amplitude, intervals = _detect(x, channels, chunks, plan)
    sample = np.minimum(resample_samples(peaks_w, fs=plan.work_fs, target_fs=fs), n - 1)
    uses_rr = bool(classifier.uses_rr)
    flag = intervals.flags(
        sample,
        before=plan.before,
        after=plan.after,
        pad=round(_GAP_PAD_S * fs),
        rr_span=uses_rr,
    )
    if len(sample) and amplitude.size:
        noisy = amplitude > _NOISY_RATIO * np.median(amplitude)
        flag[noisy & (flag == "")] = "noisy"
    features = None
    if len(sample) >= 2 and (uses_rr or plan.config.template == "record-sinus"):
        features = rr_features(sample, fs=fs, local_beats=plan.config.rr_local_beats)
    rr = None
    if uses_rr:
        if features is not None:
            rr = classifier.select_rr(features)
        else:
            flag[:] = "no_rr"
    if len(sample) == 0:
        warnings.warn(
            f"no beat was detected in {source}; check the lead, fs and the recording",
            UserWarning,
            stacklevel=2,
        )
    skip = np.isin(flag, list(UNPREDICTED_FLAGS))
    candidates = np.flatnonzero(~skip)
    if features is not None and plan.config.template != "none":
        candidates = candidates[
            template_candidates(features[candidates], template=plan.config.template)
        ]
    proba, edge = _classify(
        classifier, x, channels, chunks, plan, peaks_w, rr, skip, candidates, batch_size
    )
    flag[edge & ~np.isin(flag, ["nan_gap"])] = "edge"
    predicted = ~np.isnan(proba).any(axis=1)
    label_index = np.where(predicted, np.nan_to_num(proba).argmax(axis=1), -1)
    return BeatTable(
        sample=sample,
        label_index=label_index,
        proba=proba,
        flag=flag.astype(str),
        classes=classifier.classes,
        fs=fs,
        n_samples=n,
    )


def predict_command(
    record: str | os.PathLike,
    *,
    model: str | os.PathLike,
    out: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    fs: float | None = None,
    lead: Any = None,
    overwrite: bool = False,
) -> BeatTable:
    """What ``ecgbeat predict RECORD --model model.pt --out beats.csv`` does.

    Parameters
    ----------
    record : path
        A WFDB record path, ``.csv`` or ``.npy`` file; a bare record name (``100``) is
        looked up in ``data_dir``.
    model : path
        A checkpoint written by ``ecgbeat.train()``.
    out : path
        Where the beat table is written as CSV.
    data_dir : path, optional
        Folder holding ``record`` when it is given by name.
    fs : float, optional
        Sampling rate for CSV and NPY files.
    lead : optional
        See :func:`predict_record`.
    overwrite : bool
        Replace ``out`` if it exists (checked before any work is done).

    Returns
    -------
    BeatTable
        The table written to ``out``.

    Examples
    --------
    >>> import tempfile
    >>> from ecgbeat.datasets import locate
    >>> from ecgbeat.models import create_model
    >>> from ecgbeat.training.checkpoint import save_checkpoint
    >>> from ecgbeat.training.classifier import model_spec
    >>> folder = Path(tempfile.mkdtemp())
    >>> net = create_model("cnn3", num_classes=2, input_length=252)
    >>> model = save_checkpoint(folder / "model.pt", model_state=net.state_dict(), metadata={
    ...     "model": model_spec(net), "classes": ["N", "V"], "input_shape": [1, 252],
    ...     "fs": 360.0, "config": BeatConfig().to_dict(), "leads": ["MLII"]})
    >>> table = predict_command("232", model=model, out=folder / "beats.csv",
    ...                         data_dir=locate("sample"))
    >>> (folder / "beats.csv").read_text().splitlines()[0].split(",")[:3]
    ['sample', 'time_s', 'label']
    """
    out = Path(out)
    refuse_overwrite(out, overwrite=overwrite, hint=" (--overwrite), or choose another path")
    path = Path(record)
    if data_dir is not None and not path.is_absolute() and not _exists(path):
        path = Path(data_dir) / path
    if not _exists(path):
        raise FileNotFoundError(
            f"no record {path} (looked for {path}, {path}.hea); pass a WFDB record path, a "
            ".csv or .npy file, or a record name with --data-dir"
        )
    table = predict_record(load(model), path, fs=fs, lead=lead)
    table.to_csv(out, overwrite=overwrite)
    return table


def _exists(path: Path) -> bool:
    return path.is_file() or Path(f"{path}.hea").is_file()
