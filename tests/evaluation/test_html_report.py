"""Tests of the self-contained HTML report."""

from __future__ import annotations

import base64
import re

import pytest

from ecgbeat.evaluation.html import write_html_report
from ecgbeat.evaluation.report import evaluate_predictions


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, predictions):
    """A run folder with metrics.json and the charts (built once: drawing takes seconds)."""
    tmp_path = tmp_path_factory.mktemp("run")
    report = evaluate_predictions(
        predictions.y_true,
        predictions.y_pred,
        classes=predictions.classes,
        proba=predictions.proba,
        record=predictions.record,
        protocol="inter-patient",
        n_bootstrap=100,
    )
    report.to_json(tmp_path / "metrics.json")
    report.save_figures(tmp_path / "figures")
    write_html_report(tmp_path)
    return tmp_path


def test_every_figure_is_embedded_as_a_data_uri(run_dir):
    page = (run_dir / "report.html").read_text()
    pngs = sorted((run_dir / "figures").glob("*.png"))
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == len(pngs) == 7
    assert base64.b64decode(images[0]) == pngs[0].read_bytes()


def test_page_opens_offline_with_no_external_resource(run_dir):
    page = (run_dir / "report.html").read_text()
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_metrics_are_rendered_as_tables(run_dir):
    page = (run_dir / "report.html").read_text()
    for title in (
        "Per-class metrics",
        "EC57 beat statistics",
        "bootstrap confidence intervals",
        "Published inter-patient results",
    ):
        assert f"{title}" in page
    assert "<td>SVEB gross</td>" in page
    assert page.count("<table>") >= 6


def test_custom_output_path_and_overwrite(run_dir, tmp_path):
    out = write_html_report(run_dir, out=tmp_path / "elsewhere" / "page.html")
    assert out.is_file()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_html_report(run_dir, out=out)
    assert write_html_report(run_dir, out=out, overwrite=True) == out


def test_missing_run_folder_or_metrics_raise_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_html_report(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match=r"metrics\.json"):
        write_html_report(tmp_path)


def test_a_run_without_figures_still_gets_a_page(tmp_path):
    evaluate_predictions([0, 1], [0, 1], classes=("N", "V")).to_json(tmp_path / "metrics.json")
    page = write_html_report(tmp_path).read_text()
    assert "<img" not in page and "Per-class metrics" in page
