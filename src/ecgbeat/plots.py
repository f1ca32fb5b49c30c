"""Every chart of ecgbeat, each a function that takes arrays or dicts and returns a Figure.

Figures are built with :class:`matplotlib.figure.Figure` directly rather than through
``pyplot``, so nothing is registered in pyplot's global list of open figures, nothing
needs closing, and the functions work on a headless machine (Agg) as well as in a
notebook, which displays a returned Figure as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

from ecgbeat.evaluation.calibration import expected_calibration_error, reliability_curve
from ecgbeat.files import refuse_overwrite

__all__ = [
    "class_distribution",
    "confusion_matrix",
    "gradcam_beat",
    "gradcam_gallery",
    "loss_curves",
    "metric_curves",
    "per_class_metrics",
    "pr_curves",
    "record_strip",
    "reliability_diagram",
    "roc_curves",
    "save_figure",
]

#: Resolution of saved figures.
SAVE_DPI = 200


def _figure(width: float, height: float) -> Figure:
    """A white figure with constrained layout (labels never overlap)."""
    return Figure(figsize=(width, height), facecolor="white", layout="constrained")


def _class_colors(n: int) -> list[Any]:
    """One distinct colour per class, stable across charts."""
    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def _style(ax: Axes) -> None:
    """Light grid behind the data, no top/right frame."""
    ax.grid(True, alpha=0.3, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def save_figure(fig: Figure, path: str | Path, *, overwrite: bool = True) -> Path:
    """Save a figure as an image (format from the suffix, PNG by default) at 200 dpi.

    Parameters
    ----------
    fig : Figure
        The chart.
    path : str or Path
        Destination; parent folders are created. Without a suffix ``.png`` is added.
    overwrite : bool
        When False, refuse to replace an existing file.

    Returns
    -------
    Path
        Where the figure was written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig = class_distribution({"N": 90, "V": 10})
    >>> out = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "dist")
    >>> out.suffix, out.stat().st_size > 0
    ('.png', True)
    """
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".png")
    refuse_overwrite(path, overwrite=overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=SAVE_DPI, facecolor="white", bbox_inches="tight")
    return path


def class_distribution(
    counts_before: Mapping[str, int],
    counts_after: Mapping[str, int] | None = None,
    *,
    log: bool = False,
    labels: tuple[str, str] = ("before balancing", "after balancing"),
    title: str = "Beats per class",
) -> Figure:
    """Bar chart of beats per class, optionally before and after resampling side by side.

    Parameters
    ----------
    counts_before : mapping of str to int
        Beats per class, e.g. ``BeatSet.class_counts()``.
    counts_after : mapping of str to int, optional
        A second distribution (after SMOTE, under-sampling, ...) drawn next to the first.
    log : bool
        Logarithmic count axis; useful when one class has 100x the beats of another.
    labels : tuple of str
        Legend names of the two distributions.
    title : str
        Figure title.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = class_distribution({"N": 900, "S": 30}, {"N": 500, "S": 500}, log=True)
    >>> fig.axes[0].get_title()
    'Beats per class'
    """
    if not counts_before:
        raise ValueError("counts_before is empty; pass a mapping class -> number of beats")
    classes = list(counts_before)
    if counts_after is not None:
        classes += [c for c in counts_after if c not in counts_before]
    series = [(labels[0], counts_before)]
    if counts_after is not None:
        series.append((labels[1], counts_after))
    fig = _figure(max(5.0, 1.1 * len(classes) + 2), 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(classes))
    width = 0.8 / len(series)
    for k, (name, counts) in enumerate(series):
        values = np.array([counts.get(c, 0) for c in classes], dtype=float)
        bars = ax.bar(x + (k - (len(series) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, labels=[f"{int(v):,}" for v in values], fontsize=7, padding=2)
    ax.set_xticks(x, classes)
    ax.set_xlabel("class")
    ax.set_ylabel("beats (log scale)" if log else "beats")
    if log:
        ax.set_yscale("log")
    ax.margins(y=0.15)
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(frameon=False, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    _style(ax)
    return fig


def _history_series(history: Sequence[Mapping[str, Any]], key: str) -> tuple[np.ndarray, ...]:
    """Epochs and values of one history key, skipping epochs that lack it."""
    rows = [
        (row.get("epoch", i + 1), row[key])
        for i, row in enumerate(history)
        if row.get(key) is not None
    ]
    if not rows:
        return np.array([]), np.array([])
    epochs, values = zip(*rows, strict=True)
    return np.asarray(epochs, dtype=float), np.asarray(values, dtype=float)


def _curves(
    history: Sequence[Mapping[str, Any]],
    series: Mapping[str, str],
    *,
    ylabel: str,
    title: str,
    mark_best: str | None,
    best_is_max: bool,
) -> Figure:
    """Shared body of the per-epoch charts: one line per history key that is present."""
    if not isinstance(history, Sequence) or not all(isinstance(r, Mapping) for r in history):
        raise TypeError("history must be a list of per-epoch dicts, e.g. [{'epoch': 1, ...}]")
    present = {key: _history_series(history, key) for key in series}
    present = {k: v for k, v in present.items() if v[0].size}
    if not present:
        raise ValueError(
            f"history has none of the keys {list(series)}; nothing to plot "
            "(did training run for at least one epoch with validation?)"
        )
    fig = _figure(6.0, 4.0)
    ax = fig.add_subplot()
    for key, (epochs, values) in present.items():
        ax.plot(epochs, values, marker="o", markersize=3, label=series[key])
    if mark_best in present:
        epochs, values = present[mark_best]
        best = int(np.nanargmax(values) if best_is_max else np.nanargmin(values))
        ax.axvline(epochs[best], color="0.5", linestyle=":", linewidth=1)
        # Keep the label inside the axes: to the left of the line in the second half.
        late = epochs[best] > (epochs.min() + epochs.max()) / 2
        ax.annotate(
            f"best: epoch {epochs[best]:g}",
            (epochs[best], values[best]),
            textcoords="offset points",
            xytext=(-5 if late else 5, 8),
            ha="right" if late else "left",
            fontsize=8,
            color="0.3",
        )
    lr = _history_series(history, "lr")
    if lr[0].size and len(np.unique(lr[1])) > 1:
        # A changing learning rate explains kinks in the curves; draw it on its own axis.
        ax2 = ax.twinx()
        ax2.plot(*lr, color="0.6", linestyle="--", linewidth=1, label="learning rate")
        ax2.set_yscale("log")
        ax2.set_ylabel("learning rate", color="0.4")
        ax2.spines[["top"]].set_visible(False)
        handles = ax.get_legend_handles_labels()
        extra = ax2.get_legend_handles_labels()
        ax.legend(handles[0] + extra[0], handles[1] + extra[1], frameon=False, loc="best")
    else:
        ax.legend(frameon=False)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _style(ax)
    return fig


def loss_curves(history: Sequence[Mapping[str, Any]]) -> Figure:
    """Training and validation loss per epoch (learning rate on a second axis if it varies).

    Parameters
    ----------
    history : list of dict
        One dict per epoch with any of ``epoch``, ``train_loss``, ``val_loss``, ``lr``.

    Returns
    -------
    Figure

    Examples
    --------
    >>> h = [{"epoch": 1, "train_loss": 1.0, "val_loss": 1.1},
    ...      {"epoch": 2, "train_loss": 0.6, "val_loss": 0.8}]
    >>> loss_curves(h).axes[0].get_ylabel()
    'loss'
    """
    return _curves(
        history,
        {"train_loss": "training loss", "val_loss": "validation loss"},
        ylabel="loss",
        title="Loss per epoch",
        mark_best="val_loss",
        best_is_max=False,
    )


def metric_curves(history: Sequence[Mapping[str, Any]]) -> Figure:
    """Validation accuracy and macro F1 per epoch.

    Parameters
    ----------
    history : list of dict
        One dict per epoch with any of ``epoch``, ``train_accuracy``, ``val_accuracy``,
        ``val_macro_f1``, ``lr``.

    Returns
    -------
    Figure

    Examples
    --------
    >>> h = [{"epoch": 1, "val_accuracy": 0.8, "val_macro_f1": 0.5},
    ...      {"epoch": 2, "val_accuracy": 0.9, "val_macro_f1": 0.6}]
    >>> metric_curves(h).axes[0].get_title()
    'Validation metrics per epoch'
    """
    return _curves(
        history,
        {
            "train_accuracy": "training accuracy",
            "val_accuracy": "validation accuracy",
            "val_macro_f1": "validation macro F1",
        },
        ylabel="score",
        title="Validation metrics per epoch",
        mark_best="val_macro_f1",
        best_is_max=True,
    )


def confusion_matrix(
    cm: np.ndarray | Sequence[Sequence[int]],
    classes: Sequence[str],
    *,
    normalize: bool = False,
    title: str | None = None,
) -> Figure:
    """Heat map of a confusion matrix (rows = true class), counts or row-normalised.

    Parameters
    ----------
    cm : array-like of shape (n_classes, n_classes)
        Counts, rows = true class, columns = predicted class.
    classes : sequence of str
        Class names.
    normalize : bool
        Divide each row by its sum: the diagonal then reads as per-class recall. Rows with
        no beats stay at zero.
    title : str, optional
        Defaults to "Confusion matrix (counts)" or "Confusion matrix (row-normalised)".

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = confusion_matrix([[50, 2], [5, 10]], ["N", "V"], normalize=True)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['N', 'V']
    """
    counts = np.asarray(cm, dtype=float)
    names = [str(c) for c in classes]
    if counts.shape != (len(names), len(names)):
        raise ValueError(
            f"cm must be square with one row per class: got shape {counts.shape} for "
            f"{len(names)} classes"
        )
    rows = counts.sum(axis=1, keepdims=True)
    shown = (
        np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0) if normalize else counts
    )
    size = max(4.0, 0.9 * len(names) + 2.0)
    fig = _figure(size + 0.8, size)
    ax = fig.add_subplot()
    if normalize:
        image = ax.imshow(shown, cmap="Blues", vmin=0.0, vmax=1.0)
    else:
        # Counts span orders of magnitude (N vs F); a log colour scale keeps small cells visible.
        image = ax.imshow(
            np.where(shown > 0, shown, np.nan),
            cmap="Blues",
            norm=LogNorm(vmin=1, vmax=max(shown.max(), 1.0)),
        )
    fig.colorbar(image, ax=ax, shrink=0.8, label="fraction of true class" if normalize else "beats")
    cutoff = 0.5 if normalize else np.sqrt(max(shown.max(), 1.0))
    for i in range(len(names)):
        for j in range(len(names)):
            value = shown[i, j]
            text = f"{value:.2f}" if normalize else f"{int(value):,}"
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8 if len(names) > 6 else 10,
                color="white" if value > cutoff else "black",
            )
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    default = "Confusion matrix (row-normalised)" if normalize else "Confusion matrix (counts)"
    ax.set_title(title or default)
    return fig


def _per_class_table(report_or_dict: Any) -> dict[str, Mapping[str, float]]:
    """Find ``{class: {precision, recall, f1, ...}}`` in a report, metrics or a dict."""
    data = report_or_dict.to_dict() if hasattr(report_or_dict, "to_dict") else report_or_dict
    if not isinstance(data, Mapping):
        raise TypeError(
            "per_class_metrics needs an EvaluationReport, ClassificationMetrics or a dict "
            f"class -> {{'precision', 'recall', 'f1'}}, got {type(report_or_dict).__name__}"
        )
    data = data.get("metrics", data)
    data = data.get("per_class", data)
    for name, row in data.items():
        if not isinstance(row, Mapping) or not {"precision", "recall", "f1"} <= set(row):
            raise ValueError(
                f"entry {name!r} lacks precision/recall/f1; pass a dict "
                "class -> {'precision': p, 'recall': r, 'f1': f}"
            )
    return dict(data)


def per_class_metrics(report_or_dict: Any, *, title: str = "Per-class metrics") -> Figure:
    """Grouped bars of precision, recall (sensitivity) and F1 of each class.

    Parameters
    ----------
    report_or_dict : EvaluationReport, ClassificationMetrics or dict
        Anything with per-class scores: a report, its ``to_dict()``, or
        ``{class: {"precision": p, "recall": r, "f1": f}}``.
    title : str
        Figure title.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = per_class_metrics({"N": {"precision": 0.99, "recall": 0.95, "f1": 0.97},
    ...                          "V": {"precision": 0.80, "recall": 0.90, "f1": 0.85}})
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['precision', 'recall', 'F1']
    """
    table = _per_class_table(report_or_dict)
    classes = list(table)
    fig = _figure(max(5.5, 1.3 * len(classes) + 2), 4.0)
    ax = fig.add_subplot()
    x = np.arange(len(classes))
    keys = (("precision", "precision"), ("recall", "recall"), ("f1", "F1"))
    width = 0.8 / len(keys)
    for k, (key, label) in enumerate(keys):
        values = [float(table[c][key]) for c in classes]
        bars = ax.bar(x + (k - 1) * width, values, width, label=label)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=6, padding=1)
    ax.set_xticks(x, classes)
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("class")
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.legend(frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    _style(ax)
    return fig


def _check_scores(
    y_true: np.ndarray | Sequence[int], proba: np.ndarray, classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Validate labels and class probabilities for the curve charts."""
    y = np.asarray(y_true)
    p = np.asarray(proba, dtype=float)
    names = [str(c) for c in classes]
    if p.ndim != 2 or p.shape != (len(y), len(names)):
        raise ValueError(
            f"proba must have shape (n_beats, n_classes) = ({len(y)}, {len(names)}), got {p.shape}"
        )
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise ValueError(f"y_true must hold class indices in [0, {len(names) - 1}]")
    return y.astype(np.int64), p, names


def _one_vs_rest_curves(
    y_true: np.ndarray | Sequence[int],
    proba: np.ndarray,
    classes: Sequence[str],
    *,
    kind: str,
) -> Figure:
    """ROC or precision-recall curve of each class against the rest."""
    y, p, names = _check_scores(y_true, proba, classes)
    fig = _figure(5.5, 5.0)
    ax = fig.add_subplot()
    for k, (name, color) in enumerate(zip(names, _class_colors(len(names)), strict=True)):
        positive = y == k
        if positive.all() or not positive.any():
            # One-vs-rest curves need beats of both kinds; say so instead of a flat line.
            ax.plot(
                [],
                [],
                color=color,
                label=f"{name} (no {'beats' if not positive.any() else 'negatives'})",
            )
            continue
        if kind == "roc":
            fpr, tpr, _ = roc_curve(positive, p[:, k])
            ax.plot(fpr, tpr, color=color, label=f"{name} (AUC {auc(fpr, tpr):.3f})")
        else:
            precision, recall, _ = precision_recall_curve(positive, p[:, k])
            ap = average_precision_score(positive, p[:, k])
            ax.plot(
                recall,
                precision,
                color=color,
                label=f"{name} (AP {ap:.3f})",
                drawstyle="steps-post",
            )
    if kind == "roc":
        ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="chance")
        ax.set_xlabel("false positive rate (1 - specificity)")
        ax.set_ylabel("true positive rate (sensitivity)")
        ax.set_title("ROC curves (one vs rest)")
        loc = "lower right"
    else:
        ax.set_xlabel("recall (sensitivity)")
        ax.set_ylabel("precision (+P)")
        ax.set_title("Precision-recall curves (one vs rest)")
        loc = "lower left"
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.legend(frameon=False, fontsize=8, loc=loc)
    _style(ax)
    return fig


def roc_curves(
    y_true: np.ndarray | Sequence[int], proba: np.ndarray, classes: Sequence[str]
) -> Figure:
    """One-vs-rest ROC curve of each class, with its AUC in the legend.

    Parameters
    ----------
    y_true : array-like of shape (n_beats,)
        True class indices.
    proba : ndarray of shape (n_beats, n_classes)
        Predicted class probabilities.
    classes : sequence of str
        Class names.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.7, 0.3]])
    >>> roc_curves([0, 1, 1, 0], p, ["N", "V"]).axes[0].get_legend_handles_labels()[1][0]
    'N (AUC 1.000)'
    """
    return _one_vs_rest_curves(y_true, proba, classes, kind="roc")


def pr_curves(
    y_true: np.ndarray | Sequence[int], proba: np.ndarray, classes: Sequence[str]
) -> Figure:
    """One-vs-rest precision-recall curve of each class, with its average precision.

    More telling than ROC for rare classes (S, F): a low +P hides behind a good AUC.

    Parameters
    ----------
    y_true : array-like of shape (n_beats,)
        True class indices.
    proba : ndarray of shape (n_beats, n_classes)
        Predicted class probabilities.
    classes : sequence of str
        Class names.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.7, 0.3]])
    >>> pr_curves([0, 1, 1, 0], p, ["N", "V"]).axes[0].get_xlabel()
    'recall (sensitivity)'
    """
    return _one_vs_rest_curves(y_true, proba, classes, kind="pr")


def _waveform_with_cam(ax: Axes, x: np.ndarray, cam: np.ndarray, *, fs: float | None) -> Any:
    """Draw one lead over a heat strip of the relevance map; return the heat image."""
    t = np.arange(len(x)) / fs if fs else np.arange(len(x))
    lo, hi = float(np.min(x)), float(np.max(x))
    pad = 0.1 * (hi - lo or 1.0)
    image = ax.imshow(
        np.asarray(cam, dtype=float)[None, :],
        extent=(t[0], t[-1], lo - pad, hi + pad),
        aspect="auto",
        cmap="YlOrRd",
        vmin=0.0,
        vmax=1.0,
        alpha=0.7,
        interpolation="bilinear",
    )
    ax.plot(t, x, color="black", linewidth=1.0)
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(lo - pad, hi + pad)
    return image


def _check_cams(X: np.ndarray, cams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    cams = np.asarray(cams, dtype=float)
    if X.ndim == 2:
        X = X[:, None, :]
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n_beats, n_leads, n_samples), got {X.shape}")
    if cams.shape != (X.shape[0], X.shape[2]):
        raise ValueError(
            f"cams must have shape (n_beats, n_samples) = ({X.shape[0]}, {X.shape[2]}), "
            f"got {cams.shape}; upsample the Grad-CAM maps to the beat length first"
        )
    return X, cams


def gradcam_gallery(
    X: np.ndarray,
    cams: np.ndarray,
    y: np.ndarray | Sequence[int],
    classes: Sequence[str],
    *,
    per_class: int = 3,
    fs: float | None = None,
    lead: int = 0,
) -> Figure:
    """Grid of beats with their Grad-CAM maps, one row per class that has beats.

    Parameters
    ----------
    X : ndarray of shape (n_beats, n_leads, n_samples)
        Beat waveforms.
    cams : ndarray of shape (n_beats, n_samples)
        Relevance of each sample, in [0, 1].
    y : array-like of shape (n_beats,)
        Class index of each beat (true or predicted; the row it goes to).
    classes : sequence of str
        Class names.
    per_class : int
        Beats per row; the first ``per_class`` beats of each class are drawn.
    fs : float, optional
        Sampling rate; when given the x axis is in seconds, else in samples.
    lead : int
        Which lead to draw.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> X = np.sin(np.linspace(0, 6, 100))[None, None, :].repeat(4, axis=0)
    >>> cams = np.tile(np.linspace(0, 1, 100), (4, 1))
    >>> fig = gradcam_gallery(X, cams, [0, 0, 1, 1], ["N", "V"], per_class=2)
    >>> fig.axes[0].get_ylabel()
    'N'
    """
    X, cams = _check_cams(X, cams)
    y = np.asarray(y, dtype=np.int64)
    names = [str(c) for c in classes]
    if y.shape != (len(X),):
        raise ValueError(f"y must have one class index per beat ({len(X)}), got {y.shape}")
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    if not 0 <= lead < X.shape[1]:
        raise ValueError(f"lead {lead} out of range for {X.shape[1]} leads")
    rows = [k for k in range(len(names)) if np.any(y == k)]
    if not rows:
        raise ValueError("no beats to draw: y is empty")
    fig = _figure(2.6 * per_class + 1.0, 1.7 * len(rows) + 0.8)
    axes = fig.subplots(len(rows), per_class, squeeze=False, sharex=True)
    image = None
    for r, k in enumerate(rows):
        members = np.flatnonzero(y == k)[:per_class]
        for c in range(per_class):
            ax = axes[r, c]
            if c >= len(members):
                ax.axis("off")
                continue
            i = members[c]
            image = _waveform_with_cam(ax, X[i, lead], cams[i], fs=fs)
            ax.set_yticks([])
            ax.set_title(f"beat {i}", fontsize=8)
            if c == 0:
                ax.set_ylabel(names[k], fontsize=12, rotation=0, labelpad=15, va="center")
        for ax in axes[r]:
            ax.tick_params(labelsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("time (s)" if fs else "sample", fontsize=8)
    fig.colorbar(image, ax=axes, shrink=0.6, label="Grad-CAM relevance")
    fig.suptitle("Grad-CAM: where the model looks, per class")
    return fig


def gradcam_beat(
    x: np.ndarray,
    cam: np.ndarray,
    proba: np.ndarray | Sequence[float],
    classes: Sequence[str],
    *,
    fs: float | None = None,
    lead: int = 0,
    title: str | None = None,
) -> Figure:
    """One beat with its Grad-CAM map, next to the predicted class probabilities.

    Parameters
    ----------
    x : ndarray of shape (n_leads, n_samples) or (n_samples,)
        The beat.
    cam : ndarray of shape (n_samples,)
        Relevance of each sample, in [0, 1].
    proba : array-like of shape (n_classes,)
        Predicted probability of each class.
    classes : sequence of str
        Class names.
    fs : float, optional
        Sampling rate; when given the x axis is in seconds.
    lead : int
        Which lead to draw.
    title : str, optional
        Title of the waveform panel; defaults to the predicted class.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = gradcam_beat(np.sin(np.linspace(0, 6, 100)), np.linspace(0, 1, 100),
    ...                    [0.1, 0.9], ["N", "V"])
    >>> fig.axes[0].get_title(), fig.axes[1].get_xlabel()
    ('predicted V (p = 0.90)', 'probability')
    """
    X, cams = _check_cams(np.atleast_2d(np.asarray(x))[None], np.asarray(cam)[None])
    p = np.asarray(proba, dtype=float)
    names = [str(c) for c in classes]
    if p.shape != (len(names),):
        raise ValueError(f"proba must hold one probability per class ({len(names)}), got {p.shape}")
    if not 0 <= lead < X.shape[1]:
        raise ValueError(f"lead {lead} out of range for {X.shape[1]} leads")
    fig = _figure(9.0, 3.2)
    grid = fig.add_gridspec(1, 2, width_ratios=(3, 1))
    ax = fig.add_subplot(grid[0])
    image = _waveform_with_cam(ax, X[0, lead], cams[0], fs=fs)
    best = int(np.argmax(p))
    ax.set_title(title or f"predicted {names[best]} (p = {p[best]:.2f})")
    ax.set_xlabel("time (s)" if fs else "sample")
    ax.set_ylabel("amplitude")
    bar_ax = fig.add_subplot(grid[1])
    colors = ["tab:red" if k == best else "tab:gray" for k in range(len(names))]
    bars = bar_ax.barh(np.arange(len(names)), p, color=colors)
    bar_ax.bar_label(bars, labels=[f"{v:.2f}" for v in p], fontsize=8, padding=2)
    bar_ax.set_yticks(np.arange(len(names)), names)
    bar_ax.invert_yaxis()
    bar_ax.set_xlim(0, 1.15)
    bar_ax.set_xlabel("probability")
    bar_ax.set_title("class probabilities")
    _style(bar_ax)
    fig.colorbar(image, ax=ax, pad=0.01, label="Grad-CAM relevance")
    return fig


def reliability_diagram(
    proba: np.ndarray, y_true: np.ndarray | Sequence[int], *, n_bins: int = 15
) -> Figure:
    """Accuracy against confidence of the top class, with the beat count of each bin.

    A calibrated model's bars sit on the diagonal; bars below it mean over-confidence.

    Parameters
    ----------
    proba : ndarray of shape (n_beats, n_classes)
        Predicted class probabilities.
    y_true : array-like of shape (n_beats,)
        True class indices.
    n_bins : int
        Number of equal-width confidence bins in [0, 1].

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7]])
    >>> fig = reliability_diagram(p, [0, 1, 1, 1], n_bins=5)
    >>> fig.axes[0].get_ylabel(), fig.axes[1].get_xlabel()
    ('accuracy', 'confidence (top-class probability)')
    """
    p = np.asarray(proba, dtype=float)
    y = np.asarray(y_true)
    ece = expected_calibration_error(p, y, n_bins=n_bins)
    bin_conf, bin_acc, bin_count = reliability_curve(
        p.max(axis=1), p.argmax(axis=1) == y, n_bins=n_bins
    )
    filled = bin_count > 0
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    centers, width = (edges[:-1] + edges[1:]) / 2, 1.0 / n_bins
    fig = _figure(5.0, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    top.bar(
        centers[filled],
        bin_acc[filled],
        width,
        edgecolor="black",
        linewidth=0.5,
        color="tab:blue",
        label="accuracy",
    )
    # The gap spans accuracy to confidence, above the bar when over-confident, inside it
    # when under-confident; an unfilled hatched outline reads in both cases.
    top.bar(
        centers[filled],
        np.abs(bin_conf[filled] - bin_acc[filled]),
        width,
        bottom=np.minimum(bin_conf[filled], bin_acc[filled]),
        fill=False,
        edgecolor="tab:red",
        linewidth=0.8,
        hatch="///",
        label="gap to confidence",
    )
    top.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1, label="perfect calibration")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.set_title(f"Reliability diagram (ECE = {ece:.3f})")
    top.legend(loc="upper left", fontsize=8, framealpha=0.9)
    _style(top)
    bottom.bar(centers, bin_count, width, color="0.5", edgecolor="black", linewidth=0.5)
    # Most beats sit in the top bin; a log axis keeps the sparse bins readable.
    bottom.set_yscale("log" if bin_count.max() > 100 * bin_count[filled].min() else "linear")
    bottom.set_xlabel("confidence (top-class probability)")
    bottom.set_ylabel("beats")
    _style(bottom)
    return fig


def record_strip(
    signal: np.ndarray,
    table: Any,
    *,
    fs: float | None = None,
    lead: int = 0,
    start_s: float = 0.0,
    duration_s: float = 30.0,
    row_s: float = 10.0,
) -> Figure:
    """Strip chart of a recording with its beats coloured by predicted class.

    Each row shows ``row_s`` seconds of one lead, like ECG paper; every beat of the table
    is marked at its R peak in the colour of its class and labelled with the class name.
    Beats without a prediction (flagged ``edge``, ``nan_gap``, ...) are grey crosses, and
    other flagged beats are circled.

    Parameters
    ----------
    signal : ndarray of shape (n_samples,) or (n_leads, n_samples)
        The recording the table was predicted on.
    table : BeatTable
        Output of :func:`ecgbeat.predict.predict_record` (``sample``, ``label_index``,
        ``flag``, ``classes`` and ``fs`` are used).
    fs : float, optional
        Sampling rate of ``signal``; default ``table.fs``.
    lead : int
        Row of a 2-D ``signal`` to draw.
    start_s, duration_s : float
        Stretch of the recording to draw, in seconds.
    row_s : float
        Seconds per row.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np
    >>> from ecgbeat.predict import BeatTable
    >>> fs = 250.0
    >>> x = np.sin(np.arange(int(20 * fs)) / fs * 2 * np.pi * 1.2)
    >>> table = BeatTable(sample=np.array([50, 260, 470]), label_index=np.array([0, 1, -1]),
    ...                   proba=np.array([[0.9, 0.1], [0.2, 0.8], [np.nan, np.nan]]),
    ...                   flag=np.array(["", "", "edge"]), classes=("N", "V"), fs=fs,
    ...                   n_samples=x.size)
    >>> fig = record_strip(x, table, duration_s=20)
    >>> len(fig.axes), fig.axes[0].get_title()
    (2, 'ECG 0-20 s, 3 beats (N 1, V 1, unclassified 1)')
    """
    fs = float(table.fs if fs is None else fs)
    x = np.atleast_2d(np.asarray(signal))
    if x.ndim != 2 or x.shape[0] > x.shape[1]:
        raise ValueError(
            f"signal must be (n_samples,) or (n_leads, n_samples), got shape {np.shape(signal)}"
        )
    if not -x.shape[0] <= lead < x.shape[0]:
        raise ValueError(f"lead={lead} is out of range for a signal with {x.shape[0]} leads")
    if duration_s <= 0 or row_s <= 0 or start_s < 0:
        raise ValueError(
            f"need start_s >= 0, duration_s > 0 and row_s > 0, got {start_s}, {duration_s}, {row_s}"
        )
    start = round(start_s * fs)
    stop = min(x.shape[1], start + round(duration_s * fs))
    if start >= stop:
        raise ValueError(
            f"start_s={start_s} lies past the end of the signal ({x.shape[1] / fs:.1f} s)"
        )
    trace = x[lead]
    sample = np.asarray(table.sample)
    index = np.asarray(table.label_index)
    flag = np.asarray(table.flag)
    classes = tuple(table.classes)
    colors = _class_colors(len(classes))
    n_rows = int(np.ceil((stop - start) / (row_s * fs)))
    fig = _figure(12, 1.9 * n_rows + 0.6)
    axes = fig.subplots(n_rows, 1, squeeze=False)[:, 0]
    shown = (sample >= start) & (sample < stop)
    lo, hi = np.nanmin(trace[start:stop]), np.nanmax(trace[start:stop])
    pad = 0.15 * (hi - lo if hi > lo else 1.0)
    for row, ax in enumerate(axes):
        a = start + round(row * row_s * fs)
        b = min(stop, start + round((row + 1) * row_s * fs))
        ax.plot(np.arange(a, b) / fs, trace[a:b], color="0.15", linewidth=0.7)
        beats = np.flatnonzero((sample >= a) & (sample < b))
        for k, name in enumerate(classes):
            mine = beats[index[beats] == k]
            ax.scatter(
                sample[mine] / fs,
                trace[sample[mine]],
                color=colors[k],
                s=28,
                zorder=3,
                label=name if row == 0 else None,
            )
            for s in sample[mine]:
                ax.annotate(
                    name,
                    (s / fs, hi + 0.4 * pad),
                    ha="center",
                    fontsize=7,
                    color=colors[k],
                    annotation_clip=False,
                )
        unpredicted = beats[index[beats] < 0]
        ax.scatter(
            sample[unpredicted] / fs,
            trace[sample[unpredicted]],
            color="0.5",
            marker="x",
            s=30,
            zorder=3,
            label="unclassified" if row == 0 else None,
        )
        circled = beats[(flag[beats] != "") & (index[beats] >= 0)]
        ax.scatter(
            sample[circled] / fs,
            trace[sample[circled]],
            facecolors="none",
            edgecolors="black",
            s=90,
            linewidths=0.8,
            zorder=4,
            label="flagged" if row == 0 else None,
        )
        ax.set_xlim(a / fs, a / fs + row_s)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel("amplitude")
        _style(ax)
    axes[-1].set_xlabel("time (s)")
    counts = np.bincount(index[shown] + 1, minlength=len(classes) + 1)
    parts = [f"{c} {n}" for c, n in zip(classes, counts[1:], strict=True) if n]
    if counts[0]:
        parts.append(f"unclassified {counts[0]}")
    axes[0].set_title(
        f"ECG {start / fs:g}-{stop / fs:g} s, {int(shown.sum())} beats ({', '.join(parts)})"
    )
    axes[0].legend(loc="upper right", fontsize=7, ncol=len(classes) + 2, framealpha=0.9)
    return fig
