"""Temperature scaling, calibration error, predictive entropy and MC dropout."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import log_softmax, softmax
from torch import nn

from ecgbeat.evaluation.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    mc_dropout_proba,
    predictive_entropy,
    reliability_curve,
)
from ecgbeat.models import create_model

#: Factor by which the synthetic "model" below overstates its true logits.
OVERCONFIDENCE = 3.0


def sample_labels(proba: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One label per row drawn from that row's distribution: calibrated by construction."""
    return (proba.cumsum(axis=1) < rng.random((len(proba), 1))).sum(axis=1)


@pytest.fixture(scope="module")
def overconfident() -> tuple[np.ndarray, np.ndarray]:
    """Logits ``OVERCONFIDENCE`` times too large for labels drawn from the true softmax."""
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0.0, 1.5, size=(6000, 5))
    y = sample_labels(softmax(true_logits, axis=1), rng)
    return OVERCONFIDENCE * true_logits, y


def nll(proba: np.ndarray, y: np.ndarray) -> float:
    return float(-np.log(proba[np.arange(len(y)), y]).mean())


def dropout_net(*, p: float = 0.5) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv1d(1, 4, 3, padding=1),
        nn.BatchNorm1d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(p),
        nn.Linear(4 * 16, 3),
    )


@pytest.fixture
def beats() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(10, 1, 16)).astype(np.float32)


# --- temperature scaling ------------------------------------------------------------------


def test_fitted_temperature_recovers_the_overconfidence_factor(overconfident):
    logits, y = overconfident
    assert fit_temperature(logits, y) == pytest.approx(OVERCONFIDENCE, rel=0.1)


def test_temperature_fitted_on_validation_lowers_nll_and_ece_on_test(overconfident):
    logits, y = overconfident
    validation, test = slice(0, 3000), slice(3000, None)
    temperature = fit_temperature(logits[validation], y[validation])
    before = apply_temperature(logits[test], 1.0)
    after = apply_temperature(logits[test], temperature)
    assert nll(after, y[test]) < nll(before, y[test])
    ece_before = expected_calibration_error(before, y[test])
    ece_after = expected_calibration_error(after, y[test])
    assert ece_before > 0.1
    assert ece_after < 0.03


def test_temperature_scaling_keeps_the_predicted_class(overconfident):
    logits, _ = overconfident
    scaled = apply_temperature(logits, 2.7)
    np.testing.assert_array_equal(scaled.argmax(axis=1), logits.argmax(axis=1))


def test_temperature_one_is_the_plain_softmax(overconfident):
    logits, _ = overconfident
    np.testing.assert_allclose(apply_temperature(logits, 1.0), softmax(logits, axis=1))
    np.testing.assert_allclose(apply_temperature(logits, 4.0).sum(axis=1), 1.0)


def test_fitted_temperature_minimises_the_nll(overconfident):
    logits, y = overconfident
    temperature = fit_temperature(logits, y)
    rows = np.arange(len(y))
    grid = temperature * np.array([0.9, 0.97, 1.0, 1.03, 1.1])
    losses = [-log_softmax(logits / t, axis=1)[rows, y].mean() for t in grid]
    assert int(np.argmin(losses)) == 2


@pytest.mark.parametrize("temperature", [0.0, -1.0, np.inf, np.nan])
def test_non_positive_or_non_finite_temperature_is_rejected(temperature):
    with pytest.raises(ValueError, match="positive finite"):
        apply_temperature(np.zeros((2, 3)), temperature)


def test_labels_that_do_not_match_the_logits_are_rejected():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        fit_temperature(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="only 3 classes"):
        fit_temperature(np.zeros((2, 3)), np.array([0, 3]))


# --- expected calibration error and reliability curve -------------------------------------


def test_ece_of_calibrated_probabilities_is_near_zero():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.full(4, 0.5), size=20000)
    y = sample_labels(proba, rng)
    assert expected_calibration_error(proba, y) < 0.02


def test_ece_of_a_known_miscalibrated_case_equals_the_hand_value():
    # Two beats at confidence 0.95, one right: gap |0.95 - 0.5| = 0.45.
    # Two beats at confidence 0.65, both right: gap |0.65 - 1.0| = 0.35.
    # ECE = 2/4 * 0.45 + 2/4 * 0.35 = 0.40.
    proba = np.array([[0.95, 0.05], [0.95, 0.05], [0.35, 0.65], [0.35, 0.65]])
    y = np.array([0, 1, 1, 1])
    assert expected_calibration_error(proba, y, n_bins=10) == pytest.approx(0.40)


def test_reliability_curve_averages_confidence_and_accuracy_per_bin():
    confidence = np.array([0.1, 0.2, 0.8, 0.9, 0.9])
    correct = np.array([0, 0, 1, 1, 0], dtype=bool)
    bin_confidence, bin_accuracy, bin_count = reliability_curve(confidence, correct, n_bins=2)
    np.testing.assert_allclose(bin_confidence, [0.15, 2.6 / 3])
    np.testing.assert_allclose(bin_accuracy, [0.0, 2 / 3])
    np.testing.assert_array_equal(bin_count, [2, 3])


def test_reliability_curve_marks_empty_bins_with_nan():
    bin_confidence, bin_accuracy, bin_count = reliability_curve(
        np.array([0.95, 0.97]), np.array([True, True]), n_bins=5
    )
    assert bin_count.tolist() == [0, 0, 0, 0, 2]
    assert np.isnan(bin_confidence[:4]).all()
    assert np.isnan(bin_accuracy[:4]).all()
    assert bin_accuracy[4] == 1.0


def test_reliability_bins_are_closed_on_the_right():
    # (0, 0.5] and (0.5, 1]: 0 joins the first bin, 0.5 stays in it, 1 ends the last.
    _, _, bin_count = reliability_curve(
        np.array([0.0, 0.5, 0.51, 1.0]), np.ones(4, dtype=bool), n_bins=2
    )
    assert bin_count.tolist() == [2, 2]


def test_reliability_curve_rejects_confidence_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"\[0, 1\]; pass probabilities, not logits"):
        reliability_curve(np.array([0.5, 1.5]), np.array([True, False]))


def test_ece_rejects_logits_in_place_of_probabilities():
    with pytest.raises(ValueError, match="sum to 1"):
        expected_calibration_error(np.array([[2.0, -1.0], [0.5, 0.3]]), np.array([0, 1]))


# --- predictive entropy -------------------------------------------------------------------


def test_entropy_of_a_uniform_prediction_is_log_of_the_class_count():
    np.testing.assert_allclose(predictive_entropy(np.full((2, 5), 0.2)), np.log(5))


def test_entropy_of_a_certain_prediction_is_zero():
    assert predictive_entropy(np.eye(4)).tolist() == [0.0] * 4


def test_entropy_lies_between_zero_and_its_maximum():
    proba = np.random.default_rng(2).dirichlet(np.ones(5), size=500)
    entropy = predictive_entropy(proba)
    assert entropy.min() >= 0.0
    assert entropy.max() <= np.log(5)
    np.testing.assert_allclose(predictive_entropy(proba, normalize=True), entropy / np.log(5))


def test_normalised_entropy_needs_two_classes():
    with pytest.raises(ValueError, match="at least 2 classes"):
        predictive_entropy(np.ones((3, 1)), normalize=True)


# --- Monte-Carlo dropout ------------------------------------------------------------------


def test_mc_dropout_passes_vary_when_the_model_has_dropout(beats):
    mean, std, mutual_information = mc_dropout_proba(dropout_net(), beats, n_samples=10)
    assert mean.shape == std.shape == (10, 3)
    np.testing.assert_allclose(mean.sum(axis=1), 1.0)
    assert (std.max(axis=1) > 0).all()
    assert (mutual_information > 0).all()


def test_mc_dropout_with_negligible_dropout_equals_the_eval_prediction(beats):
    model = dropout_net(p=0.5)
    with torch.no_grad():
        deterministic = torch.softmax(model.eval()(torch.from_numpy(beats)), dim=1).numpy()
    # Dropout with p -> 0 leaves every pass equal to the eval-mode prediction.
    model[4].p = 1e-9
    mean, std, _ = mc_dropout_proba(model, beats, n_samples=3)
    np.testing.assert_allclose(mean, deterministic, atol=1e-6)
    np.testing.assert_allclose(std, 0.0, atol=1e-6)


def test_mc_dropout_without_dropout_layers_is_refused(beats):
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    with pytest.raises(ValueError, match="MC dropout needs dropout layers"):
        mc_dropout_proba(model, beats)


def test_mc_dropout_with_zero_probability_dropout_is_refused(beats):
    with pytest.raises(ValueError, match="MC dropout needs dropout layers"):
        mc_dropout_proba(dropout_net(p=0.0), beats)


def test_mc_dropout_keeps_batchnorm_frozen_and_restores_modes(beats):
    model = dropout_net()
    model.train()
    running_mean = model[1].running_mean.clone()
    mc_dropout_proba(model, beats, n_samples=4)
    assert torch.equal(model[1].running_mean, running_mean)
    assert all(module.training for module in model.modules())


def test_mc_dropout_is_reproducible_and_leaves_the_global_random_state_alone(beats):
    model = dropout_net()
    state = torch.get_rng_state()
    first = mc_dropout_proba(model, beats, n_samples=5, seed=3)
    assert torch.equal(torch.get_rng_state(), state)
    second = mc_dropout_proba(model, beats, n_samples=5, seed=3)
    other = mc_dropout_proba(model, beats, n_samples=5, seed=4)
    np.testing.assert_array_equal(first.mean, second.mean)
    assert not np.allclose(first.mean, other.mean)


def test_mc_dropout_runs_a_zoo_model_with_rr_features(beats):
    model = create_model("beatfusion", num_classes=5, input_length=16 * 8, num_rr_features=8)
    x = np.repeat(beats, 8, axis=2)
    rr = np.ones((len(x), 8), np.float32)
    with pytest.raises(ValueError, match="uses_rr=True"):
        mc_dropout_proba(model, x)
    assert mc_dropout_proba(model, x, rr=rr, n_samples=3).mean.shape == (10, 5)


def test_mc_dropout_needs_at_least_two_passes(beats):
    with pytest.raises(ValueError, match="n_samples must be an integer >= 2"):
        mc_dropout_proba(dropout_net(), beats, n_samples=1)
