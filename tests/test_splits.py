import numpy as np
import pytest

from ecgbeat.splits import (
    DS1,
    DS2,
    PACED_RECORDS,
    inter_patient_indices,
    intra_patient_indices,
    patient_folds,
    patient_validation_indices,
)


def test_ds1_and_ds2_are_the_22_record_lists_of_de_chazal():
    assert len(DS1) == len(DS2) == 22
    assert not set(DS1) & set(DS2)
    assert not (set(DS1) | set(DS2)) & set(PACED_RECORDS)


def test_inter_patient_leaves_paced_records_out():
    record = np.array(["101", "100", "102", "217", "234"])
    train, test = inter_patient_indices(record)
    assert train.tolist() == [0] and test.tolist() == [1, 4]


def test_inter_patient_without_test_records_says_what_to_load():
    with pytest.raises(ValueError, match="DS1 and DS2"):
        inter_patient_indices(np.array(["101", "106"]))


def test_overlapping_record_lists_are_refused():
    with pytest.raises(ValueError, match="both"):
        inter_patient_indices(np.array(["1"]), train_records=["1"], test_records=["1"])


def test_intra_patient_split_is_stratified():
    y = np.array([0] * 90 + [1] * 10)
    _, test = intra_patient_indices(y, test_size=0.2, seed=1)
    assert np.bincount(y[test]).tolist() == [18, 2]


def test_patient_folds_never_share_a_record():
    rng = np.random.default_rng(0)
    record = np.repeat([f"r{i}" for i in range(10)], 20)
    y = rng.integers(0, 3, size=len(record))
    for train, val in patient_folds(record, y, n_splits=5):
        assert set(record[train]).isdisjoint(record[val])
        assert len(train) + len(val) == len(record)


def test_patient_folds_need_enough_records():
    with pytest.raises(ValueError, match="at least"):
        list(patient_folds(np.array(["a", "b"]), np.array([0, 1]), n_splits=3))


def test_validation_split_is_patient_wise_and_about_the_asked_size():
    record = np.repeat([str(i) for i in range(20)], 10)
    y = np.tile([0, 0, 0, 1, 2], 40)
    train, val = patient_validation_indices(record, y, val_fraction=0.25)
    assert set(record[train]).isdisjoint(record[val])
    assert 4 <= len(set(record[val])) <= 6


def test_validation_split_with_few_records_uses_fewer_folds():
    record = np.repeat(["a", "b", "c"], 10)
    train, val = patient_validation_indices(record, np.tile([0, 1], 15), val_fraction=0.2)
    assert len(set(record[val])) == 1 and len(set(record[train])) == 2


def test_validation_split_needs_two_records():
    with pytest.raises(ValueError, match="two records"):
        patient_validation_indices(np.array(["a"] * 4), np.array([0, 1, 0, 1]))
