"""The model registry: register model builders by name, list them, create models by name.

A builder is a function that takes the four contract sizes as keywords
(``num_classes``, ``in_channels``, ``input_length``, ``num_rr_features``) plus its own
options, and returns an ``nn.Module`` whose ``forward(x, rr=None)`` returns logits.
The zoo registers its models with :func:`register_model`; users register theirs the
same way and build every model through :func:`create_model`.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable
from typing import Any, TypeVar, overload

from torch import nn

from ecgbeat.models.base import check_model_sizes

__all__ = ["create_model", "list_models", "register_model"]

Builder = TypeVar("Builder", bound=Callable[..., nn.Module])

# The one piece of module state: name -> builder, filled by the @register_model decorators
# when the model modules are imported (the usual registry pattern of model zoos).
_MODEL_BUILDERS: dict[str, Callable[..., nn.Module]] = {}


@overload
def register_model(fn: Builder, /) -> Builder: ...


@overload
def register_model(
    fn: None = None, /, *, name: str | None = None, overwrite: bool = False
) -> Callable[[Builder], Builder]: ...


def register_model(
    fn: Builder | None = None, /, *, name: str | None = None, overwrite: bool = False
) -> Builder | Callable[[Builder], Builder]:
    """Register a model builder under its function name (or ``name``); use as a decorator.

    Parameters
    ----------
    fn : callable, optional
        The builder, when used as a bare ``@register_model``.
    name : str, optional
        Registry name; defaults to ``fn.__name__``.
    overwrite : bool
        Replace a builder already registered under the same name; without it a duplicate
        name raises.

    Returns
    -------
    callable
        The builder itself (unchanged), or a decorator when called with keywords only.

    Raises
    ------
    ValueError
        If the name is already registered and ``overwrite`` is False, or is not a valid name.

    Examples
    --------
    >>> import torch
    >>> @register_model(name="doc_linear")
    ... def linear(*, num_classes=5, in_channels=1, input_length=256, num_rr_features=0):
    ...     return torch.nn.Sequential(
    ...         torch.nn.Flatten(), torch.nn.Linear(in_channels * input_length, num_classes))
    >>> create_model("doc_linear", num_classes=3, input_length=187).__class__.__name__
    'Sequential'
    >>> "doc_linear" in list_models()
    True
    """

    def decorator(builder: Builder) -> Builder:
        if not callable(builder):
            raise TypeError(f"register_model expects a callable builder, got {builder!r}")
        key = builder.__name__ if name is None else name
        if not isinstance(key, str) or not key.strip() or key != key.strip():
            raise ValueError(f"a model name must be a non-empty string without spaces, got {key!r}")
        if key in _MODEL_BUILDERS and not overwrite:
            raise ValueError(
                f"a model named {key!r} is already registered; choose another name, or pass "
                f"register_model(name={key!r}, overwrite=True) to replace it"
            )
        _MODEL_BUILDERS[key] = builder
        return builder

    return decorator if fn is None else decorator(fn)


def list_models(pattern: str | None = None) -> list[str]:
    """Names of the registered models, sorted.

    Parameters
    ----------
    pattern : str, optional
        Shell-style wildcard (``fnmatch``) the names must match, e.g. ``"cnn*"``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_models("cnn*")
    ['cnn3', 'cnn_bilstm', 'cnn_lstm', 'cnn_stages']
    """
    names = sorted(_MODEL_BUILDERS)
    if pattern is None:
        return names
    return [n for n in names if fnmatch.fnmatchcase(n, pattern)]


def create_model(
    name: str,
    *,
    num_classes: int = 5,
    in_channels: int = 1,
    input_length: int = 256,
    num_rr_features: int = 0,
    **kwargs: Any,
) -> nn.Module:
    """Build a registered model by name.

    Parameters
    ----------
    name : str
        Registry name (see :func:`list_models`).
    num_classes : int
        Number of output logits (classes).
    in_channels : int
        Number of ECG leads of each beat.
    input_length : int
        Number of samples of each beat.
    num_rr_features : int
        Number of RR-interval features per beat (``beats.rr.shape[1]``); models that do
        not consume RR features ignore it.
    **kwargs
        Model-specific options (e.g. ``dropout``). Options set to None are dropped, so the
        model keeps its own default for them.

    Returns
    -------
    nn.Module
        The model, in training mode, with the attribute ``model_config``: the arguments
        that rebuild it with ``create_model(**model.model_config)``.

    Raises
    ------
    ValueError
        If ``name`` is not registered (the message lists the known names) or a size is
        out of range.
    TypeError
        If a size is not an int, or the builder does not return an ``nn.Module``.

    Examples
    --------
    >>> import torch
    >>> model = create_model("cnn3", num_classes=5, input_length=187, dropout=None)
    >>> model(torch.zeros(2, 1, 187)).shape
    torch.Size([2, 5])
    >>> model.model_config["name"], model.model_config["input_length"]
    ('cnn3', 187)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a registered model name (str), got {name!r}")
    if name not in _MODEL_BUILDERS:
        close = difflib.get_close_matches(name, _MODEL_BUILDERS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(
            f"unknown model {name!r}; {hint}known models: {', '.join(list_models())}. "
            "Register your own with @ecgbeat.models.register_model"
        )
    check_model_sizes(
        num_classes=num_classes,
        in_channels=in_channels,
        input_length=input_length,
        num_rr_features=num_rr_features,
    )
    options = {key: value for key, value in kwargs.items() if value is not None}
    sizes = {
        "num_classes": num_classes,
        "in_channels": in_channels,
        "input_length": input_length,
        "num_rr_features": num_rr_features,
    }
    model = _MODEL_BUILDERS[name](**sizes, **options)
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"the builder registered as {name!r} returned {type(model).__name__}, "
            "not a torch.nn.Module"
        )
    model.model_config = {"name": name, **sizes, **options}
    return model
