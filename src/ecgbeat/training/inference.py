"""Batched inference on device-resident tensors, shared by validation and the Classifier."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["batched_logits"]


@torch.no_grad()
def batched_logits(
    model: nn.Module,
    x: torch.Tensor,
    rr: torch.Tensor | None = None,
    *,
    batch_size: int = 1024,
    amp_dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Logits of ``model`` for every beat, in eval mode, batch by batch.

    Parameters
    ----------
    model : nn.Module
        Called as ``model(x)``, or ``model(x, rr)`` when ``rr`` is given.
    x : Tensor of shape (n_beats, n_leads, n_samples)
    rr : Tensor of shape (n_beats, n_rr_features), optional
    batch_size : int
        Beats per forward pass.
    amp_dtype : torch.dtype, optional
        Autocast dtype (see :func:`ecgbeat.training.devices.autocast_dtype`).

    Returns
    -------
    Tensor of shape (n_beats, n_classes), float32, on the device of ``x``.
        The model's training mode is restored afterwards.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 3))
    >>> batched_logits(net, torch.zeros(5, 2, 10), batch_size=2).shape
    torch.Size([5, 3])
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive number of beats, got {batch_size}")
    was_training = model.training
    model.eval()
    out = []
    try:
        for start in range(0, len(x), batch_size):
            stop = start + batch_size
            args = (x[start:stop],) if rr is None else (x[start:stop], rr[start:stop])
            with torch.autocast(x.device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
                out.append(model(*args).float())
    finally:
        model.train(was_training)
    if not out:
        return torch.empty(0, 0, device=x.device)
    return torch.cat(out)
