"""ANSI/AAMI EC57 beat statistics: SVEB and VEB sensitivity, positive predictivity and FPR.

The definitions follow the reference programs of the WFDB software package, ``bxb``
(per-record counts) and ``sumstats`` (gross and average over records). The first letter of
a count is the reference class, the second the algorithm's: ``Nv`` is a reference N beat
that the algorithm called V. Beats are classified, not detected, so the ``O`` / ``X``
(no matching beat, shutdown) columns of ``bxb`` are always zero here.

VEB (class ``"V"``)
    TP = Vv; FN = Vn + Vs + Vf + Vq; FP = Nv + Sv; TN = every non-V reference beat that
    was not called V. F and Q beats called V are neither false positives nor true
    negatives: a fusion beat is part ventricular, and Q beats are unclassifiable.
    Se = TP / (TP + FN), +P = TP / (TP + FP), FPR = FP / (TN + FP). This is the
    ``sumstats`` FPR (Nv + Ov) / (Nn + Fn + On + Nv + Ov) of its four-class table, in
    which N pools the N and S beats, F pools the F and Q beats and O is zero.
SVEB (class ``"S"``)
    TP = Ss; FN = Sn + Sv + Sf + Sq; FP = Ns + Vs + Fs; TN = every non-S reference beat not
    called S. Q beats called S are ignored (as in ``bxb``). ``bxb`` prints no SVEB FPR; the
    one here is the analogue of the VEB one, FP / (TN + FP).

Gross statistics pool the counts of all records, then divide. Average statistics divide
per record, then average over the records whose denominator is non-zero. All beats given
are scored: unlike the reference programs there is no 5-minute learning period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecgbeat.evaluation.metrics import check_labels, confusion_by_record

__all__ = [
    "EC57_CLASSES",
    "EC57Result",
    "EC57Stats",
    "ec57_counts",
    "ec57_rates",
    "ec57_statistics",
]

#: The EC57 beat statistics: name -> (positive class, reference classes whose beats called
#: positive are ignored). From ``bxb.c``: VFP = Nv + Sv (+ Ov + Xv), SFP = Ns + Vs + Fs (+ Os + Xs).
EC57_CLASSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "SVEB": ("S", ("Q",)),
    "VEB": ("V", ("F", "Q")),
}


@dataclass(frozen=True)
class EC57Stats:
    """EC57 statistics of one beat class (SVEB or VEB), in fractions (not percent).

    Attributes
    ----------
    name : str
        ``"SVEB"`` or ``"VEB"``.
    label : str
        The class scored as positive (``"S"`` or ``"V"``).
    tp, fn, fp, tn : int
        Counts pooled over all records.
    gross : dict of str to float
        ``se``, ``ppv`` (+P), ``fpr`` and ``f1`` (harmonic mean of gross Se and +P, the
        F1 that deep-learning papers quote) from the pooled counts; NaN when undefined.
    average : dict of str to float
        ``se``, ``ppv`` and ``fpr`` averaged over records with a non-zero denominator;
        NaN when no record has one (or when no record ids were given).
    average_records : dict of str to int
        Number of records that entered each average.

    Examples
    --------
    >>> r = ec57_statistics([0, 2, 2], [0, 2, 0], classes=("N", "S", "V", "F", "Q"))
    >>> r.veb.tp, r.veb.fn, r.veb.gross["se"]
    (1, 1, 0.5)
    """

    name: str
    label: str
    tp: int
    fn: int
    fp: int
    tn: int
    gross: dict[str, float]
    average: dict[str, float]
    average_records: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types, ready for JSON (NaN stays a float NaN).

        Examples
        --------
        >>> r = ec57_statistics([0, 1], [0, 1], classes=("N", "V"))
        >>> r.veb.to_dict()["gross"]["se"]
        1.0
        """
        return {
            "name": self.name,
            "label": self.label,
            "counts": {"tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn},
            "gross": dict(self.gross),
            "average": dict(self.average),
            "average_records": dict(self.average_records),
        }


@dataclass(frozen=True)
class EC57Result:
    """EC57 statistics of a set of predictions.

    Attributes
    ----------
    sveb, veb : EC57Stats or None
        None when the class (``"S"`` / ``"V"``) is not among the classes; ``notes`` says so.
    n_records : int
        Number of records scored (1 when no record ids were given).
    notes : tuple of str
        Conventions used and blocks left out.

    Examples
    --------
    >>> r = ec57_statistics([0, 1], [0, 1], classes=("N", "V"))
    >>> r.sveb is None, r.notes[0]
    (True, "no class 'S' among ('N', 'V'): SVEB statistics left out")
    """

    sveb: EC57Stats | None
    veb: EC57Stats | None
    n_records: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def blocks(self) -> dict[str, EC57Stats]:
        """The statistics that were computed, as ``{"SVEB": ..., "VEB": ...}``.

        Examples
        --------
        >>> list(ec57_statistics([0, 1], [0, 1], classes=("N", "V")).blocks())
        ['VEB']
        """
        return {s.name: s for s in (self.sveb, self.veb) if s is not None}

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types, ready for JSON.

        Examples
        --------
        >>> sorted(ec57_statistics([0, 1], [0, 1], classes=("N", "V")).to_dict())
        ['n_records', 'notes', 'sveb', 'veb']
        """
        return {
            "sveb": None if self.sveb is None else self.sveb.to_dict(),
            "veb": None if self.veb is None else self.veb.to_dict(),
            "n_records": self.n_records,
            "notes": list(self.notes),
        }


def ec57_counts(
    confusion: np.ndarray, *, classes: Sequence[str], name: str
) -> dict[str, np.ndarray]:
    """TP, FN, FP and TN of an EC57 beat class from one or a stack of confusion matrices.

    Parameters
    ----------
    confusion : ndarray of shape (..., n_classes, n_classes)
        Counts, rows = reference class, columns = predicted class.
    classes : sequence of str
        Class names of the rows and columns; must contain the positive class.
    name : {"SVEB", "VEB"}
        Which statistic (see :data:`EC57_CLASSES`).

    Returns
    -------
    dict with keys ``tp``, ``fn``, ``fp``, ``tn``
        Arrays of shape (...).

    Examples
    --------
    >>> import numpy as np
    >>> cm = np.array([[90, 2, 3, 0, 0],     # N
    ...                [4, 10, 1, 0, 0],     # S
    ...                [1, 0, 20, 0, 0],     # V
    ...                [0, 0, 5, 1, 0],      # F: F called V is ignored
    ...                [0, 0, 0, 0, 1]])     # Q
    >>> {k: int(v) for k, v in ec57_counts(cm, classes="NSVFQ", name="VEB").items()}
    {'tp': 20, 'fn': 1, 'fp': 4, 'tn': 108}
    """
    if name not in EC57_CLASSES:
        raise ValueError(f"unknown EC57 statistic {name!r}; use one of {list(EC57_CLASSES)}")
    label, ignored = EC57_CLASSES[name]
    names = [str(c) for c in classes]
    if label not in names:
        raise ValueError(f"{name} needs a class {label!r}, got classes {names}")
    cm = np.asarray(confusion, dtype=np.int64)
    t = names.index(label)
    tp = cm[..., t, t]
    fn = cm[..., t, :].sum(axis=-1) - tp
    others = np.array([i for i in range(len(names)) if i != t], dtype=np.int64)
    counted = np.array([i for i in others if names[i] not in ignored], dtype=np.int64)
    fp = cm[..., counted, t].sum(axis=-1)
    tn = cm[..., others, :].sum(axis=(-2, -1)) - cm[..., others, t].sum(axis=-1)
    return {"tp": tp, "fn": fn, "fp": fp, "tn": tn}


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise ratio, NaN where the denominator is 0 (no warnings)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def ec57_rates(counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Se, +P and FPR from the counts of :func:`ec57_counts`; NaN where undefined.

    Examples
    --------
    >>> import numpy as np
    >>> r = ec57_rates({"tp": np.array(3), "fn": np.array(1), "fp": np.array(1),
    ...                 "tn": np.array(95)})
    >>> float(r["se"]), float(r["ppv"]), round(float(r["fpr"]), 4)
    (0.75, 0.75, 0.0104)
    """
    tp, fn, fp, tn = counts["tp"], counts["fn"], counts["fp"], counts["tn"]
    return {"se": _ratio(tp, tp + fn), "ppv": _ratio(tp, tp + fp), "fpr": _ratio(fp, tn + fp)}


def _harmonic_mean(a: float, b: float) -> float:
    if not (np.isfinite(a) and np.isfinite(b)) or a + b == 0:
        return float("nan")
    return 2 * a * b / (a + b)


def ec57_statistics(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    classes: Sequence[str],
    record: Sequence[str] | np.ndarray | None = None,
) -> EC57Result:
    """Gross and average EC57 statistics for SVEB and VEB.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_beats,)
        Reference and predicted class indices into ``classes``.
    classes : sequence of str
        Class names; SVEB needs ``"S"`` and VEB ``"V"``; ``"F"`` and ``"Q"`` are used for
        the exclusions of the module docstring when present.
    record : array-like of shape (n_beats,), optional
        Record (patient) id of each beat; without it all beats form one record and the
        average statistics are NaN.

    Returns
    -------
    EC57Result

    Examples
    --------
    >>> classes = ("N", "S", "V", "F", "Q")
    >>> y_true = [0, 0, 1, 1, 2, 0, 2, 2]
    >>> y_pred = [0, 1, 1, 0, 2, 2, 2, 2]
    >>> r = ec57_statistics(y_true, y_pred, classes=classes, record=list("aaaabbbb"))
    >>> r.sveb.gross["se"], r.sveb.gross["ppv"], r.veb.average["ppv"]
    (0.5, 0.5, 0.75)
    """
    y_true, y_pred, names = check_labels(y_true, y_pred, classes=classes)
    has_records = record is not None
    rec = np.asarray(record).astype(str) if has_records else np.zeros(len(y_true), dtype=str)
    _, cms = confusion_by_record(y_true, y_pred, record=rec, n_classes=len(names))
    total = cms.sum(axis=0)
    notes = [
        "all beats scored (no 5-minute learning period); gross = counts pooled over "
        "records, average = mean over records with a non-zero denominator",
    ]
    blocks: dict[str, EC57Stats | None] = {}
    for name, (label, ignored) in EC57_CLASSES.items():
        if label not in names:
            notes.insert(0, f"no class {label!r} among {names}: {name} statistics left out")
            blocks[name] = None
            continue
        gross_counts = ec57_counts(total, classes=names, name=name)
        gross = {k: float(v) for k, v in ec57_rates(gross_counts).items()}
        gross["f1"] = _harmonic_mean(gross["se"], gross["ppv"])
        per_record = ec57_rates(ec57_counts(cms, classes=names, name=name))
        average, used = {}, {}
        for key, values in per_record.items():
            valid = np.isfinite(values) if has_records else np.zeros(len(values), dtype=bool)
            used[key] = int(valid.sum())
            average[key] = float(values[valid].mean()) if valid.any() else float("nan")
        present = [c for c in ignored if c in names]
        if present:
            notes.append(f"{name}: beats of {present} called {label!r} are not counted as FP")
        blocks[name] = EC57Stats(
            name=name,
            label=label,
            tp=int(gross_counts["tp"]),
            fn=int(gross_counts["fn"]),
            fp=int(gross_counts["fp"]),
            tn=int(gross_counts["tn"]),
            gross=gross,
            average=average,
            average_records=used,
        )
    return EC57Result(
        sveb=blocks["SVEB"], veb=blocks["VEB"], n_records=len(cms), notes=tuple(notes)
    )
