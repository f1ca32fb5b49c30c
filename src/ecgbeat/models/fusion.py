"""Morphology + RR-interval fusion networks for inter-patient classification (``beatfusion``).

Across patients, beat shape alone separates supraventricular from normal beats poorly:
an S beat often looks like the patient's own N beats and differs mainly in timing
(it comes early). The fusion model therefore reads both the waveform, on a window wide
enough to show the neighbouring beats, and the RR-interval features of
:func:`ecgbeat.beats.rr_features`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ecgbeat.beats import RR_FEATURE_NAMES
from ecgbeat.models.base import BeatModel
from ecgbeat.models.blocks import ResidualBlock, classifier_head, conv_block
from ecgbeat.models.registry import register_model

__all__ = ["BeatFusion", "beatfusion", "beatfusion_tiny"]

#: Where ``fibrillation_merge`` reads the rhythm's organisation in a full-width ``rr``.
_ORGANISATION_COLUMN = RR_FEATURE_NAMES.index("organisation")


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
    optional RR expert on ``expert_inputs``: log -> BN -> Linear 64   (num_classes,)
    -> ReLU -> Linear 64 -> ReLU -> Linear num_classes
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
        Width of ``rr``; required (21 for :data:`ecgbeat.beats.RR_FEATURE_NAMES`; 20, 16
        or 8 for models of releases before the organisation, the percentile or the
        centred-median ratios).
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
    expert_inputs : sequence of str, optional
        Adds an RR expert: a second classifier that reads only these RR features (e.g.
        :data:`~ecgbeat.beats.MAJORITY_FREE_RR_FEATURES`) and learns from its own loss. In
        evaluation mode the model returns the log of the weighted geometric mean of the two
        heads' probabilities; in training mode it returns both heads' logits, a tuple that
        :func:`ecgbeat.training.fit` turns into the sum of the two losses, so each head
        learns as if alone. Default: no expert (one head, logits in every mode).
    expert_weight : float
        Weight of the expert in the geometric mean, in (0, 1).
    expert_classes : sequence of int, optional
        Indices of the classes the expert votes on; for every other class the model
        returns the fused network's log-probability alone. The inter-patient recipe lets
        the expert vote on N, S and V only: RR timing tells an early beat from a timely
        one, not a fusion beat from a normal one. Default: every class.
    expert_hidden : int
        Width of the expert's two hidden layers.
    fibrillation_merge : (int, int), optional
        ``(source, target)`` class indices: in evaluation mode, wherever the rhythm around a
        beat is disorganised (its ``organisation`` RR feature below
        ``fibrillation_threshold``, as in atrial fibrillation), the source class's
        probability moves to the target class (a millionth of it stays, so every
        log-probability stays finite), and the model returns log-probabilities even without
        an expert. The inter-patient recipe moves S to N: a beat is premature only against
        an organised rhythm, and AAMI labels the beats of atrial fibrillation N. Needs the
        ``organisation`` column (``num_rr_features=21``). Default: no merge.
    fibrillation_threshold : float
        The ``organisation`` below which ``fibrillation_merge`` applies, in (0, 1].
    min_probability : (int, float), optional
        ``(class index, probability)``: in evaluation mode that class is called only where
        its probability is at least this; elsewhere its probability goes to the other
        classes in proportion (a millionth of it stays), so the beat takes its most
        probable other class. The model then returns log-probabilities. The inter-patient
        recipe asks 0.9 of F: learned from DS1, whose F beats are nearly all in one
        record, F calls on other patients are almost all wrong. Default: none.

    Examples
    --------
    >>> import torch
    >>> model = BeatFusion(num_classes=5, in_channels=2, input_length=720, num_rr_features=8)
    >>> model(torch.randn(4, 2, 720), torch.rand(4, 8)).shape
    torch.Size([4, 5])
    >>> from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES
    >>> both = BeatFusion(num_rr_features=20, expert_inputs=MAJORITY_FREE_RR_FEATURES)
    >>> [t.shape for t in both(torch.randn(4, 1, 256), torch.rand(4, 20) + 0.5)]
    [torch.Size([4, 5]), torch.Size([4, 5])]
    >>> both.eval()(torch.randn(4, 1, 256), torch.rand(4, 20) + 0.5).exp().sum(1) < 1
    tensor([True, True, True, True])
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
        expert_inputs: Sequence[str] | None = None,
        expert_weight: float = 0.75,
        expert_classes: Sequence[int] | None = None,
        expert_hidden: int = 64,
        fibrillation_merge: tuple[int, int] | None = None,
        fibrillation_threshold: float = 0.4,
        min_probability: tuple[int, float] | None = None,
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
        self.rr_branch = nn.Sequential(*_rr_mlp(len(columns), rr_hidden))
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
        self.rr_expert: nn.Sequential | None = None
        if expert_inputs is not None:
            if not (_is_real(expert_weight) and 0 < expert_weight < 1):
                raise ValueError(
                    f"expert_weight must be in (0, 1), got {expert_weight}; 0.75 weighs the "
                    "RR expert three times the fused network"
                )
            experts = _rr_columns(expert_inputs, num_rr_features=num_rr_features)
            self.register_buffer("expert_columns", torch.tensor(experts), persistent=False)
            self.expert_weight = float(expert_weight)
            voted = list(range(num_classes) if expert_classes is None else expert_classes)
            if not (voted and _distinct_class_indices(voted, num_classes)):
                raise ValueError(
                    f"expert_classes must list distinct class indices in [0, {num_classes}), "
                    f"got {expert_classes}; leave it out to let the expert vote on every class"
                )
            mask = torch.zeros(num_classes)
            mask[voted] = 1.0
            # Not persistent, like rr_columns: checkpoints without it keep loading.
            self.register_buffer("expert_mask", mask, persistent=False)
            self.rr_expert = nn.Sequential(
                *_rr_mlp(len(experts), expert_hidden), nn.Linear(expert_hidden, num_classes)
            )
        self.fibrillation_merge: tuple[int, int] | None = None
        if fibrillation_merge is not None:
            self._check_merge(fibrillation_merge, fibrillation_threshold)
            # A tuple, whether given as one or read back from a checkpoint's JSON as a list.
            self.fibrillation_merge = (fibrillation_merge[0], fibrillation_merge[1])
            self.fibrillation_threshold = float(fibrillation_threshold)
        self.min_probability: tuple[int, float] | None = None
        if min_probability is not None:
            self._check_min_probability(min_probability)
            # A tuple, whether given as one or read back from a checkpoint's JSON as a list.
            self.min_probability = (min_probability[0], float(min_probability[1]))

    def _check_merge(self, merge: tuple[int, int], threshold: float) -> None:
        """Refuse a ``fibrillation_merge`` the model cannot apply."""
        pair = isinstance(merge, (tuple, list)) and len(merge) == 2
        if not (pair and _distinct_class_indices(merge, self.num_classes)):
            raise ValueError(
                f"fibrillation_merge must be two distinct class indices (source, target) in "
                f"[0, {self.num_classes}), got {merge!r}; e.g. (1, 0) moves S to N in "
                "AAMI_CLASSES"
            )
        if not (_is_real(threshold) and 0 < threshold <= 1):
            raise ValueError(
                f"fibrillation_threshold must be in (0, 1], got {threshold!r}; it is compared "
                "with the organisation RR feature, a share of beats"
            )
        if self.num_rr_features <= _ORGANISATION_COLUMN:
            raise ValueError(
                f"fibrillation_merge reads the 'organisation' RR feature (column "
                f"{_ORGANISATION_COLUMN + 1} of RR_FEATURE_NAMES), but "
                f"num_rr_features={self.num_rr_features}; build the model with "
                f"num_rr_features={len(RR_FEATURE_NAMES)}"
            )

    def _check_min_probability(self, setting: tuple[int, float]) -> None:
        """Refuse a ``min_probability`` the model cannot apply."""
        pair = isinstance(setting, (tuple, list)) and len(setting) == 2
        if not (
            pair
            and _distinct_class_indices(setting[:1], self.num_classes)
            and _is_real(setting[1])
            and 0 < setting[1] < 1
        ):
            raise ValueError(
                f"min_probability must be (class index in [0, {self.num_classes}), "
                f"probability in (0, 1)), got {setting!r}; e.g. (3, 0.9) calls F in "
                "AAMI_CLASSES only where its probability is at least 0.9"
            )

    def forward(
        self, x: torch.Tensor, rr: torch.Tensor | None = None
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Logits of shape ``(batch, num_classes)``; ``rr`` of shape
        ``(batch, num_rr_features)`` is required. With an RR expert: both heads' logits in
        training mode, their weighted geometric mean (log-probabilities) otherwise."""
        self.check_input(x, rr)
        maps = self.morphology(x)
        shape = torch.cat([self.avg_pool(maps), self.max_pool(maps)], dim=1).flatten(1)
        timing = self.rr_branch(rr.index_select(1, self.rr_columns))
        logits = self.classifier(torch.cat([shape, timing], dim=1))
        if self.rr_expert is None:
            if self.training or (self.fibrillation_merge is None and self.min_probability is None):
                return logits
            scores = F.log_softmax(logits.float(), 1)
        else:
            # RR ratios are positive and multiplicative (0.5 = twice as early): their logs
            # are symmetric around 0 before the BatchNorm standardises them.
            ratios = rr.index_select(1, self.expert_columns).float().clamp_min(1e-3).log()
            expert = self.rr_expert(ratios)
            if self.training:
                return logits, expert
            w = self.expert_weight * self.expert_mask
            scores = (1 - w) * F.log_softmax(logits.float(), 1) + w * F.log_softmax(
                expert.float(), 1
            )
        if self.fibrillation_merge is not None:
            source, target = self.fibrillation_merge
            merged = scores.clone()
            merged[:, target] = torch.logaddexp(scores[:, target], scores[:, source])
            # A millionth stays on the source: temperature fitting and entropies take logs.
            merged[:, source] = scores[:, source] + math.log(1e-6)
            disorganised = rr[:, _ORGANISATION_COLUMN] < self.fibrillation_threshold
            scores = torch.where(disorganised[:, None], merged, scores)
        if self.min_probability is not None:
            k, threshold = self.min_probability
            # The expert's geometric mean is not normalised: compare probabilities.
            scores = F.log_softmax(scores, 1)
            dropped = scores.clone()
            dropped[:, k] = scores[:, k] + math.log(1e-6)
            unlikely = scores[:, k] < math.log(threshold)
            scores = torch.where(unlikely[:, None], F.log_softmax(dropped, 1), scores)
        return scores


def _is_real(value: object) -> bool:
    """An int or float, not a bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _distinct_class_indices(indices: Sequence[Any], num_classes: int) -> bool:
    """Whether ``indices`` are distinct ints (not bools) in ``[0, num_classes)``."""
    valid = all(
        isinstance(k, int) and not isinstance(k, bool) and 0 <= k < num_classes for k in indices
    )
    # Checked only once every index is an int, so set() never meets an unhashable one.
    return valid and len(set(indices)) == len(indices)


def _rr_mlp(n_features: int, hidden: int) -> list[nn.Module]:
    """BatchNorm then two ReLU layers of width ``hidden``: the RR branch and the expert's
    body."""
    return [
        nn.BatchNorm1d(n_features, momentum=None),
        nn.Linear(n_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
    ]


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
