"""The dashboard page, run by Streamlit's own app-testing harness with a real checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip(
    "streamlit", reason="the dashboard needs the app extra: pip install ecgbeat[app]"
)

from streamlit.testing.v1 import AppTest

import ecgbeat
from ecgbeat.app import DASHBOARD, MODEL_ENV
from ecgbeat.app.dashboard import DEFAULT_SAMPLE, PATH, UPLOAD, UPLOADED
from ecgbeat.app.inputs import read_sample, sample_records
from ecgbeat.datasets import locate
from ecgbeat.predict import predict_record

TIMEOUT_S = 120
#: Another record than the one the page shows first.
OTHER = next(name for name in sample_records() if name != DEFAULT_SAMPLE)


def _page(checkpoint: Path) -> AppTest:
    """The page after choosing the checkpoint by path (the first sample record is shown)."""
    page = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    page.session_state["model_source"] = PATH
    page.session_state["model_path"] = str(checkpoint)
    return page.run()


def _metric(page: AppTest, label: str) -> str:
    return next(metric.value for metric in page.metric if metric.label == label)


def _upload_ecg(page: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    page.radio(key="ecg_source").set_value(UPLOADED).run()
    return page.file_uploader(key="ecg_upload").set_value(files).run()


def test_page_runs_on_the_embedded_sample_without_error(checkpoint: Path) -> None:
    page = _page(checkpoint)
    assert not page.exception
    assert not page.error
    assert page.subheader[0].value == f"Record {DEFAULT_SAMPLE}"


def test_page_waits_for_a_model_before_anything_else(checkpoint: Path) -> None:
    page = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
    page.session_state["model_source"] = UPLOAD
    page.run()
    assert "Upload a checkpoint" in page.info[0].value
    assert not page.dataframe


def test_page_started_with_a_checkpoint_opens_on_it(
    checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_ENV, str(checkpoint))
    page = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    assert page.radio(key="model_source").value == PATH
    assert not page.exception
    assert len(page.dataframe[0].value) > 0


def test_beat_table_has_one_row_per_detected_beat(checkpoint: Path) -> None:
    page = _page(checkpoint)
    record = read_sample(DEFAULT_SAMPLE)
    expected = predict_record(ecgbeat.load(checkpoint), record.signal[:1], fs=record.fs)
    table = page.dataframe[0].value
    assert len(table) == len(expected) == int(_metric(page, "Beats"))
    np.testing.assert_array_equal(table["sample"].to_numpy(), expected.sample)


def test_selecting_another_sample_record_updates_the_table(checkpoint: Path) -> None:
    page = _page(checkpoint)
    rows_first = len(page.dataframe[0].value)
    page.selectbox(key="sample").set_value(OTHER).run()
    assert page.subheader[0].value == f"Record {OTHER}"
    rows_other = len(page.dataframe[0].value)
    assert rows_other != rows_first
    assert rows_other == int(_metric(page, "Beats"))


def test_selecting_a_beat_centres_the_strip_chart_on_it(checkpoint: Path) -> None:
    page = _page(checkpoint)
    page.toggle(key="browse_all").set_value(True).run()
    beat = page.selectbox(key="beat")
    late = len(beat.options) - 20
    beat.select_index(late).run()
    time_s = page.dataframe[0].value["time_s"].to_numpy()[late]
    start_s = page.slider(key="start_s").value
    assert start_s <= time_s <= start_s + page.select_slider(key="length_s").value
    assert not page.exception


def test_uploaded_wfdb_record_is_classified(checkpoint: Path) -> None:
    folder = locate("sample")
    files = [(f"105.{ext}", (folder / f"105.{ext}").read_bytes(), "") for ext in ("hea", "dat")]
    page = _upload_ecg(_page(checkpoint), files)
    assert not page.exception
    assert page.subheader[0].value == "Record 105"
    assert len(page.dataframe[0].value) == int(_metric(page, "Beats")) > 0


def test_uploaded_csv_is_classified_at_the_given_rate(checkpoint: Path) -> None:
    record = read_sample("213")
    csv = "MLII\n" + "\n".join(f"{v:.4f}" for v in record.signal[0, : int(60 * record.fs)])
    page = _upload_ecg(_page(checkpoint), [("ecg.csv", csv.encode(), "text/csv")])
    assert not page.exception
    assert not page.error
    assert _metric(page, "Duration") == "60 s"


def test_bad_upload_shows_an_error_not_an_exception(checkpoint: Path) -> None:
    page = _upload_ecg(_page(checkpoint), [("ecg.csv", b"\x00\xff\xfe\x01garbage", "text/csv")])
    assert not page.exception
    assert "not a text CSV" in page.error[0].value
    assert not page.dataframe


def test_record_too_short_to_classify_shows_an_error(checkpoint: Path) -> None:
    page = _upload_ecg(_page(checkpoint), [("short.csv", b"MLII\n0.1\n0.2\n0.3\n", "text/csv")])
    assert not page.exception
    assert page.error


def test_bad_checkpoint_upload_shows_an_error(checkpoint: Path) -> None:
    page = _page(checkpoint)
    page.radio(key="model_source").set_value(UPLOAD).run()
    page.file_uploader(key="model_upload").set_value(("model.pt", b"not a model", "")).run()
    assert not page.exception
    assert page.error[0].value.startswith("The model cannot be loaded")


def test_uploaded_checkpoint_is_used(checkpoint: Path) -> None:
    page = _page(checkpoint)
    page.radio(key="model_source").set_value(UPLOAD).run()
    page.file_uploader(key="model_upload").set_value(("best.pt", checkpoint.read_bytes(), ""))
    page.run()
    assert not page.exception
    assert not page.error
    assert len(page.dataframe[0].value) > 0
