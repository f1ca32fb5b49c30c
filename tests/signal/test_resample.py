import numpy as np
import pytest

from ecgbeat.signal import resample, resample_samples


@pytest.mark.parametrize("target_fs", [125.0, 128.0, 250.0, 257.0, 500.0])
def test_resampling_keeps_r_peak_positions(target_fs):
    fs = 360.0
    t = np.arange(int(30 * fs)) / fs
    peaks = np.arange(int(0.7 * fs), int(29 * fs), int(0.83 * fs))
    x = np.exp(-(((t[:, None] - peaks[None, :] / fs) / 0.012) ** 2)).sum(axis=1)
    y = resample(x, fs=fs, target_fs=target_fs)
    moved = resample_samples(peaks, fs=fs, target_fs=target_fs)
    assert len(y) == int(np.ceil(len(x) * target_fs / fs))
    # The pulse maximum in the resampled signal is within one sample of the moved annotation.
    local_max = np.array([np.argmax(y[p - 5 : p + 6]) + p - 5 for p in moved])
    assert np.abs(local_max - moved).max() <= 1


def test_resample_to_the_same_rate_returns_the_signal():
    x = np.random.default_rng(0).normal(size=(2, 100))
    np.testing.assert_array_equal(resample(x, fs=360, target_fs=360), x)


def test_resample_rejects_non_positive_rates():
    with pytest.raises(ValueError, match="positive"):
        resample(np.zeros(10), fs=360, target_fs=0)
