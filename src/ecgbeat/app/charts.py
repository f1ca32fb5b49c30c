"""The dashboard's charts of one classified record, each a function returning a Figure.

Like :mod:`ecgbeat.plots`, figures are built with :class:`matplotlib.figure.Figure` directly
(no pyplot state), so a Streamlit server can draw them from several sessions at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

__all__ = ["beat_map", "class_colors", "mark_beats", "probability_distributions"]


def class_colors(classes: Sequence[str]) -> dict[str, Any]:
    """One colour per class, the same in every chart (matplotlib's tab10 cycle).

    Examples
    --------
    >>> colors = class_colors(["N", "V"])
    >>> sorted(colors), len(colors["V"])
    (['N', 'V'], 4)
    """
    cmap = colormaps["tab10"]
    return {str(name): cmap(k % 10) for k, name in enumerate(classes)}


def _check_beats(time_s: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    time_s = np.asarray(time_s, dtype=float)
    labels = np.asarray(labels).astype(str)
    if time_s.ndim != 1 or time_s.shape != labels.shape:
        raise ValueError(
            f"time_s and labels must be 1-D arrays of the same length (one entry per beat), "
            f"got shapes {time_s.shape} and {labels.shape}"
        )
    return time_s, labels


def mark_beats(
    fig: Figure,
    time_s: np.ndarray,
    labels: np.ndarray,
    *,
    classes: Sequence[str],
    normal: str = "N",
    selected_s: float | None = None,
) -> Figure:
    """Shade the abnormal beats of a strip chart in their class colour and mark the selected one.

    Works on any figure whose axes have time in seconds on x, such as
    :func:`ecgbeat.plots.record_strip`; each beat is shaded on the axes whose x range
    holds it. The figure is changed in place and returned.

    Parameters
    ----------
    fig : Figure
        The strip chart.
    time_s, labels : ndarray of shape (n_beats,)
        R-peak time in seconds and predicted class of each beat (``""``: no prediction,
        not shaded).
    classes : sequence of str
        Every class name (fixes the colours).
    normal : str
        The class that is not shaded.
    selected_s : float, optional
        Time of the selected beat, drawn as a dashed line.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = Figure()
    >>> ax = fig.add_subplot()
    >>> ax.set_xlim(0, 10)
    (0.0, 10.0)
    >>> fig = mark_beats(fig, np.array([2.0, 4.0, 12.0]), np.array(["N", "V", "V"]),
    ...                  classes=["N", "V"], selected_s=4.0)
    >>> len(ax.patches), len(ax.lines)
    (1, 1)
    """
    time_s, labels = _check_beats(time_s, labels)
    colors = class_colors(classes)
    abnormal = (labels != normal) & np.isin(labels, list(colors))
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        for when, label in zip(time_s[abnormal], labels[abnormal], strict=True):
            if lo <= when <= hi:
                # The span covers the QRS complex and the start of the T wave.
                ax.axvspan(when - 0.15, when + 0.3, color=colors[label], alpha=0.2, linewidth=0)
        if selected_s is not None and lo <= selected_s <= hi:
            ax.axvline(selected_s, color="black", linestyle="--", linewidth=1.0)
    return fig


def beat_map(
    time_s: np.ndarray,
    labels: np.ndarray,
    *,
    classes: Sequence[str],
    duration_s: float,
    window: tuple[float, float] | None = None,
) -> Figure:
    """Every beat of the record on one row per class: where the abnormal beats are.

    Parameters
    ----------
    time_s, labels : ndarray of shape (n_beats,)
        R-peak time in seconds and predicted class of each beat.
    classes : sequence of str
        Class names, one row each (top to bottom).
    duration_s : float
        Length of the record in seconds.
    window : (float, float), optional
        The part shown in the strip chart, drawn as a grey band.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = beat_map(np.array([1.0, 2.0]), np.array(["N", "V"]), classes=["N", "V"],
    ...                duration_s=3.0)
    >>> [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    ['N (1)', 'V (1)']
    """
    time_s, labels = _check_beats(time_s, labels)
    names = [str(c) for c in classes]
    colors = class_colors(names)
    fig = Figure(figsize=(12.0, 0.5 + 0.28 * len(names)), facecolor="white", layout="constrained")
    ax = fig.add_subplot()
    for row, name in enumerate(names):
        members = time_s[labels == name]
        ax.scatter(members, np.full(len(members), row), marker="|", s=120, color=colors[name])
    ax.set_yticks(
        np.arange(len(names)), [f"{name} ({int(np.sum(labels == name))})" for name in names]
    )
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0.0, duration_s)
    if window is not None:
        ax.axvspan(*window, color="gray", alpha=0.2, linewidth=0)
    ax.set_xlabel("time (s)")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def probability_distributions(
    proba: np.ndarray, labels: np.ndarray, *, classes: Sequence[str]
) -> Figure:
    """Histogram of each class's probability over all beats, split by predicted class.

    In the panel of class ``c`` the beats predicted as ``c`` are coloured, the others
    grey; a well-separated model puts the coloured beats near 1 and the grey ones near 0,
    and beats in between are the ones to check.

    Parameters
    ----------
    proba : ndarray of shape (n_beats, n_classes)
        Predicted probabilities.
    labels : ndarray of shape (n_beats,)
        Predicted class of each beat.
    classes : sequence of str
        Class names, in the column order of ``proba``.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> fig = probability_distributions(proba, np.array(["N", "V", "N"]), classes=["N", "V"])
    >>> [ax.get_title() for ax in fig.axes]
    ['p(N): 2 beats predicted N', 'p(V): 1 beats predicted V']
    """
    proba = np.asarray(proba, dtype=float)
    names = [str(c) for c in classes]
    labels = np.asarray(labels).astype(str)
    if proba.ndim != 2 or proba.shape[1] != len(names) or len(proba) != len(labels):
        raise ValueError(
            f"proba must have shape (n_beats, {len(names)}) with one row per label, got "
            f"{proba.shape} and {len(labels)} labels"
        )
    colors = class_colors(names)
    bins = np.linspace(0.0, 1.0, 21)
    fig = Figure(figsize=(12.0, 2.8), facecolor="white", layout="constrained")
    axes = fig.subplots(1, len(names), sharex=True, squeeze=False)[0]
    for k, (name, ax) in enumerate(zip(names, axes, strict=True)):
        mine = labels == name
        ax.hist(
            [proba[~mine, k], proba[mine, k]],
            bins=bins,
            stacked=True,
            color=["lightgray", colors[name]],
            label=["other", name],
        )
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_title(f"p({name}): {int(mine.sum())} beats predicted {name}", fontsize=9)
        ax.set_xlabel(f"probability of {name}")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("beats")
    return fig
