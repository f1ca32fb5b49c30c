"""R-peak detection on raw ECG, and the EC57 beat-by-beat matching that validates a detector."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from scipy import ndimage
from scipy import signal as sps

__all__ = ["RPEAK_METHODS", "PeakMatch", "detect_rpeaks", "match_peaks"]

#: Detection methods known to :func:`detect_rpeaks`, named after the paper they follow.
RPEAK_METHODS: tuple[str, ...] = ("pantompkins1985",)

# Timing constants of Pan & Tompkins (1985), IEEE Trans. Biomed. Eng. 32(3):230-236:
# 150 ms integration window, 200 ms refractory period, T-wave check within 360 ms,
# search-back when an RR interval exceeds 166 % of the running RR average.
_INTEGRATION_S = 0.15
_REFRACTORY_S = 0.2
_TWAVE_S = 0.36
_SEARCHBACK_RR = 1.66
# Pass band of the detection filter. Pan & Tompkins used 5-15 Hz; 5-20 Hz keeps more of the
# QRS slopes relative to P and T waves and scored better on MIT-BIH (docs/detector.md).
_BAND_HZ = (5.0, 20.0)
# Adaptive threshold on the square root of the integrated signal (amplitude units): a
# candidate is a QRS when it exceeds 0.3 x the local QRS level; search-back accepts
# 0.7 x that, the square-root counterpart of Pan & Tompkins' halved threshold.
_THRESHOLD = 0.3
_SEARCHBACK_THRESHOLD = 0.7
# The local QRS level: the largest integrated value within +-1 s, then the median of that
# envelope over 10 s, so one artefact or one missing beat does not move it.
_ENVELOPE_S = 2.0
_LEVEL_S = 10.0
_LEVEL_STEP_S = 0.25
# The local level never falls below the record's median level: thresholds rise over noisy
# or large-beat stretches but do not sink into the noise of low-amplitude ones.
_MIN_LEVEL = 1.0
# Two detections closer than 360 ms: the weaker is a T wave (the later one, below 50 % of
# the earlier) or a P wave (the earlier one, below 60 % of the later).
_TWAVE_RATIO = 0.5
_PWAVE_RATIO = 0.6
# Beats in the running RR median that sets the search-back limit.
_RR_BEATS = 9
# The R peak is the largest absolute deflection of the band-passed ECG within +-75 ms of
# the integrated peak.
_LOCATE_S = 0.075
_MIN_DURATION_S = 2.0
_MIN_FS = 50.0


class PeakMatch(NamedTuple):
    """Beat-by-beat agreement of detected peaks with reference beats.

    Attributes
    ----------
    tp : int
        Detections matched one-to-one with a reference beat.
    fp : int
        Detections matched with no reference beat.
    fn : int
        Reference beats matched with no detection.

    Examples
    --------
    >>> m = PeakMatch(tp=98, fp=2, fn=1)
    >>> round(m.sensitivity, 4), round(m.ppv, 4)
    (0.9899, 0.98)
    """

    tp: int
    fp: int
    fn: int

    @property
    def sensitivity(self) -> float:
        """Se = TP / (TP + FN); NaN without reference beats."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def ppv(self) -> float:
        """Positive predictivity +P = TP / (TP + FP); NaN without detections."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")


def _check_fs(fs: float) -> float:
    if isinstance(fs, bool) or not isinstance(fs, int | float | np.integer | np.floating):
        raise TypeError(f"fs must be a number (the sampling rate in Hz), got {type(fs).__name__}")
    if not np.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive, finite sampling rate in Hz, got {fs!r}")
    return float(fs)


def _check_signal(signal: np.ndarray, *, fs: float, lead: int) -> np.ndarray:
    """The lead to analyse as float64, after checking shape, type, length and NaN."""
    x = np.asarray(signal)
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"signal must hold real numbers, got an array of dtype {x.dtype}")
    if x.ndim == 2:
        if x.shape[0] > x.shape[1]:
            raise ValueError(
                f"signal of shape {x.shape} has more leads than samples; pass it as "
                "(n_leads, n_samples), e.g. signal.T"
            )
        if not -x.shape[0] <= lead < x.shape[0]:
            raise ValueError(f"lead={lead} is out of range for a signal with {x.shape[0]} leads")
        x = x[lead]
    elif x.ndim != 1:
        raise ValueError(
            f"signal must be 1-D (n_samples,) or 2-D (n_leads, n_samples), got shape {x.shape}"
        )
    if fs < _MIN_FS:
        raise ValueError(
            f"fs={fs:g} Hz is too low for QRS detection (the detector filters up to "
            f"{_BAND_HZ[1]:g} Hz); resample the signal to at least {_MIN_FS:g} Hz"
        )
    if x.size < _MIN_DURATION_S * fs:
        raise ValueError(
            f"signal holds {x.size} samples ({x.size / fs:.2f} s at fs={fs:g} Hz); the detector "
            f"needs at least {_MIN_DURATION_S:g} s. Check fs, or pass a longer signal"
        )
    x = x.astype(np.float64)
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).sum())
        raise ValueError(
            f"signal holds {bad} NaN or infinite samples; interpolate the gaps (e.g. "
            "numpy.interp) or split the signal at them and detect on each part"
        )
    return x


def _local_level(mwi: np.ndarray, *, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """QRS level of the integrated signal on a coarse grid: (grid sample positions, level)."""
    envelope = ndimage.maximum_filter1d(mwi, size=round(_ENVELOPE_S * fs), mode="nearest")
    step = max(1, round(_LEVEL_STEP_S * fs))
    # The median runs on the envelope sampled every 250 ms: the same statistic as a
    # per-sample median at a hundredth of the cost.
    grid = ndimage.median_filter(
        envelope[::step], size=round(_LEVEL_S / _LEVEL_STEP_S) | 1, mode="nearest"
    )
    return np.arange(grid.size) * step, np.maximum(grid, _MIN_LEVEL * np.median(grid))


def _drop_twaves(accepted: np.ndarray, cand: np.ndarray, height: np.ndarray, fs: float) -> None:
    """Reject, in place, the weaker of two accepted candidates closer than 360 ms."""
    idx = np.flatnonzero(accepted)
    close = np.diff(cand[idx]) < _TWAVE_S * fs
    earlier, later = idx[:-1][close], idx[1:][close]
    accepted[later[height[later] < _TWAVE_RATIO * height[earlier]]] = False
    accepted[earlier[height[earlier] < _PWAVE_RATIO * height[later]]] = False


def _search_back(
    accepted: np.ndarray, cand: np.ndarray, height: np.ndarray, threshold: np.ndarray, fs: float
) -> bool:
    """Accept, in place, the highest lower-threshold candidate of each too-long RR gap.

    Returns whether any candidate was added.
    """
    peaks = cand[accepted]
    if peaks.size < 3:
        return False
    rr = np.diff(peaks)
    long_gap = rr > _SEARCHBACK_RR * ndimage.median_filter(rr, size=_RR_BEATS, mode="nearest")
    gap = np.searchsorted(peaks, cand) - 1  # the RR interval each candidate falls in
    inside = (gap >= 0) & (gap < rr.size)
    gap = np.clip(gap, 0, rr.size - 1)
    eligible = (
        ~accepted
        & inside
        & long_gap[gap]
        & (height > _SEARCHBACK_THRESHOLD * threshold)
        # a beat found in the gap must not be a T or P wave of its neighbours
        & (cand - peaks[gap] > _TWAVE_S * fs)
        & (peaks[gap + 1] - cand > _TWAVE_S * fs)
    )
    pick = np.flatnonzero(eligible)
    if pick.size == 0:
        return False
    pick = pick[np.lexsort((height[pick], gap[pick]))]  # by gap, highest candidate last
    last_of_gap = np.r_[gap[pick][1:] != gap[pick][:-1], True]
    accepted[pick[last_of_gap]] = True
    return True


def _pantompkins1985(x: np.ndarray, *, fs: float) -> np.ndarray:
    sos = sps.butter(2, _BAND_HZ, btype="bandpass", fs=fs, output="sos")
    filtered = sps.sosfiltfilt(sos, x)  # zero phase: no delay to undo when locating R
    energy = (np.gradient(filtered) * fs) ** 2
    # A centred moving average, so the integrated peak sits on the QRS, not 75 ms later;
    # the square root brings it back to amplitude units, where normal beats next to PVCs
    # three times their size still clear a threshold set by the local level.
    mwi = ndimage.uniform_filter1d(energy, size=round(_INTEGRATION_S * fs), mode="nearest")
    mwi = np.sqrt(np.maximum(mwi, 0.0))  # the running sum can round to -1e-17
    cand, _ = sps.find_peaks(mwi, distance=round(_REFRACTORY_S * fs))
    if cand.size == 0:
        return cand.astype(np.int64)
    grid, level = _local_level(mwi, fs=fs)
    threshold = _THRESHOLD * np.interp(cand, grid, level)
    height = mwi[cand]
    accepted = height > threshold
    _drop_twaves(accepted, cand, height, fs)
    # Each round adds at most one beat per long gap; three rounds cover pauses of several
    # missed beats.
    for _ in range(3):
        if not _search_back(accepted, cand, height, threshold, fs):
            break
    return _locate_r(cand[accepted], filtered, fs=fs)


def _locate_r(peaks: np.ndarray, filtered: np.ndarray, *, fs: float) -> np.ndarray:
    """Move each integrated peak to the largest absolute deflection of the filtered ECG."""
    half = round(_LOCATE_S * fs)
    window = np.clip(peaks[:, None] + np.arange(-half, half + 1), 0, filtered.size - 1)
    r = window[np.arange(peaks.size), np.argmax(np.abs(filtered[window]), axis=1)]
    # Two integrated peaks may land on one QRS: of two R peaks closer than the refractory
    # period keep the larger deflection.
    r = np.unique(r)
    close = np.flatnonzero(np.diff(r) < _REFRACTORY_S * fs)
    size = np.abs(filtered[r])
    drop = np.where(size[close] < size[close + 1], close, close + 1)
    r = np.delete(r, drop)
    return r.astype(np.int64)


def detect_rpeaks(
    signal: np.ndarray, *, fs: float, method: str = "pantompkins1985", lead: int = 0
) -> np.ndarray:
    """Locate the R peaks of an ECG.

    ``"pantompkins1985"`` follows Pan & Tompkins (1985) with whole-signal array operations:
    a zero-phase 5-20 Hz band-pass, derivative, squaring and a 150 ms moving-window
    integration; candidate QRS complexes are the integrated peaks at least 200 ms apart
    (refractory period). A candidate is accepted above 0.3 x the local QRS level (the
    largest integrated value within +-1 s, median over 10 s, never below the median over
    the whole signal); of two accepted peaks closer
    than 360 ms the much weaker one is dropped as a T or P wave; RR gaps over 166 % of the
    running RR median are searched again at 0.7 x the threshold. Each detection is finally
    moved to the largest absolute deflection of the band-passed ECG within +-75 ms.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,) or (n_leads, n_samples)
        Raw ECG in any unit; the baseline needs no removal. Of a multi-lead signal only
        ``lead`` is analysed.
    fs : float
        Sampling rate in Hz, at least 50 Hz.
    method : str
        Detection method, one of :data:`RPEAK_METHODS`.
    lead : int
        Row of a 2-D ``signal`` to analyse.

    Returns
    -------
    ndarray of shape (n_peaks,), int64
        Sample indices of the R peaks, increasing. A flat signal gives an empty array and a
        ``UserWarning``.

    Raises
    ------
    ValueError
        Unknown method, wrong shape, ``fs`` below 50 Hz, a signal shorter than 2 s, or NaN /
        infinite samples (the message says how to fix each).
    TypeError
        A non-numeric signal or ``fs``.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 250.0
    >>> t = np.arange(int(10 * fs)) / fs
    >>> beats = np.arange(0.5, 10, 0.8)                      # 75 beats per minute
    >>> ecg = sum(np.exp(-(((t - b) / 0.01) ** 2)) for b in beats)
    >>> peaks = detect_rpeaks(ecg, fs=fs)
    >>> len(peaks), bool(np.abs(peaks / fs - beats).max() < 0.005)
    (12, True)
    """
    if method not in RPEAK_METHODS:
        raise ValueError(f"unknown method {method!r}; known methods: {list(RPEAK_METHODS)}")
    fs = _check_fs(fs)
    x = _check_signal(signal, fs=fs, lead=lead)
    if np.ptp(x) == 0:
        warnings.warn(
            "the ECG is flat (constant): no R peaks detected; check the lead and the recording",
            UserWarning,
            stacklevel=2,
        )
        return np.empty(0, dtype=np.int64)
    return _pantompkins1985(x, fs=fs)


def _nearest(sorted_values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Index in ``sorted_values`` (non-empty) of the element nearest each query."""
    right = np.clip(np.searchsorted(sorted_values, queries), 1, max(sorted_values.size - 1, 1))
    left = right - 1
    if sorted_values.size == 1:
        return np.zeros(queries.size, dtype=np.intp)
    take_left = np.abs(queries - sorted_values[left]) <= np.abs(sorted_values[right] - queries)
    return np.where(take_left, left, right)


def _outside(samples: np.ndarray, exclude: np.ndarray) -> np.ndarray:
    """Mask of the samples outside every [start, stop) interval of ``exclude``."""
    if exclude.size == 0:
        return np.ones(samples.size, dtype=bool)
    starts, stops = exclude[:, 0], exclude[:, 1]
    order = np.argsort(starts)
    starts, stops = starts[order], np.maximum.accumulate(stops[order])
    k = np.searchsorted(starts, samples, side="right") - 1
    return (k < 0) | (samples >= stops[np.clip(k, 0, None)])


def match_peaks(
    detected: np.ndarray,
    reference: np.ndarray,
    *,
    fs: float,
    tolerance_s: float = 0.15,
    exclude: np.ndarray | None = None,
) -> PeakMatch:
    """Match detected peaks with reference beats one-to-one, as EC57 scores QRS detection.

    A detection and a reference beat match when they are at most ``tolerance_s`` apart
    (150 ms in ANSI/AAMI EC57) and each is the other's nearest still-unmatched partner;
    matching repeats on what is left until no pair is added.

    Parameters
    ----------
    detected, reference : array of int
        Sample indices (any order) of the detected peaks and of the reference beat
        annotations.
    fs : float
        Sampling rate in Hz.
    tolerance_s : float
        Largest distance in seconds between matched peaks.
    exclude : array of shape (n_intervals, 2), optional
        ``[start, stop)`` sample intervals left out of the comparison (detections and
        reference beats inside them are not counted), e.g. ventricular flutter episodes.

    Returns
    -------
    PeakMatch
        ``(tp, fp, fn)`` with ``sensitivity`` and ``ppv`` properties.

    Examples
    --------
    >>> m = match_peaks([100, 400, 705], [100, 420, 700, 1000], fs=100)
    >>> m
    PeakMatch(tp=2, fp=1, fn=2)
    >>> round(m.sensitivity, 2), round(m.ppv, 2)
    (0.5, 0.67)
    """
    fs = _check_fs(fs)
    if not tolerance_s > 0:
        raise ValueError(f"tolerance_s must be positive, got {tolerance_s!r}")
    det = np.sort(np.asarray(detected, dtype=np.int64).ravel())
    ref = np.sort(np.asarray(reference, dtype=np.int64).ravel())
    if exclude is not None:
        intervals = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
        det, ref = det[_outside(det, intervals)], ref[_outside(ref, intervals)]
    tol = tolerance_s * fs
    det_free = np.ones(det.size, dtype=bool)
    ref_free = np.ones(ref.size, dtype=bool)
    while det_free.any() and ref_free.any():
        d_idx, r_idx = np.flatnonzero(det_free), np.flatnonzero(ref_free)
        d, r = det[d_idx], ref[r_idx]
        ref_of_det = _nearest(r, d)
        det_of_ref = _nearest(d, r)
        mutual = (det_of_ref[ref_of_det] == np.arange(d.size)) & (np.abs(r[ref_of_det] - d) <= tol)
        if not mutual.any():
            break
        det_free[d_idx[mutual]] = False
        ref_free[r_idx[ref_of_det[mutual]]] = False
    tp = int((~det_free).sum())
    return PeakMatch(tp=tp, fp=det.size - tp, fn=ref.size - tp)
