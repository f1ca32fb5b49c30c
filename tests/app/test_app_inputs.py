"""Reading uploaded ECG files and the embedded samples for the dashboard."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbeat.app.inputs import (
    MAX_CSV_LEADS,
    read_csv_record,
    read_sample,
    read_upload,
    read_wfdb_upload,
    sample_records,
)
from ecgbeat.datasets import locate


def _wfdb_files(record: str, *extensions: str) -> dict[str, bytes]:
    folder = locate("sample")
    return {f"{record}.{ext}": (folder / f"{record}.{ext}").read_bytes() for ext in extensions}


def test_csv_with_header_names_the_leads_and_uses_the_given_rate() -> None:
    rec = read_csv_record(b"MLII,V1\n0.1,0.5\n0.2,0.6\n0.3,0.7\n", name="a.csv", fs=250.0)
    assert rec.leads == ("MLII", "V1")
    assert rec.fs == 250.0
    np.testing.assert_allclose(rec.signal, [[0.1, 0.2, 0.3], [0.5, 0.6, 0.7]])


def test_csv_without_header_reads_every_row_as_samples() -> None:
    rec = read_csv_record(b"0.1\n0.2\n0.3\n", name="a.csv", fs=360.0)
    assert rec.leads == ("lead 0",)
    assert rec.signal.shape == (1, 3)


def test_csv_time_column_sets_the_sampling_rate() -> None:
    t = np.arange(500) / 128.0
    text = "time,ecg\n" + "\n".join(f"{a:.9f},{np.sin(a):.5f}" for a in t)
    rec = read_csv_record(text.encode(), name="a.csv", fs=None)
    assert rec.fs == pytest.approx(128.0)
    assert rec.leads == ("ecg",)


def test_csv_without_time_column_or_rate_asks_for_the_rate() -> None:
    with pytest.raises(ValueError, match="sampling rate"):
        read_csv_record(b"0.1\n0.2\n", name="a.csv", fs=None)


def test_csv_with_irregular_time_stamps_is_refused() -> None:
    with pytest.raises(ValueError, match="not evenly spaced"):
        read_csv_record(b"time,ecg\n0,1\n0.01,2\n0.05,3\n", name="a.csv", fs=None)


def test_csv_with_text_columns_names_them() -> None:
    with pytest.raises(ValueError, match=r"\['comment'\] hold no numbers"):
        read_csv_record(b"ecg,comment\n0.1,ok\n0.2,ok\n", name="a.csv", fs=360.0)


def test_csv_table_of_beats_is_told_apart_from_a_record() -> None:
    row = ",".join(["0.5"] * (MAX_CSV_LEADS + 172))
    with pytest.raises(ValueError, match="table of beats"):
        read_csv_record(f"{row}\n{row}\n".encode(), name="mitbih_test.csv", fs=125.0)


def test_binary_file_named_csv_is_refused() -> None:
    with pytest.raises(ValueError, match="not a text CSV"):
        read_csv_record(b"\x00\xff\xfe\x01", name="a.csv", fs=360.0)


def test_wfdb_upload_without_annotations_reads_every_lead() -> None:
    rec = read_wfdb_upload(_wfdb_files("105", "hea", "dat"))
    assert rec.leads == ("MLII", "V1")
    assert rec.signal.shape == read_sample("105").signal.shape
    assert len(rec.ann_sample) == 0


def test_wfdb_upload_with_annotations_matches_the_sample() -> None:
    rec = read_wfdb_upload(_wfdb_files("105", "hea", "dat", "atr"))
    reference = read_sample("105")
    np.testing.assert_array_equal(rec.ann_sample, reference.ann_sample)
    np.testing.assert_allclose(rec.signal, reference.signal)


def test_wfdb_upload_without_its_signal_file_names_the_missing_file() -> None:
    with pytest.raises(ValueError, match=r"\['105.dat'\].*not\s+uploaded"):
        read_wfdb_upload(_wfdb_files("105", "hea"))


def test_wfdb_upload_with_truncated_signal_file_is_refused() -> None:
    files = _wfdb_files("105", "hea", "dat")
    files["105.dat"] = files["105.dat"][:1000]
    with pytest.raises(ValueError, match="cannot be read"):
        read_wfdb_upload(files)


def test_wfdb_upload_with_two_headers_is_refused() -> None:
    files = {**_wfdb_files("105", "hea", "dat"), **_wfdb_files("208", "hea", "dat")}
    with pytest.raises(ValueError, match="exactly one header"):
        read_wfdb_upload(files)


def test_upload_of_an_unsupported_file_names_the_accepted_formats() -> None:
    with pytest.raises(ValueError, match=r"one \.csv file .* WFDB record"):
        read_upload({"scan.pdf": b"%PDF-1.4"})


def test_upload_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no file uploaded"):
        read_upload({})


def test_samples_are_the_embedded_records_in_order() -> None:
    names = sample_records()
    assert list(names) == sorted(names)
    assert all((locate("sample") / f"{name}.hea").is_file() for name in names)


def test_unknown_sample_names_the_embedded_records() -> None:
    with pytest.raises(ValueError, match="choose one of"):
        read_sample("999")
