"""Loss functions for imbalanced beat classes: class weights and focal loss."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["FocalLoss", "class_weights", "make_loss"]

#: Loss names accepted by :func:`make_loss`.
LOSSES: tuple[str, ...] = ("cross-entropy", "focal")


def class_weights(y: np.ndarray, *, num_classes: int, power: float = 1.0) -> torch.Tensor:
    """Inverse-frequency ("balanced") class weights, ``(n / (n_present * count)) ** power``.

    The same formula as scikit-learn's ``compute_class_weight("balanced")``, except that a
    class with no beat gets weight 0 instead of an error (it contributes no loss term
    anyway), so a class missing from the training fold does not stop training.

    Parameters
    ----------
    y : ndarray of shape (n_beats,)
        Class indices of the training beats.
    num_classes : int
        Number of classes of the model.
    power : float
        1 gives the "balanced" weights; 0.5 (square-root balancing) softens them, so a
        class with a handful of beats (Q in MIT-BIH DS1 has 8) does not outweigh the
        rest thousands of times over; 0 gives equal weights.

    Returns
    -------
    Tensor of shape (num_classes,), float32

    Examples
    --------
    >>> import numpy as np
    >>> [round(w, 3) for w in class_weights(np.array([0, 0, 0, 1]), num_classes=3).tolist()]
    [0.667, 2.0, 0.0]
    """
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=num_classes).astype(np.float64)
    if len(counts) > num_classes:
        raise ValueError(
            f"labels go up to class {len(counts) - 1} but num_classes={num_classes}; "
            "pass the number of classes of the label map"
        )
    present = counts > 0
    weights = np.zeros(num_classes)
    if power < 0:
        raise ValueError(f"power must be >= 0, got {power}")
    weights[present] = (counts.sum() / (present.sum() * counts[present])) ** power
    return torch.as_tensor(weights, dtype=torch.float32)


class FocalLoss(nn.Module):
    """Focal loss of Lin et al. 2017, ``-alpha_y (1 - p_y)^gamma log p_y``, averaged.

    Down-weights beats the model already classifies well, so the rare classes and the hard
    normal beats dominate the gradient.

    Parameters
    ----------
    gamma : float
        Focusing parameter; 0 gives (weighted) cross-entropy.
    weight : Tensor of shape (n_classes,), optional
        Per-class factor ``alpha``.

    Examples
    --------
    >>> import torch
    >>> loss = FocalLoss(gamma=2.0)
    >>> logits = torch.tensor([[4.0, 0.0], [0.0, 4.0]])
    >>> bool(loss(logits, torch.tensor([0, 1])) < F.cross_entropy(logits, torch.tensor([0, 1])))
    True
    """

    def __init__(self, *, gamma: float = 2.0, weight: torch.Tensor | None = None) -> None:
        super().__init__()
        if gamma < 0:
            raise ValueError(f"focal loss gamma must be >= 0, got {gamma}")
        self.gamma = gamma
        self.register_buffer("weight", weight)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        log_p = F.log_softmax(logits.float(), dim=1).gather(1, target[:, None]).squeeze(1)
        loss = -((1.0 - log_p.exp()) ** self.gamma) * log_p
        if self.weight is not None:
            loss = loss * self.weight[target]
        return loss.mean()


def make_loss(
    name: str = "cross-entropy",
    *,
    weight: torch.Tensor | None = None,
    gamma: float = 2.0,
) -> nn.Module:
    """Build a loss by name.

    Parameters
    ----------
    name : {"cross-entropy", "focal"}
    weight : Tensor of shape (n_classes,), optional
        Per-class weights (see :func:`class_weights`).
    gamma : float
        Focusing parameter of the focal loss.

    Examples
    --------
    >>> make_loss("focal", gamma=1.0).gamma
    1.0
    """
    if name == "cross-entropy":
        return nn.CrossEntropyLoss(weight=weight)
    if name == "focal":
        return FocalLoss(gamma=gamma, weight=weight)
    raise ValueError(f"unknown loss {name!r}; choose one of {LOSSES}")
