"""Calibration of predicted probabilities and per-beat uncertainty.

* Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017):
  one scalar ``T`` divides the logits; it is fitted on the validation split by minimising the
  negative log-likelihood and leaves the predicted class unchanged.
* Expected calibration error and reliability curves with equal-width confidence bins.
* Predictive entropy of a probability vector.
* Monte-Carlo dropout (Gal & Ghahramani, "Dropout as a Bayesian Approximation", ICML 2016):
  dropout stays on at prediction time and the softmax is averaged over several passes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from scipy.optimize import minimize_scalar
from scipy.special import entr, log_softmax, softmax
from torch import nn

from ecgbeat.models.running import model_device, model_inputs, preserved_modes, run_model

__all__ = [
    "MCDropoutResult",
    "apply_temperature",
    "expected_calibration_error",
    "fit_temperature",
    "mc_dropout_proba",
    "predictive_entropy",
    "reliability_curve",
]

#: Modules that MC dropout switches back on; all other modules stay in eval mode.
DROPOUT_TYPES: tuple[type[nn.Module], ...] = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
)


class MCDropoutResult(NamedTuple):
    """Output of :func:`mc_dropout_proba`; unpacks as ``mean, std, mutual_information``.

    Attributes
    ----------
    mean : ndarray of shape (n_beats, n_classes)
        Softmax averaged over the dropout passes (the prediction to use).
    std : ndarray of shape (n_beats, n_classes)
        Standard deviation of each class probability over the passes.
    mutual_information : ndarray of shape (n_beats,)
        Entropy of the mean minus the mean entropy of the passes (nats): the part of the
        uncertainty that comes from the model rather than from the beat (Houlsby et al. 2011).

    Examples
    --------
    >>> import numpy as np
    >>> result = MCDropoutResult(np.full((1, 2), 0.5), np.zeros((1, 2)), np.zeros(1))
    >>> mean, std, mutual_information = result
    >>> mean.tolist()
    [[0.5, 0.5]]
    """

    mean: np.ndarray
    std: np.ndarray
    mutual_information: np.ndarray


def fit_temperature(
    logits: np.ndarray,
    y_true: np.ndarray,
    *,
    bounds: tuple[float, float] = (0.05, 20.0),
) -> float:
    """Temperature that minimises the negative log-likelihood of ``y_true``.

    Fit it on the validation split, never on the test split, then use
    :func:`apply_temperature` on any later logits. The search runs over ``log T`` (bounded
    Brent search), where the likelihood is smooth and ``T`` stays positive.

    Parameters
    ----------
    logits : ndarray of shape (n_beats, n_classes)
        Uncalibrated model outputs (before softmax).
    y_true : ndarray of shape (n_beats,)
        True class indices.
    bounds : (float, float), default (0.05, 20.0)
        Smallest and largest temperature considered.

    Returns
    -------
    float
        ``T > 1`` softens over-confident predictions, ``T < 1`` sharpens under-confident ones.

    Examples
    --------
    >>> import numpy as np
    >>> logits = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [0.0, 4.0]])
    >>> T = fit_temperature(logits, np.array([0, 1, 1, 1]))
    >>> bool(T > 1.0)
    True
    """
    logits = _as_logits(logits)
    y = _as_labels(y_true, n_beats=len(logits), n_classes=logits.shape[1])
    low, high = bounds
    if not 0 < low < high:
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds}")
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        return float(-log_softmax(logits / np.exp(log_t), axis=1)[rows, y].mean())

    result = minimize_scalar(
        nll, bounds=(np.log(low), np.log(high)), method="bounded", options={"xatol": 1e-6}
    )
    return float(np.exp(result.x))


def apply_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities ``softmax(logits / temperature)``.

    Parameters
    ----------
    logits : ndarray of shape (n_beats, n_classes)
        Model outputs before softmax.
    temperature : float
        Positive temperature, usually from :func:`fit_temperature`; 1 is the plain softmax.

    Returns
    -------
    ndarray of shape (n_beats, n_classes), float64
        Rows sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> apply_temperature(np.array([[2.0, 0.0]]), 2.0).round(3).tolist()
    [[0.731, 0.269]]
    """
    logits = _as_logits(logits)
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature}")
    return softmax(logits / temperature, axis=1)


def reliability_curve(
    confidence: np.ndarray,
    correct: np.ndarray,
    *,
    n_bins: int = 15,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean confidence, accuracy and count of the beats in equal-width confidence bins.

    Bin ``i`` holds the confidences in ``(i / n_bins, (i + 1) / n_bins]`` (a confidence of
    exactly 0 joins the first bin), as in Guo et al. (2017).

    Parameters
    ----------
    confidence : ndarray of shape (n_beats,)
        Probability of the predicted class, in [0, 1].
    correct : ndarray of shape (n_beats,)
        Whether each prediction is right (bool or 0/1).
    n_bins : int, default 15
        Number of bins on [0, 1].

    Returns
    -------
    bin_confidence, bin_accuracy : ndarray of shape (n_bins,), float64
        Mean confidence and accuracy per bin; NaN for an empty bin.
    bin_count : ndarray of shape (n_bins,), int64
        Beats per bin.

    Examples
    --------
    >>> import numpy as np
    >>> conf, acc, count = reliability_curve(np.array([0.9, 0.9, 0.3]),
    ...                                      np.array([True, False, True]), n_bins=2)
    >>> conf.round(2).tolist(), acc.tolist(), count.tolist()
    ([0.3, 0.9], [1.0, 0.5], [1, 2])
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct)
    if confidence.ndim != 1 or correct.shape != confidence.shape:
        raise ValueError(
            "confidence and correct must be 1-D arrays of the same length, got shapes "
            f"{confidence.shape} and {correct.shape}"
        )
    if not np.all((confidence >= 0) & (confidence <= 1)):
        raise ValueError("confidence must lie in [0, 1]; pass probabilities, not logits")
    if not np.isin(correct, (0, 1)).all():
        raise ValueError("correct must hold booleans (or 0/1): whether each prediction is right")
    if not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(index, minlength=n_bins).astype(np.int64)

    def bin_mean(values: np.ndarray) -> np.ndarray:
        sums = np.bincount(index, weights=values, minlength=n_bins)
        return np.divide(sums, count, out=np.full(n_bins, np.nan), where=count > 0)

    return bin_mean(confidence), bin_mean(correct.astype(np.float64)), count


def expected_calibration_error(
    proba: np.ndarray,
    y_true: np.ndarray,
    *,
    n_bins: int = 15,
) -> float:
    """Expected calibration error: bin-weighted gap between confidence and accuracy.

    ``ECE = sum_b (n_b / n) * |accuracy_b - confidence_b|`` over the equal-width bins of
    :func:`reliability_curve`, with the confidence of a beat being its top probability
    (Naeini et al. 2015; Guo et al. 2017).

    Parameters
    ----------
    proba : ndarray of shape (n_beats, n_classes)
        Predicted probabilities (rows sum to 1).
    y_true : ndarray of shape (n_beats,)
        True class indices.
    n_bins : int, default 15
        Number of confidence bins.

    Returns
    -------
    float
        In [0, 1]; 0 for perfectly calibrated probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.7, 0.3], [0.7, 0.3]])
    >>> round(expected_calibration_error(proba, np.array([0, 1, 0, 0])), 3)
    0.35
    """
    proba = _as_proba(proba)
    y = _as_labels(y_true, n_beats=len(proba), n_classes=proba.shape[1])
    confidence, accuracy, count = reliability_curve(
        proba.max(axis=1), proba.argmax(axis=1) == y, n_bins=n_bins
    )
    filled = count > 0
    return float(np.sum(count[filled] * np.abs(accuracy[filled] - confidence[filled])) / len(y))


def predictive_entropy(proba: np.ndarray, *, normalize: bool = False) -> np.ndarray:
    """Shannon entropy of each row of ``proba`` in nats; high means an unsure prediction.

    Parameters
    ----------
    proba : ndarray of shape (n_beats, n_classes)
        Predicted probabilities (rows sum to 1).
    normalize : bool, default False
        Divide by ``log(n_classes)`` so the entropy lies in [0, 1] whatever the class count.

    Returns
    -------
    ndarray of shape (n_beats,), float64
        In [0, log(n_classes)], or [0, 1] when normalised.

    Examples
    --------
    >>> import numpy as np
    >>> predictive_entropy(np.array([[0.5, 0.5], [1.0, 0.0]]), normalize=True).tolist()
    [1.0, 0.0]
    """
    proba = _as_proba(proba)
    entropy = entr(proba).sum(axis=1)
    if not normalize:
        return entropy
    n_classes = proba.shape[1]
    if n_classes < 2:
        raise ValueError("normalize=True needs at least 2 classes (log(1) = 0)")
    return entropy / np.log(n_classes)


def mc_dropout_proba(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    *,
    rr: np.ndarray | torch.Tensor | None = None,
    n_samples: int = 20,
    batch_size: int = 1024,
    seed: int = 0,
) -> MCDropoutResult:
    """Monte-Carlo dropout: average the softmax over passes with dropout switched on.

    Only the dropout modules (``nn.Dropout`` and its 1-3-D and alpha variants) and the
    between-layer dropout of multi-layer recurrent modules are put in training mode; BatchNorm
    keeps its running statistics, which are not updated. Every module's mode is restored
    afterwards. The passes use their own random stream seeded by ``seed``; the global torch
    random state is left as it was.

    Parameters
    ----------
    model : nn.Module
        A classifier returning logits, containing at least one dropout layer with ``p > 0``.
    x : ndarray or Tensor of shape (n_beats, n_leads, n_samples)
        Beats.
    rr : ndarray or Tensor of shape (n_beats, n_rr_features), optional
        RR-interval features, required by models with ``uses_rr = True``.
    n_samples : int, default 20
        Number of stochastic passes (at least 2).
    batch_size : int, default 1024
        Beats per forward pass.
    seed : int, default 0
        Seed of the dropout masks.

    Returns
    -------
    MCDropoutResult
        ``mean`` and ``std`` of the class probabilities over the passes, and the mutual
        information between prediction and model (epistemic uncertainty).

    Raises
    ------
    ValueError
        If the model has no active dropout layer, or on bad inputs.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> _ = torch.manual_seed(0)
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5),
    ...                       nn.Linear(16, 3))
    >>> mean, std, mutual_information = mc_dropout_proba(model, torch.randn(4, 1, 8))
    >>> mean.shape, bool(abs(mean.sum(axis=1) - 1).max() < 1e-6), bool(std.max() > 0)
    ((4, 3), True, True)
    """
    dropout_modules = [module for module in model.modules() if _is_active_dropout(module)]
    if not dropout_modules:
        raise ValueError(
            f"MC dropout needs dropout layers, but {type(model).__name__} has no nn.Dropout "
            "(or recurrent dropout) with p > 0; use a model trained with dropout, or judge "
            "uncertainty from predictive_entropy of its softmax output"
        )
    if not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    x_t, rr_t = model_inputs(model, x, rr=rr)
    device = model_device(model)
    batches = []
    forked = [device] if device.type != "cpu" else []
    with (
        preserved_modes(model),
        torch.no_grad(),
        torch.random.fork_rng(devices=forked, device_type=device.type),
    ):
        torch.manual_seed(seed)
        model.eval()
        for module in dropout_modules:
            module.train()
        for start in range(0, len(x_t), batch_size):
            xb = x_t[start : start + batch_size].to(device)
            rb = None if rr_t is None else rr_t[start : start + batch_size].to(device)
            passes = [torch.softmax(run_model(model, xb, rb), dim=1) for _ in range(n_samples)]
            batches.append(torch.stack(passes).double().cpu().numpy())
    proba = np.concatenate(batches, axis=1)  # (n_samples, n_beats, n_classes)
    mean = proba.mean(axis=0)
    mutual_information = entr(mean).sum(axis=1) - entr(proba).sum(axis=2).mean(axis=0)
    # Rounding can push a zero mutual information a hair below zero.
    return MCDropoutResult(mean, proba.std(axis=0), np.maximum(mutual_information, 0.0))


def _is_active_dropout(module: nn.Module) -> bool:
    if isinstance(module, DROPOUT_TYPES):
        return module.p > 0
    return isinstance(module, nn.RNNBase) and module.num_layers > 1 and module.dropout > 0


def _as_logits(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[0] == 0 or logits.shape[1] < 2:
        raise ValueError(
            f"logits must have shape (n_beats, n_classes) with n_beats >= 1 and n_classes >= 2, "
            f"got {logits.shape}"
        )
    if not np.isfinite(logits).all():
        raise ValueError("logits contain NaN or infinite values; check the model outputs")
    return logits


def _as_proba(proba: np.ndarray) -> np.ndarray:
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape[0] == 0:
        raise ValueError(f"proba must have shape (n_beats, n_classes), got {proba.shape}")
    if not np.all(proba >= 0) or not np.allclose(proba.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError(
            "proba rows must be probabilities that sum to 1; pass softmax outputs "
            "(e.g. apply_temperature(logits, 1.0)), not logits"
        )
    return proba


def _as_labels(y_true: np.ndarray, *, n_beats: int, n_classes: int) -> np.ndarray:
    y = np.asarray(y_true)
    if y.shape != (n_beats,):
        raise ValueError(f"y_true must have shape ({n_beats},) to match, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y_true must hold integer class indices, got dtype {y.dtype}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"y_true holds class indices in [{y.min()}, {y.max()}] but there are only "
            f"{n_classes} classes"
        )
    return y.astype(np.int64)
