"""Pretrained classifiers shipped inside the package, loadable offline."""

from __future__ import annotations

from pathlib import Path

import torch

from ecgbeat.training import Classifier, load

__all__ = ["PRETRAINED", "list_pretrained", "load_pretrained"]

_FOLDER = Path(__file__).resolve().parent / "_pretrained"

#: Shipped checkpoints: name -> file in the package. Each one's model card is in the docs
#: ("Pretrained model").
PRETRAINED: dict[str, str] = {
    "beatfusion-mitdb-ds1": "beatfusion-mitdb-ds1.pt",
}


def list_pretrained() -> list[str]:
    """Names of the pretrained classifiers shipped with this version.

    Examples
    --------
    >>> list_pretrained()
    ['beatfusion-mitdb-ds1']
    """
    return sorted(PRETRAINED)


def load_pretrained(
    name: str = "beatfusion-mitdb-ds1", *, device: str | torch.device = "cpu"
) -> Classifier:
    """Load a shipped classifier (no download).

    Parameters
    ----------
    name : str
        One of :func:`list_pretrained`. ``"beatfusion-mitdb-ds1"``: an ensemble of three
        ``beatfusion`` models (seeds 0-2) trained on the MIT-BIH DS1 records
        (inter-patient protocol), AAMI classes, its probabilities smoothed within records
        (``clf.smoothing``, the recipe's ``INTER_PATIENT_SMOOTHING``).
    device : str or torch.device
        Where inference runs.

    Returns
    -------
    Classifier
        With the preprocessing it was trained with (``clf.config``), ready for
        ``clf.predict(beats)`` and ``clf.predict_record(signal, fs=...)``.

    Examples
    --------
    >>> clf = load_pretrained()
    >>> clf.classes
    ('N', 'S', 'V', 'F', 'Q')
    """
    if name not in PRETRAINED:
        raise ValueError(f"unknown pretrained model {name!r}; available: {list_pretrained()}")
    return load(_FOLDER / PRETRAINED[name], device=device)
