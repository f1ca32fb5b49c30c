"""Class-imbalance strategies: imbalanced-learn resampling and weighted sampling."""

from __future__ import annotations

import numpy as np
import torch
from imblearn.base import BaseSampler
from imblearn.over_sampling import ADASYN, SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler

from ecgbeat.training.losses import class_weights

__all__ = ["BALANCE_STRATEGIES", "RESAMPLING_STRATEGIES", "resample", "sampling_weights"]

#: Strategies that rebuild the training fold through imbalanced-learn.
RESAMPLING_STRATEGIES: tuple[str, ...] = ("smote", "adasyn", "oversample", "undersample", "hybrid")
#: Every value ``train(balance=...)`` accepts: "none", the loss-side strategies
#: ("class-weight", "focal"), weighted random sampling ("sampler") and resampling.
BALANCE_STRATEGIES: tuple[str, ...] = (
    "none",
    "class-weight",
    "focal",
    "sampler",
    *RESAMPLING_STRATEGIES,
)


def _sampler(strategy: str, counts: dict[int, int], per_class: int | None, seed: int):
    smallest = min(counts.values())
    if strategy in ("smote", "adasyn"):
        if smallest < 2:
            raise ValueError(
                f"{strategy} interpolates between neighbours of the same class, but a class "
                f"of the training fold has a single beat (counts {counts}); use "
                "balance='oversample' or 'hybrid', or load more records"
            )
        k = min(5, smallest - 1)
        if strategy == "smote":
            return SMOTE(k_neighbors=k, random_state=seed)
        return ADASYN(n_neighbors=k, random_state=seed)
    if strategy == "oversample":
        return RandomOverSampler(random_state=seed)
    if strategy == "undersample":
        return RandomUnderSampler(random_state=seed)
    # "hybrid": the seed report's recipe, every class cut or repeated to `per_class` beats.
    target = per_class if per_class is not None else sum(counts.values()) // len(counts)
    if target < 1:
        raise ValueError(f"per_class must be a positive number of beats, got {per_class}")
    under = {c: min(n, target) for c, n in counts.items()}
    over = {c: target for c in counts}
    steps: list[tuple[str, BaseSampler]] = [
        ("under", RandomUnderSampler(sampling_strategy=under, random_state=seed)),
        ("over", RandomOverSampler(sampling_strategy=over, random_state=seed)),
    ]
    return Pipeline(steps)


def resample(
    X: np.ndarray,
    rr: np.ndarray,
    y: np.ndarray,
    *,
    strategy: str,
    per_class: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resample a training fold with imbalanced-learn.

    Beats are flattened and their RR features appended as extra columns, so synthetic
    beats (SMOTE, ADASYN) get RR features interpolated between the same neighbours as
    their waveform; the result is unflattened back to beat shape. Call it on the training
    fold only, after the split: resampling before the split leaks test beats into
    training.

    Parameters
    ----------
    X : ndarray of shape (n_beats, n_leads, n_samples)
    rr : ndarray of shape (n_beats, n_rr_features)
    y : ndarray of shape (n_beats,)
    strategy : {"smote", "adasyn", "oversample", "undersample", "hybrid"}
        ``"oversample"`` / ``"undersample"`` repeat / drop random beats until every class
        matches the largest / smallest one; ``"hybrid"`` cuts the large classes and
        repeats the small ones to ``per_class`` beats each.
    per_class : int, optional
        Beats per class for ``"hybrid"``; default: the mean class size (the fold keeps
        its size).
    seed : int
        Random state of the sampler.

    Returns
    -------
    X, rr, y : ndarrays
        The resampled fold, same dtypes and trailing shapes as the input.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(12, 1, 8)).astype(np.float32)
    >>> y = np.array([0] * 9 + [1] * 3)
    >>> X2, rr2, y2 = resample(X, np.zeros((12, 2), np.float32), y, strategy="hybrid")
    >>> X2.shape, rr2.shape, np.bincount(y2).tolist()
    ((12, 1, 8), (12, 2), [6, 6])
    """
    if strategy not in RESAMPLING_STRATEGIES:
        raise ValueError(
            f"unknown resampling strategy {strategy!r}; choose one of {RESAMPLING_STRATEGIES}"
        )
    X, rr, y = np.asarray(X), np.asarray(rr), np.asarray(y)
    if X.ndim != 3 or rr.ndim != 2 or len(rr) != len(X) or y.shape != (len(X),):
        raise ValueError(
            "resample needs X of shape (n_beats, n_leads, n_samples), rr of shape "
            f"(n_beats, n_rr) and y of shape (n_beats,); got {X.shape}, {rr.shape}, {y.shape}"
        )
    labels, counts = np.unique(y, return_counts=True)
    if len(labels) < 2:
        raise ValueError(f"resampling needs at least two classes, got only {labels.tolist()}")
    sampler = _sampler(
        strategy, dict(zip(labels.tolist(), counts.tolist(), strict=True)), per_class, seed
    )
    flat = np.concatenate([X.reshape(len(X), -1), rr], axis=1).astype(np.float64)
    flat_out, y_out = sampler.fit_resample(flat, y)
    n_wave = X.shape[1] * X.shape[2]
    X_out = flat_out[:, :n_wave].reshape(-1, *X.shape[1:]).astype(X.dtype)
    rr_out = flat_out[:, n_wave:].astype(rr.dtype)
    return X_out, rr_out, np.asarray(y_out, dtype=y.dtype)


def sampling_weights(y: np.ndarray, *, num_classes: int) -> torch.Tensor:
    """Per-beat weights that make every class equally likely under weighted sampling.

    Examples
    --------
    >>> import numpy as np
    >>> w = sampling_weights(np.array([0, 0, 0, 1]), num_classes=2)
    >>> float(w[:3].sum()), float(w[3])
    (2.0, 2.0)
    """
    return class_weights(y, num_classes=num_classes)[torch.tensor(np.asarray(y))]
