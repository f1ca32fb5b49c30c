"""Tests of the evaluation report: building, serialising, rendering and evaluating a model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from ecgbeat.beats import BeatSet
from ecgbeat.evaluation.calibration import expected_calibration_error
from ecgbeat.evaluation.literature import INTER_PATIENT_RESULTS
from ecgbeat.evaluation.report import EvaluationReport, evaluate, evaluate_predictions
from ecgbeat.models import create_model
from ecgbeat.training import Classifier
from ecgbeat.training.checkpoint import save_checkpoint
from ecgbeat.training.classifier import model_spec


@pytest.fixture(scope="module")
def report(predictions) -> EvaluationReport:
    return evaluate_predictions(
        predictions.y_true,
        predictions.y_pred,
        classes=predictions.classes,
        proba=predictions.proba,
        record=predictions.record,
        protocol="inter-patient",
        n_bootstrap=200,
    )


def test_to_dict_survives_strict_json_with_nan_as_null():
    # No S beat and none predicted: SVEB Se and +P are NaN, which JSON cannot hold.
    r = evaluate_predictions([0, 2, 2], [0, 2, 0], classes=("N", "S", "V"), record=list("abb"))
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["headline"]["sveb_se"] is None
    assert d["headline"]["veb_se"] == 0.5


def test_to_json_round_trips_and_refuses_to_overwrite(report, tmp_path):
    path = report.to_json(tmp_path / "run" / "metrics.json")
    assert json.loads(path.read_text()) == json.loads(json.dumps(report.to_dict()))
    with pytest.raises(FileExistsError, match="overwrite=True"):
        report.to_json(path)
    report.to_json(path, overwrite=True)


def test_str_looks_like_a_classification_report_with_ec57_and_intervals(report):
    text = str(report)
    header = next(line for line in text.splitlines() if line.startswith("class"))
    assert header.split() == [
        "class",
        "precision",
        "recall",
        "specificity",
        "f1-score",
        "support",
        "roc",
        "auc",
    ]
    for label in (
        "macro avg",
        "weighted avg",
        "SVEB gross",
        "SVEB average",
        "VEB gross",
        "VEB average",
        "bootstrap confidence intervals",
        "SVEB +P",
    ):
        assert label in text
    accuracy_line = next(line for line in text.splitlines() if line.startswith("accuracy "))
    assert f"{report.metrics.accuracy:.3f}" in accuracy_line


def test_markdown_has_one_table_per_section(report):
    md = report.to_markdown()
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings[:4] == [
        "Summary",
        "Per-class metrics",
        "Confusion matrix",
        "EC57 beat statistics",
    ]
    assert "| V |" in md
    assert md.count("|:---|") == len(headings)


def test_inter_patient_protocol_adds_the_literature_with_our_row_last(report):
    methods = [row["method"] for row in report.literature]
    assert methods[:-1] == [r.method for r in INTER_PATIENT_RESULTS]
    ours = report.literature[-1]
    assert ours["accuracy"] == pytest.approx(100 * report.metrics.accuracy, abs=0.05)
    assert ours["veb_ppv"] == pytest.approx(100 * report.ec57.veb.gross["ppv"], abs=0.05)
    assert "Published inter-patient results" in str(report)


def test_intra_patient_protocol_warns_and_has_no_literature(predictions):
    r = evaluate_predictions(
        predictions.y_true,
        predictions.y_pred,
        classes=predictions.classes,
        protocol="intra-patient",
        n_bootstrap=0,
    )
    assert r.literature is None
    assert any("optimistic" in note for note in r.notes)


def test_probabilities_add_roc_auc_and_calibration_error(report, predictions):
    for k, name in enumerate(predictions.classes):
        expected = roc_auc_score(predictions.y_true == k, predictions.proba[:, k])
        assert report.roc_auc[name] == pytest.approx(expected)
    assert report.ece == pytest.approx(
        expected_calibration_error(predictions.proba, predictions.y_true)
    )


def test_without_record_ids_there_are_no_intervals_and_a_note(predictions):
    r = evaluate_predictions(predictions.y_true, predictions.y_pred, classes=predictions.classes)
    assert r.confidence_intervals == {}
    assert r.n_records is None
    assert any("no record ids" in note for note in r.notes)


def test_headline_uses_gross_ec57_figures(report):
    headline = report.headline()
    assert headline["sveb_se"] == report.ec57.sveb.gross["se"]
    assert headline["macro_f1"] == report.metrics.macro["f1"]


def test_save_figures_writes_every_chart_it_can_and_refuses_to_overwrite(report, tmp_path):
    history = [
        {
            "epoch": e,
            "train_loss": 1 / e,
            "val_loss": 1.2 / e,
            "val_accuracy": 0.9,
            "val_macro_f1": 0.5 + e / 10,
        }
        for e in (1, 2, 3)
    ]
    paths = report.save_figures(tmp_path, history=history)
    assert sorted(p.stem for p in paths) == sorted(
        [
            "class_distribution",
            "confusion_matrix",
            "confusion_matrix_normalized",
            "per_class_metrics",
            "roc_curves",
            "pr_curves",
            "reliability_diagram",
            "loss_curves",
            "metric_curves",
        ]
    )
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        report.save_figures(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"proba": np.ones((3, 2))}, ValueError, "proba must have shape"),
        ({"record": ["a"]}, ValueError, "one id per beat"),
        ({"n_bootstrap": -1}, ValueError, "n_bootstrap"),
        ({"protocol": 1}, TypeError, "protocol"),
    ],
)
def test_bad_inputs_raise_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        evaluate_predictions([0, 1, 2], [0, 1, 2], classes=("N", "S", "V"), **kwargs)


class FixedModel:
    """A stand-in classifier: predicts class 0 with probability 0.7 for odd beats."""

    classes = ("N", "V")

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict_proba(self, beats: BeatSet) -> np.ndarray:
        self.calls.append(len(beats))
        odd = beats.X[:, 0, 0] % 2 == 1
        return np.where(odd[:, None], [0.7, 0.3], [0.2, 0.8])


def _beats(n: int = 10, **kwargs) -> BeatSet:
    X = np.arange(n, dtype=np.float32)[:, None, None].repeat(4, axis=2)
    args = {
        "X": X,
        "y": np.arange(n) % 2,
        "record": np.array(list("ab") * (n // 2)),
        "rr": np.zeros((n, 0)),
        "classes": ("N", "V"),
        "fs": 360.0,
    }
    return BeatSet(**{**args, **kwargs})


def test_evaluate_runs_the_model_on_whole_records_in_batches_and_reads_the_protocol():
    model = FixedModel()
    beats = _beats(params={"protocol": "inter-patient"})
    # Records "a" and "b" interleave, 5 beats each: a batch of 4 holds one whole record.
    r = evaluate(model, beats, batch_size=4, n_bootstrap=50)
    assert model.calls == [5, 5]
    # Even beats (y = 0) get class 1, odd beats (y = 1) class 0: all wrong.
    assert r.metrics.accuracy == 0.0
    assert r.protocol == "inter-patient"
    assert r.literature is not None
    assert r.proba.shape == (10, 2)
    assert evaluate(FixedModel(), beats, batch_size=10, n_bootstrap=0).metrics.accuracy == 0.0


def test_evaluate_rejects_beats_labelled_with_other_classes():
    beats = _beats(classes=("N", "S"))
    with pytest.raises(ValueError, match="class map"):
        evaluate(FixedModel(), beats)


def test_evaluate_rejects_objects_that_are_not_classifiers():
    with pytest.raises(TypeError, match="predict_proba"):
        evaluate(object(), _beats())
    with pytest.raises(TypeError, match="BeatSet"):
        evaluate(FixedModel(), np.zeros((10, 1, 4)))


def test_evaluate_loads_a_checkpoint_path_and_matches_the_loaded_classifier(tmp_path):
    net = create_model("cnn3", num_classes=2, input_length=64)
    metadata = {"model": model_spec(net), "classes": ["N", "V"], "input_shape": [1, 64]}
    path = save_checkpoint(tmp_path / "best.pt", model_state=net.state_dict(), metadata=metadata)
    rng = np.random.default_rng(0)
    beats = _beats(n=20, X=rng.normal(size=(20, 1, 64)).astype(np.float32))
    report = evaluate(path, beats, n_bootstrap=0)
    direct = Classifier(net.eval(), metadata=metadata).predict_proba(beats)
    np.testing.assert_allclose(report.proba, direct, rtol=1e-5, atol=1e-6)
