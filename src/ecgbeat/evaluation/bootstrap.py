"""Percentile bootstrap confidence intervals that resample records (patients), not beats.

Beats of one patient are strongly correlated, so resampling beats would treat a
22-record test set as tens of thousands of independent samples and give intervals far
too narrow. Each replicate here draws the records with replacement and pools their
confusion matrices; every statistic is then a function of the pooled matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgbeat.evaluation.ec57 import EC57_CLASSES, ec57_counts, ec57_rates
from ecgbeat.evaluation.metrics import (
    accuracy_from_confusion,
    check_labels,
    confusion_by_record,
    macro_f1_from_confusion,
)

__all__ = ["ConfidenceInterval", "bootstrap_confidence_intervals", "headline_statistics"]


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with a percentile bootstrap interval.

    Attributes
    ----------
    estimate : float
        The statistic on all records.
    low, high : float
        Interval bounds; NaN when no replicate had the statistic defined.
    level : float
        Coverage, e.g. 0.95.
    n_valid : int
        Replicates in which the statistic was defined (a replicate that drew no record
        with S beats has no SVEB Se).

    Examples
    --------
    >>> ci = ConfidenceInterval(estimate=0.9, low=0.85, high=0.93, level=0.95, n_valid=1000)
    >>> str(ci)
    '0.900 [0.850, 0.930]'
    """

    estimate: float
    low: float
    high: float
    level: float
    n_valid: int

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types, ready for JSON.

        Examples
        --------
        >>> ConfidenceInterval(0.9, 0.8, 1.0, 0.95, 10).to_dict()["high"]
        1.0
        """
        return {
            "estimate": float(self.estimate),
            "low": float(self.low),
            "high": float(self.high),
            "level": float(self.level),
            "n_valid": int(self.n_valid),
        }


def headline_statistics(
    classes: Sequence[str],
) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """The headline figures as functions of a (stack of) pooled confusion matrices.

    Accuracy and macro F1 always; SVEB Se / +P when ``"S"`` is a class and VEB Se / +P
    when ``"V"`` is, with the EC57 conventions of :mod:`ecgbeat.evaluation.ec57`.

    Parameters
    ----------
    classes : sequence of str
        Class names of the confusion matrix rows and columns.

    Returns
    -------
    dict of str to callable
        Each maps an array of shape (..., n_classes, n_classes) to shape (...).

    Examples
    --------
    >>> list(headline_statistics(("N", "S", "V", "F", "Q")))
    ['accuracy', 'macro_f1', 'sveb_se', 'sveb_ppv', 'veb_se', 'veb_ppv']
    """
    names = tuple(str(c) for c in classes)
    stats: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "accuracy": accuracy_from_confusion,
        "macro_f1": macro_f1_from_confusion,
    }
    for name, (label, _) in EC57_CLASSES.items():
        if label not in names:
            continue
        for rate in ("se", "ppv"):
            # Default arguments bind the loop variables now, not when the lambda runs.
            stats[f"{name.lower()}_{rate}"] = lambda cm, name=name, rate=rate: ec57_rates(
                ec57_counts(cm, classes=names, name=name)
            )[rate]
    return stats


def bootstrap_confidence_intervals(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    classes: Sequence[str],
    record: Sequence[str] | np.ndarray,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, ConfidenceInterval]:
    """Confidence intervals of the headline figures by resampling records.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        True and predicted class indices into ``classes``.
    classes : sequence of str
        Class names.
    record : array-like of shape (n_beats,)
        Record (patient) id of each beat: the unit that is resampled.
    n_bootstrap : int
        Number of replicates.
    level : float
        Coverage of the interval, in (0, 1).
    seed : int
        Seed of the random generator; the same seed gives the same intervals.

    Returns
    -------
    dict of str to ConfidenceInterval
        Keyed as :func:`headline_statistics`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 400)
    >>> pred = np.where(rng.random(400) < 0.9, y, 1 - y)
    >>> cis = bootstrap_confidence_intervals(y, pred, classes=("N", "V"),
    ...                                      record=np.repeat(list("abcdefgh"), 50))
    >>> ci = cis["accuracy"]
    >>> ci.low <= ci.estimate <= ci.high
    True
    """
    y_true, y_pred, names = check_labels(y_true, y_pred, classes=classes)
    if n_bootstrap < 1:
        raise ValueError(f"n_bootstrap must be a positive number of replicates, got {n_bootstrap}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), e.g. 0.95, got {level}")
    _, cms = confusion_by_record(y_true, y_pred, record=record, n_classes=len(names))
    n_records = len(cms)
    rng = np.random.default_rng(seed)
    # Drawing n_records records with replacement = how often each record is drawn, which
    # is one multinomial draw; a replicate's pooled matrix is then a weighted sum.
    weights = rng.multinomial(n_records, np.full(n_records, 1.0 / n_records), size=n_bootstrap)
    replicates = np.tensordot(weights, cms, axes=(1, 0))
    total = cms.sum(axis=0)
    tail = 100 * (1 - level) / 2
    intervals = {}
    for key, statistic in headline_statistics(names).items():
        values = statistic(replicates)
        valid = values[np.isfinite(values)]
        low, high = np.percentile(valid, [tail, 100 - tail]) if valid.size else (np.nan,) * 2
        intervals[key] = ConfidenceInterval(
            estimate=float(statistic(total)),
            low=float(low),
            high=float(high),
            level=float(level),
            n_valid=int(valid.size),
        )
    return intervals
