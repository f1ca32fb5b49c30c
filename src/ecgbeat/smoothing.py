"""Smoothing within records: a beat's class probabilities blended with its like beats'.

Beats of one patient with the same shape and timing are nearly always of one class, so a
call that a beat's like beats do not share is more likely an error of the network than a
lone ectopic beat. :func:`smooth_within_records` blends each beat's probabilities with the
mean over its nearest beats of the same record, nearness measured on the first principal
components of that record's beat windows (the network's input, so shape and, through the
neighbouring R peaks a wide window holds, timing). It is label-free and reads one record at
a time, so it runs at inference on a patient never seen in training.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> windows = rng.normal(size=(40, 1, 32)).astype(np.float32)
>>> proba = rng.dirichlet(np.ones(3), size=40)
>>> smoothed = smooth_within_records(proba, windows, smoothing=RecordSmoothing())
>>> smoothed.shape, bool(np.allclose(smoothed.sum(axis=1), 1))
((40, 3), True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

__all__ = ["RecordSmoothing", "smooth_within_records"]


@dataclass(frozen=True)
class RecordSmoothing:
    """How :func:`smooth_within_records` blends a beat with its like beats.

    A beat's probabilities ``p`` become ``own_weight * p + (1 - own_weight) * m``, where
    ``m`` is the mean of ``p`` over the beat's ``neighbours`` nearest beats of its record,
    itself included.

    Parameters
    ----------
    neighbours : int
        Beats in the mean, the beat itself among them (at least 2). A record with fewer
        beats is left as it is.
    own_weight : float
        Weight of the beat's own probabilities, in [0, 1) (0: the plain mean).
    components : int
        Principal components of the record's beat windows that nearness is measured in
        (fewer where the record has fewer beats or window samples).
    agreed_only : bool
        Smooth a beat only where its other ``neighbours - 1`` like beats all have one most
        probable class; a beat among split neighbours keeps its probabilities, so ectopic
        beats near the decision in records where they are the majority are not outvoted.

    Examples
    --------
    >>> RecordSmoothing(agreed_only=True).to_dict()
    {'neighbours': 5, 'own_weight': 0.5, 'components': 10, 'agreed_only': True}
    >>> RecordSmoothing.from_dict({"neighbours": 3}).neighbours
    3
    """

    neighbours: int = 5
    own_weight: float = 0.5
    components: int = 10
    agreed_only: bool = False

    def __post_init__(self) -> None:
        for name in ("neighbours", "components"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be an integer, got {value!r}")
        if self.neighbours < 2:
            raise ValueError(
                f"neighbours must be at least 2 (a beat and a like beat), got {self.neighbours}"
            )
        if self.components < 1:
            raise ValueError(f"components must be a positive integer, got {self.components}")
        if not (isinstance(self.own_weight, int | float) and 0 <= self.own_weight < 1):
            raise ValueError(
                f"own_weight must be a number in [0, 1), got {self.own_weight!r}; 1 would "
                "leave every beat as it is (set the classifier's smoothing to None instead)"
            )
        if not isinstance(self.agreed_only, bool):
            raise TypeError(f"agreed_only must be True or False, got {self.agreed_only!r}")

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dictionary (for checkpoints and JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> RecordSmoothing:
        """Rebuild from :meth:`to_dict`; unknown keys are refused with their names."""
        known = {f.name for f in dataclasses.fields(cls)}
        if unknown := sorted(set(settings) - known):
            raise ValueError(
                f"unknown record smoothing settings {unknown}; the settings are {sorted(known)}"
            )
        return cls(**settings)


def _smooth_one_record(
    proba: np.ndarray, windows: np.ndarray, smoothing: RecordSmoothing
) -> np.ndarray:
    n = len(proba)
    if n < smoothing.neighbours:
        return proba
    flat = windows.reshape(n, -1).astype(np.float64)
    n_components = min(smoothing.components, n, flat.shape[1])
    # The eigendecomposition of the covariance: exact and deterministic, and its memory is
    # that of the window length squared, not of the beat count (24-hour records).
    space = PCA(n_components=n_components, svd_solver="covariance_eigh").fit_transform(flat)
    # Without a query, each beat's neighbours exclude the beat itself.
    others = (
        NearestNeighbors(n_neighbors=smoothing.neighbours - 1)
        .fit(space)
        .kneighbors(return_distance=False)
    )
    like = (proba + proba[others].sum(axis=1)) / smoothing.neighbours
    smoothed = smoothing.own_weight * proba + (1 - smoothing.own_weight) * like
    if not smoothing.agreed_only:
        return smoothed
    calls = proba.argmax(axis=1)[others]
    agreed = (calls == calls[:, :1]).all(axis=1)
    return np.where(agreed[:, None], smoothed, proba)


def smooth_within_records(
    proba: np.ndarray,
    windows: np.ndarray,
    *,
    record: Any = None,
    smoothing: RecordSmoothing,
) -> np.ndarray:
    """Class probabilities blended, record by record, with those of each beat's like beats.

    Parameters
    ----------
    proba : ndarray of shape (n_beats, n_classes)
        The beats' class probabilities (a network's).
    windows : ndarray of shape (n_beats, n_leads, n_samples)
        The beat windows the probabilities were computed from; nearness is measured on
        their principal components, fitted per record.
    record : array-like of shape (n_beats,), optional
        The record (patient) of each beat; beats are only compared within their record.
        Default: all beats are of one record.
    smoothing : RecordSmoothing
        The settings.

    Returns
    -------
    ndarray of shape (n_beats, n_classes)
        Of ``proba``'s dtype; rows still sum to 1.

    Examples
    --------
    A record of two kinds of beat, six of each; the one beat called against its five like
    beats is outvoted (0.5 x 0.4 + 0.5 x (0.4 + 4 x 0.9) / 5 = 0.6):

    >>> import numpy as np
    >>> shapes = np.repeat([[0.0], [5.0]], 6, axis=0)[:, :, None] + np.arange(4.0)
    >>> proba = np.repeat([[0.9, 0.1], [0.2, 0.8]], 6, axis=0)
    >>> proba[0] = [0.4, 0.6]
    >>> out = smooth_within_records(proba, shapes, smoothing=RecordSmoothing())
    >>> out[0].round(2).tolist(), out.argmax(axis=1).tolist()
    ([0.6, 0.4], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    """
    proba = np.asarray(proba)
    windows = np.asarray(windows)
    if proba.ndim != 2 or windows.ndim != 3 or len(windows) != len(proba):
        raise ValueError(
            "proba must have shape (n_beats, n_classes) and windows (n_beats, n_leads, "
            f"n_samples) with the same n_beats, got {proba.shape} and {windows.shape}"
        )
    if not np.issubdtype(proba.dtype, np.floating):
        raise TypeError(f"proba must hold floating-point probabilities, got dtype {proba.dtype}")
    if not (np.isfinite(proba).all() and np.isfinite(windows).all()):
        raise ValueError(
            "proba and windows must be finite; drop the beats with NaN or infinite values "
            "(such as beats a classifier skipped) before smoothing"
        )
    if record is None:
        return _smooth_one_record(proba, windows, smoothing).astype(proba.dtype)
    record = np.asarray(record)
    if record.shape != (len(proba),):
        raise ValueError(
            f"record must name the record of each of the {len(proba)} beats, got shape "
            f"{record.shape}"
        )
    out = np.empty_like(proba)
    for name in np.unique(record):
        rows = np.flatnonzero(record == name)
        out[rows] = _smooth_one_record(proba[rows], windows[rows], smoothing)
    return out
