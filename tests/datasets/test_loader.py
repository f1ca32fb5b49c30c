import shutil

import numpy as np
import pytest
import wfdb

from ecgbeat import BeatConfig, load_beats
from ecgbeat.beats import RR_FEATURE_NAMES
from ecgbeat.datasets import RecordError, beats_from_record, locate, read_record
from ecgbeat.labels import get_label_map
from ecgbeat.splits import DS1, DS2

#: de Chazal et al. 2004, Table I: AAMI class counts of all annotated beats (their mapping).
DE_CHAZAL_COUNTS = {
    "DS1": {"N": 45866, "S": 944, "V": 3788, "F": 415, "Q": 8},
    "DS2": {"N": 44259, "S": 1837, "V": 3221, "F": 388, "Q": 7},
}


@pytest.fixture(scope="module")
def all_mitdb(mitdb_dir):
    # The first channel, since the paced records 102 and 104 have no MLII.
    return load_beats("mitdb", data_dir=mitdb_dir, protocol=None, leads=0)


def test_mitdb_has_109494_beat_annotations_in_48_records(all_mitdb):
    s = all_mitdb.summary
    assert s["records"] == 48 and s["beats"] == 109_494
    assert s["annotations"] == 112_647 and s["non_beat_annotations"] == 112_647 - 109_494
    assert s["kept_beats"] + s["edge_dropped"] + s["unmapped_beats"] == 109_494
    assert len(all_mitdb) == s["kept_beats"]


def test_record_100_has_2273_beats_each_kept_or_counted(mitdb_dir):
    record = read_record(mitdb_dir, "100", default_lead="MLII")
    arrays, counts = beats_from_record(record, label_map=get_label_map(), config=BeatConfig())
    assert counts["beats"] == 2273
    assert counts["kept_beats"] + counts["edge_dropped"] == 2273 == len(arrays["y"]) + 2


def test_ds1_ds2_annotation_counts_match_de_chazal(mitdb_dir):
    label_map = get_label_map("aami-dechazal")
    for part, records in (("DS1", DS1), ("DS2", DS2)):
        counts = np.zeros(5, int)
        for name in records:
            ann = wfdb.rdann(str(mitdb_dir / name), "atr")
            y, _ = label_map.encode(np.array(ann.symbol))
            counts += np.bincount(y, minlength=5)
        assert dict(zip(label_map.classes, counts.tolist(), strict=True)) == DE_CHAZAL_COUNTS[part]


def test_inter_patient_beats_are_de_chazal_minus_the_edge_beats(mitdb_dir):
    beats = load_beats("mitdb", data_dir=mitdb_dir)
    assert set(beats.records) == set(DS1) | set(DS2)
    train, test = beats.split("inter-patient")
    published = sum(sum(c.values()) for c in DE_CHAZAL_COUNTS.values())
    assert len(train) + len(test) + beats.summary["edge_dropped"] == published
    for part, got in (("DS1", train), ("DS2", test)):
        for cls, count in got.class_counts().items():
            assert 0 <= DE_CHAZAL_COUNTS[part][cls] - count <= 20


def test_beats_carry_what_built_them(mitdb_dir):
    beats = load_beats("mitdb", data_dir=mitdb_dir, records=["100", "101"])
    assert beats.X.shape[1:] == (1, 252) and beats.fs == 360 and beats.leads == ("MLII",)
    assert beats.rr.shape == (len(beats), len(RR_FEATURE_NAMES))
    assert beats.params["config"] == BeatConfig().to_dict()
    assert beats.params["records"] == ["100", "101"]
    assert set(beats.symbol) <= set("NAVQ")


def test_all_leads_gives_two_channel_beats_with_merged_lead_names(mitdb_dir):
    beats = load_beats("mitdb", data_dir=mitdb_dir, records=["100", "101", "114"], leads="all")
    assert beats.X.shape[1] == 2 and beats.leads == ("MLII", "V5/V1")


def test_a_record_without_the_lead_raises_or_is_skipped_and_counted(mitdb_dir):
    with pytest.raises(RecordError, match="102"):
        load_beats("mitdb", data_dir=mitdb_dir, records=["100", "102"])
    beats = load_beats("mitdb", data_dir=mitdb_dir, records=["100", "102"], on_error="skip")
    assert beats.records == ("100",)
    assert [s["record"] for s in beats.summary["skipped_records"]] == ["102"]


def test_the_sample_holds_every_aami_class_on_both_sides_of_the_split():
    train, test = load_beats("sample").split("inter-patient")
    assert all(n > 0 for n in train.class_counts().values())
    assert all(n > 0 for n in test.class_counts().values())


def test_kachuee187_segmentation_through_the_loader():
    beats = load_beats("sample", config=BeatConfig(segmentation="kachuee187"))
    assert beats.X.shape[1:] == (1, 187) and beats.fs == 125.0
    assert beats.X.min() >= 0 and beats.X.max() <= 1


def test_resampling_config_changes_the_beat_rate():
    beats = load_beats("sample", config=BeatConfig(fs=250.0, before_s=0.2, after_s=0.4))
    assert beats.fs == 250.0 and beats.X.shape[2] == 150


def test_cached_load_returns_the_same_beats_and_parameters_change_the_key():
    first = load_beats("sample")
    again = load_beats("sample")
    np.testing.assert_array_equal(first.X, again.X)
    assert again.summary == first.summary and again.params == first.params
    wider = load_beats("sample", config=BeatConfig(before_s=0.5))
    assert wider.X.shape[2] != first.X.shape[2]


def test_the_cache_is_not_stale_when_a_source_file_changes(tmp_path):
    folder = tmp_path / "sample"
    shutil.copytree(locate("sample"), folder)
    before = load_beats("sample", data_dir=folder)
    ann = wfdb.rdann(str(folder / "208"), "atr")
    symbols = ["V" if s == "N" else s for s in ann.symbol]
    wfdb.wrann("208", "atr", ann.sample, symbol=symbols, write_dir=str(folder))
    after = load_beats("sample", data_dir=folder)
    assert after.class_counts()["V"] > before.class_counts()["V"]


def test_an_empty_record_list_is_refused():
    with pytest.raises(ValueError, match="non-empty list"):
        load_beats("sample", records=[])


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="protocol"):
        load_beats("sample", protocol="leave-one-out")


def test_parallel_and_serial_loads_agree():
    serial = load_beats("sample", cache=False, n_jobs=1)
    parallel = load_beats("sample", cache=False, n_jobs=2)
    np.testing.assert_array_equal(serial.X, parallel.X)
    np.testing.assert_array_equal(serial.record, parallel.record)
