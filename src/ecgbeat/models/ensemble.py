"""Several trained networks read as one: the mean of their class probabilities."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Ensemble"]


class Ensemble(nn.Module):
    """Trained beat classifiers combined by averaging their class probabilities.

    Networks trained alike from different seeds err on different beats; the mean of their
    probabilities is steadier than any one of them (on MIT-BIH's DS1 and DS2, see the docs'
    "Inter-patient results"). The output is the log of that mean, so ``softmax`` of it is the
    mean probability and every tool that reads logits (prediction, calibration, ONNX export)
    works unchanged. The members are not trained further: an ensemble runs in eval mode only.

    Parameters
    ----------
    members : sequence of nn.Module
        Two or more trained models of the zoo contract with the same number of classes.
        Each is called as ``member(x)`` or, when any member uses RR features,
        ``member(x, rr)``.

    Attributes
    ----------
    members : nn.ModuleList
    uses_rr : bool
        True when any member consumes RR features.

    Examples
    --------
    >>> import torch
    >>> from ecgbeat.models import create_model
    >>> nets = [create_model("cnn3", num_classes=3, input_length=64) for _ in range(2)]
    >>> ensemble = Ensemble(nets).eval()
    >>> proba = ensemble(torch.zeros(4, 1, 64)).softmax(1)
    >>> proba.shape, bool(torch.allclose(proba.sum(1), torch.ones(4)))
    (torch.Size([4, 3]), True)
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        members = list(members)
        if len(members) < 2:
            raise ValueError(
                f"an Ensemble needs two members or more, got {len(members)}; use the model "
                "itself when there is one"
            )
        if bad := [type(m).__name__ for m in members if not isinstance(m, nn.Module)]:
            raise TypeError(f"every member must be a torch.nn.Module, got {bad}")
        self.members = nn.ModuleList(members)
        self.uses_rr = any(getattr(m, "uses_rr", False) for m in members)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Log of the members' mean class probabilities, shape ``(batch, num_classes)``."""
        if self.training:
            raise RuntimeError(
                "an Ensemble combines trained members and is not trained itself; call "
                ".eval() on it, and train each member on its own"
            )
        scores = []
        for member in self.members:
            logits = member(x) if rr is None else member(x, rr)
            scores.append(F.log_softmax(logits.float(), dim=1))
        if len({s.shape[1] for s in scores}) > 1:
            raise ValueError(
                f"the members predict different numbers of classes {[s.shape[1] for s in scores]};"
                " combine models trained on the same classes"
            )
        return torch.logsumexp(torch.stack(scores), dim=0) - math.log(len(scores))
