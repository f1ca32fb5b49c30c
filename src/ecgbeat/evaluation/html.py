"""A self-contained HTML page of a run: its metrics tables and every chart, embedded.

The page reads ``metrics.json`` (the output of ``EvaluationReport.to_json``) and the PNG
files under ``figures/`` of a run folder, and inlines the images as base64 data URIs,
so the single file opens offline and can be mailed or archived on its own.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

from ecgbeat.evaluation.report import Section, report_sections
from ecgbeat.files import refuse_overwrite

__all__ = ["write_html_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; background: #fff; line-height: 1.4; }
h1 { border-bottom: 2px solid #2a6fb0; padding-bottom: .3rem; }
h2 { margin-top: 2rem; color: #2a6fb0; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef3f9; }
tr:nth-child(even) td { background: #fafafa; }
p.note { color: #555; font-size: .85rem; font-style: italic; max-width: 900px; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; flex: 1 1 460px; max-width: 100%; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .85rem; color: #555; text-align: center; }
"""


def _table(section: Section) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in section.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in section.rows
    )
    note = f'<p class="note">{html.escape(section.note)}</p>' if section.note else ""
    return (
        f"<h2>{html.escape(section.title)}</h2>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n{note}"
    )


def _figure(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = html.escape(path.stem.replace("_", " "))
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def write_html_report(
    run_dir: str | Path, *, out: str | Path | None = None, overwrite: bool = False
) -> Path:
    """Write one offline HTML page with the metrics and charts of a run folder.

    Parameters
    ----------
    run_dir : str or Path
        Folder holding ``metrics.json`` and, optionally, PNG charts under ``figures/``
        (as written by ``EvaluationReport.to_json`` and ``save_figures``).
    out : str or Path, optional
        Destination; defaults to ``run_dir / "report.html"``.
    overwrite : bool
        Replace an existing file; by default an existing file is an error.

    Returns
    -------
    Path
        The HTML file.

    Raises
    ------
    FileNotFoundError
        When ``run_dir`` or its ``metrics.json`` does not exist.
    FileExistsError
        When ``out`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ecgbeat.evaluation.report import evaluate_predictions
    >>> run = pathlib.Path(tempfile.mkdtemp())
    >>> report = evaluate_predictions([0, 1, 1], [0, 1, 0], classes=("N", "V"))
    >>> _ = report.to_json(run / "metrics.json")
    >>> _ = report.save_figures(run / "figures")
    >>> page = write_html_report(run)
    >>> page.name, "data:image/png;base64," in page.read_text()
    ('report.html', True)
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run folder {run_dir} does not exist")
    metrics_path = run_dir / "metrics.json"
    if not metrics_path.is_file():
        raise FileNotFoundError(
            f"{metrics_path} not found; write it first with EvaluationReport.to_json"
        )
    out = Path(out) if out is not None else run_dir / "report.html"
    refuse_overwrite(out, overwrite=overwrite)
    try:
        data = json.loads(metrics_path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{metrics_path} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise ValueError(f"{metrics_path} must hold a JSON object (EvaluationReport.to_dict)")
    figures = sorted((run_dir / "figures").glob("*.png"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>ecgbeat report: {html.escape(run_dir.name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>ecgbeat evaluation report: {html.escape(run_dir.name)}</h1>",
        *(_table(section) for section in report_sections(data)),
    ]
    if figures:
        parts += ["<h2>Figures</h2>", '<div class="figures">', *map(_figure, figures), "</div>"]
    parts.append("</body></html>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return out
