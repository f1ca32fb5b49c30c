"""Resampling strategies and the leakage guarantee: only the training fold is rebalanced."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbeat.beats import BeatSet
from ecgbeat.training.balance import RESAMPLING_STRATEGIES, resample, sampling_weights
from ecgbeat.training.folds import RESAMPLED_RECORD, make_folds


@pytest.mark.parametrize("strategy", RESAMPLING_STRATEGIES)
def test_every_resampling_strategy_balances_real_beats(strategy, sample_beats):
    train, _ = sample_beats.split("inter-patient")
    X, rr, y = resample(train.X, train.rr, train.y, strategy=strategy, seed=0)
    assert X.shape[1:] == train.X.shape[1:] and X.dtype == np.float32
    assert rr.shape == (len(y), train.rr.shape[1])
    counts = np.bincount(y)
    counts = counts[counts > 0]
    # ADASYN balances approximately (it generates per-neighbourhood), the others exactly.
    assert counts.max() / counts.min() < (1.5 if strategy == "adasyn" else 1.0001)


def test_hybrid_cuts_and_repeats_every_class_to_per_class():
    X = np.random.default_rng(0).normal(size=(30, 1, 8)).astype(np.float32)
    y = np.array([0] * 20 + [1] * 7 + [2] * 3)
    _, _, y2 = resample(X, np.zeros((30, 0), np.float32), y, strategy="hybrid", per_class=10)
    assert np.bincount(y2).tolist() == [10, 10, 10]


def test_smote_keeps_rr_features_with_their_beats():
    # The RR features are a copy of the first sample, so synthetic beats must keep that tie.
    X = np.random.default_rng(1).normal(size=(40, 1, 6)).astype(np.float32)
    y = np.array([0] * 34 + [1] * 6)
    X2, rr2, _ = resample(X, X[:, :, 0].copy(), y, strategy="smote")
    np.testing.assert_allclose(rr2[:, 0], X2[:, 0, 0], rtol=1e-5)


def test_smote_refuses_a_class_with_a_single_beat():
    X = np.zeros((5, 1, 4), np.float32)
    with pytest.raises(ValueError, match="single beat"):
        resample(X, np.zeros((5, 0)), np.array([0, 0, 0, 0, 1]), strategy="smote")


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match="hybrid"):
        resample(np.zeros((4, 1, 4)), np.zeros((4, 0)), np.array([0, 0, 1, 1]), strategy="tomek")


def test_sampling_weights_give_each_class_equal_mass():
    y = np.array([0] * 9 + [1])
    w = sampling_weights(y, num_classes=2)
    assert float(w[y == 0].sum()) == pytest.approx(float(w[y == 1].sum()))


@pytest.mark.parametrize("strategy", ["smote", "adasyn", "oversample", "hybrid"])
def test_resampling_never_touches_the_validation_or_test_fold(strategy, sample_beats):
    # Mark every test-record beat with an offset no training beat has: if resampling saw
    # them (resampling before the split), synthetic or repeated training beats would carry it.
    marker = 1000.0
    _, test_idx = sample_beats.split("inter-patient")
    is_test = np.isin(sample_beats.record, test_idx.records)
    X = sample_beats.X.copy()
    X[is_test] += marker
    beats = BeatSet(**{**sample_beats.__dict__, "X": X})
    folds = make_folds(beats, protocol="inter-patient", balance=strategy, seed=0)

    assert (np.abs(folds.train.X) < marker / 2).all()
    assert set(folds.train.record) == {RESAMPLED_RECORD}
    assert len(folds.test) == is_test.sum()
    np.testing.assert_array_equal(folds.test.X, X[is_test])
    assert set(folds.val.records).isdisjoint(folds.test.records)
    val_mask = np.isin(beats.record, folds.val.records)
    assert len(folds.val) == val_mask.sum()


def test_a_class_missing_from_the_training_fold_is_warned_about(sample_beats):
    without_q = sample_beats[sample_beats.y != sample_beats.classes.index("Q")]
    with pytest.warns(UserWarning, match=r"\['Q'\] have no beat in the training fold"):
        make_folds(without_q, protocol="inter-patient")
