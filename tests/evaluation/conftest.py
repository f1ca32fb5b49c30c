"""Fixtures for the evaluation tests: a realistic set of predictions over many records."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

AAMI = ("N", "S", "V", "F", "Q")


@dataclass(frozen=True)
class Predictions:
    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray
    record: np.ndarray
    classes: tuple[str, ...] = AAMI


@pytest.fixture(scope="session")
def predictions() -> Predictions:
    """3,000 beats over 22 records, AAMI class mix, a noisy but informative classifier."""
    rng = np.random.default_rng(7)
    n = 3000
    y = rng.choice(5, n, p=[0.86, 0.05, 0.07, 0.015, 0.005])
    logits = rng.normal(0.0, 1.0, (n, 5))
    logits[np.arange(n), y] += 2.5
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    record = rng.choice([str(r) for r in range(200, 222)], n)
    return Predictions(y_true=y, y_pred=proba.argmax(axis=1), proba=proba, record=record)
