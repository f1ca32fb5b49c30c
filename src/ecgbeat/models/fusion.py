"""Morphology + RR-interval fusion networks for inter-patient classification (``beatfusion``).

Across patients, beat shape alone separates supraventricular from normal beats poorly:
an S beat often looks like the patient's own N beats and differs mainly in timing
(it comes early). The fusion model therefore reads both the waveform, on a window wide
enough to show the neighbouring beats, and the RR-interval features of
:func:`ecgbeat.beats.rr_features`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ecgbeat.beats import RR_FEATURE_NAMES
from ecgbeat.models.base import BeatModel
from ecgbeat.models.blocks import ResidualBlock, classifier_head, conv_block
from ecgbeat.models.registry import register_model

__all__ = ["BeatFusion", "beatfusion", "beatfusion_tiny"]


class BeatFusion(BeatModel):
    """Dilated residual CNN on the beat window fused with an MLP on the RR features.

    ===============================================================  =======================
    layer                                                            output (L = 256)
    ===============================================================  =======================
    morphology: Conv1d c0, k7 -> BN -> ReLU -> MaxPool 2             (c0, 128)
    residual block c1, k5, dilation 1 -> MaxPool k3 s2               (c1, 64)
    residual block c2, k5, dilation 1 -> MaxPool k3 s2               (c2, 32)
    residual block c3, k5, dilation 2 -> MaxPool k3 s2               (c3, 16)
    residual block c4, k5, dilation 2                                (c4, 16)
    global average and max pooling, concatenated                     (2 c4,)
    RR ``rr_inputs``: BN -> Linear 32 -> ReLU -> Linear 32 -> ReLU   (32,)
    concatenate -> Dropout 0.3 -> Linear num_classes                 (num_classes,)
    ===============================================================  =======================

    With ``channels = (c0, c1, c2, c3, c4) = (16, 32, 64, 64, 96)`` the model has
    169,093 parameters at 5 classes, 1 lead and 8 RR features (independent of the beat
    length). The pooling and dilations give the last block a receptive field of about
    470 input samples, so on a window with the neighbouring beats (e.g. 720 samples = 2 s at
    360 Hz) the network sees the previous and next QRS complexes. The RR input is
    standardised by BatchNorm, feature by feature, because the features mix seconds
    (0.3-2 s) and ratios (around 1).

    Parameters
    ----------
    num_classes, in_channels, input_length : int
        The contract sizes; any beat length of 8 samples or more works.
    num_rr_features : int
        Width of ``rr``; required (16 for :data:`ecgbeat.beats.RR_FEATURE_NAMES`; 8 for
        models of releases before the centred-median ratios were added).
    channels : sequence of 5 int
        Widths of the stem and of the four residual blocks.
    rr_hidden : int
        Width of the RR branch.
    dropout : float
        Dropout before the last layer (used by MC-dropout).
    rr_inputs : sequence of str, optional
        The features of :data:`~ecgbeat.beats.RR_FEATURE_NAMES` the RR branch reads, e.g.
        :data:`~ecgbeat.beats.RELATIVE_RR_FEATURES` (the inter-patient recipe); the model
        still takes the full ``rr`` of the data layer. Default: every column of ``rr``.

    Examples
    --------
    >>> import torch
    >>> model = BeatFusion(num_classes=5, in_channels=2, input_length=720, num_rr_features=8)
    >>> model(torch.randn(4, 2, 720), torch.rand(4, 8)).shape
    torch.Size([4, 5])
    """

    uses_rr = True

    def __init__(
        self,
        *,
        num_classes: int = 5,
        in_channels: int = 1,
        input_length: int = 256,
        num_rr_features: int = 8,
        channels: Sequence[int] = (16, 32, 64, 64, 96),
        rr_hidden: int = 32,
        dropout: float = 0.3,
        rr_inputs: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
            min_input_length=8,
        )
        if len(channels) != 5 or any(c < 1 for c in channels):
            raise ValueError(
                f"channels must give 5 positive widths (stem + 4 residual blocks), got {channels}"
            )
        stem, *widths = channels
        columns = list(range(num_rr_features))
        if rr_inputs is not None:
            columns = _rr_columns(rr_inputs, num_rr_features=num_rr_features)
        # Not persistent: the columns follow from the constructor arguments, and
        # checkpoints of models built without rr_inputs keep loading.
        self.register_buffer("rr_columns", torch.tensor(columns), persistent=False)
        # The RR inputs do not drift during training (unlike hidden features), so their
        # running statistics are a plain cumulative average (momentum=None): exact after
        # one epoch, and free of the initial running variance of 1, far above the ~0.01
        # variance of RR ratios, which would otherwise distort early evaluations.
        self.rr_branch = nn.Sequential(
            nn.BatchNorm1d(len(columns), momentum=None),
            nn.Linear(len(columns), rr_hidden),
            nn.ReLU(),
            nn.Linear(rr_hidden, rr_hidden),
            nn.ReLU(),
        )
        # Dilation 2 on the deeper, pooled blocks widens the receptive field to the
        # neighbouring beats without more parameters; the last block keeps its length.
        blocks = [
            ResidualBlock(c_in, c_out, kernel_size=5, dilation=dilation, pool_kernel=pool)
            for c_in, c_out, dilation, pool in zip(
                [stem, *widths[:-1]], widths, (1, 1, 2, 2), (3, 3, 3, 0), strict=True
            )
        ]
        self.morphology = nn.Sequential(
            conv_block(in_channels, stem, kernel_size=7, pool=2), *blocks
        )
        self.avg_pool = nn.AdaptiveAvgPool1d(1)
        self.max_pool = nn.AdaptiveMaxPool1d(1)
        self.classifier = classifier_head(2 * widths[-1] + rr_hidden, num_classes, dropout=dropout)

    def forward(self, x: torch.Tensor, rr: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of shape ``(batch, num_classes)``; ``rr`` of shape
        ``(batch, num_rr_features)`` is required."""
        self.check_input(x, rr)
        maps = self.morphology(x)
        shape = torch.cat([self.avg_pool(maps), self.max_pool(maps)], dim=1).flatten(1)
        timing = self.rr_branch(rr.index_select(1, self.rr_columns))
        return self.classifier(torch.cat([shape, timing], dim=1))


def _rr_columns(names: Sequence[str], *, num_rr_features: int) -> list[int]:
    """Positions of ``names`` in the data layer's RR feature vector."""
    if isinstance(names, str) or not names:
        raise ValueError(
            f"rr_inputs must be a non-empty sequence of RR feature names, got {names!r}; "
            "e.g. ecgbeat.beats.RELATIVE_RR_FEATURES"
        )
    # The data layer's features only grow at the end, so a model built for its first
    # num_rr_features columns (an older release) finds them where they were.
    if num_rr_features > len(RR_FEATURE_NAMES):
        raise ValueError(
            f"rr_inputs picks columns of the data layer's {len(RR_FEATURE_NAMES)} RR "
            f"features, but num_rr_features={num_rr_features}; pass rr_inputs=None for "
            "RR features of your own"
        )
    available = RR_FEATURE_NAMES[:num_rr_features]
    unknown = [n for n in names if n not in available]
    if unknown or len(set(names)) != len(names):
        raise ValueError(
            f"rr_inputs must name distinct features of the first num_rr_features="
            f"{num_rr_features} columns {available}, got {tuple(names)}"
        )
    return [available.index(n) for n in names]


@register_model
def beatfusion(**kwargs: Any) -> BeatFusion:
    """The fusion model at its default width; see :class:`BeatFusion`.

    Examples
    --------
    >>> beatfusion(num_rr_features=8).uses_rr
    True
    """
    return BeatFusion(**kwargs)


@register_model
def beatfusion_tiny(**kwargs: Any) -> BeatFusion:
    """A narrow :class:`BeatFusion` (widths 8, 8, 16, 16, 16) whose decisions lean on the
    RR features, with a small morphology branch; fast enough for CPU-only training.

    Examples
    --------
    >>> beatfusion_tiny(num_rr_features=8).uses_rr
    True
    """
    kwargs.setdefault("channels", (8, 8, 16, 16, 16))
    return BeatFusion(**kwargs)
