"""Classifier ensembles and saving: real runs of one recipe combined, saved and reloaded."""

from __future__ import annotations

import numpy as np
import pytest

import ecgbeat
from ecgbeat.pipeline import BeatConfig
from ecgbeat.training import TrainResult, ensemble, load


@pytest.fixture(scope="module")
def beats() -> ecgbeat.BeatSet:
    return ecgbeat.load_beats("sample")[::4]


@pytest.fixture(scope="module")
def runs(quick_run, beats, tmp_path_factory) -> list[TrainResult]:
    folder = tmp_path_factory.mktemp("runs")
    return [quick_run(beats, folder / f"seed{seed}", seed=seed) for seed in (0, 1)]


def test_an_ensemble_predicts_the_mean_probability_of_its_members(runs, beats):
    combined = ensemble([r.checkpoint for r in runs])
    members = np.mean([r.classifier.predict_proba(beats) for r in runs], axis=0)
    proba = combined.predict_proba(beats)
    np.testing.assert_allclose(proba, members, atol=1e-6)
    np.testing.assert_array_equal(combined.predict(beats), proba.argmax(axis=1))
    assert combined.classes == runs[0].classifier.classes
    assert "ensemble of 2 beatfusion_tiny" in repr(combined)


def test_an_ensemble_keeps_each_members_training_settings(runs):
    combined = ensemble([r.classifier for r in runs])
    assert [m["training"]["seed"] for m in combined.metadata["members"]] == [0, 1]
    assert combined.config == runs[0].classifier.config


def test_a_saved_ensemble_loads_back_with_the_same_predictions(runs, beats, tmp_path):
    combined = ensemble([r.checkpoint for r in runs])
    path = combined.save(tmp_path / "ensemble.pt")
    again = load(path)
    np.testing.assert_array_equal(again.predict_proba(beats), combined.predict_proba(beats))
    assert again.metadata["members"] == combined.metadata["members"]


def test_an_ensemble_classifies_a_raw_record(runs):
    combined = ensemble([r.checkpoint for r in runs])
    record = ecgbeat.datasets.read_record(ecgbeat.datasets.locate("sample"), "213")
    table = combined.predict_record(record.signal, fs=record.fs)
    predicted = table.label[table.flag == ""]
    assert len(predicted) > 150 and set(np.unique(predicted)) <= set(combined.classes)


def test_save_keeps_an_existing_file_unless_told_to_replace_it(runs, tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"earlier work")
    clf = runs[0].classifier
    with pytest.raises(FileExistsError, match="overwrite=True"):
        clf.save(path)
    assert path.read_bytes() == b"earlier work"
    clf.save(path, overwrite=True)
    assert load(path).classes == clf.classes


def test_runs_on_other_beats_or_a_single_run_are_refused(quick_run, runs, tmp_path):
    with pytest.raises(ValueError, match="two classifiers or more, got 1"):
        ensemble([runs[0].checkpoint])
    other_beats = ecgbeat.load_beats("sample", config=BeatConfig(before_s=0.3, after_s=0.4))
    other = quick_run(other_beats[::4], tmp_path / "other", seed=2)
    with pytest.raises(ValueError, match=r"classifier 1 was trained on other beats.*'config'"):
        ensemble([runs[0].checkpoint, other.checkpoint])
