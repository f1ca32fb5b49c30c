"""Checkpoint files: one self-describing file, written atomically, loaded safely."""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import torch

from ecgbeat.files import atomic_path

__all__ = ["FORMAT_VERSION", "library_version", "load_checkpoint", "save_checkpoint"]

#: Marker stored in every checkpoint, to tell an ecgbeat file from any other torch file.
FORMAT_NAME = "ecgbeat-checkpoint"
#: Layout version of the checkpoint file; bumped whenever the layout changes.
FORMAT_VERSION = 1


def library_version() -> str:
    """Version of the installed ecgbeat, stored in checkpoints.

    Examples
    --------
    >>> isinstance(library_version(), str)
    True
    """
    try:
        return version("ecgbeat")
    except PackageNotFoundError:
        return "unknown"


def save_checkpoint(
    path: str | os.PathLike,
    *,
    model_state: Mapping[str, torch.Tensor],
    metadata: Mapping[str, Any],
    training_state: Mapping[str, Any] | None = None,
) -> Path:
    """Write a checkpoint atomically: a temporary file in the same folder, then a rename.

    A crash while writing leaves the previous file intact, never a truncated one.

    Parameters
    ----------
    path : path-like
        Destination file (``.pt``).
    model_state : mapping of str to Tensor
        The model's ``state_dict()``.
    metadata : mapping
        JSON-serialisable description of the model and its pipeline (model name and
        kwargs, classes, label map, preprocessing, leads, ...). Serialised to JSON here,
        so anything that would not survive a safe load fails at save time.
    training_state : mapping, optional
        Optimizer, scheduler and RNG states for resuming (tensors, numbers, strings).

    Examples
    --------
    >>> import tempfile, torch
    >>> d = tempfile.mkdtemp()
    >>> p = save_checkpoint(f"{d}/m.pt", model_state={"w": torch.ones(2)}, metadata={"a": 1})
    >>> load_checkpoint(p)["metadata"]["a"]
    1
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": library_version(),
        "metadata": json.dumps(dict(metadata)),
        "model_state": {k: v.detach().cpu() for k, v in model_state.items()},
        "training_state": None if training_state is None else dict(training_state),
    }
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        torch.save(payload, f)
        f.flush()
        os.fsync(f.fileno())
    return path


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint with ``torch.load(weights_only=True)`` and check its format.

    Returns
    -------
    dict
        ``metadata`` (dict), ``model_state`` (dict of tensors), ``training_state`` (dict or
        None), ``format_version`` and ``library_version``.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is corrupt or truncated, is not an ecgbeat checkpoint, or has a format
        version this ecgbeat cannot read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, OSError, pickle.UnpicklingError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"{path} is not a readable checkpoint (corrupt, truncated or not a torch file): "
            f"{err}; re-train or copy the file again"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        raise ValueError(
            f"{path} is a torch file but not an ecgbeat checkpoint; load it with torch.load"
        )
    found = payload.get("format_version")
    if found != FORMAT_VERSION:
        raise ValueError(
            f"{path} has checkpoint format version {found} (written by ecgbeat "
            f"{payload.get('library_version')}), but this ecgbeat {library_version()} reads "
            f"format version {FORMAT_VERSION}; load it with the ecgbeat version that wrote "
            "it or re-train"
        )
    try:
        metadata = json.loads(payload["metadata"])
    except (KeyError, TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} has unreadable metadata ({err}); the file is corrupt") from None
    return {**payload, "metadata": metadata}
