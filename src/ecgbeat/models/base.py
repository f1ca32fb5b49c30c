"""The model contract shared by every network of the zoo: sizes, input checks, ``uses_rr``.

Every model takes beats ``x`` of shape ``(batch, in_channels, n_samples)`` and, when it
consumes them, RR-interval features ``rr`` of shape ``(batch, num_rr_features)``, and returns
logits of shape ``(batch, num_classes)`` (no softmax). The trainer, Grad-CAM, MC-dropout and
the checkpoint code rely only on this contract.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BeatModel", "check_model_sizes"]


def _check_int(name: str, value: object, *, minimum: int, hint: str) -> None:
    # bool is an int subclass; `num_classes=True` is a mistake, not the number 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}; {hint}")


def check_model_sizes(
    *,
    num_classes: int,
    in_channels: int,
    input_length: int,
    num_rr_features: int,
) -> None:
    """Check the four sizes every model is built from and raise a clear error if one is bad.

    Parameters
    ----------
    num_classes : int
        Number of output logits, at least 2.
    in_channels : int
        Number of ECG leads of each beat, at least 1.
    input_length : int
        Number of samples of each beat, at least 1.
    num_rr_features : int
        Number of RR-interval features per beat, at least 0.

    Raises
    ------
    TypeError
        If a size is not an int.
    ValueError
        If a size is out of range.

    Examples
    --------
    >>> check_model_sizes(num_classes=5, in_channels=1, input_length=187, num_rr_features=0)
    >>> check_model_sizes(num_classes=1, in_channels=1, input_length=187, num_rr_features=0)
    Traceback (most recent call last):
    ...
    ValueError: num_classes must be at least 2, got 1; a classifier needs two classes or more
    """
    _check_int("num_classes", num_classes, minimum=2, hint="a classifier needs two classes or more")
    _check_int("in_channels", in_channels, minimum=1, hint="pass the number of ECG leads")
    _check_int("input_length", input_length, minimum=1, hint="pass the number of samples per beat")
    _check_int(
        "num_rr_features", num_rr_features, minimum=0, hint="pass 0 when no RR features are used"
    )


class BeatModel(nn.Module):
    """Base class of the zoo: stores the sizes and checks the inputs of ``forward``.

    Subclasses build their layers in ``__init__`` and call :meth:`check_input` first in
    ``forward(x, rr=None)``. Convolutional subclasses register their main-path
    ``nn.Conv1d`` layers last, so that "the last ``nn.Conv1d`` of ``model.modules()``"
    (the layer 1-D Grad-CAM hooks) is the deepest feature map of the beat.

    Parameters
    ----------
    num_classes : int
        Number of output logits.
    in_channels : int
        Number of leads of each beat.
    input_length : int
        Nominal number of samples of each beat (models with adaptive pooling accept
        other lengths too, down to ``min_input_length``).
    num_rr_features : int
        Width of ``rr``; only used by models with ``uses_rr = True``.
    min_input_length : int
        Shortest beat the architecture can process (its pooling stages need samples).

    Attributes
    ----------
    uses_rr : bool
        Class attribute; True only for models that consume RR features.

    Examples
    --------
    >>> import torch
    >>> class TinyLinear(BeatModel):
    ...     def __init__(self, **sizes):
    ...         super().__init__(**sizes)
    ...         self.fc = torch.nn.Linear(self.in_channels * self.input_length, self.num_classes)
    ...     def forward(self, x, rr=None):
    ...         self.check_input(x, rr, fixed_length=True)
    ...         return self.fc(x.flatten(1))
    >>> model = TinyLinear(num_classes=3, in_channels=1, input_length=10)
    >>> model(torch.zeros(2, 1, 10)).shape
    torch.Size([2, 3])
    >>> model(torch.zeros(2, 2, 10))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: TinyLinear expects x with 1 channel(s) (leads), got 2; build ... in_channels=2
    """

    uses_rr: bool = False

    def __init__(
        self,
        *,
        num_classes: int = 5,
        in_channels: int = 1,
        input_length: int = 256,
        num_rr_features: int = 0,
        min_input_length: int = 1,
    ) -> None:
        super().__init__()
        check_model_sizes(
            num_classes=num_classes,
            in_channels=in_channels,
            input_length=input_length,
            num_rr_features=num_rr_features,
        )
        name = type(self).__name__
        if input_length < min_input_length:
            raise ValueError(
                f"input_length={input_length} is too short for {name}: its pooling stages "
                f"need at least {min_input_length} samples; use a wider beat window"
            )
        if self.uses_rr and num_rr_features < 1:
            raise ValueError(
                f"{name} consumes RR-interval features but num_rr_features=0; pass "
                "num_rr_features=beats.rr.shape[1] (8 with ecgbeat.beats.RR_FEATURE_NAMES)"
            )
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.input_length = input_length
        self.num_rr_features = num_rr_features
        self.min_input_length = min_input_length

    def check_input(
        self, x: torch.Tensor, rr: torch.Tensor | None, *, fixed_length: bool = False
    ) -> None:
        """Raise a clear error unless ``x`` (and ``rr`` for RR models) fit the model.

        Parameters
        ----------
        x : Tensor of shape (batch, in_channels, n_samples)
            Beats.
        rr : Tensor of shape (batch, num_rr_features) or None
            RR features; required when ``uses_rr`` is True, ignored otherwise.
        fixed_length : bool
            Require ``n_samples == input_length`` (models with a fixed-size Flatten).

        Examples
        --------
        >>> import torch
        >>> model = BeatModel(num_classes=2, in_channels=1, input_length=8)
        >>> model.check_input(torch.zeros(3, 1, 8), None)
        """
        name = type(self).__name__
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name} expects x as a torch.Tensor, got {type(x).__name__}")
        if x.ndim != 3:
            raise ValueError(
                f"{name} expects x of shape (batch, in_channels, n_samples), got "
                f"{tuple(x.shape)}; add the lead axis with x.unsqueeze(1) for 1-lead beats"
            )
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"{name} expects x with {self.in_channels} channel(s) (leads), got "
                f"{x.shape[1]}; build the model with in_channels={x.shape[1]}"
            )
        if x.shape[2] < self.min_input_length:
            raise ValueError(
                f"{name} needs beats of at least {self.min_input_length} samples, got "
                f"{x.shape[2]}; use a wider beat window"
            )
        if fixed_length and x.shape[2] != self.input_length:
            raise ValueError(
                f"{name} was built for beats of {self.input_length} samples, got "
                f"{x.shape[2]}; build the model with input_length={x.shape[2]}"
            )
        if not self.uses_rr:
            return
        if rr is None:
            raise ValueError(
                f"{name} consumes RR-interval features: call model(x, rr) with rr of shape "
                f"(batch, {self.num_rr_features}), e.g. torch.from_numpy(beats.rr)"
            )
        if not isinstance(rr, torch.Tensor):
            raise TypeError(f"{name} expects rr as a torch.Tensor, got {type(rr).__name__}")
        if rr.shape != (x.shape[0], self.num_rr_features):
            raise ValueError(
                f"{name} expects rr of shape (batch, num_rr_features) = "
                f"({x.shape[0]}, {self.num_rr_features}), got {tuple(rr.shape)}; the model "
                f"was built with num_rr_features={self.num_rr_features}"
            )
