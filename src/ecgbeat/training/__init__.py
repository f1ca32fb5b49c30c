"""Training: the trainer, imbalance handling, augmentation, checkpoints and ``train()``.

Examples
--------
>>> from ecgbeat.training import BALANCE_STRATEGIES, TrainerConfig
>>> TrainerConfig().schedule, "smote" in BALANCE_STRATEGIES
('onecycle', True)
"""

from __future__ import annotations

from ecgbeat.training.api import (
    DEFAULT_MODEL,
    INTER_PATIENT_CLASS_WEIGHT_POWER,
    INTER_PATIENT_CONFIG,
    INTER_PATIENT_EXPERT_CLASSES,
    INTER_PATIENT_EXPERT_INPUTS,
    INTER_PATIENT_FIBRILLATION_MERGE,
    INTER_PATIENT_LEADS,
    INTER_PATIENT_MEMBERS,
    INTER_PATIENT_MIN_PROBABILITY,
    INTER_PATIENT_RR_INPUTS,
    INTER_PATIENT_SMOOTHING,
    INTER_PATIENT_VAL_FRACTION,
    TrainResult,
    auto_batch_size,
    train,
)
from ecgbeat.training.augment import Augmentation
from ecgbeat.training.balance import BALANCE_STRATEGIES, resample, sampling_weights
from ecgbeat.training.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint
from ecgbeat.training.classifier import Classifier, ensemble, load, model_spec
from ecgbeat.training.devices import autocast_dtype, cpu_has_native_bf16, resolve_device
from ecgbeat.training.distributed import DistributedContext, init_distributed
from ecgbeat.training.folds import Folds, check_beats, make_folds
from ecgbeat.training.losses import FocalLoss, class_weights, make_loss
from ecgbeat.training.trainer import FitResult, TrainerConfig, fit

__all__ = [
    "BALANCE_STRATEGIES",
    "DEFAULT_MODEL",
    "FORMAT_VERSION",
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
    "Augmentation",
    "Classifier",
    "DistributedContext",
    "FitResult",
    "FocalLoss",
    "Folds",
    "TrainResult",
    "TrainerConfig",
    "auto_batch_size",
    "autocast_dtype",
    "check_beats",
    "class_weights",
    "cpu_has_native_bf16",
    "ensemble",
    "fit",
    "init_distributed",
    "load",
    "load_checkpoint",
    "make_folds",
    "make_loss",
    "model_spec",
    "resample",
    "resolve_device",
    "sampling_weights",
    "save_checkpoint",
    "train",
]
