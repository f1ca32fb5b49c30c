"""The dashboard's charts of a classified record."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from ecgbeat.app.charts import beat_map, class_colors, mark_beats, probability_distributions

FS = 100.0
CLASSES = ("N", "S", "V")


def _record() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    signal = np.sin(np.arange(2, 3000) / FS * 2 * np.pi)[None].repeat(2, axis=0)
    time_s = np.arange(0.5, 29.0, 1.0)
    labels = np.array(["N", "V", "N", "S"] * 7 + ["N"])
    return signal, time_s, labels


def test_colors_are_stable_per_class_position() -> None:
    assert class_colors(["N", "V"])["N"] == class_colors(["N", "S", "V"])["N"]


def _strip(start_s: float = 0.0) -> Figure:
    """Two 10-second rows, as ecgbeat.plots.record_strip draws them."""
    fig = Figure()
    for row, ax in enumerate(fig.subplots(2, 1)):
        ax.set_xlim(start_s + 10 * row, start_s + 10 * (row + 1))
    return fig


def test_marks_shade_only_the_abnormal_beats_on_the_row_that_holds_them() -> None:
    _, time_s, labels = _record()
    fig = mark_beats(_strip(), time_s, labels, classes=CLASSES)
    shaded = [len(ax.patches) for ax in fig.axes]
    in_rows = [np.sum((labels != "N") & (time_s >= lo) & (time_s <= lo + 10)) for lo in (0, 10)]
    assert shaded == in_rows
    assert fig.axes[0].patches[0].get_facecolor()[:3] == class_colors(CLASSES)["V"][:3]


def test_marks_leave_unpredicted_beats_alone() -> None:
    fig = mark_beats(_strip(), np.array([1.0, 2.0]), np.array(["", "N"]), classes=CLASSES)
    assert not fig.axes[0].patches


def test_selected_beat_gets_a_line_on_its_row_only() -> None:
    _, time_s, labels = _record()
    fig = mark_beats(_strip(), time_s, labels, classes=CLASSES, selected_s=12.5)
    assert [len(ax.lines) for ax in fig.axes] == [0, 1]


def test_marks_refuse_labels_that_do_not_match_the_beats() -> None:
    _, time_s, labels = _record()
    with pytest.raises(ValueError, match="same length"):
        mark_beats(_strip(), time_s, labels[:-1], classes=CLASSES)


def test_beat_map_counts_each_class() -> None:
    _, time_s, labels = _record()
    fig = beat_map(time_s, labels, classes=CLASSES, duration_s=30.0, window=(0.0, 10.0))
    ticks = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert ticks == ["N (15)", "S (7)", "V (7)"]


def test_probability_distributions_hold_every_beat_in_each_panel() -> None:
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=40)
    labels = np.asarray(CLASSES)[proba.argmax(axis=1)]
    fig = probability_distributions(proba, labels, classes=CLASSES)
    for ax in fig.axes:
        heights = sum(patch.get_height() for patch in ax.patches)
        assert heights == pytest.approx(40)


def test_probability_distributions_refuse_a_wrong_class_count() -> None:
    with pytest.raises(ValueError, match=r"shape \(n_beats, 3\)"):
        probability_distributions(np.ones((4, 2)) / 2, np.array(["N"] * 4), classes=CLASSES)
