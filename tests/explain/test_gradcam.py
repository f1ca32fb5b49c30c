"""1-D Grad-CAM: sanity checks on trained models, then the behaviour of the function."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from ecgbeat.explain import grad_cam, last_conv_layer
from ecgbeat.models import create_model, list_models

LENGTH = 128
#: Where the class-deciding bump sits: class 0 at BUMP[0], class 1 at BUMP[1].
BUMP = (32, 96)
#: A map "points at the bump" when its peak is within two bump widths of it.
TOLERANCE = 8


def bump_beats(n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy beats whose class is decided by one Gaussian bump at a known position.

    Class 0 carries an upward bump at ``BUMP[0]``, class 1 a downward bump at ``BUMP[1]``;
    the polarity lets a translation-equivariant network tell them apart, the known
    positions let the test check where the explanation points.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    centre = np.where(y == 0, BUMP[0], BUMP[1])
    sign = np.where(y == 0, 1.0, -1.0)
    t = np.arange(LENGTH)
    bump = sign[:, None] * np.exp(-0.5 * ((t - centre[:, None]) / 4.0) ** 2)
    x = bump + rng.normal(0.0, 0.3, (n, LENGTH))
    return x[:, None, :].astype(np.float32), y


class BumpNet(nn.Module):
    """A small CNN with global average pooling, BatchNorm and dropout."""

    def __init__(self, *, inplace: bool = False) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(1, 8, 7, padding=3)
        self.bn1 = nn.BatchNorm1d(8)
        self.pool = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(8, 16, 5, padding=2)
        self.relu = nn.ReLU(inplace=inplace)
        self.dropout = nn.Dropout(0.2)
        self.head = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        h = self.pool(torch.relu(self.bn1(self.conv1(x))))
        h = self.relu(self.conv2(h))
        return self.head(self.dropout(h.mean(dim=-1)))


def train(model: nn.Module, x: np.ndarray, y: np.ndarray, *, steps: int) -> nn.Module:
    """Full-batch Adam; enough for the bump task."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
    return model.eval()


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(x)).argmax(dim=1).numpy()


def peaks_on_bump(cams: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each map's maximum lies within TOLERANCE samples of its class's bump."""
    centre = np.where(y == 0, BUMP[0], BUMP[1])
    return np.abs(cams.argmax(axis=1) - centre) <= TOLERANCE


def rank_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman correlation of two maps; a constant map ranks nothing, so it scores 0."""
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    return float(spearmanr(a, b).statistic)


def hook_count(model: nn.Module) -> int:
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
        for m in model.modules()
    )


@pytest.fixture(scope="module")
def test_beats() -> tuple[np.ndarray, np.ndarray]:
    return bump_beats(96, seed=1)


@pytest.fixture(scope="module")
def trained() -> BumpNet:
    torch.manual_seed(0)
    x, y = bump_beats(256, seed=0)
    return train(BumpNet(), x, y, steps=30)


@pytest.fixture
def model(trained: BumpNet) -> BumpNet:
    """A private copy, so tests that change modes or hooks cannot affect each other."""
    return copy.deepcopy(trained)


# --- sanity checks ------------------------------------------------------------------------


def test_maps_of_a_trained_cnn_peak_at_the_class_deciding_bump(model, test_beats):
    x, y = test_beats
    correct = predict(model, x) == y
    assert correct.mean() > 0.9, "the bump task should be learnt"
    cams = grad_cam(model, x[correct])
    assert peaks_on_bump(cams, y[correct]).mean() >= 0.9


def test_maps_of_a_randomised_model_differ_from_the_trained_ones(model, test_beats):
    # Adebayo et al. (2018): an explanation that survives re-initialising the weights
    # explains the architecture or the input, not what the model learnt.
    x, _ = test_beats
    randomised = copy.deepcopy(model)
    torch.manual_seed(1)
    for module in randomised.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    trained_maps, random_maps = grad_cam(model, x), grad_cam(randomised, x)
    similarity = np.mean(
        [rank_similarity(a, b) for a, b in zip(trained_maps, random_maps, strict=True)]
    )
    assert similarity < 0.3


def test_segment_wise_cnn_lstm_maps_peak_at_the_bump(test_beats):
    # The CNN-LSTM runs its convolutions on 8 segments of the beat; the segment maps must
    # be put back in time order for the peak to land on the bump. The LSTM mixes the
    # segments, so a few maps point elsewhere: the bar is lower than for a plain CNN.
    torch.manual_seed(0)
    x, y = bump_beats(256, seed=0)
    model = train(create_model("cnn_lstm", num_classes=2, input_length=LENGTH), x, y, steps=20)
    x_test, y_test = test_beats
    correct = predict(model, x_test) == y_test
    assert correct.mean() > 0.9
    cams = grad_cam(model, x_test[correct])
    assert peaks_on_bump(cams, y_test[correct]).mean() >= 0.75


# --- output -------------------------------------------------------------------------------


def test_maps_have_one_row_per_beat_and_one_column_per_sample(model, test_beats):
    x, _ = test_beats
    cams = grad_cam(model, x[:5])
    assert cams.shape == (5, LENGTH)
    assert cams.dtype == np.float32


def test_each_map_lies_in_the_unit_interval_with_its_peak_at_one(model, test_beats):
    x, _ = test_beats
    cams = grad_cam(model, x)
    assert cams.min() >= 0.0
    assert cams.max() <= 1.0
    nonzero = cams.max(axis=1) > 0
    np.testing.assert_allclose(cams[nonzero].max(axis=1), 1.0)


def test_a_map_without_positive_evidence_stays_zero(model, test_beats):
    x, _ = test_beats
    with torch.no_grad():
        model.conv2.weight.zero_()
        model.conv2.bias.zero_()
    cams = grad_cam(model, x[:4])
    assert not np.isnan(cams).any()
    assert (cams == 0).all()


def test_numpy_and_torch_inputs_give_the_same_maps(model, test_beats):
    x, _ = test_beats
    np.testing.assert_array_equal(grad_cam(model, x[:8]), grad_cam(model, torch.from_numpy(x[:8])))


def test_read_only_beats_are_accepted_without_warnings(model, test_beats):
    x = test_beats[0][:4].copy()
    x.flags.writeable = False  # as in a BeatSet
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert grad_cam(model, x).shape == (4, LENGTH)


def test_batch_size_does_not_change_the_maps(model, test_beats):
    x, _ = test_beats
    np.testing.assert_allclose(grad_cam(model, x, batch_size=7), grad_cam(model, x), atol=1e-6)


class HalvesNet(nn.Module):
    """One convolution run on each half of the beat: in one stacked call or in two calls."""

    def __init__(self, *, stacked: bool) -> None:
        super().__init__()
        self.stacked = stacked
        self.conv = nn.Conv1d(1, 4, 5, padding=2)
        self.head = nn.Linear(8, 2)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        batch, channels, length = x.shape
        half = length // 2
        if self.stacked:  # (batch, C, 2 * half) -> (batch * 2, C, half), beat-major
            halves = x.reshape(batch, channels, 2, half).transpose(1, 2)
            features = torch.relu(self.conv(halves.reshape(-1, channels, half))).mean(dim=-1)
            features = features.reshape(batch, -1)
        else:
            features = torch.cat(
                [
                    torch.relu(self.conv(part)).mean(dim=-1)
                    for part in (x[..., :half], x[..., half:])
                ],
                dim=1,
            )
        return self.head(features)


def test_segment_rows_and_repeated_calls_give_the_same_maps(test_beats):
    # Both ways of running a layer on parts of the beat are laid end to end in time.
    x, _ = test_beats
    torch.manual_seed(0)
    stacked = HalvesNet(stacked=True)
    repeated = HalvesNet(stacked=False)
    repeated.load_state_dict(stacked.state_dict())
    np.testing.assert_allclose(grad_cam(stacked, x), grad_cam(repeated, x), atol=1e-6)


def test_an_in_place_activation_after_the_layer_does_not_change_the_maps(model, test_beats):
    x, _ = test_beats
    inplace = BumpNet(inplace=True)
    inplace.load_state_dict(model.state_dict())
    np.testing.assert_allclose(grad_cam(inplace, x), grad_cam(model, x), atol=1e-6)


def test_maps_can_be_computed_inside_no_grad_and_for_a_frozen_model(model, test_beats):
    x, _ = test_beats
    expected = grad_cam(model, x[:8])
    model.requires_grad_(False)
    with torch.no_grad():
        np.testing.assert_allclose(grad_cam(model, x[:8]), expected, atol=1e-6)


def test_parameter_gradients_are_left_untouched(model, test_beats):
    x, _ = test_beats
    model.zero_grad(set_to_none=True)
    grad_cam(model, x[:8])
    assert all(parameter.grad is None for parameter in model.parameters())


# --- layer --------------------------------------------------------------------------------


def test_default_layer_is_the_last_conv1d(model, test_beats):
    x, _ = test_beats
    assert last_conv_layer(model) == "conv2"
    np.testing.assert_array_equal(grad_cam(model, x[:8]), grad_cam(model, x[:8], layer="conv2"))


def test_layer_can_be_chosen_by_name(model, test_beats):
    x, _ = test_beats
    first, last = grad_cam(model, x[:8], layer="conv1"), grad_cam(model, x[:8])
    assert first.shape == last.shape
    assert not np.allclose(first, last)


def test_unknown_layer_name_is_rejected_with_the_conv_layer_names(model, test_beats):
    x, _ = test_beats
    with pytest.raises(ValueError, match=r"no layer named 'conv9'.*\['conv1', 'conv2'\]"):
        grad_cam(model, x[:2], layer="conv9")


def test_a_layer_without_a_time_axis_is_rejected(model, test_beats):
    x, _ = test_beats
    with pytest.raises(ValueError, match=r"'head' returns .*batch, channels, length"):
        grad_cam(model, x[:2], layer="head")


def test_a_model_without_conv1d_has_no_default_layer():
    with pytest.raises(ValueError, match=r"no nn\.Conv1d layer; pass layer="):
        last_conv_layer(nn.Sequential(nn.Flatten(), nn.Linear(10, 2)))


# --- hooks and modes ----------------------------------------------------------------------


def test_hooks_are_removed_after_the_call(model, test_beats):
    x, _ = test_beats
    grad_cam(model, x[:4])
    assert hook_count(model) == 0


def test_hooks_are_removed_when_the_call_fails(model, test_beats):
    x, _ = test_beats
    with pytest.raises(ValueError):
        grad_cam(model, x[:4], layer="head")
    assert hook_count(model) == 0


def test_train_and_eval_modes_are_restored(model, test_beats):
    x, _ = test_beats
    model.train()
    model.bn1.eval()
    before = {name: m.training for name, m in model.named_modules()}
    grad_cam(model, x[:4])
    assert {name: m.training for name, m in model.named_modules()} == before


def test_maps_do_not_depend_on_the_mode_the_model_was_in(model, test_beats):
    # Grad-CAM always explains the deployed (eval-mode) model: no dropout, frozen BatchNorm.
    x, _ = test_beats
    in_eval = grad_cam(model.eval(), x[:8])
    np.testing.assert_allclose(grad_cam(model.train(), x[:8]), in_eval, atol=1e-6)


# --- target -------------------------------------------------------------------------------


def test_target_defaults_to_the_predicted_class(model, test_beats):
    x, _ = test_beats
    np.testing.assert_array_equal(grad_cam(model, x, target=predict(model, x)), grad_cam(model, x))


def test_one_target_class_applies_to_every_beat(model, test_beats):
    x, _ = test_beats
    np.testing.assert_array_equal(
        grad_cam(model, x[:8], target=1), grad_cam(model, x[:8], target=np.ones(8, dtype=int))
    )


def test_target_changes_which_evidence_is_shown(model, test_beats):
    x, y = test_beats
    class0 = x[y == 0][:8]
    assert not np.allclose(grad_cam(model, class0, target=0), grad_cam(model, class0, target=1))


def test_target_outside_the_model_classes_is_rejected(model, test_beats):
    x, _ = test_beats
    with pytest.raises(ValueError, match="2 classes"):
        grad_cam(model, x[:4], target=2)


def test_target_with_the_wrong_length_is_rejected(model, test_beats):
    x, _ = test_beats
    with pytest.raises(ValueError, match=r"one per beat, shape \(4,\)"):
        grad_cam(model, x[:4], target=np.zeros(3, dtype=int))


# --- inputs -------------------------------------------------------------------------------


def test_beats_without_a_lead_axis_are_rejected(model, test_beats):
    x, _ = test_beats
    with pytest.raises(ValueError, match=r"x\[:, None, :\]"):
        grad_cam(model, x[:4, 0])


def test_rr_models_need_rr_features():
    model = create_model("beatfusion", num_classes=5, input_length=LENGTH, num_rr_features=8)
    x = np.random.default_rng(0).normal(size=(3, 1, LENGTH)).astype(np.float32)
    with pytest.raises(ValueError, match="uses_rr=True"):
        grad_cam(model, x)
    assert grad_cam(model, x, rr=np.ones((3, 8), np.float32)).shape == (3, LENGTH)


# --- the zoo ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_can_be_explained(name):
    model = create_model(name, num_classes=5, input_length=187, num_rr_features=8)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 1, 187)).astype(np.float32)
    rr = rng.uniform(0.5, 1.5, size=(4, 8)).astype(np.float32) if model.uses_rr else None
    cams = grad_cam(model, x, rr=rr, target=np.arange(4))
    assert cams.shape == (4, 187)
    assert np.isfinite(cams).all()
    assert cams.min() >= 0.0
    assert cams.max() <= 1.0
    assert hook_count(model) == 0


def test_an_ensemble_averages_its_members_maps_of_the_ensembles_class(test_beats):
    from ecgbeat.models import Ensemble

    x, y = test_beats
    torch.manual_seed(1)
    other = train(BumpNet(), *bump_beats(256, seed=2), steps=30)
    torch.manual_seed(0)
    first = train(BumpNet(), *bump_beats(256, seed=0), steps=30)
    ensemble = Ensemble([first, other]).eval()
    with torch.no_grad():
        predicted = ensemble(torch.from_numpy(x)).argmax(dim=1).numpy()
    mean = (grad_cam(first, x, target=predicted) + grad_cam(other, x, target=predicted)) / 2
    peak = mean.max(axis=1, keepdims=True)
    expected = mean / np.where(peak > 0, peak, 1.0)
    cams = grad_cam(ensemble, x)
    np.testing.assert_allclose(cams, expected, atol=1e-6)
    assert peaks_on_bump(cams, y).mean() > 0.8
