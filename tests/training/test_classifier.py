"""Classifier ensembles and saving: real runs of one recipe combined, saved and reloaded."""

from __future__ import annotations

import numpy as np
import pytest

import ecgbeat
from ecgbeat.pipeline import BeatConfig
from ecgbeat.smoothing import RecordSmoothing, smooth_within_records
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


def test_without_smoothing_predict_proba_is_the_networks(runs, beats):
    clf = runs[0].classifier
    assert clf.smoothing is None
    np.testing.assert_array_equal(clf.predict_proba(beats), clf.network_proba(beats))


def test_a_smoothing_classifier_smooths_each_record_of_the_beats(runs, beats):
    clf = load(runs[0].checkpoint)
    clf.smoothing = RecordSmoothing(agreed_only=True)
    expected = smooth_within_records(
        clf.network_proba(beats), beats.X, record=beats.record, smoothing=clf.smoothing
    )
    proba = clf.predict_proba(beats)
    np.testing.assert_allclose(proba, expected, atol=1e-6)
    assert not np.allclose(proba, clf.network_proba(beats), atol=1e-3)
    np.testing.assert_array_equal(clf.predict(beats), proba.argmax(axis=1))
    # A raw array names its records; without them it is taken as one record.
    rr = clf.select_rr(beats.rr, beats.rr_names)
    raw = clf.predict_proba(beats.X, rr=rr, record=beats.record)
    np.testing.assert_allclose(raw, proba, atol=1e-6)
    one = clf.predict_proba(beats.X, rr=rr)
    np.testing.assert_allclose(
        one,
        smooth_within_records(clf.network_proba(beats), beats.X, smoothing=clf.smoothing),
        atol=1e-6,
    )


def test_the_smoothing_is_saved_with_the_classifier_and_can_be_turned_off(runs, beats, tmp_path):
    clf = load(runs[0].checkpoint)
    clf.smoothing = RecordSmoothing(neighbours=3)
    again = load(clf.save(tmp_path / "smoothed.pt"))
    assert again.smoothing == RecordSmoothing(neighbours=3)
    np.testing.assert_array_equal(again.predict_proba(beats), clf.predict_proba(beats))
    again.smoothing = None
    assert load(again.save(tmp_path / "plain.pt")).smoothing is None


def test_an_ensemble_smooths_the_mean_of_its_members(runs, beats):
    members = [load(r.checkpoint) for r in runs]
    for member in members:
        member.smoothing = RecordSmoothing()
    combined = ensemble(members)
    assert combined.smoothing == RecordSmoothing()
    mean = np.mean([m.network_proba(beats) for m in members], axis=0)
    expected = smooth_within_records(
        mean, beats.X, record=beats.record, smoothing=RecordSmoothing()
    )
    np.testing.assert_allclose(combined.predict_proba(beats), expected, atol=1e-5)
    # Members smoothed differently, or one not at all, are not one recipe.
    members[1].smoothing = None
    with pytest.raises(ValueError, match="record_smoothing"):
        ensemble(members)


def test_bad_smoothing_arguments_give_clear_errors(runs, beats):
    clf = load(runs[0].checkpoint)
    with pytest.raises(TypeError, match="RecordSmoothing or None"):
        clf.smoothing = {"neighbours": 5}
    with pytest.raises(TypeError, match="a BeatSet carries its own"):
        clf.predict_proba(beats, record=beats.record)
