import numpy as np
import pytest

from ecgbeat.signal import bandpass, notch, remove_baseline

FS = 360.0
T = np.arange(int(20 * FS)) / FS


def _amplitude(x: np.ndarray) -> float:
    core = x[int(2 * FS) : -int(2 * FS)]  # away from filter edge effects
    return float(np.sqrt(2) * core.std())


@pytest.mark.parametrize("freq_hz", [2.0, 10.0, 25.0])
def test_bandpass_keeps_the_passband(freq_hz):
    y = bandpass(np.sin(2 * np.pi * freq_hz * T), fs=FS)
    assert _amplitude(y) == pytest.approx(1.0, abs=0.03)


@pytest.mark.parametrize("freq_hz", [0.05, 100.0, 150.0])
def test_bandpass_kills_the_stopband(freq_hz):
    y = bandpass(np.sin(2 * np.pi * freq_hz * T), fs=FS)
    assert _amplitude(y) < 0.05


def test_bandpass_is_zero_phase():
    pulse = np.exp(-(((T - 10.0) / 0.02) ** 2))
    y = bandpass(pulse, fs=FS)
    assert abs(int(np.argmax(y)) - int(np.argmax(pulse))) <= 1


def test_bandpass_filters_each_lead_along_time():
    x = np.stack([np.sin(2 * np.pi * 10 * T), np.sin(2 * np.pi * 100 * T)])
    y = bandpass(x, fs=FS)
    assert y.shape == x.shape
    assert _amplitude(y[0]) > 0.95 and _amplitude(y[1]) < 0.05


def test_bandpass_rejects_edges_above_nyquist():
    with pytest.raises(ValueError, match="fs/2"):
        bandpass(np.zeros(1000), fs=64, highcut_hz=40)


def test_bandpass_rejects_a_missing_sampling_rate():
    with pytest.raises(ValueError, match="positive sampling rate"):
        bandpass(np.zeros(1000), fs=0)


def test_notch_removes_mains_and_keeps_ecg_band():
    mains = notch(np.sin(2 * np.pi * 60 * T), fs=FS)
    ecg = notch(np.sin(2 * np.pi * 10 * T), fs=FS)
    assert _amplitude(mains) < 0.05
    assert _amplitude(ecg) == pytest.approx(1.0, abs=0.02)


def test_remove_baseline_removes_slow_wander_and_keeps_qrs():
    qrs = np.exp(-(((T[:, None] - np.arange(0.5, 20, 0.8)[None, :]) / 0.01) ** 2)).sum(axis=1)
    wander = 0.8 * np.sin(2 * np.pi * 0.15 * T)
    y = remove_baseline(qrs + wander, fs=FS)
    core = slice(int(FS), -int(FS))
    assert np.abs(y - qrs)[core].max() < 0.1
    assert y[core].max() > 0.9
