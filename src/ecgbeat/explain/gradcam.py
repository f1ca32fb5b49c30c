"""One-dimensional Grad-CAM: which samples of a beat drove a model's decision.

Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
Gradient-based Localization", ICCV 2017) weights each channel of a convolutional feature map
by the average gradient of the target class score with respect to that channel, sums the
weighted channels, keeps the positive part and stretches the result back to the input length.
In 1-D the feature map is ``(channels, length)`` and the explanation is one weight per sample.

The module also holds the small helpers that every function running a model on beats needs
(input validation against the model contract, preserving the train/eval mode of every module).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ecgbeat.models.ensemble import Ensemble
from ecgbeat.models.running import (
    batched_logits,
    model_device,
    model_inputs,
    preserved_modes,
    run_model,
)

__all__ = ["grad_cam", "last_conv_layer"]


def last_conv_layer(model: nn.Module) -> str:
    """Name of the last ``nn.Conv1d`` of ``model``, the default Grad-CAM layer.

    "Last" follows the order in which the layers are registered (``model.named_modules()``),
    which is the order they are created in ``__init__``; for the models of this library this is
    also the order in which they run. Pass ``layer=`` to :func:`grad_cam` to choose another one.

    Parameters
    ----------
    model : nn.Module
        A model containing at least one ``nn.Conv1d``.

    Returns
    -------
    str
        A key of ``dict(model.named_modules())``.

    Raises
    ------
    ValueError
        If the model has no ``nn.Conv1d`` layer.

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(nn.Conv1d(1, 4, 3), nn.ReLU(), nn.Conv1d(4, 8, 3))
    >>> last_conv_layer(model)
    '2'
    """
    names = _conv_layer_names(model)
    if not names:
        raise ValueError(
            f"{type(model).__name__} has no nn.Conv1d layer; pass layer= the name of a module "
            "whose output has shape (batch, channels, length)"
        )
    return names[-1]


def grad_cam(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    *,
    rr: np.ndarray | torch.Tensor | None = None,
    target: int | np.ndarray | torch.Tensor | None = None,
    layer: str | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """Grad-CAM maps of a batch of beats, one weight in [0, 1] per input sample.

    The model runs in eval mode (dropout off, BatchNorm on its running statistics) on its own
    device; every module's train/eval mode is restored afterwards and the forward hook is
    removed, also when an error is raised.

    For each beat the map is ``ReLU(sum_c alpha_c * A_c)`` where ``A`` is the output of the
    target layer and ``alpha_c`` the gradient of the target class logit with respect to channel
    ``c`` of ``A``, averaged over time. The map is resampled linearly to the input length and
    divided by its maximum, so its peak is 1; a map without positive evidence stays all zero.

    Models that run the target layer on segments of the beat (a convolutional front end applied
    per segment, as in a CNN-LSTM) produce ``batch * n_segments`` rows per batch, in beat-major
    order; those rows are laid end to end in time, so the map still spans the whole beat. A
    layer that runs several times in one forward pass is handled the same way: its outputs are
    laid end to end in the order they were produced.

    Parameters
    ----------
    model : nn.Module
        A classifier with ``forward(x)`` or ``forward(x, rr=rr)`` returning logits of shape
        (batch, n_classes).
    x : ndarray or Tensor of shape (n_beats, n_leads, n_samples)
        The beats to explain.
    rr : ndarray or Tensor of shape (n_beats, n_rr_features), optional
        RR-interval features, required by models with ``uses_rr = True``.
    target : int or array of shape (n_beats,), optional
        Class to explain: one class for all beats or one per beat. Default: the class the
        model predicts for each beat.
    layer : str, optional
        Name of the layer to explain (a key of ``dict(model.named_modules())``). Default: the
        last ``nn.Conv1d`` (:func:`last_conv_layer`). Any module whose output has shape
        (batch, channels, length) works, e.g. a whole residual block. For an
        :class:`~ecgbeat.models.Ensemble` the default is each member's own last
        ``nn.Conv1d``: every member explains the class the ensemble predicts (or
        ``target``), and the mean of their maps, again divided by its maximum, is returned.
    batch_size : int, default 256
        Beats per forward/backward pass.

    Returns
    -------
    ndarray of shape (n_beats, n_samples), float32
        The maps, each in [0, 1].

    Raises
    ------
    ValueError
        On a layer name the model does not have (the message lists its Conv1d layers), a layer
        whose output is not (batch, channels, length), a target outside the model's classes, or
        inputs that do not match the model contract.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> _ = torch.manual_seed(0)
    >>> model = nn.Sequential(nn.Conv1d(1, 4, 5, padding=2), nn.ReLU(),
    ...                       nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> cams = grad_cam(model, torch.randn(2, 1, 50), target=1)
    >>> cams.shape, bool(cams.min() >= 0.0), bool(cams.max() <= 1.0)
    ((2, 50), True, True)
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if isinstance(model, Ensemble) and layer is None:
        return _ensemble_cam(model, x, rr=rr, target=target, batch_size=batch_size)
    layer_name = last_conv_layer(model) if layer is None else layer
    module = _named_layer(model, layer_name)
    x_t, rr_t = model_inputs(model, x, rr=rr)
    targets = _target_array(target, n_beats=len(x_t))
    device = model_device(model)

    captured: list[torch.Tensor] = []

    def keep_output(_module: nn.Module, _inputs: Any, output: Any) -> torch.Tensor:
        if not isinstance(output, torch.Tensor) or output.ndim != 3:
            shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output)
            raise ValueError(
                f"layer {layer_name!r} returns {shape}; Grad-CAM needs an output of shape "
                "(batch, channels, length) such as a Conv1d's"
            )
        captured.append(output)
        # The clone travels downstream, so an in-place op after the layer (ReLU(inplace=True))
        # cannot overwrite the activation kept here.
        return output.clone()

    handle = module.register_forward_hook(keep_output)
    maps = []
    try:
        # cuDNN refuses the backward pass of a recurrent layer in eval mode; the native
        # kernels give the same result.
        with (
            preserved_modes(model),
            torch.enable_grad(),
            torch.backends.cudnn.flags(enabled=False),
        ):
            model.eval()
            for start in range(0, len(x_t), batch_size):
                captured.clear()
                stop = start + batch_size
                # An input that requires grad builds the graph even for a frozen model.
                xb = x_t[start:stop].to(device).requires_grad_(True)
                rb = None if rr_t is None else rr_t[start:stop].to(device)
                logits = run_model(model, xb, rb)
                if not captured:
                    raise ValueError(
                        f"layer {layer_name!r} did not run in the forward pass; choose one of "
                        f"the layers the model uses: {_conv_layer_names(model)}"
                    )
                classes = _batch_targets(logits, targets, start=start, stop=stop)
                score = logits.gather(1, classes[:, None]).sum()
                grads = torch.autograd.grad(score, captured, allow_unused=True)
                if any(g is None for g in grads):
                    raise ValueError(
                        f"layer {layer_name!r} does not influence the model's logits; choose a "
                        "layer on the path from the input to the output"
                    )
                maps.append(_cam(captured, grads, n_beats=len(xb), length=x_t.shape[-1]))
    finally:
        handle.remove()
    return np.concatenate(maps)


def _ensemble_cam(
    model: Ensemble,
    x: np.ndarray | torch.Tensor,
    *,
    rr: np.ndarray | torch.Tensor | None,
    target: int | np.ndarray | torch.Tensor | None,
    batch_size: int,
) -> np.ndarray:
    """The mean of the members' maps of the ensemble's class, with its peak at 1."""
    x_t, rr_t = model_inputs(model, x, rr=rr)
    if target is None:
        device = model_device(model)
        logits = batched_logits(
            model, x_t.to(device), None if rr_t is None else rr_t.to(device), batch_size=batch_size
        )
        target = logits.argmax(dim=1).cpu().numpy()
    cams = np.mean(
        [
            grad_cam(member, x_t, rr=rr_t, target=target, batch_size=batch_size)
            for member in model.members
        ],
        axis=0,
    )
    return _peak_at_one(cams)


def _peak_at_one(cams: np.ndarray) -> np.ndarray:
    """Each map divided by its maximum; a map without positive evidence stays all zero."""
    peak = cams.max(axis=1, keepdims=True)
    return (cams / np.where(peak > 0, peak, 1.0)).astype(np.float32)


def _cam(
    activations: list[torch.Tensor],
    gradients: tuple[torch.Tensor, ...],
    *,
    n_beats: int,
    length: int,
) -> np.ndarray:
    """Weight, sum, rectify, resample and normalise the maps of one batch."""
    activation = torch.cat([_beat_major(a, n_beats=n_beats) for a in activations], dim=-1)
    gradient = torch.cat([_beat_major(g, n_beats=n_beats) for g in gradients], dim=-1)
    weights = gradient.mean(dim=-1, keepdim=True)
    cam = F.relu((weights * activation).sum(dim=1)).detach()
    cam = F.interpolate(cam[:, None, :], size=length, mode="linear", align_corners=False)[:, 0]
    return _peak_at_one(cam.float().cpu().numpy())


def _beat_major(tensor: torch.Tensor, *, n_beats: int) -> torch.Tensor:
    """Reshape a (n_beats * n_segments, channels, length) output to (n_beats, channels, time)."""
    rows, channels, length = tensor.shape
    if rows == n_beats:
        return tensor
    if rows % n_beats:
        raise ValueError(
            f"the Grad-CAM layer returned {rows} rows for a batch of {n_beats} beats; choose a "
            "layer whose output keeps one row per beat (or per beat segment)"
        )
    segments = rows // n_beats
    return (
        tensor.reshape(n_beats, segments, channels, length)
        .permute(0, 2, 1, 3)
        .reshape(n_beats, channels, segments * length)
    )


def _conv_layer_names(model: nn.Module) -> list[str]:
    return [name for name, module in model.named_modules() if isinstance(module, nn.Conv1d)]


def _named_layer(model: nn.Module, name: str) -> nn.Module:
    if not isinstance(name, str):
        raise TypeError(f"layer must be a module name (str), got {type(name).__name__}")
    modules = dict(model.named_modules())
    if name not in modules:
        raise ValueError(
            f"{type(model).__name__} has no layer named {name!r}; its Conv1d layers are "
            f"{_conv_layer_names(model)} (any key of dict(model.named_modules()) is accepted)"
        )
    return modules[name]


def _target_array(
    target: int | np.ndarray | torch.Tensor | None, *, n_beats: int
) -> np.ndarray | None:
    """Validate ``target`` and expand it to one class index per beat (None = predicted)."""
    if target is None:
        return None
    if isinstance(target, torch.Tensor):
        target = target.detach().cpu().numpy()
    array = np.asarray(target)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"target must be an int or an integer array of class indices, got dtype {array.dtype}"
        )
    if array.ndim == 0:
        return np.full(n_beats, int(array), dtype=np.int64)
    if array.shape != (n_beats,):
        raise ValueError(
            f"target must be one class index or one per beat, shape ({n_beats},); "
            f"got shape {array.shape}"
        )
    return array.astype(np.int64)


def _batch_targets(
    logits: torch.Tensor, targets: np.ndarray | None, *, start: int, stop: int
) -> torch.Tensor:
    if targets is None:
        return logits.argmax(dim=1)
    batch = targets[start:stop]
    n_classes = logits.shape[1]
    if batch.min() < 0 or batch.max() >= n_classes:
        raise ValueError(
            f"target holds class indices in [{batch.min()}, {batch.max()}] but the model has "
            f"{n_classes} classes (valid indices 0..{n_classes - 1})"
        )
    return torch.as_tensor(batch, device=logits.device)
