"""Beat-level classification metrics: per-class scores, averages, kappa and confusion matrices.

The headline numbers come from scikit-learn; the few that it lacks (specificity, the
row-normalised confusion matrix) and the vectorised forms used by the bootstrap are
computed from the confusion matrix, rows = true class, columns = predicted class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    precision_recall_fscore_support,
)

__all__ = [
    "ClassificationMetrics",
    "accuracy_from_confusion",
    "check_labels",
    "classification_metrics",
    "confusion_by_record",
    "macro_f1_from_confusion",
]


@dataclass(frozen=True)
class ClassificationMetrics:
    """Scores of one set of predictions against the truth.

    Per-class arrays follow the order of ``classes``. Scores that are undefined because a
    denominator is zero (say, the precision of a class that is never predicted) are 0, as
    in scikit-learn with ``zero_division=0``.

    Attributes
    ----------
    classes : tuple of str
        Class names.
    accuracy : float
        Fraction of beats classified correctly.
    precision, recall, specificity, f1 : ndarray of shape (n_classes,)
        One-vs-rest scores of each class; recall is the sensitivity.
    support : ndarray of shape (n_classes,), int64
        Number of true beats of each class.
    macro, weighted : dict of str to float
        ``precision``, ``recall``, ``specificity`` and ``f1`` averaged over the classes
        that occur in the truth or the predictions (``macro``, as scikit-learn does when
        it is given no ``labels``) or weighted by support (``weighted``).
    kappa : float
        Cohen's kappa; NaN when it is undefined (a single class everywhere).
    confusion : ndarray of shape (n_classes, n_classes), int64
        Counts, rows = true class, columns = predicted class.
    confusion_normalized : ndarray of shape (n_classes, n_classes)
        ``confusion`` with each row divided by its sum; a row of zero support is all zeros.

    Examples
    --------
    >>> m = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], classes=("N", "V"))
    >>> m.accuracy, m.recall.tolist(), m.confusion.tolist()
    (0.75, [0.5, 1.0], [[1, 1], [0, 2]])
    """

    classes: tuple[str, ...]
    accuracy: float
    precision: np.ndarray
    recall: np.ndarray
    specificity: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    macro: dict[str, float]
    weighted: dict[str, float]
    kappa: float
    confusion: np.ndarray
    confusion_normalized: np.ndarray

    def per_class(self) -> dict[str, dict[str, float]]:
        """Scores of each class as ``{class: {"precision": ..., ..., "support": ...}}``.

        Examples
        --------
        >>> m = classification_metrics([0, 1], [0, 1], classes=("N", "V"))
        >>> m.per_class()["V"]["f1"]
        1.0
        """
        return {
            name: {
                "precision": float(self.precision[i]),
                "recall": float(self.recall[i]),
                "specificity": float(self.specificity[i]),
                "f1": float(self.f1[i]),
                "support": int(self.support[i]),
            }
            for i, name in enumerate(self.classes)
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types only (lists, floats, ints), ready for JSON.

        Examples
        --------
        >>> m = classification_metrics([0, 1], [0, 1], classes=("N", "V"))
        >>> sorted(m.to_dict())[:3]
        ['accuracy', 'classes', 'confusion']
        """
        return {
            "classes": list(self.classes),
            "accuracy": float(self.accuracy),
            "per_class": self.per_class(),
            "macro": dict(self.macro),
            "weighted": dict(self.weighted),
            "kappa": float(self.kappa),
            "confusion": self.confusion.tolist(),
            "confusion_normalized": self.confusion_normalized.tolist(),
        }


def check_labels(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    classes: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Validate two label vectors of class indices and return them as int64 arrays.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Class indices into ``classes``.
    classes : sequence of str
        Class names.

    Returns
    -------
    y_true, y_pred : ndarray of shape (n_beats,), int64
    classes : tuple of str

    Raises
    ------
    ValueError
        On empty or mismatched inputs, or indices outside ``range(len(classes))``.
    TypeError
        When the labels are not integers (pass class indices, not names or scores).

    Examples
    --------
    >>> check_labels([0, 1], [1, 1], classes=["N", "V"])[0]
    array([0, 1])
    """
    names = tuple(str(c) for c in classes)
    if not names:
        raise ValueError("classes must name at least one class")
    if len(set(names)) != len(names):
        raise ValueError(f"class names must be unique, got {names}")
    arrays = []
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(
                f"{name} must hold integer class indices, got dtype {arr.dtype}; "
                "map class names to indices and take argmax of probabilities first"
            )
        arr = arr.astype(np.int64)
        if arr.size and (arr.min() < 0 or arr.max() >= len(names)):
            raise ValueError(
                f"{name} holds class indices in [{arr.min()}, {arr.max()}] but only "
                f"{len(names)} classes are named: {names}"
            )
        arrays.append(arr)
    if len(arrays[0]) != len(arrays[1]):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(arrays[0])} and "
            f"{len(arrays[1])}"
        )
    if len(arrays[0]) == 0:
        raise ValueError("cannot score an empty set of beats")
    return arrays[0], arrays[1], names


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise ratio, 0 where the denominator is 0 (no warnings)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def classification_metrics(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    classes: Sequence[str],
) -> ClassificationMetrics:
    """Score predicted class indices against the truth.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        True and predicted class indices into ``classes``.
    classes : sequence of str
        Class names. Every class appears in the result, also one absent from both
        ``y_true`` and ``y_pred``.

    Returns
    -------
    ClassificationMetrics

    Examples
    --------
    >>> m = classification_metrics([0, 0, 0, 1, 2], [0, 0, 1, 1, 2], classes=("N", "S", "V"))
    >>> round(m.accuracy, 2), m.support.tolist(), round(float(m.specificity[0]), 2)
    (0.8, [3, 1, 1], 1.0)
    >>> m.confusion_normalized[0].round(2).tolist()
    [0.67, 0.33, 0.0]
    """
    y_true, y_pred, names = check_labels(y_true, y_pred, classes=classes)
    labels = np.arange(len(names))
    cm = confusion_matrix(y_true, y_pred, labels=labels).astype(np.int64)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0.0
    )
    total = cm.sum()
    true_count, pred_count = cm.sum(axis=1), cm.sum(axis=0)
    # Specificity = TN / (TN + FP); TN + FP is every beat whose true class is another one.
    negatives = total - true_count
    specificity = _safe_divide(negatives - (pred_count - np.diag(cm)), negatives)
    present = (true_count + pred_count) > 0
    scores = {"precision": precision, "recall": recall, "specificity": specificity, "f1": f1}
    macro = {k: float(np.mean(v[present])) for k, v in scores.items()}
    weighted = {k: float(np.average(v, weights=true_count)) for k, v in scores.items()}
    # Kappa is undefined when both raters use a single class; report NaN, not a warning.
    if np.count_nonzero(true_count) > 1 or np.count_nonzero(pred_count) > 1:
        kappa = float(cohen_kappa_score(y_true, y_pred, labels=labels))
    else:
        kappa = float("nan")
    return ClassificationMetrics(
        classes=names,
        accuracy=float(accuracy_score(y_true, y_pred)),
        precision=np.asarray(precision, dtype=np.float64),
        recall=np.asarray(recall, dtype=np.float64),
        specificity=specificity,
        f1=np.asarray(f1, dtype=np.float64),
        support=np.asarray(support, dtype=np.int64),
        macro=macro,
        weighted=weighted,
        kappa=kappa,
        confusion=cm,
        confusion_normalized=_safe_divide(cm, true_count[:, None]),
    )


def confusion_by_record(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    record: Sequence[str] | np.ndarray,
    n_classes: int,
) -> tuple[tuple[str, ...], np.ndarray]:
    """One confusion matrix per record, from a single pass over the beats.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        True and predicted class indices in ``range(n_classes)``.
    record : array-like of shape (n_beats,)
        Record (patient) identifier of each beat.
    n_classes : int
        Number of classes.

    Returns
    -------
    records : tuple of str
        Distinct record identifiers, sorted.
    confusion : ndarray of shape (n_records, n_classes, n_classes), int64
        ``confusion[r]`` counts the beats of ``records[r]``; rows = true class.

    Examples
    --------
    >>> records, cms = confusion_by_record([0, 1, 1], [0, 1, 0], record=["a", "b", "b"],
    ...                                    n_classes=2)
    >>> records, cms[1].tolist()
    (('a', 'b'), [[0, 0], [1, 1]])
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    record = np.asarray(record).astype(str)
    if record.shape != y_true.shape:
        raise ValueError(
            f"record must have one entry per beat: got shape {record.shape} for {len(y_true)} beats"
        )
    names, rec_index = np.unique(record, return_inverse=True)
    # Flatten (record, true, pred) into one integer and count all cells at once.
    flat = (rec_index * n_classes + y_true) * n_classes + y_pred
    counts = np.bincount(flat, minlength=len(names) * n_classes * n_classes)
    return tuple(names.tolist()), counts.reshape(len(names), n_classes, n_classes)


def accuracy_from_confusion(confusion: np.ndarray) -> np.ndarray:
    """Accuracy of one or a stack of confusion matrices.

    Parameters
    ----------
    confusion : ndarray of shape (..., n_classes, n_classes)

    Returns
    -------
    ndarray of shape (...)
        NaN where a matrix is empty.

    Examples
    --------
    >>> import numpy as np
    >>> float(accuracy_from_confusion(np.array([[3, 1], [0, 4]])))
    0.875
    """
    cm = np.asarray(confusion, dtype=np.float64)
    total = cm.sum(axis=(-2, -1))
    correct = np.trace(cm, axis1=-2, axis2=-1)
    return np.where(total > 0, correct / np.where(total > 0, total, 1.0), np.nan)


def macro_f1_from_confusion(confusion: np.ndarray) -> np.ndarray:
    """Macro-averaged F1 of one or a stack of confusion matrices.

    Averages over the classes that occur in the truth or the predictions of each
    matrix, like :func:`classification_metrics` and scikit-learn's ``f1_score`` with
    ``average="macro"``.

    Parameters
    ----------
    confusion : ndarray of shape (..., n_classes, n_classes)

    Returns
    -------
    ndarray of shape (...)
        NaN where a matrix is empty.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(macro_f1_from_confusion(np.array([[3, 1], [0, 4]]))), 4)
    0.873
    """
    cm = np.asarray(confusion, dtype=np.float64)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    # F1 = 2 TP / (2 TP + FP + FN) = 2 TP / (true count + predicted count).
    denominator = cm.sum(axis=-1) + cm.sum(axis=-2)
    f1 = _safe_divide(2 * tp, denominator)
    present = denominator > 0
    n_present = present.sum(axis=-1)
    total = np.where(present, f1, 0.0).sum(axis=-1)
    return np.where(n_present > 0, total / np.maximum(n_present, 1), np.nan)
