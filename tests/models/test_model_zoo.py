"""The model contract, checked on every model of the zoo: shapes, gradients, inputs, layers."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ecgbeat.beats import RR_FEATURE_NAMES
from ecgbeat.models import create_model, list_models

ZOO = list_models()
RR_MODELS = [name for name in ZOO if create_model(name, num_rr_features=8).uses_rr]
PLAIN_MODELS = [name for name in ZOO if name not in RR_MODELS]
N_RR = len(RR_FEATURE_NAMES)
#: Models whose pooling stages need a minimum beat length (kachuee_resnet pads its pools).
LENGTH_LIMITED = [
    name for name in ZOO if create_model(name, num_rr_features=8).min_input_length > 1
]

#: Parameter counts stated in the model docstrings and docs/models.md (5 classes, 1 lead,
#: 8 RR features; skipcnn at the 187-sample Kaggle format, the others at any length).
DOCUMENTED_PARAMETERS = {
    "beatfusion": 169_093,
    "beatfusion_tiny": 9_837,
    "cnn3": 239_557,
    "cnn_bilstm": 182_597,
    "cnn_lstm": 40_101,
    "cnn_stages": 36_133,
    "kachuee_resnet": 53_989,
    "skipcnn": 581_733,
}


def build(name: str, **sizes: int) -> nn.Module:
    sizes.setdefault("num_rr_features", N_RR)
    return create_model(name, **sizes)


def inputs(model: nn.Module, batch: int = 2, length: int | None = None):
    length = model.input_length if length is None else length
    x = torch.randn(batch, model.in_channels, length)
    return x, torch.rand(batch, N_RR) + 0.5


def forward_backward(model: nn.Module, x: torch.Tensor, rr: torch.Tensor) -> torch.Tensor:
    logits = model(x, rr)
    logits.square().mean().backward()
    return logits


def test_the_zoo_has_seed_baselines_and_an_rr_model():
    assert {"cnn3", "cnn_stages", "skipcnn", "cnn_lstm", "cnn_bilstm", "kachuee_resnet"} <= set(
        PLAIN_MODELS
    )
    assert "beatfusion" in RR_MODELS


@pytest.mark.parametrize("length", [64, 187, 252, 720, 1100])
@pytest.mark.parametrize("name", ZOO)
def test_forward_and_backward_work_for_any_beat_length(name, length):
    torch.manual_seed(0)
    model = build(name, input_length=length)
    logits = forward_backward(model, *inputs(model))
    assert logits.shape == (2, 5)
    assert torch.isfinite(logits).all()
    for param_name, param in model.named_parameters():
        assert param.grad is not None, f"{param_name} got no gradient"
        assert torch.isfinite(param.grad).all(), f"{param_name} has a non-finite gradient"


@pytest.mark.parametrize(("num_classes", "leads"), [(2, 1), (6, 2), (20, 12)])
@pytest.mark.parametrize("name", ZOO)
def test_output_has_one_logit_per_class_for_any_lead_count(name, num_classes, leads):
    model = build(name, num_classes=num_classes, in_channels=leads, input_length=187)
    assert forward_backward(model, *inputs(model)).shape == (2, num_classes)


@pytest.mark.parametrize("name", ZOO)
def test_eval_mode_accepts_a_single_beat(name):
    model = build(name, input_length=252).eval()
    with torch.no_grad():
        assert model(*inputs(model, batch=1)).shape == (1, 5)


@pytest.mark.parametrize("name", PLAIN_MODELS)
def test_models_without_rr_ignore_rr(name):
    model = build(name, input_length=187).eval()
    x, rr = inputs(model)
    with torch.no_grad():
        torch.testing.assert_close(model(x, rr), model(x))
    assert model.uses_rr is False


@pytest.mark.parametrize("name", RR_MODELS)
def test_rr_models_reject_a_missing_rr(name):
    model = build(name)
    x, _ = inputs(model)
    with pytest.raises(ValueError, match=r"consumes RR-interval features.*model\(x, rr\)"):
        model(x)


@pytest.mark.parametrize("name", RR_MODELS)
@pytest.mark.parametrize("shape", [(2, N_RR - 1), (3, N_RR), (2, N_RR, 1)])
def test_rr_models_reject_a_misshaped_rr(name, shape):
    model = build(name)
    x, _ = inputs(model)
    with pytest.raises(
        ValueError, match=rf"rr of shape \(batch, num_rr_features\) = \(2, {N_RR}\)"
    ):
        model(x, torch.zeros(shape))


@pytest.mark.parametrize("name", RR_MODELS)
def test_rr_models_cannot_be_built_without_rr_features(name):
    with pytest.raises(ValueError, match="num_rr_features=0"):
        create_model(name, num_rr_features=0)


@pytest.mark.parametrize("name", ZOO)
def test_wrong_lead_count_is_rejected_with_the_fix(name):
    model = build(name, in_channels=1)
    x, rr = inputs(model)
    with pytest.raises(ValueError, match="build the model with in_channels=2"):
        model(torch.cat([x, x], dim=1), rr)


@pytest.mark.parametrize("name", ZOO)
def test_a_beat_without_lead_axis_is_rejected(name):
    model = build(name)
    x, rr = inputs(model)
    with pytest.raises(ValueError, match=r"x.unsqueeze\(1\)"):
        model(x[:, 0, :], rr)


@pytest.mark.parametrize("name", LENGTH_LIMITED)
def test_too_short_beats_are_rejected(name):
    shortest = build(name).min_input_length
    with pytest.raises(ValueError, match=f"too short.*at least {shortest} samples"):
        build(name, input_length=shortest - 1)
    model = build(name, input_length=shortest)
    x, rr = inputs(model, length=shortest - 1)
    with pytest.raises(ValueError, match=f"at least {shortest} samples, got {shortest - 1}"):
        model(x, rr)


def test_skipcnn_accepts_only_its_own_length():
    model = build("skipcnn", input_length=187)
    x, rr = inputs(model, length=188)
    with pytest.raises(ValueError, match=r"built for beats of 187 samples.*input_length=188"):
        model(x, rr)


@pytest.mark.parametrize("name", ZOO)
def test_every_model_has_conv1d_layers_and_dropout(name):
    kinds = {type(m) for m in build(name).modules()}
    assert nn.Conv1d in kinds  # 1-D Grad-CAM hooks the last one
    assert nn.Dropout in kinds  # MC-dropout switches them on at inference
    assert nn.Softmax not in kinds  # the models return logits


@pytest.mark.parametrize("name", ZOO)
def test_last_conv1d_gives_the_deepest_feature_map(name):
    model = build(name, input_length=256).eval()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv1d)]
    shapes: dict[nn.Module, torch.Size] = {}

    def record_shape(module: nn.Module, _: object, out: torch.Tensor) -> None:
        shapes[module] = out.shape

    hooks = [conv.register_forward_hook(record_shape) for conv in convs]
    with torch.no_grad():
        model(*inputs(model))
    for hook in hooks:
        hook.remove()
    last = shapes[convs[-1]]
    rows = 2 * model.n_segments if name == "cnn_lstm" else 2
    assert last[0] == rows
    assert last[-1] == min(shape[-1] for shape in shapes.values())


@pytest.mark.parametrize("name", ZOO)
def test_parameter_count_matches_the_documentation(name):
    model = build(name, input_length=187, num_rr_features=8)
    assert sum(p.numel() for p in model.parameters()) == DOCUMENTED_PARAMETERS[name]


def test_beatfusion_stays_small():
    assert sum(p.numel() for p in build("beatfusion").parameters()) < 300_000
