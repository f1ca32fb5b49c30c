"""The trained classifier: a model with its classes and preprocessing, loaded from one file."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ecgbeat.beats import RR_FEATURE_NAMES, BeatSet
from ecgbeat.files import refuse_overwrite
from ecgbeat.labels import LabelMap
from ecgbeat.models import Ensemble, create_model, list_models
from ecgbeat.models.running import batched_logits
from ecgbeat.pipeline import BeatConfig
from ecgbeat.smoothing import RecordSmoothing, smooth_within_records
from ecgbeat.training.checkpoint import load_checkpoint, save_checkpoint
from ecgbeat.training.devices import resolve_device

if TYPE_CHECKING:
    from ecgbeat.predict import BeatTable

__all__ = ["Classifier", "ensemble", "load", "model_spec"]

#: Metadata that every member of an ensemble must share: what the beats are, how they are
#: prepared, and how the combined probabilities are smoothed within records.
SHARED_METADATA = (
    "classes",
    "label_map",
    "config",
    "leads",
    "lead_spec",
    "rr_names",
    "fs",
    "input_shape",
    "record_smoothing",
)


def model_spec(model: nn.Module) -> dict[str, Any]:
    """How to rebuild ``model``: its registry arguments, or (for a plain instance) its class.

    Models made by :func:`ecgbeat.models.create_model` carry ``model_config`` and are
    rebuilt from it; an :class:`~ecgbeat.models.Ensemble` lists its members' specs under
    ``members``. Any other ``nn.Module`` is recorded by class path only: its
    constructor arguments are unknown, so :func:`load` then needs ``model=`` (an
    instance built the same way) to receive the weights.

    Examples
    --------
    >>> import torch
    >>> model_spec(torch.nn.Linear(2, 3))
    {'name': None, 'config': None, 'class': 'torch.nn.modules.linear:Linear'}
    """
    config = getattr(model, "model_config", None)
    cls = type(model)
    spec = {
        "name": None if config is None else config["name"],
        "config": None if config is None else dict(config),
        "class": f"{cls.__module__}:{cls.__qualname__}",
    }
    if isinstance(model, Ensemble):
        spec["members"] = [model_spec(member) for member in model.members]
    return spec


def _build_model(spec: Mapping[str, Any], model: nn.Module | None, path: Path) -> nn.Module:
    if model is not None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module instance, got {type(model)}")
        return model
    if "members" in spec:
        return Ensemble([_build_model(member, None, path) for member in spec["members"]])
    if spec.get("config") is None:
        raise ValueError(
            f"{path} holds the weights of a user-supplied {spec.get('class')} instance whose "
            "constructor arguments are unknown; pass load(path, model=<an instance built the "
            "same way>), or register the model with ecgbeat.models.register_model and train "
            "it by name so the checkpoint can rebuild it alone"
        )
    config = dict(spec["config"])
    name = config.pop("name")
    # Importing the defining module registers user models declared with @register_model.
    module = spec.get("class", "").partition(":")[0]
    if name not in list_models() and module:
        importlib.import_module(module)
    return create_model(name, **config)


def _leads_compatible(theirs: tuple[str, ...], ours: tuple[str, ...]) -> bool:
    """Same lead count, and each position's lead names among the training ones.

    A position merges the names its records used ("V5/V1" for the second MIT-BIH lead),
    so beats from a subset of those records fit the model.

    Examples
    --------
    >>> _leads_compatible(("MLII", "V1"), ("MLII", "V5/V1/V2"))
    True
    >>> _leads_compatible(("V5",), ("MLII",))
    False
    """
    return len(theirs) == len(ours) and all(
        set(t.split("/")) <= set(o.split("/")) for t, o in zip(theirs, ours, strict=True)
    )


class Classifier:
    """A trained beat classifier: model, class names, label map and beat pipeline.

    Built by :func:`load` (or returned by ``ecgbeat.train()``). Predictions check that
    the beats were built the way the training beats were (same classes, leads, sampling
    rate, beat length and preprocessing), because a model fed differently prepared beats
    fails silently.

    Parameters
    ----------
    model : nn.Module
        The trained network (put in eval mode for prediction).
    metadata : mapping
        The checkpoint metadata: ``classes``, ``label_map``, ``config``, ``leads``,
        ``rr_names``, ``fs``, ``input_shape``, ``uses_rr``, ``model``, ...
    device : str or torch.device
        Where inference runs ("auto" picks CUDA, then MPS, then CPU).
    batch_size : int
        Beats per forward pass.

    Attributes
    ----------
    classes : tuple of str
    label_map : LabelMap or None
    config : BeatConfig or None
        Preprocessing and segmentation of the training beats; pass it to
        ``ecgbeat.load_beats(config=...)`` to prepare new beats the same way.
    leads : tuple of str
    smoothing : RecordSmoothing or None
        The step that blends each beat's probabilities with its like beats' of the same
        record (:func:`ecgbeat.smoothing.smooth_within_records`), stored in the metadata as
        ``record_smoothing``; None: the network's probabilities as they are. Assigning it
        changes what :meth:`predict_proba` returns and what :meth:`save` writes.
    model : nn.Module
    metadata : dict

    Examples
    --------
    >>> import numpy as np, torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 2))
    >>> clf = Classifier(net, metadata={"classes": ["N", "V"], "input_shape": [1, 10],
    ...                                  "fs": 360.0})
    >>> clf.predict_proba(np.zeros((3, 1, 10), np.float32)).shape
    (3, 2)
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        metadata: Mapping[str, Any],
        device: str | torch.device = "cpu",
        batch_size: int = 1024,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive number of beats, got {batch_size}")
        self.metadata = dict(metadata)
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.batch_size = batch_size
        self.classes: tuple[str, ...] = tuple(metadata["classes"])
        label_map = metadata.get("label_map")
        self.label_map = None if label_map is None else LabelMap.from_dict(label_map)
        config = metadata.get("config")
        self.config = None if config is None else BeatConfig.from_dict(config)
        self.leads: tuple[str, ...] = tuple(metadata.get("leads") or ())
        self.rr_names: tuple[str, ...] = tuple(metadata.get("rr_names") or ())
        self.uses_rr = bool(metadata.get("uses_rr", False))
        self.input_shape = tuple(metadata["input_shape"])
        self.fs = metadata.get("fs")
        smoothing = metadata.get("record_smoothing")
        self.smoothing = None if smoothing is None else RecordSmoothing.from_dict(smoothing)

    @property
    def smoothing(self) -> RecordSmoothing | None:
        """Smoothing within records applied by :meth:`predict_proba` (None: none)."""
        return self._smoothing

    @smoothing.setter
    def smoothing(self, value: RecordSmoothing | None) -> None:
        if value is not None and not isinstance(value, RecordSmoothing):
            raise TypeError(
                f"smoothing must be an ecgbeat.smoothing.RecordSmoothing or None, got {value!r}"
            )
        self._smoothing = value
        # The metadata is what save() writes and what ensemble() compares.
        self.metadata["record_smoothing"] = None if value is None else value.to_dict()

    def __repr__(self) -> str:
        spec = self.metadata.get("model", {})
        name = spec.get("name") or type(self.model).__name__
        if members := spec.get("members"):
            names = sorted({m.get("name") or m.get("class", "?") for m in members})
            name = f"ensemble of {len(members)} {'/'.join(names)}"
        return (
            f"Classifier({name}, classes={self.classes}, leads={self.leads}, "
            f"input_shape={self.input_shape}, fs={self.fs})"
        )

    def _check_beats(self, beats: BeatSet) -> None:
        if beats.classes != self.classes:
            raise ValueError(
                f"the beats are labelled with classes {beats.classes} but the model predicts "
                f"{self.classes}; load them with the model's label map (clf.label_map)"
            )
        if self.leads and beats.leads and not _leads_compatible(beats.leads, self.leads):
            raise ValueError(
                f"the beats hold leads {beats.leads} but the model was trained on "
                f"{self.leads}; load them with leads={list(self.leads)}"
            )
        if self.fs is not None and beats.fs != self.fs:
            raise ValueError(
                f"the beats are sampled at {beats.fs} Hz but the model was trained on "
                f"{self.fs} Hz beats; load them with the model's config (clf.config)"
            )
        config = beats.params.get("config")
        if self.config is not None and config is not None:
            theirs, ours = BeatConfig.from_dict(config).to_dict(), self.config.to_dict()
            if diff := {k: (theirs.get(k), v) for k, v in ours.items() if theirs.get(k) != v}:
                raise ValueError(
                    "the beats were prepared differently from the training beats "
                    f"(beats, model): {diff}; load them with config=clf.config"
                )

    def select_rr(self, rr: np.ndarray, names: Sequence[str] = RR_FEATURE_NAMES) -> np.ndarray:
        """The columns of ``rr`` (named ``names``) that the model was trained on, in its order.

        Beats from a newer data layer carry more RR features than a model trained on an
        older one; the model's own features are picked out by name. The default ``names``
        are those of :func:`ecgbeat.beats.rr_features`.

        Examples
        --------
        >>> import numpy as np
        >>> import ecgbeat
        >>> from ecgbeat.beats import RR_FEATURE_NAMES, rr_features
        >>> clf = ecgbeat.load_pretrained()   # trained on all 21 columns
        >>> rr = rr_features(np.arange(0, 3600, 360), fs=360)
        >>> clf.select_rr(rr).shape, len(RR_FEATURE_NAMES)
        ((10, 21), 21)
        >>> clf.select_rr(rr[:, ::-1], names=RR_FEATURE_NAMES[::-1]).tolist() == rr.tolist()
        True
        """
        if not self.rr_names or tuple(names) == self.rr_names:
            return rr
        if missing := [n for n in self.rr_names if n not in names]:
            raise ValueError(
                f"the model uses RR features {self.rr_names} but the beats lack {missing}; "
                "build the beats with the data layer's RR features"
            )
        return np.asarray(rr)[:, [list(names).index(n) for n in self.rr_names]]

    def _tensors(
        self, beats: BeatSet | np.ndarray, rr: np.ndarray | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        if isinstance(beats, BeatSet):
            if rr is not None:
                raise TypeError("pass rr only with a raw array; a BeatSet carries its own")
            self._check_beats(beats)
            X, rr = beats.X, self.select_rr(beats.rr, beats.rr_names) if self.uses_rr else None
        else:
            X = np.asarray(beats)
            if X.dtype.kind not in "fiu":
                raise TypeError(f"beats must hold numbers, got dtype {X.dtype}")
            X = X.astype(np.float32)
        if X.ndim != 3 or tuple(X.shape[1:]) != self.input_shape:
            raise ValueError(
                f"beats must have shape (n_beats, {self.input_shape[0]}, {self.input_shape[1]})"
                f" (n_leads, n_samples) like the training beats, got {tuple(X.shape)}"
            )
        if not np.isfinite(X).all():
            raise ValueError("the beats hold NaN or infinite samples; drop or repair them")
        if not self.uses_rr:
            return torch.tensor(X, device=self.device), None
        n_rr = len(self.rr_names) if self.rr_names else None
        rr = None if rr is None else np.asarray(rr, dtype=np.float32)
        if rr is None or rr.ndim != 2 or len(rr) != len(X) or rr.shape[1] != (n_rr or rr.shape[1]):
            raise ValueError(
                f"the model uses {n_rr or 'some'} RR features per beat; pass rr of shape "
                f"({len(X)}, {n_rr or 'n_rr'}), got {None if rr is None else rr.shape} "
                "(clf.select_rr(rr) picks the model's from those of rr_features)"
            )
        if not np.isfinite(rr).all():
            raise ValueError("the RR features hold NaN or infinite values; drop or repair them")
        return torch.tensor(X, device=self.device), torch.tensor(rr, device=self.device)

    def network_proba(
        self, beats: BeatSet | np.ndarray, *, rr: np.ndarray | None = None
    ) -> np.ndarray:
        """Class probabilities of each beat as the network gives them, beat by beat.

        Parameters
        ----------
        beats : BeatSet or ndarray of shape (n_beats, n_leads, n_samples)
            A BeatSet is checked against the training pipeline; a raw array only for its
            shape.
        rr : ndarray of shape (n_beats, n_rr_features), optional
            RR features for a raw array, when the model uses them.

        Returns
        -------
        ndarray of shape (n_beats, n_classes), float32
            Columns in the order of :attr:`classes`.

        Examples
        --------
        >>> import numpy as np, torch
        >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 2))
        >>> clf = Classifier(net, metadata={"classes": ["N", "V"], "input_shape": [1, 10]})
        >>> clf.network_proba(np.zeros((3, 1, 10), np.float32)).shape
        (3, 2)
        """
        x, rr_t = self._tensors(beats, rr)
        if len(x) == 0:
            return np.zeros((0, len(self.classes)), np.float32)
        logits = batched_logits(self.model, x, rr_t, batch_size=self.batch_size)
        return torch.softmax(logits, dim=1).cpu().numpy()

    def predict_proba(
        self,
        beats: BeatSet | np.ndarray,
        *,
        rr: np.ndarray | None = None,
        record: Any = None,
    ) -> np.ndarray:
        """Class probabilities of each beat, smoothed within records where :attr:`smoothing`
        is set (else :meth:`network_proba`).

        The smoothing compares each beat with the other beats of its record given in the
        same call, so pass whole records: a record split across calls is smoothed as
        separate parts.

        Parameters
        ----------
        beats, rr
            As for :meth:`network_proba`.
        record : array-like of shape (n_beats,), optional
            The record of each beat of a raw array, for the smoothing; default: all beats
            are of one record. A BeatSet carries its own.

        Returns
        -------
        ndarray of shape (n_beats, n_classes), float32
            Columns in the order of :attr:`classes`.

        Examples
        --------
        >>> import numpy as np
        >>> import ecgbeat
        >>> clf = ecgbeat.load_pretrained()
        >>> beats = ecgbeat.load_beats("sample", records=["100"], config=clf.config,
        ...                            leads=clf.metadata["lead_spec"])
        >>> clf.smoothing.neighbours
        5
        >>> raw = clf.network_proba(beats)
        >>> smoothed = clf.predict_proba(beats)
        >>> raw.shape == smoothed.shape, bool(np.allclose(smoothed.sum(axis=1), 1, atol=1e-5))
        (True, True)
        """
        if isinstance(beats, BeatSet) and record is not None:
            raise TypeError("pass record only with a raw array; a BeatSet carries its own")
        proba = self.network_proba(beats, rr=rr)
        if self.smoothing is None or len(proba) == 0:
            return proba
        if isinstance(beats, BeatSet):
            windows, record = beats.X, beats.record
        else:
            windows = np.asarray(beats)
        return smooth_within_records(proba, windows, record=record, smoothing=self.smoothing)

    def predict(
        self,
        beats: BeatSet | np.ndarray,
        *,
        rr: np.ndarray | None = None,
        record: Any = None,
    ) -> np.ndarray:
        """Most probable class of each beat, as indices into :attr:`classes` (like ``beats.y``).

        ``np.asarray(clf.classes)[clf.predict(beats)]`` gives the class names; the
        arguments are those of :meth:`predict_proba`.

        Examples
        --------
        >>> import numpy as np, torch
        >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 2))
        >>> clf = Classifier(net, metadata={"classes": ["N", "V"], "input_shape": [1, 10]})
        >>> clf.predict(np.zeros((3, 1, 10), np.float32)).shape
        (3,)
        """
        return self.predict_proba(beats, rr=rr, record=record).argmax(axis=1).astype(np.int64)

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the classifier as a checkpoint that :func:`load` reads back.

        ``ecgbeat.train()`` saves its own runs; this is for classifiers built otherwise, such
        as an :func:`ensemble` of runs.

        Parameters
        ----------
        path : path-like
            Destination file (``.pt``); its folder is created.
        overwrite : bool
            Replace an existing file. Off by default, so no earlier checkpoint is lost.

        Returns
        -------
        Path

        Examples
        --------
        >>> import tempfile, torch
        >>> from ecgbeat.models import create_model
        >>> net = create_model("cnn3", num_classes=2, input_length=64)
        >>> clf = Classifier(net, metadata={"model": model_spec(net), "classes": ["N", "V"],
        ...                                 "input_shape": [1, 64]})
        >>> path = clf.save(f"{tempfile.mkdtemp()}/copy.pt")
        >>> load(path).classes
        ('N', 'V')
        """
        refuse_overwrite(path, overwrite=overwrite, hint=", or choose another path")
        return save_checkpoint(path, model_state=self.model.state_dict(), metadata=self.metadata)

    def predict_record(
        self,
        signal: Any,
        *,
        fs: float | None = None,
        lead: Any = None,
        chunk_s: float = 1800.0,
        batch_size: int = 2048,
    ) -> BeatTable:
        """Locate and classify every beat of a raw recording: a ``BeatTable``.

        Shorthand for :func:`ecgbeat.predict.predict_record` with this classifier; see it
        for the inputs taken (arrays, Records, WFDB paths, CSV and NPY files) and the flags.
        """
        # Imported here: ecgbeat.predict builds on this module.
        from ecgbeat.predict import predict_record

        return predict_record(
            self, signal, fs=fs, lead=lead, chunk_s=chunk_s, batch_size=batch_size
        )


def load(
    path: str | os.PathLike,
    *,
    device: str | torch.device = "cpu",
    model: nn.Module | None = None,
) -> Classifier:
    """Load a checkpoint written by ``ecgbeat.train()`` as a ready :class:`Classifier`.

    Parameters
    ----------
    path : path-like
        A ``best.pt`` or ``last.pt`` file of a run.
    device : str or torch.device
        Where inference runs.
    model : nn.Module, optional
        Only for checkpoints of a user-supplied model instance: a freshly built instance
        of the same architecture to receive the weights.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing, corrupt or truncated file; incompatible format version; weights that do
        not fit the model.

    Examples
    --------
    >>> import tempfile
    >>> from ecgbeat.models import create_model
    >>> from ecgbeat.training.checkpoint import save_checkpoint
    >>> net = create_model("cnn3", num_classes=2, input_length=64)
    >>> path = save_checkpoint(f"{tempfile.mkdtemp()}/m.pt", model_state=net.state_dict(),
    ...                        metadata={"model": model_spec(net), "classes": ["N", "V"],
    ...                                  "input_shape": [1, 64]})
    >>> clf = load(path)
    >>> clf.classes, clf.predict(np.zeros((2, 1, 64), np.float32)).shape
    (('N', 'V'), (2,))
    """
    path = Path(path)
    checkpoint = load_checkpoint(path)
    metadata = checkpoint["metadata"]
    net = _build_model(metadata.get("model", {}), model, path)
    try:
        net.load_state_dict(checkpoint["model_state"])
    except RuntimeError as err:
        raise ValueError(f"the weights in {path} do not fit the model: {err}") from None
    return Classifier(net, metadata=metadata, device=device)


def ensemble(
    classifiers: Sequence[Classifier | str | os.PathLike],
    *,
    device: str | torch.device = "cpu",
) -> Classifier:
    """One classifier from several trained alike: the mean of their class probabilities.

    Runs of one recipe with different seeds (``ecgbeat.train(members=1, seed=...)``) err on
    different beats; their mean probability is steadier than any one of them
    (``ecgbeat.train(members=K)`` trains and combines such runs itself). The result predicts,
    explains (:func:`ecgbeat.grad_cam` averages the members' maps), exports and saves
    (:meth:`Classifier.save`) like a single classifier.

    Parameters
    ----------
    classifiers : sequence of Classifier or path-like
        Two or more classifiers, or checkpoint files, trained on the same classes with the
        same beat pipeline (classes, label map, preprocessing, leads, RR features, sampling
        rate and beat shape must match).
    device : str or torch.device
        Where inference runs.

    Returns
    -------
    Classifier
        Its model is an :class:`~ecgbeat.models.Ensemble` of the given classifiers' own
        networks (shared, not copied); ``metadata["members"]`` keeps each member's training
        settings (seeds among them).

    Raises
    ------
    ValueError
        Fewer than two members, or members whose beats differ (the message names what).

    Examples
    --------
    >>> import numpy as np
    >>> from ecgbeat.models import create_model
    >>> def member(seed):
    ...     net = create_model("cnn3", num_classes=2, input_length=64)
    ...     return Classifier(net, metadata={"model": model_spec(net), "classes": ["N", "V"],
    ...                                      "input_shape": [1, 64], "training": {"seed": seed}})
    >>> clf = ensemble([member(0), member(1)])
    >>> clf.predict_proba(np.zeros((3, 1, 64), np.float32)).shape
    (3, 2)
    >>> [m["training"]["seed"] for m in clf.metadata["members"]]
    [0, 1]
    """
    members = [c if isinstance(c, Classifier) else load(c) for c in classifiers]
    if len(members) < 2:
        raise ValueError(
            f"an ensemble needs two classifiers or more, got {len(members)}; use the "
            "classifier itself when there is one"
        )
    first = members[0].metadata
    for k, other in enumerate(members[1:], start=1):
        if diff := {
            key: (first.get(key), other.metadata.get(key))
            for key in SHARED_METADATA
            if first.get(key) != other.metadata.get(key)
        }:
            raise ValueError(
                f"classifier {k} was trained on other beats than classifier 0 (classifier 0, "
                f"classifier {k}): {diff}; combine runs of the same recipe and data"
            )
    net = Ensemble([m.model for m in members])
    metadata = {
        **{key: first[key] for key in SHARED_METADATA if key in first},
        "model": model_spec(net),
        "uses_rr": net.uses_rr,
        "members": [
            {k: v for k, v in m.metadata.items() if k not in (*SHARED_METADATA, "model")}
            for m in members
        ],
    }
    return Classifier(net, metadata=metadata, device=device)
