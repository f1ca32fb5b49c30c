"""The evaluation report: every score of a run in one object, as text, Markdown, JSON and charts.

:func:`evaluate_predictions` scores arrays of labels; :func:`evaluate` runs a model (or a
checkpoint file) over a :class:`~ecgbeat.beats.BeatSet` first. The report holds the
classification metrics, the EC57 SVEB / VEB statistics (gross and averaged over records),
bootstrap confidence intervals that resample records, ROC AUC when probabilities are
given and, for the inter-patient protocol, the published results to compare with.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from ecgbeat.beats import BeatSet
from ecgbeat.evaluation.bootstrap import ConfidenceInterval, bootstrap_confidence_intervals
from ecgbeat.evaluation.calibration import expected_calibration_error
from ecgbeat.evaluation.ec57 import EC57Result, ec57_statistics
from ecgbeat.evaluation.literature import comparison_table
from ecgbeat.evaluation.metrics import (
    ClassificationMetrics,
    check_labels,
    classification_metrics,
)
from ecgbeat.files import refuse_overwrite

__all__ = [
    "EvaluationReport",
    "Section",
    "evaluate",
    "evaluate_predictions",
    "report_sections",
]

#: Display names of the headline figures.
FIGURE_NAMES = {
    "accuracy": "accuracy",
    "macro_f1": "macro F1",
    "kappa": "Cohen's kappa",
    "sveb_se": "SVEB Se",
    "sveb_ppv": "SVEB +P",
    "veb_se": "VEB Se",
    "veb_ppv": "VEB +P",
}

#: Caveat attached to intra-patient scores.
INTRA_PATIENT_NOTE = (
    "intra-patient protocol: beats of the same patient are in both the training and the "
    "test set, so these scores are optimistic; use the inter-patient protocol to estimate "
    "performance on new patients"
)


def _json_safe(value: Any) -> Any:
    """Recursively turn NumPy scalars/arrays into Python types and NaN/inf into None."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, eq=False)
class EvaluationReport:
    """All scores of one set of predictions.

    Build it with :func:`evaluate_predictions` or :func:`evaluate`.

    Attributes
    ----------
    classes : tuple of str
        Class names.
    metrics : ClassificationMetrics
        Accuracy, per-class precision / recall / specificity / F1, averages, kappa and
        confusion matrices.
    ec57 : EC57Result
        SVEB and VEB Se, +P, FPR (gross and average over records) and F1.
    confidence_intervals : dict of str to ConfidenceInterval
        Record-bootstrap intervals of the headline figures; empty without record ids.
    roc_auc : dict of str to float, optional
        One-vs-rest ROC AUC of each class (NaN when a class has no beats); None without
        probabilities.
    ece : float, optional
        Expected calibration error of the probabilities (15 bins); None without them.
    protocol : str, optional
        Evaluation protocol the test set comes from ("inter-patient", "intra-patient").
    literature : list of dict, optional
        Published inter-patient results with this run's row last (inter-patient only).
    notes : tuple of str
        Conventions and caveats worth reading next to the numbers.
    n_bootstrap : int
        Bootstrap replicates behind ``confidence_intervals``.
    y_true, y_pred, proba, record : ndarray
        The inputs, kept for the charts (not serialised by :meth:`to_dict`).

    Examples
    --------
    >>> report = evaluate_predictions([0, 0, 1, 1], [0, 1, 1, 1], classes=("N", "V"))
    >>> report.metrics.accuracy, report.headline()["veb_se"]
    (0.75, 1.0)
    """

    classes: tuple[str, ...]
    metrics: ClassificationMetrics
    ec57: EC57Result
    confidence_intervals: dict[str, ConfidenceInterval]
    roc_auc: dict[str, float] | None
    ece: float | None
    protocol: str | None
    literature: list[dict[str, Any]] | None
    notes: tuple[str, ...]
    n_bootstrap: int
    y_true: np.ndarray = field(repr=False)
    y_pred: np.ndarray = field(repr=False)
    proba: np.ndarray | None = field(default=None, repr=False)
    record: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_beats(self) -> int:
        """Number of beats scored."""
        return len(self.y_true)

    @property
    def n_records(self) -> int | None:
        """Number of distinct records, or None when no record ids were given."""
        return None if self.record is None else len(np.unique(self.record))

    def headline(self) -> dict[str, float]:
        """The figures papers quote: accuracy, macro F1, kappa, gross SVEB / VEB Se, +P, F1.

        Examples
        --------
        >>> r = evaluate_predictions([0, 1, 2], [0, 1, 2], classes=("N", "S", "V"))
        >>> r.headline()["sveb_ppv"]
        1.0
        """
        out = {
            "accuracy": self.metrics.accuracy,
            "macro_f1": self.metrics.macro["f1"],
            "kappa": self.metrics.kappa,
        }
        for name, stats in self.ec57.blocks().items():
            for key in ("se", "ppv", "fpr", "f1"):
                out[f"{name.lower()}_{key}"] = stats.gross[key]
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything but the raw arrays, as JSON-safe Python types (NaN becomes None).

        Examples
        --------
        >>> import json
        >>> d = evaluate_predictions([0, 1], [0, 1], classes=("N", "V")).to_dict()
        >>> json.loads(json.dumps(d))["headline"]["accuracy"]
        1.0
        """
        return _json_safe(
            {
                "classes": list(self.classes),
                "protocol": self.protocol,
                "n_beats": self.n_beats,
                "n_records": self.n_records,
                "headline": self.headline(),
                "metrics": self.metrics.to_dict(),
                "ec57": self.ec57.to_dict(),
                "n_bootstrap": self.n_bootstrap,
                "confidence_intervals": {
                    k: v.to_dict() for k, v in self.confidence_intervals.items()
                },
                "roc_auc": self.roc_auc,
                "ece": self.ece,
                "literature": self.literature,
                "notes": list(self.notes),
            }
        )

    def to_json(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write :meth:`to_dict` as indented JSON.

        Parameters
        ----------
        path : str or Path
            Destination file; parent folders are created.
        overwrite : bool
            Replace an existing file; by default an existing file is an error, so a run's
            results are never lost by accident.

        Returns
        -------
        Path

        Examples
        --------
        >>> import tempfile, pathlib
        >>> report = evaluate_predictions([0, 1], [0, 1], classes=("N", "V"))
        >>> out = report.to_json(pathlib.Path(tempfile.mkdtemp()) / "metrics.json")
        >>> out.name
        'metrics.json'
        """
        path = Path(path)
        refuse_overwrite(path, overwrite=overwrite)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")
        return path

    def to_markdown(self) -> str:
        """The report as Markdown: one heading and table per section.

        Examples
        --------
        >>> md = evaluate_predictions([0, 1], [0, 1], classes=("N", "V")).to_markdown()
        >>> md.splitlines()[0]
        '## Summary'
        """
        return "\n\n".join(_section_markdown(s) for s in report_sections(self.to_dict())) + "\n"

    def __str__(self) -> str:
        return "\n\n".join(_section_text(s) for s in report_sections(self.to_dict()))

    def save_figures(
        self,
        directory: str | Path,
        *,
        history: Sequence[Mapping[str, Any]] | None = None,
        overwrite: bool = False,
    ) -> list[Path]:
        """Write every chart the report can make as PNG files.

        Always: class distribution of the test beats, confusion matrix (counts and
        row-normalised) and per-class metrics. With probabilities: ROC curves,
        precision-recall curves and the reliability diagram. With a training ``history``:
        loss curves, and metric curves when it has validation metrics.

        Parameters
        ----------
        directory : str or Path
            Folder for the PNG files (created if needed).
        history : list of dict, optional
            Per-epoch training history (``epoch``, ``train_loss``, ``val_loss``, ...).
        overwrite : bool
            Replace existing files; by default an existing file is an error and nothing
            is written.

        Returns
        -------
        list of Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> report = evaluate_predictions([0, 1, 1], [0, 1, 0], classes=("N", "V"))
        >>> paths = report.save_figures(tempfile.mkdtemp())
        >>> [p.name for p in paths][:2]
        ['class_distribution.png', 'confusion_matrix.png']
        """
        # plots sits above evaluation (and imports from it); import it only when drawing.
        from ecgbeat import plots

        directory = Path(directory)
        makers = {
            "class_distribution": lambda: plots.class_distribution(
                dict(zip(self.classes, self.metrics.support.tolist(), strict=True)),
                title="Test beats per class",
                log=True,
            ),
            "confusion_matrix": lambda: plots.confusion_matrix(
                self.metrics.confusion, self.classes
            ),
            "confusion_matrix_normalized": lambda: plots.confusion_matrix(
                self.metrics.confusion, self.classes, normalize=True
            ),
            "per_class_metrics": lambda: plots.per_class_metrics(self.metrics),
        }
        if self.proba is not None:
            makers["roc_curves"] = lambda: plots.roc_curves(self.y_true, self.proba, self.classes)
            makers["pr_curves"] = lambda: plots.pr_curves(self.y_true, self.proba, self.classes)
            makers["reliability_diagram"] = lambda: plots.reliability_diagram(
                self.proba, self.y_true
            )
        if history:
            makers["loss_curves"] = lambda: plots.loss_curves(history)
            # A run without validation records has no validation metrics to draw.
            if any("val_macro_f1" in row for row in history):
                makers["metric_curves"] = lambda: plots.metric_curves(history)
        paths = {name: directory / f"{name}.png" for name in makers}
        existing = [str(p) for p in paths.values() if p.exists()]
        if existing and not overwrite:
            raise FileExistsError(
                f"{len(existing)} figure(s) exist already, e.g. {existing[0]}; "
                "pass overwrite=True to replace them"
            )
        return [plots.save_figure(make(), paths[name]) for name, make in makers.items()]


@dataclass(frozen=True)
class Section:
    """One table of a report: a title, column names, rows of formatted cells and a note.

    Examples
    --------
    >>> Section("Summary", ("figure", "value"), [("accuracy", "0.930")]).rows[0][1]
    '0.930'
    """

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""


def _fmt(value: Any, digits: int = 3) -> str:
    """A number with fixed decimals; ``-`` for missing or undefined values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{float(value):.{digits}f}"


def report_sections(data: Mapping[str, Any]) -> list[Section]:
    """The tables of a report, built from its :meth:`EvaluationReport.to_dict` output.

    Shared by the plain-text, Markdown and HTML renderings so that all three show the
    same numbers. Sections whose data is absent are left out.

    Parameters
    ----------
    data : mapping
        ``EvaluationReport.to_dict()``, or the same read back from ``metrics.json``.

    Returns
    -------
    list of Section

    Examples
    --------
    >>> d = evaluate_predictions([0, 1], [0, 1], classes=("N", "V")).to_dict()
    >>> [s.title for s in report_sections(d)][:2]
    ['Summary', 'Per-class metrics']
    """
    sections = []
    metrics = data.get("metrics") or {}
    summary = [
        ("protocol", str(data.get("protocol") or "-")),
        ("beats", _fmt(data.get("n_beats"))),
        ("records", _fmt(data.get("n_records"))),
        ("accuracy", _fmt(metrics.get("accuracy"))),
        ("macro F1", _fmt((metrics.get("macro") or {}).get("f1"))),
        ("Cohen's kappa", _fmt(metrics.get("kappa"))),
    ]
    if data.get("ece") is not None:
        summary.append(("expected calibration error", _fmt(data["ece"])))
    sections.append(Section("Summary", ("figure", "value"), summary))

    per_class = metrics.get("per_class") or {}
    if per_class:
        auc = data.get("roc_auc") or {}
        header = ("class", "precision", "recall", "specificity", "f1-score", "support")
        header += ("roc auc",) if auc else ()
        keys = ("precision", "recall", "specificity", "f1")
        rows = []
        for name, row in per_class.items():
            cells = (name, *(_fmt(row.get(k)) for k in keys), _fmt(row.get("support")))
            rows.append(cells + ((_fmt(auc.get(name)),) if auc else ()))
        total = sum(int(r.get("support") or 0) for r in per_class.values())
        pad = ("",) if auc else ()
        rows.append(("accuracy", "", "", "", _fmt(metrics.get("accuracy")), str(total), *pad))
        for label, key in (("macro avg", "macro"), ("weighted avg", "weighted")):
            averages = metrics.get(key) or {}
            rows.append((label, *(_fmt(averages.get(k)) for k in keys), str(total), *pad))
        sections.append(
            Section(
                "Per-class metrics",
                header,
                rows,
                "recall = sensitivity; macro avg over the classes present in truth or predictions",
            )
        )

    confusion = metrics.get("confusion")
    if confusion:
        classes = list(data.get("classes") or per_class)
        rows = [
            (name, *(str(v) for v in row)) for name, row in zip(classes, confusion, strict=True)
        ]
        sections.append(
            Section("Confusion matrix", ("true \\ predicted", *classes), rows, "rows = true class")
        )

    ec57 = data.get("ec57") or {}
    blocks = [ec57.get(k) for k in ("sveb", "veb") if ec57.get(k)]
    if blocks:
        rows = []
        for block in blocks:
            for kind in ("gross", "average"):
                stats = block.get(kind) or {}
                rows.append(
                    (
                        f"{block['name']} {kind}",
                        *(_fmt(stats.get(k)) for k in ("se", "ppv", "fpr", "f1")),
                    )
                )
        sections.append(
            Section(
                "EC57 beat statistics",
                ("statistic", "Se", "+P", "FPR", "F1"),
                rows,
                "; ".join(ec57.get("notes") or []),
            )
        )

    intervals = data.get("confidence_intervals") or {}
    if intervals:
        level = next(iter(intervals.values())).get("level") or 0.95
        rows = [
            (
                FIGURE_NAMES.get(name, name),
                _fmt(ci.get("estimate")),
                _fmt(ci.get("low")),
                _fmt(ci.get("high")),
            )
            for name, ci in intervals.items()
        ]
        sections.append(
            Section(
                f"{100 * level:g}% bootstrap confidence intervals",
                ("figure", "estimate", "low", "high"),
                rows,
                f"percentile intervals from {data.get('n_bootstrap')} replicates that "
                f"resample the {data.get('n_records')} records (patients) with replacement",
            )
        )

    literature = data.get("literature")
    if literature:
        keys = ("accuracy", "sveb_se", "sveb_ppv", "veb_se", "veb_ppv")
        rows = [(r["method"], *(_fmt(r.get(k), 1) for k in keys)) for r in literature]
        sections.append(
            Section(
                "Published inter-patient results (DS2, %)",
                ("method", "acc", "SVEB Se", "SVEB +P", "VEB Se", "VEB +P"),
                rows,
                "published gross figures; papers differ in class mapping and in scoring the "
                "first 5 minutes, so compare the scale, not the last digit",
            )
        )
    notes = data.get("notes") or []
    if notes:
        sections.append(Section("Notes", ("note",), [(n,) for n in notes]))
    return sections


def _section_text(section: Section) -> str:
    """Fixed-width table: first column left-aligned, the others right-aligned."""
    table = [section.header, *section.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(section.header))]
    lines = [section.title, "-" * len(section.title)]
    for row in table:
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    if section.note:
        lines.append(f"({section.note})")
    return "\n".join(lines)


def _section_markdown(section: Section) -> str:
    lines = [f"## {section.title}", ""]
    lines.append("| " + " | ".join(section.header) + " |")
    lines.append("|" + "|".join([":---"] + ["---:"] * (len(section.header) - 1)) + "|")
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in section.rows]
    if section.note:
        lines += ["", f"*{section.note}*"]
    return "\n".join(lines)


def _roc_auc(y_true: np.ndarray, proba: np.ndarray, classes: tuple[str, ...]) -> dict[str, float]:
    """One-vs-rest AUC per class; NaN for a class with no beats (or only its beats)."""
    out = {}
    for k, name in enumerate(classes):
        positive = y_true == k
        both = positive.any() and not positive.all()
        out[name] = float(roc_auc_score(positive, proba[:, k])) if both else float("nan")
    return out


def evaluate_predictions(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    classes: Sequence[str],
    proba: np.ndarray | None = None,
    record: Sequence[str] | np.ndarray | None = None,
    protocol: str | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> EvaluationReport:
    """Score predictions: metrics, EC57 statistics, bootstrap intervals, ROC AUC.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        True and predicted class indices into ``classes``.
    classes : sequence of str
        Class names.
    proba : ndarray of shape (n_beats, n_classes), optional
        Predicted probabilities; adds ROC AUC, the calibration error and the ROC, PR
        and reliability charts.
    record : array-like of shape (n_beats,), optional
        Record (patient) id of each beat; needed for the EC57 average statistics and the
        bootstrap intervals.
    protocol : str, optional
        "inter-patient" adds the comparison with published results; "intra-patient"
        adds a warning that the scores are optimistic.
    n_bootstrap : int
        Bootstrap replicates; 0 skips the intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 300)
    >>> pred = np.where(rng.random(300) < 0.8, y, rng.integers(0, 3, 300))
    >>> report = evaluate_predictions(y, pred, classes=("N", "S", "V"),
    ...                               record=np.repeat(list("abcdef"), 50),
    ...                               protocol="inter-patient", n_bootstrap=200)
    >>> ci = report.confidence_intervals["accuracy"]
    >>> bool(ci.low <= report.metrics.accuracy <= ci.high), report.literature[-1]["method"]
    (True, 'ecgbeat (this run)')
    """
    y_true, y_pred, names = check_labels(y_true, y_pred, classes=classes)
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be >= 0 (0 skips the intervals), got {n_bootstrap}")
    rec = None
    if record is not None:
        rec = np.asarray(record).astype(str)
        if rec.shape != y_true.shape:
            raise ValueError(
                f"record must have one id per beat: got shape {rec.shape} for {len(y_true)} beats"
            )
    p = None
    if proba is not None:
        p = np.asarray(proba, dtype=np.float64)
        if p.shape != (len(y_true), len(names)):
            raise ValueError(
                f"proba must have shape (n_beats, n_classes) = ({len(y_true)}, {len(names)}), "
                f"got {p.shape}"
            )
        if not np.isfinite(p).all():
            raise ValueError("proba contains NaN or infinite values; check the model outputs")
    if protocol is not None and not isinstance(protocol, str):
        raise TypeError(f"protocol must be a string such as 'inter-patient', got {protocol!r}")

    metrics = classification_metrics(y_true, y_pred, classes=names)
    ec57 = ec57_statistics(y_true, y_pred, classes=names, record=rec)
    notes: list[str] = []
    intervals: dict[str, ConfidenceInterval] = {}
    if rec is None:
        notes.append("no record ids given: no EC57 average statistics and no bootstrap intervals")
    elif n_bootstrap:
        intervals = bootstrap_confidence_intervals(
            y_true, y_pred, classes=names, record=rec, n_bootstrap=n_bootstrap, seed=seed
        )
    if protocol == "intra-patient":
        notes.append(INTRA_PATIENT_NOTE)
    report = EvaluationReport(
        classes=names,
        metrics=metrics,
        ec57=ec57,
        confidence_intervals=intervals,
        roc_auc=None if p is None else _roc_auc(y_true, p, names),
        ece=None if p is None else expected_calibration_error(p, y_true),
        protocol=protocol,
        literature=None,
        notes=tuple(notes),
        n_bootstrap=n_bootstrap if intervals else 0,
        y_true=y_true,
        y_pred=y_pred,
        proba=p,
        record=rec,
    )
    if protocol != "inter-patient":
        return report
    # The comparison needs our headline figures, which the report computes.
    return replace(report, literature=comparison_table(report.headline()))


def _record_batches(record: np.ndarray, *, batch_size: int) -> Iterator[np.ndarray]:
    """Indices of the beats in batches of whole records, each of about ``batch_size`` beats
    or one record, records in the order they first appear.

    >>> [b.tolist() for b in _record_batches(np.array(list("aabbbc")), batch_size=3)]
    [[0, 1, 2, 3, 4], [5]]
    """
    _, first, inverse, counts = np.unique(
        record, return_index=True, return_inverse=True, return_counts=True
    )
    by_record = np.split(np.argsort(inverse, kind="stable"), np.cumsum(counts)[:-1])
    batch: list[np.ndarray] = []
    size = 0
    for k in np.argsort(first):
        batch.append(by_record[k])
        size += counts[k]
        if size >= batch_size:
            yield np.concatenate(batch)
            batch, size = [], 0
    if batch:
        yield np.concatenate(batch)


def _predict_proba(model: Any, beats: BeatSet, *, batch_size: int) -> np.ndarray:
    """Class probabilities of all beats, whole records of about ``batch_size`` beats at a
    time (bounded memory; a classifier that smooths within records sees each whole)."""
    proba = np.zeros((len(beats), beats.num_classes))
    for rows in _record_batches(beats.record, batch_size=batch_size):
        part = np.asarray(model.predict_proba(beats[rows]), dtype=np.float64)
        if part.shape != (len(rows), beats.num_classes):
            raise ValueError(
                f"model.predict_proba returned shape {part.shape} for {len(rows)} beats, "
                f"expected ({len(rows)}, {beats.num_classes})"
            )
        proba[rows] = part
    return proba


def evaluate(
    model: Any,
    beats: BeatSet,
    *,
    batch_size: int = 1024,
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> EvaluationReport:
    """Run a model over a beat set and score it.

    Parameters
    ----------
    model : classifier or str or Path
        An object with ``predict_proba(beats) -> ndarray (n_beats, n_classes)`` and a
        ``classes`` attribute (such as a trained ecgbeat classifier), or the path of a
        checkpoint file, which is loaded with :func:`ecgbeat.training.load`.
    beats : BeatSet
        Test beats; their ``classes`` must equal the model's. The protocol is read from
        ``beats.params["protocol"]`` when present.
    batch_size : int
        Beats per call of ``predict_proba``, about: each call holds whole records (a
        longer record is one call), so that a classifier smoothing within records
        (:attr:`ecgbeat.Classifier.smoothing`) sees each record whole.
    n_bootstrap : int
        Bootstrap replicates of the confidence intervals (0 skips them).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> import numpy as np
    >>> from ecgbeat.beats import BeatSet
    >>> class Majority:
    ...     classes = ("N", "V")
    ...     def predict_proba(self, beats):
    ...         return np.tile([0.8, 0.2], (len(beats), 1))
    >>> beats = BeatSet(X=np.zeros((4, 1, 8)), y=[0, 0, 0, 1], record=list("aabb"),
    ...                 rr=np.zeros((4, 0)), classes=("N", "V"), fs=360)
    >>> evaluate(Majority(), beats, n_bootstrap=0).metrics.accuracy
    0.75
    """
    if isinstance(model, str | Path):
        from ecgbeat.training import load  # the training layer sits above; load it only here

        model = load(model)
    if not callable(getattr(model, "predict_proba", None)) or not hasattr(model, "classes"):
        raise TypeError(
            "model must have predict_proba(beats) and a classes attribute (a trained "
            f"classifier) or be a checkpoint path, got {type(model).__name__}"
        )
    if not isinstance(beats, BeatSet):
        raise TypeError(f"beats must be a BeatSet, got {type(beats).__name__}")
    if len(beats) == 0:
        raise ValueError("beats is empty; nothing to evaluate")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive number of beats, got {batch_size}")
    model_classes = tuple(str(c) for c in model.classes)
    if model_classes != beats.classes:
        raise ValueError(
            f"the model predicts classes {model_classes} but the beats are labelled with "
            f"{beats.classes}; load the beats with the model's class map"
        )
    proba = _predict_proba(model, beats, batch_size=batch_size)
    return evaluate_predictions(
        beats.y,
        proba.argmax(axis=1),
        classes=beats.classes,
        proba=proba,
        record=beats.record,
        protocol=beats.params.get("protocol"),
        n_bootstrap=n_bootstrap,
        seed=seed,
    )
