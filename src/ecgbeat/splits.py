"""Evaluation protocols: inter-patient DS1/DS2, intra-patient beat split, patient-grouped folds.

Every function works on index arrays, so it serves any container (``BeatSet.split`` uses
them). Record lists follow de Chazal, O'Dwyer and Reilly, "Automatic classification of
heartbeats using ECG morphology and heartbeat interval features", IEEE TBME 51(7), 2004.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

__all__ = [
    "DS1",
    "DS2",
    "PACED_RECORDS",
    "inter_patient_indices",
    "intra_patient_indices",
    "patient_folds",
    "patient_validation_indices",
]

#: Training records of the inter-patient protocol (de Chazal et al. 2004).
DS1: tuple[str, ...] = (
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
    "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
)  # fmt: skip
#: Test records of the inter-patient protocol (de Chazal et al. 2004).
DS2: tuple[str, ...] = (
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
    "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
)  # fmt: skip
#: MIT-BIH records with paced beats, excluded by the inter-patient protocol.
PACED_RECORDS: tuple[str, ...] = ("102", "104", "107", "217")


def inter_patient_indices(
    record: np.ndarray,
    *,
    train_records: Sequence[str] = DS1,
    test_records: Sequence[str] = DS2,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the beats of the training and of the test records.

    Beats of records in neither list (such as the paced records) are in neither set.

    Examples
    --------
    >>> import numpy as np
    >>> tr, te = inter_patient_indices(np.array(["101", "100", "102", "101"]))
    >>> tr.tolist(), te.tolist()
    ([0, 3], [1])
    """
    train_records, test_records = set(map(str, train_records)), set(map(str, test_records))
    if overlap := train_records & test_records:
        raise ValueError(f"records {sorted(overlap)} are in both the training and the test list")
    record = np.asarray(record).astype(str)
    train = np.flatnonzero(np.isin(record, list(train_records)))
    test = np.flatnonzero(np.isin(record, list(test_records)))
    if len(train) == 0 or len(test) == 0:
        raise ValueError(
            f"the inter-patient split needs beats of both record lists, got {len(train)} "
            f"training and {len(test)} test beats from records {sorted(set(record))[:10]}...; "
            "load DS1 and DS2 records (protocol='inter-patient') or pass train_records / "
            "test_records that match your database"
        )
    return train, test


def intra_patient_indices(
    y: np.ndarray, *, test_size: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified random split of beats, ignoring patients.

    Beats of one patient land on both sides, so scores are optimistic: this is the protocol
    of the Kaggle heartbeat data and of most published beat classifiers, kept for
    comparison with them.

    Examples
    --------
    >>> import numpy as np
    >>> tr, te = intra_patient_indices(np.array([0] * 8 + [1] * 2), test_size=0.5)
    >>> len(tr), len(te), sorted(np.array([0] * 8 + [1] * 2)[te].tolist())
    (5, 5, [0, 0, 0, 0, 1])
    """
    y = np.asarray(y)
    idx = np.arange(len(y))
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    train, test = train_test_split(idx, test_size=test_size, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(test)


def patient_folds(
    record: np.ndarray, y: np.ndarray, *, n_splits: int = 5, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Patient-grouped, class-stratified k-fold: no record on both sides of a fold.

    Examples
    --------
    >>> import numpy as np
    >>> record = np.repeat(["a", "b", "c", "d"], 3)
    >>> y = np.tile([0, 1, 1], 4)
    >>> folds = list(patient_folds(record, y, n_splits=2))
    >>> [set(record[tr]) & set(record[va]) for tr, va in folds]
    [set(), set()]
    """
    record = np.asarray(record).astype(str)
    n_records = len(np.unique(record))
    if n_records < n_splits:
        raise ValueError(
            f"patient folds need at least n_splits={n_splits} records, got {n_records}"
        )
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    yield from folds.split(np.zeros(len(record)), np.asarray(y), groups=record)


def patient_validation_indices(
    record: np.ndarray, y: np.ndarray, *, val_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Patient-wise train/validation split of a training set, for model selection.

    About ``val_fraction`` of the records (chosen so each class tends to appear on both
    sides) form the validation set; the test records are never involved. With fewer
    records than ``1 / val_fraction``, the split takes one of as many folds as there are
    records (so half of them with two records).

    Examples
    --------
    >>> import numpy as np
    >>> record = np.repeat([str(r) for r in range(10)], 4)
    >>> tr, va = patient_validation_indices(record, np.tile([0, 1], 20), val_fraction=0.2)
    >>> len(set(record[va])), set(record[tr]).isdisjoint(record[va])
    (2, True)
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie in (0, 1), got {val_fraction}")
    n_records = len(np.unique(np.asarray(record).astype(str)))
    if n_records < 2:
        raise ValueError(
            "a patient-wise validation split needs beats of two records or more, got "
            f"{n_records}; load more records"
        )
    n_splits = max(2, min(round(1 / val_fraction), n_records))
    train, val = next(patient_folds(record, y, n_splits=n_splits, seed=seed))
    return train, val
