"""The training loop: tensor-resident batches, AMP, schedules, early stopping, resume."""

from __future__ import annotations

import csv
import json
import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from ecgbeat.beats import BeatSet
from ecgbeat.models.running import batched_logits
from ecgbeat.training.augment import Augmentation
from ecgbeat.training.checkpoint import load_checkpoint, save_checkpoint
from ecgbeat.training.devices import autocast_dtype
from ecgbeat.training.distributed import DistributedContext

__all__ = ["SCHEDULES", "FitResult", "TrainerConfig", "fit"]

#: Learning-rate schedules, stepped once per batch.
SCHEDULES: tuple[str, ...] = ("onecycle", "cosine", "constant")
#: Columns of the training history, in order.
HISTORY_COLUMNS: tuple[str, ...] = (
    "epoch",
    "train_loss",
    "val_loss",
    "val_accuracy",
    "val_macro_f1",
    "lr",
    "time_s",
)
BEST_CHECKPOINT = "best.pt"
LAST_CHECKPOINT = "last.pt"


@dataclass(frozen=True)
class TrainerConfig:
    """Optimisation settings of one training run (AdamW + a per-batch LR schedule).

    Parameters
    ----------
    epochs : int
        Maximum number of passes over the training fold.
    batch_size : int
        Beats per optimisation step, summed over all processes under ``torchrun``.
    lr : float
        Peak learning rate (one-cycle) or starting learning rate (cosine, constant).
    weight_decay : float
        AdamW decoupled weight decay.
    schedule : {"onecycle", "cosine", "constant"}
        Learning-rate schedule over all steps; runs of fewer than 8 steps keep a
        constant rate.
    grad_clip : float or None
        Largest gradient norm; ``None`` disables clipping.
    patience : int or None
        Stop after this many epochs without a better validation macro F1; ``None``
        always runs every epoch.
    amp : bool
        Mixed precision: on CUDA bfloat16 where supported, else float16 with a gradient
        scaler; on CPUs that compute bfloat16 natively, bfloat16 (see
        :func:`~ecgbeat.training.devices.autocast_dtype`); ignored elsewhere.
    compile : bool
        Run the training forward pass through ``torch.compile``.
    majority_fraction : float
        Share of the most frequent class's training beats that each epoch uses: a fresh
        random subset every epoch, while every beat of the other classes is used in every
        epoch. Below 1 an epoch costs less and leans towards the rare classes (random
        under-sampling redrawn per epoch, so no beat is discarded for good).
    ema_decay : float or None
        Keep an exponential moving average of the weights (and BatchNorm statistics),
        updated after every step with this decay, and validate, select and return the
        average instead of the raw weights. An average over the last few hundred steps
        smooths the epoch-to-epoch swings of the rare classes; 0.998 spans about 500
        steps. ``None`` uses the raw weights.
    seed : int
        Seeds weight-independent randomness: batch order, augmentation, dropout.

    Examples
    --------
    >>> TrainerConfig(epochs=3).to_dict()["epochs"]
    3
    """

    epochs: int = 20
    batch_size: int = 256
    lr: float = 3e-3
    weight_decay: float = 1e-2
    schedule: str = "onecycle"
    grad_clip: float | None = 1.0
    patience: int | None = 6
    amp: bool = True
    compile: bool = False
    majority_fraction: float = 1.0
    ema_decay: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not (isinstance(self.lr, int | float) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {self.lr!r}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; choose one of {SCHEDULES}")
        if self.grad_clip is not None and self.grad_clip <= 0:
            raise ValueError(f"grad_clip must be positive or None, got {self.grad_clip}")
        fraction, decay = self.majority_fraction, self.ema_decay
        if not (_is_number(fraction) and 0 < fraction <= 1):
            raise ValueError(f"majority_fraction must be in (0, 1], got {fraction!r}")
        if decay is not None and not (_is_number(decay) and 0 < decay < 1):
            raise ValueError(f"ema_decay must be in (0, 1) or None, got {decay!r}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(
                f"patience must be a positive number of epochs or None, got {self.patience}"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, stored in checkpoints."""
        return asdict(self)


def _is_number(value: Any) -> bool:
    """An int or float, but not a bool (which Python counts as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class FitResult:
    """What :func:`fit` returns.

    Attributes
    ----------
    history : list of dict
        One record per epoch with the keys of ``HISTORY_COLUMNS``.
    best_epoch : int
        Epoch (1-based) with the best validation macro F1 (the last one without validation
        beats); its weights are in the model.
    best_val_macro_f1 : float
        NaN when there were no validation beats.
    stopped_early : bool
        True when early stopping ended the run before ``epochs``.
    """

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_val_macro_f1: float = -1.0
    stopped_early: bool = False


def _tensors(beats: BeatSet, device: torch.device) -> tuple[torch.Tensor, ...]:
    return (
        torch.tensor(beats.X, device=device),
        torch.tensor(beats.rr, device=device),
        torch.tensor(beats.y, device=device),
    )


def _scheduler(
    optimizer: torch.optim.Optimizer, config: TrainerConfig, total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    # A schedule over a handful of steps is meaningless (and OneCycleLR divides by zero
    # for some tiny step counts): very short runs keep a constant learning rate.
    if config.schedule == "onecycle" and total_steps >= 8:
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, total_steps=total_steps, pct_start=0.25
        )
    if config.schedule == "cosine" and total_steps >= 8:
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)


def _has_fused_adamw(device: torch.device) -> bool:
    """Whether PyTorch has a fused AdamW kernel for ``device``.

    The fused kernel updates every parameter in one pass; without it, AdamW on CPU runs
    a dozen element-wise ops per parameter tensor. PyTorch has it for CUDA, and for CPU
    since 2.4.
    """
    if device.type == "cpu":
        return torch.torch_version.TorchVersion(torch.__version__) >= (2, 4)
    return device.type == "cuda"


def _write_history(run_dir: Path, history: list[dict[str, float]]) -> None:
    (run_dir / "history.json").write_text(json.dumps(history, indent=1))
    with open(run_dir / "history.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HISTORY_COLUMNS)
        writer.writeheader()
        writer.writerows(history)


def _validate(
    model: nn.Module,
    val: tuple[torch.Tensor, ...],
    *,
    uses_rr: bool,
    batch_size: int,
    amp_dtype: torch.dtype | None,
) -> dict[str, float]:
    x, rr, y = val
    logits = batched_logits(
        model, x, rr if uses_rr else None, batch_size=batch_size, amp_dtype=amp_dtype
    )
    pred = logits.argmax(1).cpu().numpy()
    y_np = y.cpu().numpy()
    return {
        "val_loss": float(F.cross_entropy(logits, y)),
        "val_accuracy": float((pred == y_np).mean()),
        "val_macro_f1": float(f1_score(y_np, pred, average="macro", zero_division=0)),
    }


def fit(
    model: nn.Module,
    train: BeatSet,
    val: BeatSet,
    *,
    config: TrainerConfig,
    criterion: nn.Module,
    device: torch.device,
    augment: Augmentation | None = None,
    sample_weights: torch.Tensor | None = None,
    run_dir: str | Path | None = None,
    metadata: Mapping[str, Any] | None = None,
    resume: bool = False,
    progress: bool = True,
    callback: Callable[[dict[str, float]], None] | None = None,
    context: DistributedContext | None = None,
) -> FitResult:
    """Train ``model`` in place and leave the weights of its best validation epoch in it.

    The whole training fold is moved to ``device`` once; every batch is an index gather
    on the device, so no ``Dataset``/``DataLoader`` sits on the hot path. Each epoch ends
    with a validation pass; the epoch with the best validation macro F1 is kept
    (``best.pt``), the latest state for resuming is written after every epoch
    (``last.pt``, atomically), and the history goes to ``history.csv`` / ``history.json``.

    Parameters
    ----------
    model : nn.Module
        Called as ``model(x, rr)`` when ``model.uses_rr`` is true, else ``model(x)``. In
        training mode it may return a tuple of logits, one per head; the loss is then the
        sum of ``criterion`` over the heads.
    train, val : BeatSet
        Training fold (already resampled, if at all) and patient-wise validation fold. An
        empty ``val`` trains without validation: every epoch runs (``config.patience``
        must be None), the last epoch is kept and the history has no ``val_*`` columns.
    config : TrainerConfig
    criterion : nn.Module
        Training loss (see :func:`ecgbeat.training.losses.make_loss`).
    device : torch.device
    augment : Augmentation, optional
        Applied to every training batch on the device.
    sample_weights : Tensor of shape (n_train,), optional
        Weighted random sampling: each epoch draws ``n_train`` beats with replacement
        with these probabilities instead of a permutation.
    run_dir : path, optional
        Folder for checkpoints and history (written by the main process only).
    metadata : mapping, optional
        JSON-safe description stored in every checkpoint (model name, classes, ...).
    resume : bool
        Continue from ``run_dir/last.pt`` (epoch, weights, optimizer, schedule, RNG
        states, history) when it exists. The configuration must match the saved one.
    progress : bool
        Show a tqdm bar with the loss and the validation macro F1.
    callback : callable, optional
        Called with each epoch's history record after it is saved; raising
        ``KeyboardInterrupt`` there stops the run like Ctrl-C would.
    context : DistributedContext, optional
        Process rank and world size under ``torchrun``; each process then trains on its
        shard of every epoch and gradients are averaged by ``DistributedDataParallel``.

    Returns
    -------
    FitResult
    """
    ctx = context or DistributedContext()
    run_dir = None if run_dir is None else Path(run_dir)
    uses_rr = bool(getattr(model, "uses_rr", False))
    amp_dtype = autocast_dtype(device, amp=config.amp)
    validated = len(val) > 0
    if not validated and config.patience is not None:
        raise ValueError(
            f"early stopping (patience={config.patience}) needs validation beats; pass "
            "patience=None to run every epoch and keep the last, or hold out validation records"
        )
    model.to(device)
    train_t, val_t = _tensors(train, device), _tensors(val, device)
    n_train = len(train)
    if sample_weights is not None:
        if sample_weights.shape != (n_train,):
            raise ValueError(
                f"sample_weights must have one weight per training beat ({n_train}), "
                f"got shape {tuple(sample_weights.shape)}"
            )
        sample_weights = sample_weights.to(device=device, dtype=torch.float32)
    subsample = config.majority_fraction < 1
    if sample_weights is not None and subsample:
        raise ValueError(
            "sample_weights and majority_fraction < 1 both choose each epoch's beats; "
            "use one of them"
        )
    epoch_size = n_train
    if subsample:
        labels = train_t[2]
        majority = labels == torch.bincount(labels).argmax()
        majority_idx, rest_idx = majority.nonzero()[:, 0], (~majority).nonzero()[:, 0]
        n_majority = max(1, round(config.majority_fraction * len(majority_idx)))
        epoch_size = n_majority + len(rest_idx)
    batch_size = max(1, config.batch_size // ctx.world_size)
    # The ragged tail of an epoch is dropped (the order changes every epoch, so every
    # beat is still seen): a batch of one beat would break BatchNorm.
    steps = max(1, (epoch_size // ctx.world_size) // batch_size)

    fork_devices = [device.index or 0] if device.type == "cuda" else []
    # Dropout draws from torch's global RNG; forking keeps the caller's RNG untouched.
    with torch.random.fork_rng(devices=fork_devices):
        torch.manual_seed(config.seed)
        generator = torch.Generator(device=device).manual_seed(config.seed)
        optimizer = torch.optim.AdamW(
            model.parameters(),
            lr=config.lr,
            weight_decay=config.weight_decay,
            fused=_has_fused_adamw(device) or None,
        )
        scheduler = _scheduler(optimizer, config, config.epochs * steps)
        scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16)
        ema = (
            None
            if config.ema_decay is None
            else AveragedModel(
                model, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True
            )
        )
        # The weights that are validated, selected and returned.
        scored = model if ema is None else ema.module
        result = FitResult()
        best_state = {k: v.detach().clone() for k, v in scored.state_dict().items()}
        bad_epochs, start_epoch = 0, 0

        last = None if run_dir is None else run_dir / LAST_CHECKPOINT
        if resume and last is not None and last.is_file():
            saved = load_checkpoint(last)
            state = saved["training_state"]
            if state is None:
                raise ValueError(f"{last} holds no training state to resume from")
            # Settings added in later versions take their defaults in older checkpoints.
            saved_config = {**TrainerConfig().to_dict(), **json.loads(state["config"])}
            changed = {
                k: (v, saved_config.get(k))
                for k, v in config.to_dict().items()
                if saved_config.get(k) != v
            }
            if changed:
                raise ValueError(
                    f"cannot resume {run_dir}: the training settings differ from the saved "
                    f"run (new, saved): {changed}; resume with the same settings or start a "
                    "new out_dir"
                )
            model.load_state_dict(saved["model_state"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            scaler.load_state_dict(state["scaler"])
            if ema is not None:
                ema.load_state_dict(state["ema"])
            generator.set_state(state["generator"])
            torch.set_rng_state(state["torch_rng"])
            if device.type == "cuda" and state.get("cuda_rng") is not None:
                torch.cuda.set_rng_state(state["cuda_rng"], device)
            best_state = load_checkpoint(run_dir / BEST_CHECKPOINT)["model_state"]
            result = FitResult(**json.loads(state["result"]))
            bad_epochs, start_epoch = state["bad_epochs"], state["epoch"]
            if state["finished"]:
                model.load_state_dict(best_state)
                return result
        elif resume and ctx.is_main:
            warnings.warn(
                f"resume=True but {last} does not exist; starting a new run",
                UserWarning,
                stacklevel=2,
            )

        net: nn.Module = DistributedDataParallel(model) if ctx.enabled else model
        if config.compile:
            net = torch.compile(net)
        base_metadata = {**(metadata or {}), "trainer": config.to_dict()}
        bar = tqdm(
            total=config.epochs * steps,
            initial=start_epoch * steps,
            disable=not (progress and ctx.is_main),
            desc="training",
            unit="batch",
        )
        try:
            for epoch in range(start_epoch + 1, config.epochs + 1):
                start_time = time.perf_counter()
                model.train()
                if sample_weights is not None:
                    order = torch.multinomial(
                        sample_weights, n_train, replacement=True, generator=generator
                    )
                elif subsample:
                    keep = torch.randperm(len(majority_idx), generator=generator, device=device)
                    order = torch.cat([rest_idx, majority_idx[keep[:n_majority]]])
                    order = order[torch.randperm(epoch_size, generator=generator, device=device)]
                else:
                    order = torch.randperm(n_train, generator=generator, device=device)
                order = ctx.shard(order)
                total_loss = torch.zeros((), device=device)
                for step in range(steps):
                    idx = order[step * batch_size : (step + 1) * batch_size]
                    xb, rb, yb = (t[idx] for t in train_t)
                    if augment is not None:
                        xb = augment(xb, fs=train.fs, generator=generator)
                    with torch.autocast(
                        device.type, dtype=amp_dtype, enabled=amp_dtype is not None
                    ):
                        logits = net(xb, rb) if uses_rr else net(xb)
                    # A model with several heads (BeatFusion's RR expert) returns one
                    # logits tensor per head in training mode; each learns from its own loss.
                    heads = logits if isinstance(logits, tuple) else (logits,)
                    loss = sum(criterion(head.float(), yb) for head in heads)
                    optimizer.zero_grad(set_to_none=True)
                    scaler.scale(loss).backward()
                    if config.grad_clip is not None:
                        scaler.unscale_(optimizer)
                        nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                    scaler.step(optimizer)
                    scaler.update()
                    scheduler.step()
                    if ema is not None:
                        ema.update_parameters(model)
                    total_loss += loss.detach()
                    bar.update()
                    if step % 20 == 0:
                        bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)

                record = {
                    "epoch": epoch,
                    "train_loss": ctx.mean(float(total_loss) / steps),
                    **(
                        _validate(
                            scored, val_t, uses_rr=uses_rr, batch_size=1024, amp_dtype=amp_dtype
                        )
                        if validated
                        else {}
                    ),
                    "lr": float(scheduler.get_last_lr()[0]),
                    "time_s": time.perf_counter() - start_time,
                }
                # Identical weights give identical scores everywhere; the main process's
                # record is broadcast so every process takes the same early-stopping path.
                record = ctx.broadcast(record)
                if not math.isfinite(record["train_loss"]):
                    raise FloatingPointError(
                        f"the training loss became {record['train_loss']} in epoch {epoch}; "
                        "lower lr, keep grad_clip on, or check the beats for extreme values"
                    )
                result.history.append(record)
                shown = {"loss": f"{record['train_loss']:.3f}"}
                if validated:
                    shown["val_f1"] = f"{record['val_macro_f1']:.3f}"
                bar.set_postfix(shown)
                # Without validation beats the latest epoch is the best one known.
                if not validated or record["val_macro_f1"] > result.best_val_macro_f1:
                    result.best_val_macro_f1 = record.get("val_macro_f1", math.nan)
                    result.best_epoch, bad_epochs = epoch, 0
                    best_state = {k: v.detach().clone() for k, v in scored.state_dict().items()}
                    if run_dir is not None and ctx.is_main:
                        save_checkpoint(
                            run_dir / BEST_CHECKPOINT,
                            model_state=best_state,
                            metadata={
                                **base_metadata,
                                "epoch": epoch,
                                "val_macro_f1": record.get("val_macro_f1"),
                            },
                        )
                else:
                    bad_epochs += 1
                result.stopped_early = (
                    config.patience is not None
                    and bad_epochs >= config.patience
                    and epoch < config.epochs
                )
                finished = result.stopped_early or epoch == config.epochs
                if run_dir is not None and ctx.is_main:
                    state = {
                        "config": json.dumps(config.to_dict()),
                        "epoch": epoch,
                        "finished": finished,
                        "bad_epochs": bad_epochs,
                        "result": json.dumps(asdict(result)),
                        "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(),
                        "scaler": scaler.state_dict(),
                        "ema": None if ema is None else ema.state_dict(),
                        "generator": generator.get_state(),
                        "torch_rng": torch.get_rng_state(),
                        "cuda_rng": torch.cuda.get_rng_state(device)
                        if device.type == "cuda"
                        else None,
                    }
                    save_checkpoint(
                        run_dir / LAST_CHECKPOINT,
                        model_state=model.state_dict(),
                        metadata={**base_metadata, "epoch": epoch},
                        training_state=state,
                    )
                    _write_history(run_dir, result.history)
                if callback is not None:
                    callback(record)
                if finished:
                    break
        finally:
            bar.close()
    model.load_state_dict(best_state)
    return result
