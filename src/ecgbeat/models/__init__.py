"""The model zoo: a registry of 1-D beat classifiers sharing one input/output contract.

Build any model by name with :func:`create_model`; :func:`list_models` names them all.
Every model maps beats ``x`` of shape ``(batch, in_channels, n_samples)`` (and, for
models with ``uses_rr = True``, RR features ``rr`` of shape ``(batch, num_rr_features)``)
to logits of shape ``(batch, num_classes)``.

Examples
--------
>>> import torch
>>> from ecgbeat.models import create_model
>>> model = create_model("beatfusion", num_classes=5, input_length=252, num_rr_features=8)
>>> model(torch.randn(3, 1, 252), torch.rand(3, 8)).shape
torch.Size([3, 5])
"""

from __future__ import annotations

from ecgbeat.models.base import BeatModel, check_model_sizes
from ecgbeat.models.blocks import (
    FastDropout,
    FastMaxPool1d,
    ResidualBlock,
    classifier_head,
    conv_block,
)
from ecgbeat.models.cnn import CNN3, CNNStages, SkipCNN
from ecgbeat.models.ensemble import Ensemble
from ecgbeat.models.fusion import BeatFusion
from ecgbeat.models.recurrent import CNNLSTM, CNNBiLSTM
from ecgbeat.models.registry import create_model, list_models, register_model
from ecgbeat.models.resnet import KachueeResNet

__all__ = [
    "CNN3",
    "CNNLSTM",
    "BeatFusion",
    "BeatModel",
    "CNNBiLSTM",
    "CNNStages",
    "Ensemble",
    "FastDropout",
    "FastMaxPool1d",
    "KachueeResNet",
    "ResidualBlock",
    "SkipCNN",
    "check_model_sizes",
    "classifier_head",
    "conv_block",
    "create_model",
    "list_models",
    "register_model",
]
