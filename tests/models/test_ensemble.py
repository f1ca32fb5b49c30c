"""Ensemble: the members' mean class probabilities, read as logits."""

from __future__ import annotations

import pytest
import torch

from ecgbeat.models import Ensemble, create_model

LENGTH = 64
N_RR = 4


def members(n: int = 3, **kwargs) -> list[torch.nn.Module]:
    torch.manual_seed(0)
    return [create_model("cnn3", num_classes=3, input_length=LENGTH, **kwargs) for _ in range(n)]


def test_the_output_is_the_log_of_the_members_mean_probability():
    nets = [m.eval() for m in members()]
    x = torch.randn(8, 1, LENGTH)
    with torch.no_grad():
        expected = torch.stack([net(x).softmax(1) for net in nets]).mean(0)
        got = Ensemble(nets).eval()(x)
    assert torch.allclose(got.exp(), expected, atol=1e-6)
    assert torch.allclose(got.softmax(1), expected, atol=1e-6)


def test_rr_features_reach_the_members_that_read_them():
    torch.manual_seed(0)
    fusion = create_model(
        "beatfusion_tiny", num_classes=3, input_length=LENGTH, num_rr_features=N_RR
    )
    plain = create_model("cnn3", num_classes=3, input_length=LENGTH)
    ensemble = Ensemble([fusion, plain]).eval()
    assert ensemble.uses_rr and not Ensemble(members(2)).uses_rr
    x, rr = torch.randn(5, 1, LENGTH), torch.rand(5, N_RR) + 0.5
    with torch.no_grad():
        expected = (fusion.eval()(x, rr).softmax(1) + plain.eval()(x).softmax(1)) / 2
        assert torch.allclose(ensemble(x, rr).exp(), expected, atol=1e-6)


def test_an_ensemble_is_not_trained_itself():
    ensemble = Ensemble(members(2))  # nn.Module starts in training mode
    with pytest.raises(RuntimeError, match=r"call \.eval\(\)"):
        ensemble(torch.zeros(2, 1, LENGTH))


def test_fewer_than_two_members_or_non_modules_are_refused():
    with pytest.raises(ValueError, match="two members or more, got 1"):
        Ensemble(members(1))
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        Ensemble([*members(1), "cnn3"])


def test_members_with_other_class_counts_are_refused():
    other = create_model("cnn3", num_classes=5, input_length=LENGTH)
    ensemble = Ensemble([*members(1), other]).eval()
    with pytest.raises(ValueError, match=r"different numbers of classes \[3, 5\]"):
        ensemble(torch.zeros(2, 1, LENGTH))
