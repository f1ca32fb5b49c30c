"""On-device augmentation."""

from __future__ import annotations

import pytest
import torch

from ecgbeat.training.augment import Augmentation


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_augmentation_keeps_shape_dtype_and_device():
    x = torch.randn(32, 2, 252)
    out = Augmentation()(x, fs=360.0, generator=_gen())
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device


def test_augmentation_is_reproducible_with_the_same_generator():
    x = torch.randn(16, 1, 100)
    aug = Augmentation(probability=1.0)
    torch.testing.assert_close(
        aug(x, fs=360.0, generator=_gen(3)), aug(x, fs=360.0, generator=_gen(3))
    )


def test_probability_zero_leaves_beats_unchanged():
    x = torch.randn(8, 1, 100)
    torch.testing.assert_close(Augmentation(probability=0.0)(x, fs=360.0, generator=_gen()), x)


def test_time_shift_moves_a_spike_by_at_most_shift_s():
    x = torch.zeros(64, 1, 101)
    x[:, 0, 50] = 1.0
    aug = Augmentation(noise_std=0, drift_std=0, scale=0, shift_s=5 / 360, probability=1.0)
    peak = aug(x, fs=360.0, generator=_gen()).argmax(dim=2).flatten()
    assert (peak - 50).abs().max() <= 5 and len(peak.unique()) > 1


def test_time_stretch_scales_distances_from_the_centre_by_at_most_stretch():
    x = torch.zeros(64, 1, 101)
    x[:, 0, 50] = 1.0  # the centre stays put
    x[:, 0, 90] = 2.0  # 40 samples from it: 32 to 48 after a stretch of 0.2
    aug = Augmentation(noise_std=0, drift_std=0, scale=0, shift_s=0, stretch=0.2, probability=1.0)
    out = aug(x, fs=360.0, generator=_gen())
    assert (out[:, 0, 50] == 1.0).all()
    distance = out[:, 0, 51:].argmax(dim=1) + 1
    assert distance.min() >= 32 and distance.max() <= 48 and len(distance.unique()) > 1


def test_time_shift_without_stretch_reads_samples_exactly():
    x = torch.randn(16, 2, 100)
    aug = Augmentation(noise_std=0, drift_std=0, scale=0, shift_s=0.02, probability=1.0)
    out = aug(x, fs=360.0, generator=_gen())
    # No interpolation: every output sample is one of its beat's samples, unchanged.
    assert all(torch.isin(o, b).all() for o, b in zip(out, x, strict=True))


def test_noise_is_relative_to_each_beat_scale():
    x = torch.randn(64, 1, 200)
    aug = Augmentation(noise_std=0.1, drift_std=0, scale=0, shift_s=0, probability=1.0)
    small = aug(x * 1e-3, fs=360.0, generator=_gen()) - x * 1e-3
    large = aug(x * 1e3, fs=360.0, generator=_gen()) - x * 1e3
    torch.testing.assert_close(large, small * 1e6, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"noise_std": -1}, "noise_std"),
        ({"scale": 1.5}, "scale"),
        ({"stretch": 1.0}, "stretch"),
        ({"stretch": -0.1}, "stretch"),
        ({"probability": 2}, "probability"),
    ],
)
def test_bad_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Augmentation(**kwargs)


def test_augmentation_rejects_flat_batches():
    with pytest.raises(ValueError, match="n_leads"):
        Augmentation()(torch.zeros(4, 100), fs=360.0, generator=_gen())
