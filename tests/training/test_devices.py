"""Device resolution and mixed-precision choice (ecgbeat.training.devices)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from ecgbeat.models import create_model
from ecgbeat.training import TrainerConfig, fit
from ecgbeat.training.devices import autocast_dtype, cpu_has_native_bf16, resolve_device


def test_cpu_autocasts_to_bfloat16_exactly_when_the_cpu_computes_it_natively():
    expected = torch.bfloat16 if cpu_has_native_bf16() else None
    assert autocast_dtype(torch.device("cpu")) == expected
    assert autocast_dtype(torch.device("cpu"), amp=False) is None
    assert autocast_dtype(torch.device("mps")) is None


@pytest.mark.parametrize("amp", [True, False])
def test_cpu_training_learns_with_and_without_mixed_precision(amp, small_beats):
    train, val = small_beats[: len(small_beats) // 2], small_beats[len(small_beats) // 2 :]
    torch.manual_seed(0)
    model = create_model(
        "beatfusion_tiny",
        num_classes=train.num_classes,
        in_channels=train.X.shape[1],
        input_length=train.X.shape[2],
        num_rr_features=train.rr.shape[1],
    )
    result = fit(
        model,
        train,
        val,
        config=TrainerConfig(epochs=3, batch_size=64, amp=amp),
        criterion=nn.CrossEntropyLoss(),
        device=resolve_device("cpu"),
        progress=False,
    )
    losses = [h["train_loss"] for h in result.history]
    assert all(math.isfinite(v) for v in losses)
    assert losses[-1] < losses[0]
    # The weights stay float32 under autocast; only the computation is bfloat16.
    assert all(p.dtype == torch.float32 for p in model.parameters())
