"""Residual 1-D CNN of Kachuee et al. 2018 (``kachuee_resnet``)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ecgbeat.models.base import BeatModel
from ecgbeat.models.blocks import ResidualBlock, classifier_head
from ecgbeat.models.registry import register_model

__all__ = ["KachueeResNet", "kachuee_resnet"]


class KachueeResNet(BeatModel):
    """Five residual blocks of 32 channels (Kachuee, Fazeli & Sarrafzadeh 2018, "ECG
    Heartbeat Classification: A Deep Transferable Representation", arXiv 1805.00794).

    ==================================================================  ==================
    layer                                                               output (L = 187)
    ==================================================================  ==================
    Conv1d 32, k5                                                       (32, 187)
    5 x [Conv1d 32 k5 -> ReLU -> Conv1d 32 k5 -> add -> ReLU -> MaxPool  (32, 6)
    k5 s2]
    global average pooling                                              (32,)
    Linear 32 -> ReLU -> Linear 32 -> ReLU                              (32,)
    Dropout (p = 0 by default) -> Linear num_classes                    (num_classes,)
    ==================================================================  ==================

    53,989 parameters at the default configuration (5 classes, 1 lead; independent of the
    beat length). Differences from the paper, both so that any beat length works: the
    pooling pads by 2 (length ``ceil(L / 2)`` per block instead of ``(L - 5) // 2 + 1``),
    and a global average pooling replaces the flatten (at 187 samples the paper flattens
    32 x 2 values).

    Parameters
    ----------
    num_classes, in_channels, input_length, num_rr_features : int
        The contract sizes; RR features are ignored.
    num_blocks : int
        Number of residual blocks.
    dropout : float
        Dropout before the last layer; the paper has none (0), raise it for MC-dropout.

    Examples
    --------
    >>> import torch
    >>> model = KachueeResNet(num_classes=5, input_length=187)
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
        num_blocks: int = 5,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
        )
        if num_blocks < 1:
            raise ValueError(f"num_blocks must be at least 1, got {num_blocks}")
        self.features = nn.Sequential(
            nn.Conv1d(in_channels, 32, 5, padding="same"),
            *(
                ResidualBlock(32, 32, kernel_size=5, batch_norm=False, pool_kernel=5)
                for _ in range(num_blocks)
            ),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
        )
        self.classifier = classifier_head(32, num_classes, hidden=(32, 32), dropout=dropout)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` is ignored."""
        self.check_input(x, rr)
        return self.classifier(self.features(x))


@register_model
def kachuee_resnet(**kwargs: Any) -> KachueeResNet:
    """Residual CNN of Kachuee et al. 2018; see :class:`KachueeResNet`.

    Examples
    --------
    >>> kachuee_resnet(input_length=187).num_classes
    5
    """
    return KachueeResNet(**kwargs)
