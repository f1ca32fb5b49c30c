"""Per-beat amplitude normalisation."""

from __future__ import annotations

import numpy as np

__all__ = ["NORMALIZATIONS", "minmax", "normalize", "zscore"]

#: Names accepted by :func:`normalize`.
NORMALIZATIONS = ("zscore", "minmax", "none")


def zscore(x: np.ndarray, *, axis: int = -1, eps: float = 1e-8) -> np.ndarray:
    """Subtract the mean and divide by the standard deviation along ``axis``.

    A flat segment (zero deviation) becomes all zeros rather than NaN.

    Examples
    --------
    >>> import numpy as np
    >>> print(zscore(np.array([1.0, 2.0, 3.0])).round(3))
    [-1.225  0.     1.225]
    """
    x = np.asarray(x, dtype=np.float32)
    centred = x - x.mean(axis=axis, keepdims=True)
    return centred / np.maximum(x.std(axis=axis, keepdims=True), eps)


def minmax(x: np.ndarray, *, axis: int = -1, eps: float = 1e-8) -> np.ndarray:
    """Scale to [0, 1] along ``axis``; a flat segment becomes all zeros.

    Examples
    --------
    >>> import numpy as np
    >>> minmax(np.array([2.0, 4.0, 6.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    x = np.asarray(x, dtype=np.float32)
    lo = x.min(axis=axis, keepdims=True)
    return (x - lo) / np.maximum(x.max(axis=axis, keepdims=True) - lo, eps)


def normalize(x: np.ndarray, *, method: str = "zscore", axis: int = -1) -> np.ndarray:
    """Normalise by name: ``"zscore"``, ``"minmax"`` or ``"none"``.

    Examples
    --------
    >>> import numpy as np
    >>> normalize(np.array([0.0, 5.0, 10.0]), method="minmax").tolist()
    [0.0, 0.5, 1.0]
    """
    if method == "zscore":
        return zscore(x, axis=axis)
    if method == "minmax":
        return minmax(x, axis=axis)
    if method == "none":
        return np.asarray(x, dtype=np.float32)
    raise ValueError(f"unknown normalisation {method!r}; choose one of {NORMALIZATIONS}")
