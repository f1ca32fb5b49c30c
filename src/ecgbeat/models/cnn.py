"""Plain 1-D convolutional beat classifiers: ``cnn3``, ``cnn_stages`` and ``skipcnn``."""

from __future__ import annotations

import itertools
from typing import Any

import torch
from torch import nn

from ecgbeat.models.base import BeatModel
from ecgbeat.models.blocks import FastMaxPool1d, classifier_head, conv_block
from ecgbeat.models.registry import register_model

__all__ = ["CNN3", "CNNStages", "SkipCNN", "cnn3", "cnn_stages", "skipcnn"]


class CNN3(BeatModel):
    """Three-layer 1-D CNN with global average pooling (seed A: Abdullah 2026, "Automated
    Cardiac Arrhythmia Classification using Deep 1D CNNs").

    ==========================================  ==================
    layer                                       output (L = 187)
    ==========================================  ==================
    Conv1d 64, k5 -> BN -> ReLU -> MaxPool 2    (64, 93)
    Conv1d 128, k5 -> BN -> ReLU -> MaxPool 2   (128, 46)
    Conv1d 256, k5 -> BN -> ReLU                (256, 46)
    global average pooling                      (256,)
    Linear 128 -> ReLU -> Dropout 0.3           (128,)
    Linear num_classes                          (num_classes,)
    ==========================================  ==================

    239,557 parameters at the default configuration (5 classes, 1 lead; independent of
    the beat length). The seed does not state its kernel size; 5 is used here.

    Parameters
    ----------
    num_classes, in_channels, input_length, num_rr_features : int
        The contract sizes (see :class:`~ecgbeat.models.base.BeatModel`); RR features
        are ignored.
    kernel_size : int
        Kernel size of the three convolutions.
    dropout : float
        Dropout before the last layer.

    Examples
    --------
    >>> import torch
    >>> model = CNN3(num_classes=5, input_length=187)
    >>> model(torch.randn(4, 1, 187)).shape
    torch.Size([4, 5])
    """

    def __init__(
        self,
        *,
        num_classes: int = 5,
        in_channels: int = 1,
        input_length: int = 256,
        num_rr_features: int = 0,
        kernel_size: int = 5,
        dropout: float = 0.3,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
            min_input_length=4,
        )
        self.features = nn.Sequential(
            conv_block(in_channels, 64, kernel_size=kernel_size, pool=2),
            conv_block(64, 128, kernel_size=kernel_size, pool=2),
            conv_block(128, 256, kernel_size=kernel_size),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
        )
        self.classifier = classifier_head(256, num_classes, hidden=(128,), dropout=dropout)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` is ignored."""
        self.check_input(x, rr)
        return self.classifier(self.features(x))


class CNNStages(BeatModel):
    """Three convolution stages of decreasing kernel size (seed B: PyTorch 1-D CNN on raw
    MIT-BIH beats, 6 classes N, L, R, A, V, F).

    ==========================================  ==================
    layer                                       output (L = 256)
    ==========================================  ==================
    Conv1d 32, k7 -> BN -> ReLU -> MaxPool 2    (32, 128)
    Conv1d 64, k5 -> BN -> ReLU -> MaxPool 2    (64, 64)
    Conv1d 128, k3 -> BN -> ReLU                (128, 64)
    AdaptiveAvgPool1d(1)                        (128,)
    Dropout (p = 0 by default) -> Linear        (num_classes,)
    ==========================================  ==================

    36,133 parameters at the default configuration (5 classes, 1 lead; independent of
    the beat length).

    Parameters
    ----------
    num_classes, in_channels, input_length, num_rr_features : int
        The contract sizes; RR features are ignored.
    dropout : float
        Dropout before the last layer; the seed has none (0), raise it for MC-dropout.

    Examples
    --------
    >>> import torch
    >>> model = CNNStages(num_classes=6, input_length=256)
    >>> model(torch.randn(2, 1, 256)).shape
    torch.Size([2, 6])
    """

    def __init__(
        self,
        *,
        num_classes: int = 5,
        in_channels: int = 1,
        input_length: int = 256,
        num_rr_features: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
            min_input_length=4,
        )
        self.features = nn.Sequential(
            conv_block(in_channels, 32, kernel_size=7, pool=2),
            conv_block(32, 64, kernel_size=5, pool=2),
            conv_block(64, 128, kernel_size=3),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
        )
        self.classifier = classifier_head(128, num_classes, dropout=dropout)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` is ignored."""
        self.check_input(x, rr)
        return self.classifier(self.features(x))


class SkipCNN(BeatModel):
    """Four convolution blocks with two long skip connections (seed C: CNN with skip
    connections on the Kaggle MIT-BIH beats).

    ===============================================================  ==================
    layer                                                            output (L = 187)
    ===============================================================  ==================
    block 1: Conv1d 32, k5 -> BN -> ReLU -> MaxPool 2 -> Dropout 0.2  (32, 93)
    block 2: Conv1d 64, k5 -> ... ; + skip from the input             (64, 46)
    block 3: Conv1d 128, k5 -> ... ; + skip from block 1              (128, 23)
    block 4: Conv1d 256, k5 -> ...                                    (256, 11)
    Flatten                                                          (256 * L // 16,)
    Linear 128 -> ReLU -> Dropout 0.3 -> Linear num_classes          (num_classes,)
    ===============================================================  ==================

    Each skip is a 1x1 convolution (to the channels of its target) followed by a max
    pooling of 4, which brings the length ``L`` to ``L // 4`` (input -> block 2) and
    ``L // 2`` to ``L // 8`` (block 1 -> block 3), the exact lengths of the targets.
    The Flatten makes the model length-specific: it accepts only beats of
    ``input_length`` samples. 581,733 parameters at 5 classes, 1 lead, 187 samples
    (the Kaggle format); 745,573 at 256 samples.

    Parameters
    ----------
    num_classes, in_channels, input_length, num_rr_features : int
        The contract sizes; RR features are ignored.
    block_dropout : float
        Dropout at the end of each block.
    dropout : float
        Dropout before the last layer.

    Examples
    --------
    >>> import torch
    >>> model = SkipCNN(num_classes=5, input_length=187)
    >>> model(torch.randn(2, 1, 187)).shape
    torch.Size([2, 5])
    """

    def __init__(
        self,
        *,
        num_classes: int = 5,
        in_channels: int = 1,
        input_length: int = 256,
        num_rr_features: int = 0,
        block_dropout: float = 0.2,
        dropout: float = 0.3,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
            min_input_length=16,
        )
        # Skips first: the last Conv1d in module order must be block 4's (for Grad-CAM).
        self.skip_input = nn.Sequential(nn.Conv1d(in_channels, 64, 1), FastMaxPool1d(4))
        self.skip_block1 = nn.Sequential(nn.Conv1d(32, 128, 1), FastMaxPool1d(4))
        widths = (in_channels, 32, 64, 128, 256)
        self.blocks = nn.ModuleList(
            conv_block(c_in, c_out, kernel_size=5, pool=2, dropout=block_dropout)
            for c_in, c_out in itertools.pairwise(widths)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            classifier_head(
                256 * (input_length // 16), num_classes, hidden=(128,), dropout=dropout
            ),
        )

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` is ignored."""
        self.check_input(x, rr, fixed_length=True)
        out1 = self.blocks[0](x)
        out2 = self.blocks[1](out1) + self.skip_input(x)
        out3 = self.blocks[2](out2) + self.skip_block1(out1)
        return self.classifier(self.blocks[3](out3))


@register_model
def cnn3(**kwargs: Any) -> CNN3:
    """Seed A three-layer CNN; see :class:`CNN3`.

    Examples
    --------
    >>> cnn3(num_classes=5, input_length=187).num_classes
    5
    """
    return CNN3(**kwargs)


@register_model
def cnn_stages(**kwargs: Any) -> CNNStages:
    """Seed B three-stage CNN; see :class:`CNNStages`.

    Examples
    --------
    >>> cnn_stages(num_classes=6).num_classes
    6
    """
    return CNNStages(**kwargs)


@register_model
def skipcnn(**kwargs: Any) -> SkipCNN:
    """Seed C CNN with skip connections; see :class:`SkipCNN`.

    Examples
    --------
    >>> skipcnn(input_length=187).input_length
    187
    """
    return SkipCNN(**kwargs)
