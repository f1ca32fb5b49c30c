"""``ecgbeat.train()``: from records to a trained, evaluated and saved classifier in one call."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ecgbeat import plots
from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES, RELATIVE_RR_FEATURES, BeatSet
from ecgbeat.datasets import load_beats
from ecgbeat.evaluation import EvaluationReport, evaluate_predictions
from ecgbeat.explain import grad_cam
from ecgbeat.labels import LabelMap
from ecgbeat.models import create_model
from ecgbeat.pipeline import BeatConfig
from ecgbeat.smoothing import RecordSmoothing
from ecgbeat.training.augment import Augmentation
from ecgbeat.training.balance import sampling_weights
from ecgbeat.training.classifier import Classifier, ensemble, model_spec
from ecgbeat.training.devices import resolve_device
from ecgbeat.training.distributed import init_distributed
from ecgbeat.training.folds import Folds, make_folds
from ecgbeat.training.losses import class_weights, make_loss
from ecgbeat.training.trainer import BEST_CHECKPOINT, LAST_CHECKPOINT, TrainerConfig, fit

__all__ = [
    "DEFAULT_MODEL",
    "INTER_PATIENT_CLASS_WEIGHT_POWER",
    "INTER_PATIENT_CONFIG",
    "INTER_PATIENT_EXPERT_CLASSES",
    "INTER_PATIENT_EXPERT_INPUTS",
    "INTER_PATIENT_FIBRILLATION_MERGE",
    "INTER_PATIENT_LEADS",
    "INTER_PATIENT_MEMBERS",
    "INTER_PATIENT_MIN_PROBABILITY",
    "INTER_PATIENT_RR_INPUTS",
    "INTER_PATIENT_SMOOTHING",
    "INTER_PATIENT_VAL_FRACTION",
    "TrainResult",
    "auto_batch_size",
    "train",
]

#: Model trained when none is named: our morphology + RR-interval fusion network, built
#: for the inter-patient protocol.
DEFAULT_MODEL = "beatfusion"
#: Beats of the inter-patient recipe: a 1.8 s window that shows the neighbouring beats, at
#: 180 Hz (the 40 Hz band-pass leaves nothing above 90 Hz to lose), chosen among five
#: variants by macro F1 on DS1 validation patients only; each record's median beat is
#: subtracted (``template="record-median"``), chosen by a patient-wise cross-validation on
#: DS1 (docs: "Inter-patient results").
INTER_PATIENT_CONFIG = BeatConfig(fs=180.0, before_s=0.9, after_s=0.9, template="record-median")
#: Leads of the inter-patient recipe: both MIT-BIH leads, MLII first.
INTER_PATIENT_LEADS = "all"
#: Class weights of the inter-patient recipe: inverse class frequency ("balanced"). With
#: the relative RR features below, it raised the S sensitivity of a patient-wise 3-fold
#: cross-validation on DS1 from 0.13 to 0.57, at a cost in accuracy (docs: "Inter-patient
#: results", step 2).
INTER_PATIENT_CLASS_WEIGHT_POWER = 1.0
#: RR features the default model reads under the inter-patient recipe: the 12 ratios of the
#: patient's own intervals, no absolute interval (see ``RELATIVE_RR_FEATURES``).
INTER_PATIENT_RR_INPUTS = RELATIVE_RR_FEATURES
#: RR features of the default model's RR expert under the inter-patient recipe (see
#: ``BeatFusion(expert_inputs=...)``): ratios that hold where ectopic beats are a record's
#: majority. It raised S F1 on DS1's patient-wise cross-validation from 0.25-0.26 to
#: 0.40-0.43, and to 0.45-0.49 from 0.29-0.38 on its records thinned to an ectopic majority
#: (docs: "Inter-patient results").
INTER_PATIENT_EXPERT_INPUTS = MAJORITY_FREE_RR_FEATURES
#: Classes the RR expert votes on under the inter-patient recipe (see
#: ``BeatFusion(expert_classes=...)``); F and Q are left to the fused network. On DS1's
#: patient-wise cross-validation the expert alone called 1,370-1,616 N beats F; voting on
#: N, S and V only raised accuracy from 0.938-0.939 to 0.941-0.943, the S and V F1 within
#: 0.007 (docs: "Inter-patient results").
INTER_PATIENT_EXPERT_CLASSES = ("N", "S", "V")
#: Under the inter-patient recipe, where the rhythm around a beat is disorganised (the
#: ``organisation`` RR feature below 0.4, as in atrial fibrillation), the model's S
#: probability goes to N (see ``BeatFusion(fibrillation_merge=...)``). On DS1's
#: patient-wise cross-validation it raised S F1 from 0.47 to 0.62 and accuracy from
#: 0.941-0.943 to 0.951-0.953, and left the records thinned to an ectopic majority as they
#: were; on DS2, scored after the choice, it raised accuracy and SVEB F1 but lowered SVEB
#: sensitivity (0.669 -> 0.627; docs: "Inter-patient results").
INTER_PATIENT_FIBRILLATION_MERGE = ("S", "N")
#: Under the inter-patient recipe, an F call needs an F probability of at least 0.9; below
#: it the beat takes its most probable other class (see ``BeatFusion(min_probability=...)``).
#: DS1's F beats are nearly all in one record, and on its patient-wise cross-validation
#: over five seeds the networks found 1-5 F beats of other patients, with 206-603 F calls;
#: the threshold left 0-1 and raised accuracy from 0.944-0.953 to 0.953-0.956 and V F1
#: from 0.804 to 0.807, with S F1 from 0.626 to 0.625 (means; docs: "Inter-patient
#: results").
INTER_PATIENT_MIN_PROBABILITY = ("F", 0.9)
#: Validation share of the inter-patient recipe: none. Every training record is trained on
#: for every epoch and the last epoch is kept. Against four held-out records for early
#: stopping, it raised S F1 on DS1's patient-wise cross-validation from 0.40-0.43 to 0.47,
#: and from 0.45-0.49 to 0.52-0.55 on its records thinned to an ectopic majority (docs:
#: "Inter-patient results").
INTER_PATIENT_VAL_FRACTION = 0.0
#: Networks the inter-patient recipe trains (seeds ``seed`` to ``seed + 2``) and averages
#: into one ensemble, as the shipped model. Averaging two seeds raised S F1 on DS1's
#: patient-wise cross-validation from 0.615-0.616 to 0.621, and accuracy from 0.951-0.953
#: to 0.954 (docs: "Inter-patient results"); three networks took 2.4 times one network's
#: inference time on 24 hours of two-lead ECG.
INTER_PATIENT_MEMBERS = 3
#: Under the inter-patient recipe, the default model's probabilities are smoothed within
#: each record: a beat's are blended half and half with the mean over its 5 nearest beats
#: of the record (itself included; nearness on 10 principal components of the record's
#: beat windows), where its 4 like beats agree on one class. On DS1's patient-wise
#: cross-validation it raised S F1 by 0.039-0.040, V F1 by 0.015-0.016 and accuracy by
#: 0.004 (seeds 0-9 and new seeds 10-14), while S F1 on records thinned to an ectopic
#: majority fell by 0.008-0.010 (docs: "Inter-patient results").
INTER_PATIENT_SMOOTHING = RecordSmoothing(
    neighbours=5, own_weight=0.5, components=10, agreed_only=True
)
#: ``patience="auto"`` with validation beats, and the validation share outside the
#: inter-patient recipe.
DEFAULT_PATIENCE, DEFAULT_VAL_FRACTION = 6, 0.2
RUN_FILE = "run.json"


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    model : nn.Module
        The trained network, holding the weights of its best validation epoch (of its
        last epoch without validation records); of an ensemble run, the
        :class:`~ecgbeat.models.Ensemble` of its members' networks.
    history : list of dict
        Per-epoch ``epoch, train_loss, val_loss, val_accuracy, val_macro_f1, lr, time_s``;
        no ``val_*`` keys without validation records.
    metrics : dict or None
        Test-fold evaluation (``EvaluationReport.to_dict()``); None without a test fold
        and on the non-main processes of a ``torchrun`` job.
    checkpoint : Path
        The best checkpoint (of an ensemble run, the ensemble's);
        ``ecgbeat.load(checkpoint)`` rebuilds the classifier.
    classifier : Classifier
        The trained model wrapped for prediction.
    report : EvaluationReport or None
        The test-fold report that ``metrics`` is the dictionary of (``print(report)``).
    out_dir : Path
        The run folder: ``best.pt``, ``last.pt``, ``run.json``, ``history.csv``,
        ``history.json``, ``metrics.json`` and ``figures/``. An ensemble's folder holds
        its ``best.pt``, ``run.json``, ``metrics.json`` and ``figures/``, and one such run
        folder per member, ``seed-<seed>/``.
    members : list of TrainResult
        An ensemble's members (``train(members=...)``), each trained, saved and scored on
        the test fold as a run of its own; empty for a single network. An ensemble's own
        ``history`` is empty: each member has its own.
    """

    model: nn.Module
    history: list[dict[str, float]]
    metrics: dict[str, Any] | None
    checkpoint: Path
    classifier: Classifier
    out_dir: Path
    report: EvaluationReport | None = None
    members: list[TrainResult] = dataclasses.field(default_factory=list)


def _evaluated(
    result: TrainResult,
    *,
    folds: Folds,
    protocol: str | None,
    n_bootstrap: int,
    seed: int,
    is_main: bool,
) -> TrainResult:
    """``result`` with its test-fold metrics and report, written with its figures into its
    folder; as it is without a test fold and on the non-main processes."""
    if folds.test is None or not is_main:
        return result
    proba = result.classifier.predict_proba(folds.test)
    report = evaluate_predictions(
        folds.test.y,
        proba.argmax(axis=1),
        classes=folds.test.classes,
        proba=proba,
        record=folds.test.record,
        protocol=protocol,
        n_bootstrap=n_bootstrap,
        seed=seed,
    )
    metrics = report.to_dict()
    (result.out_dir / "metrics.json").write_text(json.dumps(metrics, indent=1, default=str))
    figures = result.out_dir / "figures"
    report.save_figures(figures, history=result.history, overwrite=True)
    _save_training_figures(figures, result.classifier, folds, proba)
    return dataclasses.replace(result, metrics=metrics, report=report)


def _tagged(
    callback: Callable[[dict[str, float]], None] | None, *, member: int
) -> Callable[[dict[str, float]], None] | None:
    """``callback`` called with each record tagged with the ensemble member it is of."""
    if callback is None:
        return None
    return lambda record: callback({**record, "member": member})


def _save_training_figures(
    directory: Path, classifier: Classifier, folds: Folds, proba: np.ndarray
) -> None:
    """The charts only a training run can draw: the training fold's class distribution
    before and after balancing, and a Grad-CAM gallery of typical test beats."""
    train = folds.train
    before = train.summary.get("counts_before_resampling", train.class_counts())
    figure = plots.class_distribution(
        before, train.class_counts(), log=True, title="Training beats per class"
    )
    plots.save_figure(figure, directory / "class_distribution_training.png")
    # Typical beats: per class, the test beats predicted right with the highest confidence.
    test, predicted = folds.test, proba.argmax(axis=1)
    chosen = []
    for k in range(len(test.classes)):
        right = np.flatnonzero((test.y == k) & (predicted == k))
        chosen.extend(right[np.argsort(-proba[right, k])[:3]])
    if chosen:
        beats = test[np.sort(chosen)]
        rr = beats.rr if classifier.uses_rr else None
        cams = grad_cam(classifier.model, beats.X, rr=rr)
        figure = plots.gradcam_gallery(beats.X, cams, beats.y, test.classes, fs=test.fs)
        plots.save_figure(figure, directory / "gradcam_gallery.png")


def auto_batch_size(n_train: int, *, min_steps: int = 100) -> int:
    """The largest power of two from 32 to 256 that leaves ``min_steps`` steps per epoch.

    Large batches run fastest, but a small training set then gets too few optimiser steps
    to learn in a few epochs.

    Examples
    --------
    >>> auto_batch_size(1_000), auto_batch_size(12_000), auto_batch_size(40_000)
    (32, 64, 256)
    """
    size = 256
    while size > 32 and n_train // size < min_steps:
        size //= 2
    return size


def _balance_loss(balance: str, loss: str | None) -> tuple[str, bool]:
    """The loss name and whether it is class-weighted."""
    if balance == "focal":
        if loss not in (None, "focal"):
            raise ValueError(
                f"balance='focal' trains with the focal loss, but loss={loss!r} was given; "
                "drop loss or use balance='class-weight' with it"
            )
        return "focal", True
    return loss or "cross-entropy", balance == "class-weight"


def _prepare_out_dir(
    out_dir: str | os.PathLike | None,
    *,
    dataset: str,
    model_name: str,
    resume: bool,
    members: int,
) -> Path:
    if out_dir is None:
        out_dir = Path("runs") / f"{dataset}-{model_name}-{time.strftime('%Y%m%d-%H%M%S')}"
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"out_dir {out_dir} exists and is not a folder")
    # An ensemble interrupted before its end holds only its members' run folders.
    holds_run = any(
        (out_dir / f).exists() for f in (RUN_FILE, LAST_CHECKPOINT, BEST_CHECKPOINT)
    ) or any(out_dir.glob(f"seed-*/{RUN_FILE}"))
    if holds_run and not resume:
        raise FileExistsError(
            f"{out_dir} already holds a training run; pass resume=True to continue it, or "
            "choose another out_dir (runs are never overwritten)"
        )
    saved = out_dir / RUN_FILE
    if resume and saved.is_file():
        metadata = json.loads(saved.read_text())
        trained = len(metadata["members"]) if "members" in metadata else 1
        if trained != members:
            raise ValueError(
                f"cannot resume {out_dir}: it holds a run of {trained} network(s) and "
                f"members={members} was given; resume with members={trained} or choose "
                "another out_dir"
            )
    return out_dir


def _build_model(
    model: str | nn.Module,
    model_kwargs: Mapping[str, Any] | None,
    beats: BeatSet,
    seed: int,
) -> nn.Module:
    if isinstance(model, str):
        # Weight initialisation draws from torch's global RNG: seed it inside a fork so
        # the run is reproducible and the caller's RNG state is left as it was.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = create_model(
                model,
                num_classes=beats.num_classes,
                in_channels=beats.X.shape[1],
                input_length=beats.X.shape[2],
                num_rr_features=beats.rr.shape[1],
                **dict(model_kwargs or {}),
            )
    elif isinstance(model, nn.Module):
        if model_kwargs:
            raise ValueError("model_kwargs only apply to a model given by name, not an instance")
        net = model
    else:
        raise TypeError(
            f"model must be a registered model name or an nn.Module, got {type(model).__name__}"
        )
    uses_rr = bool(getattr(net, "uses_rr", False))
    probe = torch.tensor(beats.X[:2])
    with torch.no_grad():
        was_training = net.training
        net.eval()
        try:
            out = net(probe, torch.tensor(beats.rr[:2])) if uses_rr else net(probe)
        except Exception as err:
            raise ValueError(
                f"the model cannot take beats of shape {tuple(beats.X.shape[1:])} "
                f"(n_leads, n_samples): {err}"
            ) from err
        finally:
            net.train(was_training)
    if out.ndim != 2 or out.shape[1] != beats.num_classes:
        raise ValueError(
            f"the model returns logits of shape {tuple(out.shape)} but the beats have "
            f"{beats.num_classes} classes {beats.classes}; build it with "
            f"num_classes={beats.num_classes}"
        )
    return net


def train(
    dataset: str = "sample",
    *,
    data_dir: str | os.PathLike | None = None,
    records: Sequence[str] | None = None,
    protocol: str | None = "inter-patient",
    model: str | nn.Module = DEFAULT_MODEL,
    model_kwargs: Mapping[str, Any] | None = None,
    balance: str = "class-weight",
    loss: str | None = None,
    focal_gamma: float = 2.0,
    class_weight_power: float | None = None,
    per_class: int | None = None,
    epochs: int = 20,
    batch_size: int | None = None,
    lr: float = 3e-3,
    weight_decay: float = 1e-2,
    schedule: str = "onecycle",
    grad_clip: float | None = 1.0,
    patience: int | str | None = "auto",
    device: str | torch.device = "auto",
    out_dir: str | os.PathLike | None = None,
    seed: int = 0,
    members: int | None = None,
    augment: bool | Augmentation = True,
    val_fraction: float | None = None,
    amp: bool = True,
    compile: bool = False,
    majority_fraction: float = 1.0,
    ema_decay: float | None = None,
    config: BeatConfig | None = None,
    leads: Any = None,
    label_map: str | LabelMap | Mapping[str, str] | None = None,
    resume: bool = False,
    progress: bool = True,
    beats: BeatSet | None = None,
    n_bootstrap: int = 1000,
    callback: Callable[[dict[str, float]], None] | None = None,
) -> TrainResult:
    """Train, select, evaluate and save a beat classifier in one call.

    Loads the beats, splits off the test records by ``protocol``, holds out a patient-wise
    validation fold of the training records for model selection and early stopping (the
    inter-patient recipe holds out none and keeps the last epoch), rebalances the training
    fold only, trains, scores the selected epoch on the test fold and writes everything
    into ``out_dir``; with ``members`` above 1 (the inter-patient recipe's default) it
    trains that many networks from consecutive seeds and returns their ensemble. Runs
    under ``torchrun`` as it is (distributed data parallel, one
    process per GPU or CPU worker).

    Parameters
    ----------
    dataset : str
        Database for :func:`ecgbeat.load_beats`: ``"sample"`` (embedded, offline),
        ``"mitdb"``, ... Ignored when ``beats`` is given.
    data_dir, records, config, leads, label_map
        Passed to :func:`ecgbeat.load_beats`. With ``protocol="inter-patient"``, ``config``
        and ``leads`` default to the inter-patient recipe (``INTER_PATIENT_CONFIG``: 1.8 s
        windows at 180 Hz less the record's median beat; ``INTER_PATIENT_LEADS``: both
        leads); otherwise to the loader's defaults (0.25 s + 0.45 s around the R peak, the
        database's default lead).
    protocol : {"inter-patient", "intra-patient"} or None
        How the test fold is split off; ``None`` trains on every beat (no test metrics).
    model : str or nn.Module
        A registered model name (see ``ecgbeat.models.list_models()``) or a built model.
        A model built by name is saved so that :func:`ecgbeat.load` rebuilds it alone; an
        instance's checkpoint needs ``ecgbeat.load(path, model=<same architecture>)``.
    model_kwargs : mapping, optional
        Model options for a model given by name. Under the inter-patient recipe the
        default model, left without options, reads only the relative RR features
        (``rr_inputs=INTER_PATIENT_RR_INPUTS``) and adds an RR expert on the majority-free
        ratios (``expert_inputs=INTER_PATIENT_EXPERT_INPUTS``) that votes on the classes of
        ``INTER_PATIENT_EXPERT_CLASSES`` only (``expert_classes``), and moves S calls to
        N where the rhythm is disorganised (``INTER_PATIENT_FIBRILLATION_MERGE``), when the
        beats have both classes and the ``organisation`` RR feature, and calls F only at
        an F probability of at least 0.9 (``INTER_PATIENT_MIN_PROBABILITY``); its
        classifier smooths the probabilities within records
        (``INTER_PATIENT_SMOOTHING``, see :class:`ecgbeat.smoothing.RecordSmoothing`;
        the test fold is scored with it; ``result.classifier.smoothing = None`` turns it
        off).
    balance : str
        ``"none"``, ``"class-weight"`` (inverse-frequency weighted loss), ``"focal"``
        (class-weighted focal loss), ``"sampler"`` (weighted random sampling),
        ``"smote"``, ``"adasyn"``, ``"oversample"``, ``"undersample"`` or ``"hybrid"``
        (every class cut or repeated to ``per_class`` beats); resampling touches the
        training fold only.
    loss : {"cross-entropy", "focal"}, optional
        Base loss; default cross-entropy (focal with ``balance="focal"``).
    focal_gamma : float
        Focusing parameter of the focal loss.
    class_weight_power : float, optional
        Exponent of the inverse-frequency class weights (1: "balanced", 0.5: square-root
        balancing, which keeps classes with a handful of beats from dominating the loss).
        Default: ``INTER_PATIENT_CLASS_WEIGHT_POWER`` (1) under ``protocol="inter-patient"``,
        else 0.5.
    per_class : int, optional
        Beats per class for ``balance="hybrid"`` (default: the mean class size).
    batch_size : int, optional
        Beats per step; default :func:`auto_batch_size` of the training fold (32 for the
        embedded sample, 256 for MIT-BIH DS1), so small sets still get enough steps.
    epochs, lr, weight_decay, schedule, grad_clip, amp, compile, majority_fraction
        Optimisation settings, see :class:`~ecgbeat.training.trainer.TrainerConfig`.
    patience : int, None or "auto"
        Early stopping after this many epochs without a better validation macro F1;
        ``None`` runs every epoch and keeps the best. ``"auto"``: 6 with validation beats,
        ``None`` without them (then the last epoch is kept).
    ema_decay : float, optional
        Validate, select and save a moving average of the weights instead of the raw
        weights (see :class:`~ecgbeat.training.trainer.TrainerConfig`).
    device : str
        ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``.
    out_dir : path, optional
        Run folder; default ``runs/<dataset>-<model>-<time>``. A folder that already holds
        a run is an error unless ``resume=True``.
    seed : int
        Seeds the validation split, resampling, initialisation and batch order.
    members : int, optional
        Networks to train and average into one :func:`ecgbeat.ensemble`: seeds ``seed``,
        ``seed + 1``, ..., all on the same folds, each saved in ``out_dir/seed-<seed>/``
        and scored on the test fold on its own, then the ensemble. Default:
        ``INTER_PATIENT_MEMBERS`` (3) under ``protocol="inter-patient"``, else 1. Training
        and inference cost grows with the number of members.
    augment : bool or Augmentation
        On-device augmentation of training batches (``True``: default settings).
    val_fraction : float, optional
        Share of the training records held out for validation (model selection and early
        stopping); 0 trains on every record and keeps the last epoch. Default:
        ``INTER_PATIENT_VAL_FRACTION`` (0) under ``protocol="inter-patient"``, else 0.2.
    resume : bool
        Continue the run in ``out_dir`` from its last epoch after an interruption.
    progress : bool
        Show a progress bar.
    beats : BeatSet, optional
        Train on these beats instead of loading ``dataset``.
    n_bootstrap : int
        Bootstrap resamples for the confidence intervals of the test metrics.
    callback : callable, optional
        Called with each epoch's history record (of an ensemble member: with its index
        under ``"member"``).

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> import tempfile
    >>> from ecgbeat.training import train
    >>> result = train(epochs=1, out_dir=tempfile.mkdtemp() + "/run",
    ...                progress=False, n_bootstrap=0)
    >>> result.checkpoint.name, [run.out_dir.name for run in result.members]
    ('best.pt', ['seed-0', 'seed-1', 'seed-2'])
    >>> len(result.members[0].history), result.members[0].metrics is not None
    (1, True)
    """
    loss_name, weighted = _balance_loss(balance, loss)
    if balance == "sampler" and majority_fraction < 1:
        raise ValueError(
            "balance='sampler' draws every epoch's beats itself; keep majority_fraction=1 "
            "with it, or use another balance"
        )
    # The inter-patient recipe fills in only what the caller left out.
    recipe = protocol == "inter-patient"
    if class_weight_power is None:
        class_weight_power = INTER_PATIENT_CLASS_WEIGHT_POWER if recipe else 0.5
    if val_fraction is None:
        val_fraction = INTER_PATIENT_VAL_FRACTION if recipe else DEFAULT_VAL_FRACTION
    if patience == "auto":
        patience = DEFAULT_PATIENCE if val_fraction > 0 else None
    elif isinstance(patience, str):
        raise ValueError(f"patience must be an integer, None or 'auto', got {patience!r}")
    if val_fraction == 0 and patience is not None:
        raise ValueError(
            f"early stopping (patience={patience}) needs validation records, and "
            "val_fraction=0 holds out none; pass patience=None (or 'auto') to run every "
            "epoch and keep the last, or val_fraction > 0"
        )
    if members is None:
        members = INTER_PATIENT_MEMBERS if recipe else 1
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise ValueError(f"members must be a positive integer, got {members!r}")
    if members > 1 and isinstance(model, nn.Module):
        raise ValueError(
            f"members={members} builds every member anew from a model name, but a built "
            "model was given; pass a registered model name, or members=1 to train this one"
        )
    if augment is True:
        augment = Augmentation()
    elif augment is False:
        augment = None
    elif not isinstance(augment, Augmentation):
        raise TypeError(f"augment must be True, False or an Augmentation, got {augment!r}")
    ctx, torch_device = init_distributed(resolve_device(device))
    model_name = model if isinstance(model, str) else type(model).__name__
    run_dir = ctx.broadcast(
        _prepare_out_dir(
            out_dir, dataset=dataset, model_name=model_name, resume=resume, members=members
        )
        if ctx.is_main
        else None
    )

    if beats is None:
        if recipe:
            config = config or INTER_PATIENT_CONFIG
            leads = INTER_PATIENT_LEADS if leads is None else leads
        beats = load_beats(
            dataset,
            data_dir=data_dir,
            records=records,
            protocol=protocol,
            leads=leads,
            label_map=label_map,
            config=config,
        )
    recipe_model = recipe and model == DEFAULT_MODEL and model_kwargs is None
    if recipe_model:
        model_kwargs = {
            "rr_inputs": INTER_PATIENT_RR_INPUTS,
            "expert_inputs": INTER_PATIENT_EXPERT_INPUTS,
        }
        voted = [k for k, c in enumerate(beats.classes) if c in INTER_PATIENT_EXPERT_CLASSES]
        if voted:  # a label map without N, S or V: the expert votes on every class
            model_kwargs["expert_classes"] = voted
        if set(INTER_PATIENT_FIBRILLATION_MERGE) <= set(beats.classes) and (
            "organisation" in beats.rr_names
        ):
            model_kwargs["fibrillation_merge"] = tuple(
                beats.classes.index(c) for c in INTER_PATIENT_FIBRILLATION_MERGE
            )
        unlikely, threshold = INTER_PATIENT_MIN_PROBABILITY
        if unlikely in beats.classes:
            model_kwargs["min_probability"] = (beats.classes.index(unlikely), threshold)
    folds = make_folds(
        beats,
        protocol=protocol,
        val_fraction=val_fraction,
        balance=balance,
        per_class=per_class,
        seed=seed,
    )
    trainer_config = TrainerConfig(
        epochs=epochs,
        batch_size=batch_size or auto_batch_size(len(folds.train)),
        lr=lr,
        weight_decay=weight_decay,
        schedule=schedule,
        grad_clip=grad_clip,
        patience=patience,
        amp=amp,
        compile=compile,
        majority_fraction=majority_fraction,
        ema_decay=ema_decay,
        seed=seed,
    )
    weight = (
        class_weights(folds.train.y, num_classes=beats.num_classes, power=class_weight_power)
        if weighted
        else None
    )
    criterion = make_loss(loss_name, weight=weight, gamma=focal_gamma).to(torch_device)
    sample_weights = (
        sampling_weights(folds.train.y, num_classes=beats.num_classes)
        if balance == "sampler"
        else None
    )
    params = dict(beats.params)
    settings = {
        "dataset": params.get("database", dataset),
        "records": params.get("records"),
        "protocol": protocol,
        "balance": balance,
        "loss": loss_name,
        "focal_gamma": focal_gamma,
        "class_weight_power": class_weight_power,
        "per_class": per_class,
        "augment": None if augment is None else augment.to_dict(),
        "val_fraction": val_fraction,
        "seed": seed,
        "world_size": ctx.world_size,
        "n_train": len(folds.train),
        "n_val": len(folds.val),
        "n_test": None if folds.test is None else len(folds.test),
        "val_records": list(folds.val.records),
    }
    beat_metadata = {
        "classes": list(beats.classes),
        "label_map": params.get("label_map"),
        "config": params.get("config"),
        "leads": list(beats.leads),
        # The leads argument that built the beats, to load new beats the same way.
        "lead_spec": params.get("leads"),
        "rr_names": list(beats.rr_names),
        "fs": beats.fs,
        "input_shape": list(beats.X.shape[1:]),
        "record_smoothing": INTER_PATIENT_SMOOTHING.to_dict() if recipe_model else None,
    }
    scored = functools.partial(
        _evaluated,
        folds=folds,
        protocol=protocol,
        n_bootstrap=n_bootstrap,
        seed=seed,
        is_main=ctx.is_main,
    )
    runs = []
    # Members share the folds (so none trains on another's test beats) and differ only in
    # the seed of their weights, batch order and augmentation: member k of a run with seed
    # s is the network that members=1, seed=s+k trains under a seed-free split such as
    # the inter-patient recipe's.
    for member_seed in range(seed, seed + members):
        member_dir = run_dir if members == 1 else run_dir / f"seed-{member_seed}"
        member_config = dataclasses.replace(trainer_config, seed=member_seed)
        net = _build_model(model, model_kwargs, beats, member_seed)
        metadata = {
            "model": model_spec(net),
            **beat_metadata,
            "uses_rr": bool(getattr(net, "uses_rr", False)),
            "training": {**settings, "seed": member_seed},
        }
        if ctx.is_main:
            member_dir.mkdir(parents=True, exist_ok=True)
            run_json = {**metadata, "trainer": member_config.to_dict()}
            (member_dir / RUN_FILE).write_text(json.dumps(run_json, indent=1, default=str))
        fitted = fit(
            net,
            folds.train,
            folds.val,
            config=member_config,
            criterion=criterion,
            device=torch_device,
            augment=augment,
            sample_weights=sample_weights,
            run_dir=member_dir,
            metadata=metadata,
            # A member that had not written its first epoch starts afresh.
            resume=resume and (member_dir / LAST_CHECKPOINT).is_file(),
            progress=progress,
            callback=_tagged(callback, member=member_seed - seed) if members > 1 else callback,
            context=ctx,
        )
        classifier = Classifier(
            net, metadata={**metadata, "trainer": member_config.to_dict()}, device=torch_device
        )
        runs.append(
            scored(
                TrainResult(
                    model=net,
                    history=fitted.history,
                    metrics=None,
                    checkpoint=member_dir / BEST_CHECKPOINT,
                    classifier=classifier,
                    out_dir=member_dir,
                )
            )
        )
    if members == 1:
        return runs[0]
    classifier = ensemble([run.classifier for run in runs], device=torch_device)
    if ctx.is_main:
        classifier.save(run_dir / BEST_CHECKPOINT, overwrite=resume)
        (run_dir / RUN_FILE).write_text(json.dumps(classifier.metadata, indent=1, default=str))
    return scored(
        TrainResult(
            model=classifier.model,
            history=[],
            metrics=None,
            checkpoint=run_dir / BEST_CHECKPOINT,
            classifier=classifier,
            out_dir=run_dir,
            members=runs,
        )
    )
