"""Signal processing: pure functions, arrays in and arrays out, sampling rate always explicit."""

from ecgbeat.signal.detect import RPEAK_METHODS, PeakMatch, detect_rpeaks, match_peaks
from ecgbeat.signal.filters import bandpass, notch, remove_baseline
from ecgbeat.signal.normalize import NORMALIZATIONS, minmax, normalize, zscore
from ecgbeat.signal.resample import resample, resample_samples

__all__ = [
    "NORMALIZATIONS",
    "RPEAK_METHODS",
    "PeakMatch",
    "bandpass",
    "detect_rpeaks",
    "match_peaks",
    "minmax",
    "normalize",
    "notch",
    "remove_baseline",
    "resample",
    "resample_samples",
    "zscore",
]
