"""Tests of the EC57 SVEB / VEB statistics against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbeat.evaluation.ec57 import ec57_counts, ec57_statistics
from ecgbeat.evaluation.metrics import confusion_by_record

CLASSES = ("N", "S", "V", "F", "Q")
N, S, V, F, Q = range(5)


def _beats(pairs: dict[tuple[int, int], int], record: str):
    """(true, predicted) -> count, expanded into label and record arrays."""
    y_true, y_pred = [], []
    for (t, p), count in pairs.items():
        y_true += [t] * count
        y_pred += [p] * count
    return y_true, y_pred, [record] * len(y_true)


def _two_records():
    r1 = _beats(
        {(N, N): 6, (N, S): 1, (N, V): 1, (S, S): 2, (S, N): 1, (V, V): 3, (F, V): 1, (Q, S): 1},
        "r1",
    )
    r2 = _beats({(N, N): 4, (S, S): 1, (V, V): 1, (V, N): 1, (N, V): 2, (F, F): 1}, "r2")
    return [a + b for a, b in zip(r1, r2, strict=True)]


@pytest.fixture(scope="module")
def two_records():
    y_true, y_pred, record = _two_records()
    return ec57_statistics(y_true, y_pred, classes=CLASSES, record=record)


def test_veb_gross_statistics_pool_counts_over_records(two_records):
    # r1: Vv=3, FP = Nv = 1 (Fv ignored), TN = 7 N + 3 S + 1 Q = 11
    # r2: Vv=1, Vn=1, FP = Nv = 2, TN = 4 N + 1 S + 1 F = 6
    veb = two_records.veb
    assert (veb.tp, veb.fn, veb.fp, veb.tn) == (4, 1, 3, 17)
    assert veb.gross["se"] == pytest.approx(4 / 5)
    assert veb.gross["ppv"] == pytest.approx(4 / 7)
    assert veb.gross["fpr"] == pytest.approx(3 / 20)
    assert veb.gross["f1"] == pytest.approx(2 / 3)


def test_veb_average_statistics_average_per_record_rates(two_records):
    veb = two_records.veb
    assert veb.average["se"] == pytest.approx((3 / 3 + 1 / 2) / 2)
    assert veb.average["ppv"] == pytest.approx((3 / 4 + 1 / 3) / 2)
    assert veb.average["fpr"] == pytest.approx((1 / 12 + 2 / 8) / 2)


def test_sveb_gross_and_average_statistics(two_records):
    # r1: Ss=2, Sn=1, FP = Ns = 1 (Qs ignored), TN = 7 N + 3 V + 1 F = 11
    # r2: Ss=1, no FN, no FP, TN = 6 N + 2 V + 1 F = 9
    sveb = two_records.sveb
    assert (sveb.tp, sveb.fn, sveb.fp, sveb.tn) == (3, 1, 1, 20)
    assert sveb.gross["se"] == pytest.approx(3 / 4)
    assert sveb.gross["ppv"] == pytest.approx(3 / 4)
    assert sveb.gross["fpr"] == pytest.approx(1 / 21)
    assert sveb.average["se"] == pytest.approx((2 / 3 + 1) / 2)
    assert sveb.average["ppv"] == pytest.approx((2 / 3 + 1) / 2)
    assert sveb.average["fpr"] == pytest.approx((1 / 12 + 0) / 2)


def test_average_skips_records_whose_denominator_is_zero():
    normal_only = _beats({(N, N): 5}, "r3")  # no V beats, none called V
    y_true, y_pred, record = (a + b for a, b in zip(_two_records(), normal_only, strict=True))
    veb = ec57_statistics(y_true, y_pred, classes=CLASSES, record=record).veb
    assert veb.average_records == {"se": 2, "ppv": 2, "fpr": 3}
    assert veb.average["se"] == pytest.approx(0.75)
    assert veb.average["fpr"] == pytest.approx((1 / 12 + 2 / 8 + 0) / 3)


def test_fusion_and_unclassifiable_beats_called_v_are_not_false_positives():
    y_true, y_pred, _ = _beats({(V, V): 2, (F, V): 5, (Q, V): 5, (N, N): 8}, "r")
    veb = ec57_statistics(y_true, y_pred, classes=CLASSES).veb
    assert veb.fp == 0
    assert veb.gross["ppv"] == 1.0


def test_veb_fpr_equals_the_sumstats_formula():
    # sumstats: FPR = (Nv + Ov) / (Nn + Fn + On + Nv + Ov), N pooling N and S, F pooling F
    # and Q, "n" meaning any label but v, and O = 0 for classified beats.
    rng = np.random.default_rng(3)
    cm = rng.integers(0, 50, (5, 5))
    nv = cm[N, V] + cm[S, V]
    nn = cm[[N, S]].sum() - nv
    fn = cm[[F, Q]].sum() - cm[F, V] - cm[Q, V]
    counts = ec57_counts(cm, classes=CLASSES, name="VEB")
    assert counts["fp"] / (counts["fp"] + counts["tn"]) == pytest.approx(nv / (nn + fn + nv))


def test_per_record_counts_come_from_stacked_confusion_matrices(two_records):
    y_true, y_pred, record = _two_records()
    _, cms = confusion_by_record(y_true, y_pred, record=record, n_classes=5)
    counts = ec57_counts(cms, classes=CLASSES, name="VEB")
    assert counts["tp"].tolist() == [3, 1]
    assert counts["fp"].tolist() == [1, 2]


def test_missing_class_leaves_its_block_out_with_a_note():
    result = ec57_statistics([0, 1, 1], [0, 1, 0], classes=("N", "V"))
    assert result.sveb is None
    assert result.veb is not None
    assert any("SVEB statistics left out" in note for note in result.notes)
    assert list(result.blocks()) == ["VEB"]


def test_without_record_ids_the_average_is_undefined():
    result = ec57_statistics([0, 2, 2], [0, 2, 0], classes=CLASSES)
    assert result.n_records == 1
    assert result.veb.gross["se"] == 0.5
    assert np.isnan(result.veb.average["se"])


def test_undefined_rates_are_nan_not_errors():
    # No S beats and none predicted: SVEB Se and +P are undefined.
    sveb = ec57_statistics([0, 0], [0, 0], classes=CLASSES, record=["a", "b"]).sveb
    assert np.isnan(sveb.gross["se"]) and np.isnan(sveb.gross["ppv"])
    assert sveb.gross["fpr"] == 0.0


def test_unknown_statistic_name_is_rejected():
    with pytest.raises(ValueError, match="unknown EC57 statistic"):
        ec57_counts(np.eye(5), classes=CLASSES, name="QRS")
