"""Resampling of signals to a target sampling rate, with their annotations moved along."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy import signal as sps

__all__ = ["resample", "resample_samples"]


def _ratio(fs: float, target_fs: float) -> Fraction:
    if fs <= 0 or target_fs <= 0:
        raise ValueError(f"sampling rates must be positive, got fs={fs} and target_fs={target_fs}")
    # Rates such as 257 Hz or 128 Hz are exact; limit_denominator keeps up/down small.
    return Fraction(target_fs / fs).limit_denominator(1000)


def resample(x: np.ndarray, *, fs: float, target_fs: float, axis: int = -1) -> np.ndarray:
    """Resample a signal with a polyphase anti-aliasing filter.

    Parameters
    ----------
    x : ndarray
        Signal(s), resampled along ``axis``.
    fs : float
        Sampling rate of ``x`` in Hz.
    target_fs : float
        Wanted sampling rate in Hz.
    axis : int
        Time axis.

    Returns
    -------
    ndarray
        The resampled signal; its length along ``axis`` is ``ceil(n * target_fs / fs)``.

    Examples
    --------
    >>> import numpy as np
    >>> y = resample(np.zeros((2, 3600)), fs=360, target_fs=125)
    >>> y.shape
    (2, 1250)
    """
    ratio = _ratio(fs, target_fs)
    if ratio == 1:
        return np.asarray(x, dtype=np.float64)
    return sps.resample_poly(x, ratio.numerator, ratio.denominator, axis=axis)


def resample_samples(samples: np.ndarray, *, fs: float, target_fs: float) -> np.ndarray:
    """Move annotation sample indices from ``fs`` to ``target_fs``.

    Parameters
    ----------
    samples : ndarray of int
        Sample indices at ``fs``.
    fs, target_fs : float
        Original and new sampling rates in Hz.

    Returns
    -------
    ndarray of int64
        The nearest sample index at ``target_fs`` for each annotation.

    Examples
    --------
    >>> import numpy as np
    >>> resample_samples(np.array([0, 360, 720]), fs=360, target_fs=125).tolist()
    [0, 125, 250]
    """
    ratio = _ratio(fs, target_fs)
    return np.round(np.asarray(samples, dtype=np.float64) * float(ratio)).astype(np.int64)
