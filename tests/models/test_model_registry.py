"""The model registry: listing, creating, registering and refusing models by name."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ecgbeat.models import create_model, list_models, register_model, registry

ZOO = (
    "beatfusion",
    "beatfusion_tiny",
    "cnn3",
    "cnn_bilstm",
    "cnn_lstm",
    "cnn_stages",
    "kachuee_resnet",
    "skipcnn",
)


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made by a test go to a copy of the registry, dropped afterwards."""
    monkeypatch.setattr(registry, "_MODEL_BUILDERS", dict(registry._MODEL_BUILDERS))


def mean_linear(*, num_classes=5, in_channels=1, input_length=256, num_rr_features=0):
    """A user model: average over time, then a linear layer."""
    return nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(in_channels, num_classes))


def test_list_models_names_the_whole_zoo_sorted():
    assert list_models() == sorted(list_models())
    assert set(ZOO) <= set(list_models())


def test_list_models_filters_by_wildcard():
    assert list_models("beatfusion*") == ["beatfusion", "beatfusion_tiny"]
    assert list_models("no_such_*") == []


def test_unknown_name_error_lists_the_known_models():
    with pytest.raises(ValueError, match="unknown model 'resnet50'") as info:
        create_model("resnet50")
    for name in ZOO:
        assert name in str(info.value)


def test_unknown_name_error_suggests_the_closest_name():
    with pytest.raises(ValueError, match="did you mean 'cnn_lstm'"):
        create_model("cnn_lstn")


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="registered model name"):
        create_model(nn.Linear)


def test_user_registered_model_is_built_by_create_model(scratch_registry):
    register_model(mean_linear)
    model = create_model("mean_linear", num_classes=3, in_channels=2)
    assert "mean_linear" in list_models()
    assert model(torch.randn(4, 2, 100)).shape == (4, 3)


def test_register_model_accepts_an_explicit_name(scratch_registry):
    @register_model(name="my_mean_linear")
    def build(**sizes):
        return mean_linear(**sizes)

    assert "my_mean_linear" in list_models()
    assert "build" not in list_models()


def test_duplicate_name_is_refused(scratch_registry):
    with pytest.raises(ValueError, match=r"'cnn3' is already registered.*overwrite=True"):
        register_model(name="cnn3")(mean_linear)
    assert isinstance(create_model("cnn3"), nn.Module)
    assert type(create_model("cnn3")).__name__ == "CNN3"


def test_overwrite_replaces_a_registered_builder(scratch_registry):
    register_model(name="cnn3", overwrite=True)(mean_linear)
    assert isinstance(create_model("cnn3"), nn.Sequential)


def test_registration_leaves_the_builder_unchanged(scratch_registry):
    assert register_model(mean_linear) is mean_linear


@pytest.mark.parametrize("name", ["", " padded "])
def test_blank_or_padded_names_are_refused(scratch_registry, name):
    with pytest.raises(ValueError, match="non-empty string without spaces"):
        register_model(name=name)(mean_linear)


def test_none_kwargs_are_dropped_so_the_model_keeps_its_default():
    model = create_model("cnn3", dropout=None, kernel_size=None)
    assert model.classifier[-2].p == 0.3
    assert model.features[0][0].kernel_size == (5,)
    assert "dropout" not in model.model_config


def test_model_options_reach_the_model():
    model = create_model("cnn3", dropout=0.1, kernel_size=7)
    assert model.classifier[-2].p == 0.1
    assert model.features[0][0].kernel_size == (7,)


def test_unknown_option_names_the_option():
    with pytest.raises(TypeError, match="dropot"):
        create_model("cnn3", dropot=0.1)


@pytest.mark.parametrize(
    ("size", "value", "message"),
    [
        ("num_classes", 1, "num_classes must be at least 2"),
        ("in_channels", 0, "in_channels must be at least 1"),
        ("input_length", 0, "input_length must be at least 1"),
        ("num_rr_features", -1, "num_rr_features must be at least 0"),
    ],
)
def test_out_of_range_sizes_raise_value_error(size, value, message):
    with pytest.raises(ValueError, match=message):
        create_model("cnn3", **{size: value})


@pytest.mark.parametrize("value", [5.0, True, "5"])
def test_non_integer_sizes_raise_type_error(value):
    with pytest.raises(TypeError, match="num_classes must be an int"):
        create_model("cnn3", num_classes=value)


def test_builder_returning_a_non_module_is_refused(scratch_registry):
    register_model(name="not_a_model")(lambda **sizes: "oops")
    with pytest.raises(TypeError, match=r"returned str, not a torch\.nn\.Module"):
        create_model("not_a_model")


def test_model_config_rebuilds_the_same_architecture():
    model = create_model("cnn_lstm", num_classes=4, input_length=252, n_segments=6)
    rebuilt = create_model(**model.model_config)
    rebuilt.load_state_dict(model.state_dict())  # strict: same parameter names and shapes
    assert rebuilt.model_config == model.model_config
    assert rebuilt.n_segments == 6
