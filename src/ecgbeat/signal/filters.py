"""Zero-phase filters for ECG: band-pass, baseline-wander removal and power-line notch."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy import signal as sps

__all__ = ["bandpass", "notch", "remove_baseline"]


def _check_fs(fs: float) -> None:
    if not fs or fs <= 0:
        raise ValueError(f"fs must be a positive sampling rate in Hz, got {fs!r}")


def bandpass(
    x: np.ndarray,
    *,
    fs: float,
    lowcut_hz: float = 0.5,
    highcut_hz: float = 40.0,
    order: int = 4,
    axis: int = -1,
) -> np.ndarray:
    """Zero-phase Butterworth band-pass filter (forward-backward, second-order sections).

    Parameters
    ----------
    x : ndarray
        Signal(s); filtered along ``axis``.
    fs : float
        Sampling rate in Hz.
    lowcut_hz, highcut_hz : float
        Pass band edges in Hz; ``highcut_hz`` must lie below the Nyquist frequency.
    order : int
        Butterworth order of each pass (the zero-phase filter has twice the order).
    axis : int
        Time axis.

    Returns
    -------
    ndarray
        Filtered signal, same shape as ``x``, float64.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 360
    >>> t = np.arange(10 * fs) / fs
    >>> y = bandpass(np.sin(2 * np.pi * 10 * t) + 2.0, fs=fs)   # the DC offset is removed
    >>> bool(abs(y[fs:-fs].mean()) < 0.01)
    True
    """
    _check_fs(fs)
    if not 0 < lowcut_hz < highcut_hz < fs / 2:
        raise ValueError(
            f"band edges must satisfy 0 < lowcut_hz < highcut_hz < fs/2 = {fs / 2:g}, "
            f"got {lowcut_hz:g} and {highcut_hz:g} Hz"
        )
    sos = sps.butter(order, [lowcut_hz, highcut_hz], btype="bandpass", fs=fs, output="sos")
    return sps.sosfiltfilt(sos, x, axis=axis)


def notch(
    x: np.ndarray,
    *,
    fs: float,
    freq_hz: float = 60.0,
    quality: float = 30.0,
    axis: int = -1,
) -> np.ndarray:
    """Zero-phase IIR notch filter for power-line interference.

    Parameters
    ----------
    x : ndarray
        Signal(s); filtered along ``axis``.
    fs : float
        Sampling rate in Hz.
    freq_hz : float
        Frequency to remove: 60 Hz (Americas, MIT-BIH) or 50 Hz (Europe, most of Asia).
    quality : float
        Quality factor; the notch is ``freq_hz / quality`` Hz wide at -3 dB.
    axis : int
        Time axis.

    Returns
    -------
    ndarray
        Filtered signal, same shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 360
    >>> t = np.arange(10 * fs) / fs
    >>> y = notch(np.sin(2 * np.pi * 60 * t), fs=fs)
    >>> bool(np.abs(y[fs:-fs]).max() < 0.05)
    True
    """
    _check_fs(fs)
    if not 0 < freq_hz < fs / 2:
        raise ValueError(f"freq_hz must lie in (0, fs/2 = {fs / 2:g}) Hz, got {freq_hz:g}")
    b, a = sps.iirnotch(freq_hz, quality, fs=fs)
    return sps.filtfilt(b, a, x, axis=axis)


def remove_baseline(
    x: np.ndarray,
    *,
    fs: float,
    windows_s: tuple[float, float] = (0.2, 0.6),
    axis: int = -1,
) -> np.ndarray:
    """Remove baseline wander with two cascaded median filters (de Chazal et al. 2004).

    The first median filter (200 ms) removes QRS complexes and P waves, the second
    (600 ms) removes T waves; what is left is the baseline, which is subtracted.

    Parameters
    ----------
    x : ndarray
        Signal(s); filtered along ``axis``.
    fs : float
        Sampling rate in Hz.
    windows_s : tuple of float
        Widths of the two median filters in seconds.
    axis : int
        Time axis.

    Returns
    -------
    ndarray
        Signal with the baseline removed, same shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 360
    >>> t = np.arange(20 * fs) / fs
    >>> wander = 0.5 * np.sin(2 * np.pi * 0.2 * t)
    >>> spikes = (np.arange(t.size) % fs == 0).astype(float)
    >>> y = remove_baseline(spikes + wander, fs=fs)
    >>> bool(np.abs(y - spikes)[fs:-fs].max() < 0.05)
    True
    """
    _check_fs(fs)
    x = np.asarray(x, dtype=np.float64)
    baseline = x
    for width_s in windows_s:
        # An odd window keeps the median centred on the sample.
        size = [1] * x.ndim
        size[axis] = round(width_s * fs) // 2 * 2 + 1
        baseline = ndimage.median_filter(baseline, size=size, mode="nearest")
    return x - baseline
