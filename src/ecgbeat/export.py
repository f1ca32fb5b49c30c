"""ONNX export of beat classifiers, with a parity check against PyTorch under onnxruntime.

:func:`export_onnx` writes any model of the zoo, a trained :class:`Classifier` or a
checkpoint file as an ONNX graph with inputs ``x`` (and ``rr`` for models that consume
RR-interval features) and output ``logits``; a classifier's class names and beat
preprocessing travel in the graph's metadata. :func:`check_onnx` runs the graph under
onnxruntime next to the PyTorch model and returns their largest difference;
:func:`read_onnx_metadata` reads the metadata back.

The export needs the optional packages ``onnx``, ``onnxruntime`` and ``onnxscript``
(``pip install "ecgbeat[onnx]"``); they are imported only when these functions run.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch
from torch import nn

from ecgbeat.files import atomic_path, refuse_overwrite
from ecgbeat.training.checkpoint import library_version
from ecgbeat.training.classifier import Classifier, load, model_spec

__all__ = ["MIN_OPSET", "check_onnx", "export_onnx", "read_onnx_metadata"]

#: Oldest ONNX opset the exporter writes: torch's dynamo-based exporter translates through
#: the onnxscript function library, which is written against opset 18.
MIN_OPSET = 18
#: Name of the graph output (raw scores, no softmax), of shape (batch, num_classes).
OUTPUT_NAME = "logits"
#: Batch sizes :func:`check_onnx` runs a dynamic-batch graph with: one beat, and several.
DEFAULT_CHECK_BATCHES = (1, 8)


def _require(module: str) -> ModuleType:
    """Import an optional ONNX package, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(
            f"ONNX export needs the optional package {module!r}; install the extra with "
            'pip install "ecgbeat[onnx]" (onnx, onnxruntime, onnxscript)'
        ) from None


def _resolve(
    model: nn.Module | Classifier | str | os.PathLike,
) -> tuple[nn.Module, Classifier | None]:
    """The network to export and, when there is one, the classifier that wraps it."""
    if isinstance(model, Classifier):
        return model.model, model
    if isinstance(model, (str, os.PathLike)):
        classifier = load(model)
        return classifier.model, classifier
    if isinstance(model, nn.Module):
        return model, None
    raise TypeError(
        "model must be an nn.Module (e.g. from ecgbeat.models.create_model), a Classifier "
        f"or the path of a checkpoint written by ecgbeat.train(), got {type(model).__name__}"
    )


def _check_size(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _input_sizes(
    net: nn.Module,
    classifier: Classifier | None,
    *,
    input_length: int | None,
    in_channels: int | None,
    num_rr_features: int | None,
) -> tuple[int, int, int]:
    """``(in_channels, input_length, num_rr_features)`` of the graph's inputs.

    A classifier fixes them (its training beats); a zoo model built by ``create_model``
    carries them in ``model_config``; any other module needs them as arguments.
    """
    given = {
        "in_channels": in_channels,
        "input_length": input_length,
        "num_rr_features": num_rr_features,
    }
    known: dict[str, Any] = {}
    if classifier is not None:
        known["in_channels"], known["input_length"] = classifier.input_shape
        if classifier.uses_rr:
            known["num_rr_features"] = len(classifier.rr_names) or getattr(
                net, "num_rr_features", None
            )
    else:
        config = getattr(net, "model_config", None) or {}
        known = {key: config[key] for key in given if key in config}
    sizes = {}
    for key, value in given.items():
        # A classifier's sizes are those of its training beats: an argument may only agree.
        fixed = known.get(key) if classifier is not None else None
        if value is not None and fixed is not None and value != fixed:
            raise ValueError(
                f"{key}={value} does not match the {fixed} the classifier was trained on; "
                f"drop {key} to export the classifier with its own input shape"
            )
        sizes[key] = known.get(key) if value is None else value
    uses_rr = bool(getattr(net, "uses_rr", False))
    if sizes["num_rr_features"] is None and not uses_rr:
        sizes["num_rr_features"] = 0
    missing = [key for key, value in sizes.items() if value is None]
    if missing:
        raise ValueError(
            f"cannot tell the input shape of this {type(net).__name__}: pass "
            + ", ".join(f"{key}=..." for key in missing)
            + " to export_onnx (a model from ecgbeat.models.create_model or a Classifier "
            "carries them itself)"
        )
    return (
        _check_size("in_channels", sizes["in_channels"], minimum=1),
        _check_size("input_length", sizes["input_length"], minimum=1),
        _check_size("num_rr_features", sizes["num_rr_features"], minimum=1 if uses_rr else 0),
    )


def _device(net: nn.Module) -> torch.device:
    return next((p.device for p in net.parameters()), torch.device("cpu"))


class _EvalMode:
    """Context manager: every submodule in eval mode inside, each one's own mode restored after."""

    def __init__(self, net: nn.Module) -> None:
        self.net = net
        self.modes: list[tuple[nn.Module, bool]] = []

    def __enter__(self) -> nn.Module:
        self.modes = [(module, module.training) for module in self.net.modules()]
        self.net.eval()
        return self.net

    def __exit__(self, *exc: object) -> None:
        # Restored module by module: a model may hold submodules in mixed modes on purpose
        # (e.g. frozen batch norms), which ``net.train(was_training)`` would overwrite.
        for module, training in self.modes:
            module.training = training


def _example_inputs(
    net: nn.Module, *, batch: int, in_channels: int, input_length: int, num_rr_features: int
) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(batch, in_channels, input_length, generator=generator)
    if not getattr(net, "uses_rr", False):
        return (x.to(_device(net)),)
    rr = 0.5 + torch.rand(batch, num_rr_features, generator=generator)
    return (x.to(_device(net)), rr.to(_device(net)))


def _probe(net: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
    """Run the model once, so a shape it cannot take fails here with a clear message."""
    shapes = " and ".join(str(tuple(a.shape)) for a in args)
    try:
        with torch.no_grad():
            out = net(*args)
    except Exception as err:
        raise ValueError(
            f"{type(net).__name__} cannot take inputs of shape {shapes}: {err}; pass the "
            "in_channels, input_length and num_rr_features the model was built for"
        ) from err
    if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != args[0].shape[0]:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(
            f"{type(net).__name__} must return logits of shape (batch, num_classes), got {got}"
        )


def _metadata(
    net: nn.Module,
    classifier: Classifier | None,
    *,
    in_channels: int,
    input_length: int,
    num_rr_features: int,
) -> dict[str, str]:
    """The graph's metadata_props: each value JSON, so one ``json.loads`` decodes any of them."""
    uses_rr = bool(getattr(net, "uses_rr", False))
    meta: dict[str, Any] = {
        "ecgbeat_version": library_version(),
        "model": model_spec(net),
        "input_shape": [in_channels, input_length],
        "uses_rr": uses_rr,
        "num_rr_features": num_rr_features if uses_rr else 0,
    }
    if classifier is not None:
        meta.update(
            classes=list(classifier.classes),
            beat_config=None if classifier.config is None else classifier.config.to_dict(),
            label_map=classifier.metadata.get("label_map"),
            leads=list(classifier.leads),
            rr_names=list(classifier.rr_names),
            fs=classifier.fs,
            # The graph scores beats one by one; a runtime that reproduces the classifier
            # applies this step per record (ecgbeat.smoothing.smooth_within_records).
            record_smoothing=None
            if classifier.smoothing is None
            else classifier.smoothing.to_dict(),
        )
    return {key: json.dumps(value) for key, value in meta.items()}


def export_onnx(
    model: nn.Module | Classifier | str | os.PathLike,
    path: str | os.PathLike,
    *,
    input_length: int | None = None,
    in_channels: int | None = None,
    num_rr_features: int | None = None,
    opset: int | None = None,
    dynamic_batch: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write a beat classifier as an ONNX graph, atomically.

    The graph takes ``x`` of shape ``(batch, in_channels, input_length)`` float32 (and,
    for models with ``uses_rr = True``, ``rr`` of shape ``(batch, num_rr_features)``
    float32) and returns ``logits`` of shape ``(batch, num_classes)``: raw scores, apply a
    softmax for probabilities. The model is traced in eval mode (dropout off, batch norm
    on its running statistics); the mode of every submodule is restored afterwards.

    Parameters
    ----------
    model : nn.Module, Classifier or path-like
        A network (any model of ``ecgbeat.models`` or a module with the same
        ``forward(x, rr=None)`` contract), a trained :class:`Classifier`, or the path of
        a checkpoint written by ``ecgbeat.train()`` (loaded with ``ecgbeat.load``).
    path : path-like
        Destination ``.onnx`` file; missing folders are created.
    input_length, in_channels, num_rr_features : int, optional
        Input sizes. A classifier or checkpoint fixes them (they may be given only if they
        agree); a model from ``create_model`` defaults to the sizes it was built with
        (models with adaptive pooling accept another ``input_length``); any other module
        needs them. ``num_rr_features`` only matters for models that use RR features.
    opset : int, optional
        ONNX opset version, at least :data:`MIN_OPSET`; default: the exporter's own.
    dynamic_batch : bool
        Leave the batch axis free (named ``"batch"``), so one graph scores any number of
        beats; False fixes it to one beat per call.
    overwrite : bool
        Replace an existing file; without it an existing ``path`` raises.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    ValueError
        Input sizes that are missing, out of range, in conflict with a classifier's, or
        that the model cannot take; an opset below :data:`MIN_OPSET`.
    TypeError
        ``model`` of an unsupported type, or a size that is not an int.
    ImportError
        ``onnx`` or ``onnxscript`` is not installed.

    Notes
    -----
    Exported with ``torch.onnx.export(..., dynamo=True)`` (``torch.export`` tracing),
    which handles every model of the zoo, LSTMs and dilated "same" convolutions included.
    With a classifier, the metadata_props of the graph hold the class names, the
    :class:`~ecgbeat.BeatConfig` (preprocessing), leads, sampling rate and RR feature
    names, and the classifier's smoothing within records (``record_smoothing``, None
    without it), which the graph itself does not apply; see :func:`read_onnx_metadata`.

    Examples
    --------
    >>> import tempfile
    >>> from ecgbeat.models import create_model
    >>> model = create_model("cnn_stages", num_classes=5, input_length=187)
    >>> path = export_onnx(model, f"{tempfile.mkdtemp()}/cnn_stages.onnx")
    >>> path.name, read_onnx_metadata(path)["input_shape"]
    ('cnn_stages.onnx', [1, 187])
    """
    net, classifier = _resolve(model)
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; pass the path of the .onnx file to write")
    refuse_overwrite(path, overwrite=overwrite)
    if opset is not None:
        _check_size("opset", opset, minimum=MIN_OPSET)
    in_channels, input_length, num_rr_features = _input_sizes(
        net,
        classifier,
        input_length=input_length,
        in_channels=in_channels,
        num_rr_features=num_rr_features,
    )
    _require("onnx")
    _require("onnxscript")
    # torch.export specialises a dimension it sees at size 1, so a dynamic batch is
    # traced with two beats.
    args = _example_inputs(
        net,
        batch=2 if dynamic_batch else 1,
        in_channels=in_channels,
        input_length=input_length,
        num_rr_features=num_rr_features,
    )
    input_names = ["x", "rr"][: len(args)]
    batch = torch.export.Dim("batch")
    with _EvalMode(net):
        _probe(net, args)
        program = torch.onnx.export(
            net,
            args,
            input_names=input_names,
            output_names=[OUTPUT_NAME],
            opset_version=opset,
            dynamo=True,
            dynamic_shapes=tuple({0: batch} for _ in args) if dynamic_batch else None,
            verbose=False,
        )
    program.model.metadata_props.update(
        _metadata(
            net,
            classifier,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
        )
    )
    # Write next to the target and rename: a crash mid-write never leaves a truncated graph.
    with atomic_path(path) as tmp:
        program.save(tmp, external_data=False)
    return path


def read_onnx_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The metadata an ecgbeat export stores in an ONNX graph, decoded from JSON.

    Parameters
    ----------
    path : path-like
        A file written by :func:`export_onnx`.

    Returns
    -------
    dict
        Always ``ecgbeat_version``, ``model`` (registry name and arguments),
        ``input_shape`` (``[in_channels, input_length]``), ``uses_rr`` and
        ``num_rr_features``; for an exported classifier also ``classes`` (the order of
        the logits), ``beat_config`` (``BeatConfig.to_dict()``, rebuild it with
        ``BeatConfig.from_dict``), ``label_map``, ``leads``, ``rr_names``, ``fs`` and
        ``record_smoothing`` (``RecordSmoothing.to_dict()`` or None). Entries not
        written by ecgbeat are returned as plain strings.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is not a readable ONNX model.

    Examples
    --------
    >>> import tempfile, torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 3))
    >>> path = export_onnx(net, f"{tempfile.mkdtemp()}/linear.onnx", in_channels=1,
    ...                    input_length=20)
    >>> meta = read_onnx_metadata(path)
    >>> meta["input_shape"], meta["uses_rr"]
    ([1, 20], False)
    """
    onnx = _require("onnx")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no ONNX file at {path}")
    try:
        graph = onnx.load(str(path), load_external_data=False)
    except Exception as err:
        raise ValueError(f"{path} is not a readable ONNX model: {err}") from None
    meta: dict[str, Any] = {}
    for prop in graph.metadata_props:
        try:
            meta[prop.key] = json.loads(prop.value)
        except json.JSONDecodeError:
            meta[prop.key] = prop.value
    return meta


def _check_batches(
    batch_sizes: Sequence[int] | None, graph_batch: object, path: Path
) -> tuple[int, ...]:
    """The batch sizes to check: free to choose for a dynamic axis, else the fixed one."""
    fixed = graph_batch if isinstance(graph_batch, int) else None
    if batch_sizes is None:
        return DEFAULT_CHECK_BATCHES if fixed is None else (fixed,)
    if isinstance(batch_sizes, (int, str)) or not len(batch_sizes):
        raise TypeError(f"batch_sizes must be a non-empty sequence of ints, got {batch_sizes!r}")
    sizes = tuple(_check_size("batch size", b, minimum=1) for b in batch_sizes)
    if fixed is not None and set(sizes) != {fixed}:
        raise ValueError(
            f"{path} was exported with a fixed batch of {fixed} beat(s) but batch_sizes="
            f"{sizes} were asked for; pass batch_sizes=({fixed},) or re-export with "
            "dynamic_batch=True"
        )
    return sizes


def check_onnx(
    path: str | os.PathLike,
    model: nn.Module | Classifier | str | os.PathLike,
    *,
    batch_sizes: Sequence[int] | None = None,
    atol: float = 1e-4,
    seed: int = 0,
) -> float:
    """Largest absolute difference between the logits of an ONNX graph and its PyTorch model.

    Runs the graph under onnxruntime (CPU) and the model in eval mode on the same random
    beats (standard normal samples, like z-scored beats; RR features uniform in
    0.5-1.5 s), at each batch size, and compares the logits.

    Parameters
    ----------
    path : path-like
        A graph written by :func:`export_onnx`.
    model : nn.Module, Classifier or path-like
        The model it was exported from (or its checkpoint).
    batch_sizes : sequence of int, optional
        Batch sizes to run; default ``(1, 8)`` for a dynamic batch axis (checking that it
        is really free), the fixed batch size otherwise.
    atol : float
        Largest difference accepted; the float32 kernels of the two runtimes differ by
        less than 1e-6 on the models of the zoo.
    seed : int
        Seed of the random beats.

    Returns
    -------
    float
        The largest absolute difference over every batch, beat and class.

    Raises
    ------
    RuntimeError
        The graph and the model disagree by more than ``atol`` or in output shape.
    ValueError
        The graph's inputs do not fit the model, or ``batch_sizes`` does not fit a graph
        with a fixed batch.
    ImportError
        ``onnxruntime`` is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from ecgbeat.models import create_model
    >>> model = create_model("beatfusion_tiny", num_classes=5, input_length=187,
    ...                      num_rr_features=8)
    >>> path = export_onnx(model, f"{tempfile.mkdtemp()}/tiny.onnx")
    >>> check_onnx(path, model) < 1e-4
    True
    """
    ort = _require("onnxruntime")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no ONNX file at {path}")
    if not atol >= 0:
        raise ValueError(f"atol must be a non-negative tolerance, got {atol}")
    net, _ = _resolve(model)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = {node.name: node.shape for node in session.get_inputs()}
    uses_rr = bool(getattr(net, "uses_rr", False))
    expected = ["x", "rr"] if uses_rr else ["x"]
    if list(inputs) != expected:
        raise ValueError(
            f"{path} takes inputs {list(inputs)} but {type(net).__name__} takes {expected}; "
            "check the graph against the model it was exported from"
        )
    x_shape = inputs["x"]
    if not all(isinstance(d, int) for d in x_shape[1:]):
        raise ValueError(f"{path} has a free beat shape {x_shape}; export it with export_onnx")
    rng = np.random.default_rng(seed)
    worst = 0.0
    with _EvalMode(net), torch.no_grad():
        for batch in _check_batches(batch_sizes, x_shape[0], path):
            feed = {"x": rng.standard_normal((batch, *x_shape[1:])).astype(np.float32)}
            if uses_rr:
                n_rr = inputs["rr"][1]
                feed["rr"] = rng.uniform(0.5, 1.5, (batch, n_rr)).astype(np.float32)
            (onnx_logits,) = session.run([OUTPUT_NAME], feed)
            args = [torch.from_numpy(feed[name]).to(_device(net)) for name in expected]
            torch_logits = net(*args).float().cpu().numpy()
            if onnx_logits.shape != torch_logits.shape:
                raise RuntimeError(
                    f"{path} returns logits of shape {onnx_logits.shape} but the model "
                    f"returns {torch_logits.shape} for a batch of {batch}"
                )
            worst = max(worst, float(np.abs(onnx_logits - torch_logits).max(initial=0.0)))
    if worst > atol:
        raise RuntimeError(
            f"the logits of {path} differ from the PyTorch model's by up to {worst:.3g} "
            f"(atol={atol:g}); re-export the model, or compare with the model it came from"
        )
    return worst
