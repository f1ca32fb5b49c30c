"""Running any model of the zoo contract: input checks, device, train/eval modes, batching.

Shared by the trainer, the classifier, Grad-CAM and the calibration tools, so every one of
them checks inputs and restores model modes the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "batched_logits",
    "float_tensor",
    "model_device",
    "model_inputs",
    "preserved_modes",
    "run_model",
]


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


def model_device(model: nn.Module) -> torch.device:
    """Device of the model's parameters (inputs are moved there batch by batch)."""
    parameter = next(model.parameters(), None)
    if parameter is None:
        raise ValueError(f"{type(model).__name__} has no parameters; pass a trained model")
    return parameter.device


def model_inputs(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    *,
    rr: np.ndarray | torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Check ``x`` and ``rr`` against the model contract; return float32 tensors."""
    x_t = float_tensor(x, name="x")
    if x_t.ndim != 3:
        raise ValueError(
            f"x must have shape (n_beats, n_leads, n_samples), got {tuple(x_t.shape)}; "
            "use x[:, None, :] for single-lead beats"
        )
    if len(x_t) == 0:
        raise ValueError("x holds no beats")
    if rr is None:
        if getattr(model, "uses_rr", False):
            raise ValueError(
                f"{type(model).__name__} uses RR features (uses_rr=True); pass rr= of shape "
                "(n_beats, n_rr_features), e.g. beats.rr"
            )
        return x_t, None
    rr_t = float_tensor(rr, name="rr")
    if rr_t.ndim != 2 or len(rr_t) != len(x_t):
        raise ValueError(
            f"rr must have shape ({len(x_t)}, n_rr_features) to match x, got {tuple(rr_t.shape)}"
        )
    return x_t, rr_t


def run_model(model: nn.Module, x: torch.Tensor, rr: torch.Tensor | None) -> torch.Tensor:
    """Logits of one batch; ``rr`` is passed only when given, so plain modules work too."""
    logits = model(x) if rr is None else model(x, rr=rr)
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or len(logits) != len(x):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits)
        raise ValueError(
            f"the model must return logits of shape ({len(x)}, n_classes), got {shape}"
        )
    return logits


@contextmanager
def preserved_modes(model: nn.Module) -> Iterator[None]:
    """Restore the train/eval flag of every submodule on exit, whatever happened inside."""
    modes = [(module, module.training) for module in model.modules()]
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


def float_tensor(value: Any, *, name: str) -> torch.Tensor:
    """A float32 tensor of ``value`` (array or tensor), copying read-only arrays."""
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float32)
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be a numpy array or a torch tensor of numbers, got {type(value).__name__}"
        ) from error
    # Torch cannot share read-only memory (a BeatSet's arrays are frozen): copy those.
    return torch.from_numpy(array if array.flags.writeable else array.copy())
