"""Tests of the charts: each renders to a PNG and carries the expected titles and labels."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from sklearn.metrics import roc_auc_score

from ecgbeat import plots
from ecgbeat.evaluation.calibration import expected_calibration_error
from ecgbeat.evaluation.metrics import classification_metrics

CLASSES = ("N", "S", "V", "F", "Q")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png(fig: Figure) -> bytes:
    """Render at low resolution (fast) and return the PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    data = buffer.getvalue()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000
    return data


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(0)
    n = 600
    y = rng.choice(5, n, p=[0.6, 0.1, 0.15, 0.1, 0.05])
    logits = rng.normal(0.0, 1.0, (n, 5))
    logits[np.arange(n), y] += 2.0
    return y, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def history():
    return [
        {
            "epoch": e,
            "train_loss": 1.0 / e,
            "val_loss": 1.2 / e + 0.02 * e,
            "val_accuracy": 0.8 + 0.02 * e,
            "val_macro_f1": 0.5 + 0.05 * e,
            "lr": 1e-3 if e < 4 else 1e-4,
        }
        for e in range(1, 7)
    ]


def test_save_figure_writes_a_png_at_200_dpi_and_can_refuse_to_overwrite(tmp_path):
    fig = plots.class_distribution({"N": 10, "V": 2})
    path = plots.save_figure(fig, tmp_path / "sub" / "dist")
    assert path.name == "dist.png" and path.read_bytes().startswith(PNG_MAGIC)
    assert round(Image.open(path).info["dpi"][0]) == 200
    with pytest.raises(FileExistsError, match="overwrite=True"):
        plots.save_figure(fig, path, overwrite=False)


def test_charts_do_not_leave_pyplot_figures_open(scores):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plots.roc_curves(*scores, CLASSES)
    assert plt.get_fignums() == before


def test_class_distribution_groups_before_and_after_bars():
    fig = plots.class_distribution(
        {"N": 900, "S": 30, "V": 70}, {"N": 500, "S": 500, "V": 500}, log=True
    )
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "Beats per class"
    assert ax.get_yscale() == "log"
    assert _ticks(ax.get_xticklabels()) == ["N", "S", "V"]
    assert ax.get_legend_handles_labels()[1] == ["before balancing", "after balancing"]
    assert sorted(p.get_height() for p in ax.patches) == [30, 70, 500, 500, 500, 900]


def test_class_distribution_rejects_empty_counts():
    with pytest.raises(ValueError, match="empty"):
        plots.class_distribution({})


def test_loss_curves_draw_train_and_validation_loss_and_the_learning_rate(history):
    fig = plots.loss_curves(history)
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "Loss per epoch" and ax.get_xlabel() == "epoch"
    labels = ax.get_legend().get_texts()
    assert [t.get_text() for t in labels] == ["training loss", "validation loss", "learning rate"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [r["train_loss"] for r in history])


def test_metric_curves_plot_only_the_keys_present():
    fig = plots.metric_curves(
        [{"epoch": 1, "val_macro_f1": 0.4}, {"epoch": 2, "val_macro_f1": 0.6}]
    )
    _png(fig)
    assert fig.axes[0].get_legend_handles_labels()[1] == ["validation macro F1"]


def test_curves_without_any_known_key_raise_a_clear_error():
    with pytest.raises(ValueError, match="none of the keys"):
        plots.loss_curves([{"epoch": 1, "val_accuracy": 0.5}])
    with pytest.raises(TypeError, match="list of per-epoch dicts"):
        plots.metric_curves({"val_accuracy": [0.5]})


def test_confusion_matrix_counts_and_row_normalised_versions():
    cm = np.array([[50, 2, 0], [5, 10, 1], [0, 0, 0]])
    counts = plots.confusion_matrix(cm, ("N", "S", "V"))
    normalised = plots.confusion_matrix(cm, ("N", "S", "V"), normalize=True)
    for fig in (counts, normalised):
        _png(fig)
        assert _ticks(fig.axes[0].get_xticklabels()) == ["N", "S", "V"]
        assert fig.axes[0].get_ylabel() == "true class"
    assert counts.axes[0].get_title() == "Confusion matrix (counts)"
    assert normalised.axes[0].get_title() == "Confusion matrix (row-normalised)"
    assert "50" in [t.get_text() for t in counts.axes[0].texts]
    cells = [t.get_text() for t in normalised.axes[0].texts]
    assert cells[:3] == ["0.96", "0.04", "0.00"] and cells[-1] == "0.00"


def test_confusion_matrix_rejects_a_shape_that_does_not_match_the_classes():
    with pytest.raises(ValueError, match="one row per class"):
        plots.confusion_matrix(np.eye(3), ("N", "V"))


def test_per_class_metrics_accepts_metrics_or_a_plain_dict(scores):
    y, proba = scores
    metrics = classification_metrics(y, proba.argmax(axis=1), classes=CLASSES)
    from_metrics = plots.per_class_metrics(metrics)
    from_dict = plots.per_class_metrics(metrics.per_class())
    _png(from_metrics)
    heights = [[p.get_height() for p in f.axes[0].patches] for f in (from_metrics, from_dict)]
    assert heights[0] == heights[1]
    np.testing.assert_allclose(heights[0][:5], metrics.precision)
    assert _ticks(from_metrics.axes[0].get_xticklabels()) == list(CLASSES)


def test_per_class_metrics_rejects_a_dict_without_scores():
    with pytest.raises(ValueError, match="precision/recall/f1"):
        plots.per_class_metrics({"N": {"precision": 1.0}})


def test_roc_curves_show_the_auc_of_each_class(scores):
    y, proba = scores
    fig = plots.roc_curves(y, proba, CLASSES)
    _png(fig)
    ax = fig.axes[0]
    assert ax.get_title() == "ROC curves (one vs rest)"
    legend = ax.get_legend_handles_labels()[1]
    auc_v = float(re.search(r"AUC ([0-9.]+)", legend[2]).group(1))
    assert auc_v == pytest.approx(roc_auc_score(y == 2, proba[:, 2]), abs=5e-4)


def test_pr_curves_label_a_class_without_beats(scores):
    y, proba = scores
    y = np.where(y == 4, 0, y)  # no Q beats left
    fig = plots.pr_curves(y, proba, CLASSES)
    _png(fig)
    legend = fig.axes[0].get_legend_handles_labels()[1]
    assert legend[0].startswith("N (AP ") and legend[4] == "Q (no beats)"
    assert fig.axes[0].get_xlabel() == "recall (sensitivity)"


def test_curves_reject_probabilities_of_the_wrong_shape(scores):
    y, proba = scores
    with pytest.raises(ValueError, match="n_classes"):
        plots.roc_curves(y, proba[:, :3], CLASSES)


@pytest.fixture(scope="module")
def cams():
    t = np.linspace(0.0, 1.0, 120)
    X = np.stack([np.sin(2 * np.pi * (k + 1) * t) for k in range(8)])[:, None, :]
    maps = np.exp(-(((t[None, :] - 0.4) / 0.1) ** 2)).repeat(8, axis=0)
    return X.astype(np.float32), maps, np.array([0, 0, 0, 0, 2, 2, 3, 0])


def test_gradcam_gallery_has_one_row_per_class_with_beats(cams):
    X, maps, y = cams
    fig = plots.gradcam_gallery(X, maps, y, CLASSES, per_class=3, fs=360)
    _png(fig)
    row_labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert row_labels[:3] == ["N", "V", "F"]
    assert fig.get_suptitle().startswith("Grad-CAM")
    assert fig.axes[0].get_title() == "beat 0"


def test_gradcam_gallery_rejects_maps_of_the_wrong_length(cams):
    X, maps, y = cams
    with pytest.raises(ValueError, match="upsample"):
        plots.gradcam_gallery(X, maps[:, :50], y, CLASSES)


def test_gradcam_beat_shows_the_waveform_and_the_class_probabilities(cams):
    X, maps, _ = cams
    proba = [0.1, 0.05, 0.7, 0.1, 0.05]
    fig = plots.gradcam_beat(X[0], maps[0], proba, CLASSES, fs=360)
    _png(fig)
    wave, bars = fig.axes[0], fig.axes[1]
    assert wave.get_title() == "predicted V (p = 0.70)" and wave.get_xlabel() == "time (s)"
    np.testing.assert_allclose([p.get_width() for p in bars.patches], proba)
    assert _ticks(bars.get_yticklabels()) == list(CLASSES)


def test_reliability_diagram_reports_the_expected_calibration_error(scores):
    y, proba = scores
    fig = plots.reliability_diagram(proba, y, n_bins=10)
    _png(fig)
    ece = expected_calibration_error(proba, y, n_bins=10)
    assert fig.axes[0].get_title() == f"Reliability diagram (ECE = {ece:.3f})"
    assert fig.axes[1].get_ylabel() == "beats"


def test_record_strip_renders_beats_coloured_by_class():
    from ecgbeat.datasets import locate, read_record
    from ecgbeat.predict import BeatTable

    record = read_record(locate("sample"), "208", default_lead="MLII")
    beats = record.ann_sample[(record.ann_sample > 100) & (record.ann_sample < 20 * 360)]
    index = np.arange(beats.size) % 3 - 1  # classes N, S and unclassified rows
    proba = np.eye(2, dtype=np.float32)[np.clip(index, 0, 1)]
    proba[index < 0] = np.nan
    table = BeatTable(
        sample=beats,
        label_index=index,
        proba=proba,
        flag=np.where(index < 0, "edge", ""),
        classes=("N", "S"),
        fs=record.fs,
        n_samples=record.signal.shape[1],
    )
    fig = plots.record_strip(record.signal, table, duration_s=20)
    _png(fig)
    assert len(fig.axes) == 2 and fig.axes[1].get_xlabel() == "time (s)"
    marks = {c.get_label(): c for c in fig.axes[0].collections}
    colors = plots._class_colors(2)
    for k, name in enumerate(("N", "S")):
        np.testing.assert_allclose(marks[name].get_facecolor()[0], colors[k])
    assert "unclassified" in marks


def test_record_strip_refuses_a_start_past_the_end():
    from ecgbeat.predict import BeatTable

    table = BeatTable(
        sample=np.array([10]),
        label_index=np.array([0]),
        proba=np.array([[1.0, 0.0]]),
        flag=np.array([""]),
        classes=("N", "V"),
        fs=100.0,
        n_samples=1000,
    )
    with pytest.raises(ValueError, match="past the end"):
        plots.record_strip(np.zeros(1000), table, start_s=20.0)
