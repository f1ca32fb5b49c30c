"""Convolutional-recurrent beat classifiers: ``cnn_lstm`` and ``cnn_bilstm``."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ecgbeat.models.base import BeatModel
from ecgbeat.models.blocks import classifier_head, conv_block
from ecgbeat.models.registry import register_model

__all__ = ["CNNLSTM", "CNNBiLSTM", "cnn_bilstm", "cnn_lstm"]


class CNNLSTM(BeatModel):
    """The beat cut into segments, one shared CNN per segment, an LSTM over the segments
    (seed D: Keras CNN-LSTM with ``TimeDistributed`` convolution blocks, raw MIT-BIH).

    ============================================================  =======================
    layer                                                         output (L = 256, S = 8)
    ============================================================  =======================
    cut into S segments of ceil(L / S) samples (zero-padded end)  (S, 1, 32)
    per segment: Conv1d 32, k5 -> BN -> ReLU -> MaxPool 2         (S, 32, 16)
    per segment: Conv1d 64, k3 -> BN -> ReLU -> MaxPool 2         (S, 64, 8)
    per segment: global average pooling                          (S, 64)
    LSTM 64 over the S segments, last hidden state                (64,)
    Dropout 0.3 -> Linear num_classes                             (num_classes,)
    ============================================================  =======================

    40,101 parameters at the default configuration (5 classes, 1 lead; independent of the
    beat length). The seed flattens each segment's feature map; global average pooling
    is used instead so that any beat length works. Each segment needs at least 4 samples,
    so beats must have ``4 * n_segments`` samples or more. Note for Grad-CAM: the
    convolutions run on the segments, so their feature maps have ``batch * n_segments``
    rows, beat-major (all segments of beat 0 in time order, then beat 1, ...).

    Parameters
    ----------
    num_classes, in_channels, input_length, num_rr_features : int
        The contract sizes; RR features are ignored.
    n_segments : int
        Number of segments the beat is cut into (the LSTM sequence length).
    hidden_size : int
        LSTM hidden size.
    dropout : float
        Dropout before the last layer.

    Examples
    --------
    >>> import torch
    >>> model = CNNLSTM(num_classes=5, input_length=252)
    >>> model(torch.randn(2, 1, 252)).shape
    torch.Size([2, 5])
    """

    def __init__(
        self,
        *,
        num_classes: int = 5,
        in_channels: int = 1,
        input_length: int = 256,
        num_rr_features: int = 0,
        n_segments: int = 8,
        hidden_size: int = 64,
        dropout: float = 0.3,
    ) -> None:
        if isinstance(n_segments, bool) or not isinstance(n_segments, int) or n_segments < 1:
            raise ValueError(f"n_segments must be a positive int, got {n_segments!r}")
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
            min_input_length=4 * n_segments,
        )
        self.n_segments = n_segments
        self.segment_features = nn.Sequential(
            conv_block(in_channels, 32, kernel_size=5, pool=2),
            conv_block(32, 64, kernel_size=3, pool=2),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
        )
        self.lstm = nn.LSTM(64, hidden_size, batch_first=True)
        self.classifier = classifier_head(hidden_size, num_classes, dropout=dropout)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` is ignored."""
        self.check_input(x, rr)
        batch, channels, length = x.shape
        segment_length = math.ceil(length / self.n_segments)
        x = F.pad(x, (0, segment_length * self.n_segments - length))
        # (batch, C, S * l) -> (batch * S, C, l): the segments share the CNN, as in
        # Keras' TimeDistributed.
        segments = x.reshape(batch, channels, self.n_segments, segment_length).transpose(1, 2)
        features = self.segment_features(segments.reshape(-1, channels, segment_length))
        _, (hidden, _) = self.lstm(features.reshape(batch, self.n_segments, -1))
        return self.classifier(hidden[-1])


class CNNBiLSTM(BeatModel):
    """Three convolution blocks feeding a bidirectional LSTM (seed E: CNN-BiLSTM with a
    web app, Kaggle MIT-BIH beats).

    ==========================================================  ==================
    layer                                                       output (L = 187)
    ==========================================================  ==================
    Conv1d 64, k5 -> BN -> ReLU -> MaxPool 2 -> Dropout 0.2     (64, 93)
    Conv1d 128, k3 -> BN -> ReLU -> MaxPool 2 -> Dropout 0.2    (128, 46)
    Conv1d 128, k3 -> BN -> ReLU -> MaxPool 2 -> Dropout 0.2    (128, 23)
    bidirectional LSTM 64, final states of both directions      (128,)
    Linear 64 -> ReLU -> Dropout 0.5 -> Linear num_classes      (num_classes,)
    ==========================================================  ==================

    182,597 parameters at the default configuration (5 classes, 1 lead; independent of
    the beat length). The seed's README states "~500K"; its own layers (the ones above)
    add up to about 183k. The seed reads the LSTM output at the last time step, where the
    backward direction has seen a single step; the final hidden states of both directions
    (each having read the whole beat) are used here instead.

    Parameters
    ----------
    num_classes, in_channels, input_length, num_rr_features : int
        The contract sizes; RR features are ignored.
    hidden_size : int
        LSTM hidden size per direction.
    block_dropout : float
        Dropout at the end of each convolution block.
    dropout : float
        Dropout before the last layer.

    Examples
    --------
    >>> import torch
    >>> model = CNNBiLSTM(num_classes=5, input_length=187)
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
        hidden_size: int = 64,
        block_dropout: float = 0.2,
        dropout: float = 0.5,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
            min_input_length=8,
        )
        self.features = nn.Sequential(
            conv_block(in_channels, 64, kernel_size=5, pool=2, dropout=block_dropout),
            conv_block(64, 128, kernel_size=3, pool=2, dropout=block_dropout),
            conv_block(128, 128, kernel_size=3, pool=2, dropout=block_dropout),
        )
        self.lstm = nn.LSTM(128, hidden_size, batch_first=True, bidirectional=True)
        self.classifier = classifier_head(
            2 * hidden_size, num_classes, hidden=(64,), dropout=dropout
        )

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` is ignored."""
        self.check_input(x, rr)
        # (batch, channels, time) -> (batch, time, channels) for the LSTM.
        _, (hidden, _) = self.lstm(self.features(x).transpose(1, 2))
        return self.classifier(torch.cat([hidden[-2], hidden[-1]], dim=1))


@register_model
def cnn_lstm(**kwargs: Any) -> CNNLSTM:
    """Seed D segment-wise CNN-LSTM; see :class:`CNNLSTM`.

    Examples
    --------
    >>> cnn_lstm(n_segments=4).n_segments
    4
    """
    return CNNLSTM(**kwargs)


@register_model
def cnn_bilstm(**kwargs: Any) -> CNNBiLSTM:
    """Seed E CNN-BiLSTM; see :class:`CNNBiLSTM`.

    Examples
    --------
    >>> cnn_bilstm(input_length=187).num_classes
    5
    """
    return CNNBiLSTM(**kwargs)
