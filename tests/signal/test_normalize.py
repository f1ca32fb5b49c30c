import numpy as np
import pytest

from ecgbeat.signal import minmax, normalize, zscore


def test_zscore_gives_zero_mean_unit_std_per_beat_and_lead():
    x = np.random.default_rng(0).normal(3, 5, size=(4, 2, 100))
    z = zscore(x)
    np.testing.assert_allclose(z.mean(axis=-1), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(axis=-1), 1, atol=1e-4)


def test_minmax_maps_each_beat_to_unit_range():
    x = np.random.default_rng(0).normal(size=(4, 1, 50))
    m = minmax(x)
    np.testing.assert_allclose(m.min(axis=-1), 0)
    np.testing.assert_allclose(m.max(axis=-1), 1, atol=1e-6)


@pytest.mark.parametrize("method", ["zscore", "minmax"])
def test_flat_beats_become_zeros_not_nan(method):
    out = normalize(np.full((2, 1, 10), 7.0), method=method)
    assert np.all(out == 0)


def test_unknown_method_names_the_choices():
    with pytest.raises(ValueError, match="zscore"):
        normalize(np.zeros(3), method="robust")
