import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgbeat.datasets import RecordError, read_record
from ecgbeat.datasets.records import resolve_leads


def _copy(mitdb_dir: Path, tmp_path: Path, name: str = "100") -> Path:
    for ext in ("hea", "dat", "atr"):
        shutil.copy(mitdb_dir / f"{name}.{ext}", tmp_path)
    return tmp_path


def test_reads_record_100_in_millivolts(mitdb_dir):
    rec = read_record(mitdb_dir, "100", default_lead="MLII")
    assert rec.fs == 360 and rec.leads == ("MLII",) and rec.signal.shape == (1, 650000)
    assert 0.1 < np.ptp(rec.signal[0, :3600]) < 5  # a QRS is a few millivolts
    assert len(rec.ann_symbol) == 2274


def test_default_lead_is_found_by_name_whatever_its_channel(mitdb_dir):
    rec = read_record(mitdb_dir, "114", default_lead="MLII")  # MLII is the 2nd channel
    assert rec.leads == ("MLII",)


def test_all_leads_put_the_default_lead_first():
    assert resolve_leads(["V5", "MLII"], "all", default_lead="MLII", record="114") == [1, 0]


def test_an_absent_lead_names_the_record_and_the_available_leads(mitdb_dir):
    with pytest.raises(RecordError, match=r"record 102 has no lead 'MLII'.*\['V5', 'V2'\]"):
        read_record(mitdb_dir, "102", default_lead="MLII")


def test_a_missing_record_names_the_file(tmp_path):
    with pytest.raises(RecordError, match=r"999\.hea not found"):
        read_record(tmp_path, "999")


def test_a_truncated_signal_file_is_reported_as_such(mitdb_dir, tmp_path):
    folder = _copy(mitdb_dir, tmp_path)
    with open(folder / "100.dat", "r+b") as f:
        f.truncate(100_000)
    with pytest.raises(RecordError, match="shorter than the header announces"):
        read_record(folder, "100")


def test_annotations_beyond_the_signal_are_a_mismatch(mitdb_dir, tmp_path):
    folder = _copy(mitdb_dir, tmp_path)
    header = (folder / "100.hea").read_text()
    (folder / "100.hea").write_text(header.replace("650000", "300000", 1))
    with pytest.raises(RecordError, match="do not belong together"):
        read_record(folder, "100")


def _write(folder: Path, signal: np.ndarray) -> None:
    wfdb.wrsamp(
        "flat",
        fs=360,
        units=["mV"],
        sig_name=["MLII"],
        p_signal=signal[:, None],
        fmt=["16"],
        adc_gain=[200.0],
        baseline=[0],
        write_dir=str(folder),
    )
    wfdb.wrann("flat", "atr", np.array([100, 460]), symbol=["N", "N"], write_dir=str(folder))


def test_a_flat_lead_is_refused(tmp_path):
    _write(tmp_path, np.zeros(3600))
    with pytest.raises(RecordError, match="flat"):
        read_record(tmp_path, "flat")


def test_nan_samples_are_refused_with_their_count(tmp_path):
    signal = np.sin(np.arange(3600) / 50.0)
    signal[1000:1010] = np.nan
    _write(tmp_path, signal)
    with pytest.raises(RecordError, match="10 samples are NaN"):
        read_record(tmp_path, "flat")
