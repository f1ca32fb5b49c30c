"""Tests of the beat-level classification metrics."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    f1_score,
    precision_recall_fscore_support,
)

from ecgbeat.evaluation.metrics import (
    accuracy_from_confusion,
    classification_metrics,
    confusion_by_record,
    macro_f1_from_confusion,
)


def test_per_class_scores_match_scikit_learn(predictions):
    m = classification_metrics(predictions.y_true, predictions.y_pred, classes=predictions.classes)
    p, r, f, s = precision_recall_fscore_support(
        predictions.y_true, predictions.y_pred, labels=range(5), zero_division=0
    )
    np.testing.assert_allclose(m.precision, p)
    np.testing.assert_allclose(m.recall, r)
    np.testing.assert_allclose(m.f1, f)
    np.testing.assert_array_equal(m.support, s)


def test_accuracy_kappa_and_averages_match_scikit_learn(predictions):
    y, pred = predictions.y_true, predictions.y_pred
    m = classification_metrics(y, pred, classes=predictions.classes)
    assert m.accuracy == pytest.approx(accuracy_score(y, pred))
    assert m.kappa == pytest.approx(cohen_kappa_score(y, pred))
    assert m.macro["f1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert m.weighted["f1"] == pytest.approx(f1_score(y, pred, average="weighted"))


def test_confusion_rows_are_true_classes_and_specificity_is_computed_by_hand():
    # true:  N N N S V ; predicted: N S N S N
    m = classification_metrics([0, 0, 0, 1, 2], [0, 1, 0, 1, 0], classes=("N", "S", "V"))
    assert m.confusion.tolist() == [[2, 1, 0], [0, 1, 0], [1, 0, 0]]
    # N: TN = beats of S and V not called N = 1, FP = V called N = 1 -> 0.5.
    # S: negatives are 4 beats (3 N + 1 V), one N called S -> 3 / 4.
    # V: never predicted -> 1.
    np.testing.assert_allclose(m.specificity, [0.5, 0.75, 1.0])


def test_class_absent_from_truth_and_predictions_still_appears():
    m = classification_metrics([0, 1, 0], [0, 1, 1], classes=("N", "S", "V", "F", "Q"))
    assert list(m.per_class()) == ["N", "S", "V", "F", "Q"]
    assert m.support.tolist() == [2, 1, 0, 0, 0]
    assert m.confusion.shape == (5, 5)
    # Macro averages skip classes absent everywhere, like scikit-learn without labels.
    assert m.macro["f1"] == pytest.approx(f1_score([0, 1, 0], [0, 1, 1], average="macro"))


def test_row_normalised_confusion_gives_zero_rows_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics([0, 0, 1], [0, 1, 1], classes=("N", "S", "V"))
    np.testing.assert_allclose(m.confusion_normalized, [[0.5, 0.5, 0], [0, 1, 0], [0, 0, 0]])


def test_kappa_is_nan_when_only_one_class_is_used():
    m = classification_metrics([0, 0], [0, 0], classes=("N", "V"))
    assert np.isnan(m.kappa)
    assert m.accuracy == 1.0


def test_to_dict_holds_plain_python_types():
    d = classification_metrics([0, 1], [0, 0], classes=("N", "V")).to_dict()
    assert d["confusion"] == [[1, 0], [1, 0]]
    assert isinstance(d["per_class"]["V"]["support"], int)
    assert d["per_class"]["V"]["recall"] == 0.0


def test_confusion_by_record_splits_beats_by_record_and_sums_to_the_total(predictions):
    records, cms = confusion_by_record(
        predictions.y_true, predictions.y_pred, record=predictions.record, n_classes=5
    )
    assert records == tuple(sorted(set(predictions.record)))
    total = classification_metrics(
        predictions.y_true, predictions.y_pred, classes=predictions.classes
    ).confusion
    np.testing.assert_array_equal(cms.sum(axis=0), total)
    first = predictions.record == records[0]
    assert cms[0].sum() == first.sum()


def test_vectorised_accuracy_and_macro_f1_match_scikit_learn(predictions):
    records, cms = confusion_by_record(
        predictions.y_true, predictions.y_pred, record=predictions.record, n_classes=5
    )
    expected_acc, expected_f1 = [], []
    for name in records:
        mask = predictions.record == name
        expected_acc.append(accuracy_score(predictions.y_true[mask], predictions.y_pred[mask]))
        expected_f1.append(
            f1_score(predictions.y_true[mask], predictions.y_pred[mask], average="macro")
        )
    np.testing.assert_allclose(accuracy_from_confusion(cms), expected_acc)
    np.testing.assert_allclose(macro_f1_from_confusion(cms), expected_f1)


def test_empty_confusion_matrix_has_undefined_scores():
    assert np.isnan(accuracy_from_confusion(np.zeros((3, 3))))
    assert np.isnan(macro_f1_from_confusion(np.zeros((3, 3))))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "message"),
    [
        ([0.0, 1.0], [0, 1], TypeError, "integer class indices"),
        ([0, 3], [0, 1], ValueError, "only 2 classes"),
        ([0, 1, 1], [0, 1], ValueError, "same length"),
        ([], [], ValueError, "empty"),
    ],
)
def test_bad_labels_raise_a_clear_error(y_true, y_pred, error, message):
    with pytest.raises(error, match=message):
        classification_metrics(np.asarray(y_true), np.asarray(y_pred), classes=("N", "V"))
