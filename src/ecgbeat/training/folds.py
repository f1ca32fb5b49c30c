"""Training, validation and test folds: protocol split, patient-wise validation, resampling."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from ecgbeat import splits
from ecgbeat.beats import BeatSet
from ecgbeat.training.balance import BALANCE_STRATEGIES, RESAMPLING_STRATEGIES, resample

__all__ = ["Folds", "check_beats", "make_folds"]

#: Record id given to every beat of a resampled training fold (synthetic beats have none).
RESAMPLED_RECORD = "<resampled>"


class Folds(NamedTuple):
    """The three folds of a run. ``test`` is None when no protocol splits off a test set."""

    train: BeatSet
    val: BeatSet
    test: BeatSet | None


def check_beats(beats: BeatSet) -> None:
    """Raise a clear error for beats that cannot be trained on.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((2, 1, 4), np.float32); X[0, 0, 0] = np.nan
    >>> bad = BeatSet(X=X, y=[0, 1], record=["a", "b"], rr=np.zeros((2, 0)),
    ...               classes=("N", "V"), fs=360)
    >>> try:
    ...     check_beats(bad)
    ... except ValueError as err:
    ...     print(str(err)[:45])
    1 beat(s) hold NaN or infinite samples (first
    """
    if not isinstance(beats, BeatSet):
        raise TypeError(f"beats must be an ecgbeat BeatSet, got {type(beats).__name__}")
    if len(beats) == 0:
        raise ValueError("the beat set is empty; check the records and the label map")
    bad = ~np.isfinite(beats.X).all(axis=(1, 2))
    if bad.any():
        raise ValueError(
            f"{bad.sum()} beat(s) hold NaN or infinite samples (first: index "
            f"{np.flatnonzero(bad)[0]}); drop them with "
            "beats[np.isfinite(beats.X).all(axis=(1, 2))] or fix the preprocessing"
        )
    bad_rr = ~np.isfinite(beats.rr).all(axis=1)
    if bad_rr.any():
        raise ValueError(
            f"{bad_rr.sum()} beat(s) hold NaN or infinite RR features (first: index "
            f"{np.flatnonzero(bad_rr)[0]}); drop them or rebuild the RR features"
        )


def _validation_indices(
    beats: BeatSet, *, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    if len(beats.records) >= 2:
        return splits.patient_validation_indices(
            beats.record, beats.y, val_fraction=val_fraction, seed=seed
        )
    warnings.warn(
        f"the training fold holds a single record ({beats.records[0]!r}), so validation "
        "beats come from the same patient and model selection will be optimistic; load "
        "more records for a patient-wise validation split",
        UserWarning,
        stacklevel=3,
    )
    return splits.intra_patient_indices(beats.y, test_size=val_fraction, seed=seed)


def make_folds(
    beats: BeatSet,
    *,
    protocol: str | None = "inter-patient",
    val_fraction: float = 0.2,
    balance: str = "none",
    per_class: int | None = None,
    seed: int = 0,
) -> Folds:
    """Split beats into training, validation and test folds, then rebalance training only.

    The order is what keeps the test score honest: the protocol splits off the test
    records first, a patient-wise split of the remaining records gives the validation
    fold (model selection never sees a test record), and only then is the training fold
    resampled. Validation and test folds are never resampled.

    Parameters
    ----------
    beats : BeatSet
    protocol : {"inter-patient", "intra-patient"} or None
        How the test fold is split off (see :meth:`BeatSet.split`); ``None`` keeps every
        beat for training and validation (no test fold).
    val_fraction : float
        Approximate share of the training records used for validation; 0 keeps every
        record for training and leaves the validation fold empty.
    balance : str
        One of ``BALANCE_STRATEGIES``; only the resampling ones change the folds.
    per_class : int, optional
        Beats per class for ``balance="hybrid"``.
    seed : int

    Returns
    -------
    Folds
        A resampled training fold has record id ``"<resampled>"`` on every beat and its
        class counts before resampling in ``summary["counts_before_resampling"]``.

    Warns
    -----
    UserWarning
        When a class of ``beats.classes`` has no beat in the training fold: the model
        keeps an output for it but cannot learn it. (An error is raised instead when
        fewer than two classes remain.)

    Examples
    --------
    >>> import ecgbeat.datasets
    >>> beats = ecgbeat.datasets.load_beats("sample")
    >>> folds = make_folds(beats, protocol="inter-patient")
    >>> set(folds.train.records).isdisjoint(folds.val.records), len(folds.test) > 0
    (True, True)
    """
    if balance not in BALANCE_STRATEGIES:
        raise ValueError(f"unknown balance {balance!r}; choose one of {BALANCE_STRATEGIES}")
    check_beats(beats)
    if not 0 <= val_fraction < 1:
        raise ValueError(
            f"val_fraction must lie in [0, 1) (0: no validation records), got {val_fraction}"
        )
    if protocol is None:
        pool, test = beats, None
    else:
        pool, test = beats.split(protocol, seed=seed)
    if val_fraction == 0:
        train_idx, val_idx = np.arange(len(pool)), np.array([], dtype=np.int64)
    else:
        train_idx, val_idx = _validation_indices(pool, val_fraction=val_fraction, seed=seed)
    train, val = pool[train_idx], pool[val_idx]
    counts = train.class_counts()
    present = [c for c, n in counts.items() if n > 0]
    if len(present) < 2:
        raise ValueError(
            f"the training fold holds beats of {present or 'no'} class only "
            f"({counts}); a classifier needs two classes or more: load more records"
        )
    if missing := [c for c, n in counts.items() if n == 0]:
        warnings.warn(
            f"classes {missing} have no beat in the training fold ({counts}); the model "
            "cannot learn them and will (almost) never predict them. Load more records or "
            "a label map without them",
            UserWarning,
            stacklevel=2,
        )
    if balance in RESAMPLING_STRATEGIES:
        X, rr, y = resample(
            train.X, train.rr, train.y, strategy=balance, per_class=per_class, seed=seed
        )
        train = BeatSet(
            X=X,
            y=y,
            record=np.full(len(y), RESAMPLED_RECORD),
            rr=rr,
            classes=train.classes,
            fs=train.fs,
            leads=train.leads,
            rr_names=train.rr_names,
            summary={"counts_before_resampling": counts},
            params=train.params,
        )
    return Folds(train, val, test)
