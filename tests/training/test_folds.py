"""Training, validation and test folds (ecgbeat.training.folds)."""

from __future__ import annotations

import numpy as np

from ecgbeat.training.folds import make_folds


def test_validation_records_are_disjoint_from_training_and_test(sample_beats):
    folds = make_folds(sample_beats, protocol="inter-patient", val_fraction=0.2)
    assert len(folds.val) > 0
    assert set(folds.train.records).isdisjoint(folds.val.records)
    assert set(folds.val.records).isdisjoint(folds.test.records)


def test_no_validation_share_keeps_every_training_record(sample_beats):
    folds = make_folds(sample_beats, protocol="inter-patient", val_fraction=0)
    train, test = sample_beats.split("inter-patient")
    assert len(folds.val) == 0 and folds.val.rr.shape[1] == train.rr.shape[1]
    np.testing.assert_array_equal(folds.train.X, train.X)
    np.testing.assert_array_equal(folds.test.y, test.y)
