"""Tests of record-level prediction: raw samples in, one flagged, classified row per beat out."""

from __future__ import annotations

import csv
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import ecgbeat
from ecgbeat.datasets import locate, read_record
from ecgbeat.labels import BEAT_SYMBOLS
from ecgbeat.predict import BeatTable, predict_command, predict_record
from ecgbeat.signal import match_peaks, resample
from ecgbeat.smoothing import RecordSmoothing, smooth_within_records

FS = 360.0
# Tolerance of beat matching, the ANSI/AAMI EC57 window.
MATCH_S = 0.15


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """A small RR-fusion model trained briefly on the embedded sample, and its checkpoint."""
    run = ecgbeat.train(
        model="beatfusion_tiny",
        # One lead at 360 Hz, the rate of the records the tests feed, so that tables and
        # beat-level predictions line up sample for sample.
        leads="MLII",
        config=ecgbeat.BeatConfig(),
        epochs=2,
        members=1,
        batch_size=64,
        progress=False,
        n_bootstrap=0,
        out_dir=tmp_path_factory.mktemp("predict") / "run",
    )
    return run.classifier, run.checkpoint


@pytest.fixture(scope="module")
def clf(trained):
    return trained[0]


@pytest.fixture(scope="module")
def record():
    """Record 208 of the embedded sample (4 min, frequent PVCs), lead MLII."""
    return read_record(locate("sample"), "208", default_lead="MLII")


@pytest.fixture(scope="module")
def table(clf, record) -> BeatTable:
    return predict_record(clf, record.signal[0], fs=record.fs)


def _reference(rec) -> np.ndarray:
    return rec.ann_sample[np.isin(rec.ann_symbol, list(BEAT_SYMBOLS))]


def _nearest(table: BeatTable, samples: np.ndarray, *, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Row of the nearest detected beat for each sample, and whether it is within 150 ms."""
    right = np.clip(np.searchsorted(table.sample, samples), 1, len(table) - 1)
    left = right - 1
    near = np.where(
        np.abs(table.sample[left] - samples) <= np.abs(table.sample[right] - samples), left, right
    )
    return near, np.abs(table.sample[near] - samples) <= MATCH_S * fs


def _assert_same_table(a: BeatTable, b: BeatTable) -> None:
    np.testing.assert_array_equal(a.sample, b.sample)
    np.testing.assert_array_equal(a.label, b.label)
    np.testing.assert_array_equal(a.flag, b.flag)
    np.testing.assert_allclose(a.proba, b.proba, atol=1e-5)


# --- agreement with the reference and with beat-level prediction -------------------------


def test_detected_beats_match_the_reference_annotations(table, record):
    match = match_peaks(table.sample, _reference(record), fs=record.fs, tolerance_s=MATCH_S)
    # Over 99 % of the annotated beats are found; the 2-minute excerpt holds a few noise
    # detections (4 of about 200 beats), hence the looser bound on +P.
    assert match.sensitivity >= 0.99 and match.ppv >= 0.97


def _agreement(clf, table: BeatTable, database: str, name: str, data_dir=None) -> float:
    beats = ecgbeat.load_beats(
        database,
        data_dir=data_dir,
        records=[name],
        protocol=None,
        config=clf.config,
        label_map=clf.label_map,
        leads=clf.metadata.get("lead_spec"),
    )
    near, matched = _nearest(table, beats.sample, fs=beats.fs)
    assert matched.mean() >= 0.99
    # A beat's RR features read the peaks up to two beats away (the neighbours' own
    # intervals): beats next to a missed or extra detection get other RR inputs by
    # design, so only beats whose four nearest detections are real beats are compared.
    real = np.zeros(len(table) + 4, dtype=bool)
    real[near[matched] + 2] = True
    clean = np.lib.stride_tricks.sliding_window_view(real, 5).all(axis=1)[near]
    compared = matched & clean
    assert compared.mean() >= 0.85  # the sample's 4 noise detections leave out ~20 beats
    return float((table.label_index[near] == clf.predict(beats))[compared].mean())


# Detected R peaks sit a few samples from the annotated ones (shifting the beat window),
# and RR features come from the detected peaks (a missed or extra beat changes the RR of
# its neighbours, the medians around them and the record mean): a briefly trained model
# has many beats near a decision boundary, so a few per cent of matched beats may change
# class. 90 % leaves room for that while catching any preprocessing mismatch (which drops
# agreement to chance level).
AGREEMENT = 0.90


def test_classes_agree_with_beat_level_prediction_on_the_sample(clf, table):
    assert _agreement(clf, table, "sample", "208") >= AGREEMENT


def _model_inputs(clf, record, *, chunk_s: float) -> tuple[BeatTable, np.ndarray]:
    """The table of ``predict_record`` and the beats it fed the model, in table order."""
    fed = []
    network_proba = clf.network_proba

    def spy(X, rr=None):
        fed.append(np.array(X))
        return network_proba(X, rr=rr)

    clf.network_proba = spy
    try:
        table = predict_record(clf, record.signal[0], fs=record.fs, chunk_s=chunk_s)
    finally:
        del clf.network_proba
    return table, np.concatenate(fed)


@pytest.mark.parametrize("template", ["record-median", "record-sinus"])
def test_a_record_template_is_taken_and_subtracted_as_in_training(record, template):
    # The template comes from a first pass over the record: the beats the model sees must
    # be the beat-level ones, whose template is the median of the record's beats (or of
    # those that are not premature), up to the few samples by which detected R peaks sit
    # off the annotated ones.
    config = ecgbeat.BeatConfig(template=template)
    beats = ecgbeat.load_beats("sample", records=["208"], protocol=None, config=config)
    plain = ecgbeat.load_beats("sample", records=["208"], protocol=None)
    net = ecgbeat.create_model(
        "beatfusion_tiny", input_length=252, num_rr_features=beats.rr.shape[1]
    )
    clf = ecgbeat.Classifier(
        net,
        metadata={
            "classes": list(beats.classes),
            "input_shape": [1, 252],
            "fs": FS,
            "config": config.to_dict(),
            "uses_rr": True,
            "rr_names": list(beats.rr_names),
        },
    )
    table, fed = _model_inputs(clf, record, chunk_s=60)
    near, matched = _nearest(table, beats.sample, fs=FS)
    assert np.isfinite(table.proba).all()  # every detected beat was cut and classified
    error = np.abs(fed[near[matched]] - beats.X[matched]).mean(axis=(1, 2))
    without_template = np.abs(fed[near[matched]] - plain.X[matched]).mean(axis=(1, 2))
    assert np.median(error) < 0.05 < 0.2 < np.median(without_template)
    # Taking the template chunk by chunk gives the same inputs as one chunk.
    np.testing.assert_array_equal(_model_inputs(clf, record, chunk_s=1800)[1], fed)


def test_a_smoothing_classifier_smooths_the_whole_record_whatever_its_chunks(trained, record):
    clf = ecgbeat.load(trained[1])
    clf.smoothing = RecordSmoothing(agreed_only=True)
    table, fed = _model_inputs(clf, record, chunk_s=60)
    plain = predict_record(ecgbeat.load(trained[1]), record.signal[0], fs=record.fs, chunk_s=60)
    rows = np.isfinite(plain.proba).all(axis=1)
    expected = smooth_within_records(plain.proba[rows], fed, smoothing=clf.smoothing)
    np.testing.assert_allclose(table.proba[rows], expected, atol=1e-5)
    assert not np.allclose(table.proba[rows], plain.proba[rows], atol=1e-3)
    np.testing.assert_array_equal(table.label, np.asarray(clf.classes)[table.label_index])
    _assert_same_table(table, predict_record(clf, record.signal[0], fs=record.fs, chunk_s=1800))


def test_classes_agree_with_beat_level_prediction_on_a_full_mitdb_record(clf, mitdb_dir):
    table = predict_record(clf, mitdb_dir / "208")
    assert table.n_samples == 650_000
    reference = _reference(read_record(mitdb_dir, "208", default_lead="MLII"))
    match = match_peaks(table.sample, reference, fs=FS, tolerance_s=MATCH_S)
    assert match.sensitivity >= 0.99 and match.ppv >= 0.99
    assert _agreement(clf, table, "mitdb", "208", data_dir=mitdb_dir) >= AGREEMENT


# --- input forms ---------------------------------------------------------------------------


def test_a_record_gives_the_same_table_as_its_array(clf, record, table):
    _assert_same_table(predict_record(clf, record), table)


@pytest.mark.parametrize("suffix", ["", ".hea"])
def test_a_wfdb_path_gives_the_same_table_as_its_array(clf, table, suffix):
    _assert_same_table(predict_record(clf, f"{locate('sample')}/208{suffix}"), table)


def test_a_wfdb_record_is_read_on_the_training_lead_by_name(clf, mitdb_dir):
    # Record 114 stores V5 first and MLII second; the model was trained on MLII.
    by_name = predict_record(clf, mitdb_dir / "114", chunk_s=300)
    by_index = predict_record(clf, mitdb_dir / "114", lead=1, chunk_s=300)
    _assert_same_table(by_name, by_index)


@pytest.mark.parametrize("header", [True, False])
def test_a_csv_file_gives_the_same_table_as_its_array(clf, record, table, tmp_path, header):
    path = tmp_path / "ecg.csv"
    np.savetxt(
        path,
        record.signal.T,
        delimiter=",",
        header="MLII" if header else "",
        comments="",
        fmt="%.6f",
    )
    _assert_same_table(predict_record(clf, path, fs=FS), table)


def test_a_npy_file_gives_the_same_table_as_its_array(clf, record, table, tmp_path):
    np.save(tmp_path / "ecg.npy", record.signal)
    _assert_same_table(predict_record(clf, tmp_path / "ecg.npy", fs=FS), table)


def test_classifier_predict_record_delegates_to_predict_record(clf, record, table):
    _assert_same_table(clf.predict_record(record.signal, fs=FS), table)


def test_a_250_hz_recording_is_resampled_to_the_training_rate(clf, record, table):
    x250 = resample(record.signal[0], fs=FS, target_fs=250.0)
    low = predict_record(clf, x250, fs=250.0)
    assert low.fs == 250.0 and low.n_samples == x250.size
    # The same beats, at the same times, mostly with the same class.
    near, matched = _nearest(low, table.sample * 250.0 / FS, fs=250.0)
    assert matched.mean() >= 0.99
    assert np.abs(low.time_s[near] - table.time_s)[matched].max() < 0.01
    assert (low.label[near] == table.label)[matched].mean() >= 0.95


def test_chunked_processing_gives_the_same_table_as_one_chunk(clf, record, table):
    chunked = predict_record(clf, record.signal, fs=FS, chunk_s=60.0)  # 4 chunks
    _assert_same_table(chunked, table)


# --- flags ---------------------------------------------------------------------------------


def test_beats_near_a_nan_gap_are_flagged_without_a_prediction(clf, record, table):
    x = record.signal[0].copy()
    middle = x.size / FS / 2
    x[round((middle - 1) * FS) : round((middle + 1) * FS)] = np.nan  # a 2 s dropout
    gapped = predict_record(clf, x, fs=FS)
    flagged = gapped.flag == "nan_gap"
    assert flagged.any()
    assert np.isnan(gapped.proba[flagged]).all() and (gapped.label[flagged] == "").all()
    assert (gapped.label_index[flagged] == -1).all()
    # Flagged beats lie at the gap (RR features reach one beat either side).
    assert np.all(np.abs(gapped.time_s[flagged] - middle) < 4.0)
    # Beats far from it keep their class; the record's mean RR, one of the RR features,
    # now includes the long interval across the gap, so a few may change.
    far = np.abs(table.time_s - middle) > 10.0
    near, _ = _nearest(gapped, table.sample[far], fs=FS)
    assert (gapped.label[near] == table.label[far]).mean() >= 0.95


def test_beats_touching_a_flat_line_are_flagged_flat(clf, record, table):
    x = record.signal[0].copy()
    start = table.sample[100] + round(0.1 * FS)  # 100 ms after an R peak: inside its window
    x[start : start + round(3 * FS)] = x[start]
    flat = predict_record(clf, x, fs=FS)
    assert table.sample[100] in flat.sample[flat.flag == "flat"]
    assert not np.isnan(flat.proba[flat.flag == "flat"]).any()  # still classified


def test_beats_in_a_clipped_stretch_are_flagged_saturated(clf, record, table):
    x = record.signal[0].copy()
    rail = x.max() + 0.5
    start = table.sample[200] - round(0.1 * FS)  # the amplifier pinned at its rail
    x[start : start + round(0.5 * FS)] = rail
    clipped = predict_record(clf, x, fs=FS)
    assert (clipped.flag == "saturated").any()
    assert np.all(np.abs(clipped.sample[clipped.flag == "saturated"] - start) < FS)


def test_beats_too_close_to_the_record_edge_are_flagged_edge(clf, record):
    # Cut the record 0.1 s after an R peak: its window cannot be completed.
    peaks = predict_record(clf, record.signal[0, : round(30 * FS)], fs=FS).sample
    cut = predict_record(clf, record.signal[0, : peaks[-1] + round(0.1 * FS)], fs=FS)
    assert cut.flag[-1] == "edge" and np.isnan(cut.proba[-1]).all()


def test_a_normal_recording_has_few_flags(table):
    assert (table.flag != "").mean() < 0.01
    assert ((table.uncertainty >= 0) & (table.uncertainty <= 1)).all()


def test_a_flat_recording_gives_an_empty_table_and_a_warning(clf):
    with pytest.warns(UserWarning, match="no beat was detected"):
        empty = predict_record(clf, np.zeros(round(10 * FS)), fs=FS)
    assert len(empty) == 0 and empty.proba.shape == (0, len(clf.classes))


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signal", "fs", "error", "match"),
    [
        (np.zeros(0), FS, ValueError, "at least"),
        (np.zeros(round(1 * FS)), FS, ValueError, "at least 2"),
        (np.zeros(3600), None, ValueError, "pass fs="),
        (np.zeros(3600), 0.0, ValueError, "positive"),
        (np.zeros(3600), float("nan"), ValueError, "positive"),
        (np.zeros(3600), "360", TypeError, "fs must be a number"),
        (np.zeros(3600), 360_000.0, ValueError, "plausible"),
        (np.zeros(3600), 0.36, ValueError, "plausible"),
        (np.zeros((3, 3600)), FS, ValueError, "lead="),
        (np.zeros((3600, 1)), FS, ValueError, r"signal\.T"),
        (np.zeros((2, 2, 3600)), FS, ValueError, "1-D"),
        (np.array(["a"] * 3600), FS, TypeError, "real numbers"),
        (np.full(3600, np.nan), FS, ValueError, "no finite sample"),
        ({"ecg": [1, 2]}, FS, TypeError, "NumPy array"),
    ],
)
def test_bad_signals_raise_clear_errors(clf, signal, fs, error, match):
    with pytest.raises(error, match=match):
        predict_record(clf, signal, fs=fs)


def test_a_sampling_rate_contradicting_the_file_is_refused(clf):
    with pytest.raises(ValueError, match="sampled at 360 Hz but fs=250"):
        predict_record(clf, locate("sample") / "208", fs=250)


def test_a_lead_the_record_lacks_is_refused(clf):
    with pytest.raises(ValueError, match="no lead 'V9'"):
        predict_record(clf, locate("sample") / "208", lead="V9")


def test_too_small_chunks_are_refused(clf, record):
    with pytest.raises(ValueError, match="chunk_s"):
        predict_record(clf, record, chunk_s=1.0)


def test_files_that_are_not_ecgs_are_refused(clf, tmp_path):
    (tmp_path / "notes.csv").write_text("hello,world\nthis is,text\n")
    with pytest.raises(ValueError, match="not a CSV of ECG samples"):
        predict_record(clf, tmp_path / "notes.csv", fs=FS)
    (tmp_path / "ecg.npy").write_bytes(b"not a numpy file")
    with pytest.raises(ValueError, match="not a NumPy array file"):
        predict_record(clf, tmp_path / "ecg.npy", fs=FS)
    (tmp_path / "ecg.txt").write_text("1\n2\n")
    with pytest.raises(ValueError, match="cannot read"):
        predict_record(clf, tmp_path / "ecg.txt", fs=FS)
    (tmp_path / "bad.hea").write_text("this is no header\n")
    with pytest.raises(ValueError, match="not a readable WFDB record"):
        predict_record(clf, tmp_path / "bad")
    with pytest.raises(FileNotFoundError):
        predict_record(clf, tmp_path / "missing.csv", fs=FS)


def test_a_classifier_without_preprocessing_config_is_refused(clf, record):
    bare = ecgbeat.training.classifier.Classifier(
        clf.model, metadata={**clf.metadata, "config": None}
    )
    with pytest.raises(ValueError, match="no preprocessing config"):
        predict_record(bare, record)


# --- the table -----------------------------------------------------------------------------


def test_the_csv_round_trips(table, tmp_path):
    path = table.to_csv(tmp_path / "beats.csv")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == table.columns and len(rows) == len(table)
    np.testing.assert_array_equal([int(r["sample"]) for r in rows], table.sample)
    np.testing.assert_array_equal([r["label"] for r in rows], table.label)
    np.testing.assert_array_equal([r["flag"] for r in rows], table.flag)
    proba = np.array([[float(r[f"p_{c}"]) for c in table.classes] for r in rows])
    np.testing.assert_allclose(proba, table.proba, atol=1e-6)


def test_to_csv_refuses_to_overwrite_unless_asked(table, tmp_path):
    path = table.to_csv(tmp_path / "beats.csv")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        table.to_csv(path)
    assert table.to_csv(path, overwrite=True) == path
    assert [p.name for p in tmp_path.iterdir()] == ["beats.csv"]  # no temporary file left


def test_unpredicted_rows_are_empty_fields_in_csv_and_none_in_rows(table, tmp_path):
    edged = replace(
        table,
        label_index=np.r_[-1, table.label_index[1:]],
        proba=np.vstack([np.full(len(table.classes), np.nan), table.proba[1:]]),
        flag=np.concatenate([["edge"], table.flag[1:]]),
    )
    assert edged.label[0] == "" and np.isnan(edged.uncertainty[0])
    assert edged.to_rows()[0]["p_N"] is None and edged.to_rows()[0]["flag"] == "edge"
    line = edged.to_csv(tmp_path / "b.csv").read_text().splitlines()[1]
    assert line.endswith(",,,,,,,edge")


def test_counts_and_dataframe_describe_the_same_beats(table):
    frame = table.to_dataframe()
    assert tuple(frame.columns) == table.columns and len(frame) == len(table)
    assert sum(table.counts().values()) == int((table.label_index >= 0).sum())
    assert (
        frame["label"].value_counts().to_dict().items()
        >= {k: v for k, v in table.counts().items() if v}.items()
    )
    assert "BeatTable(" in repr(table)


def test_the_command_writes_a_csv_and_refuses_to_overwrite(trained, tmp_path):
    _, checkpoint = trained
    out = tmp_path / "beats.csv"
    written = predict_command("232", model=checkpoint, out=out, data_dir=locate("sample"))
    assert out.is_file() and len(out.read_text().splitlines()) == len(written) + 1
    with pytest.raises(FileExistsError):
        predict_command("232", model=checkpoint, out=out, data_dir=locate("sample"))
    with pytest.raises(FileNotFoundError, match="no record"):
        predict_command("999", model=checkpoint, out=tmp_path / "x.csv", data_dir=tmp_path)


def test_no_warning_on_a_normal_record(clf, record):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predict_record(clf, record)


def test_paths_may_be_strings_or_path_objects(clf, table):
    _assert_same_table(predict_record(clf, str(Path(locate("sample")) / "208")), table)
