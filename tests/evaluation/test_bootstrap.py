"""Tests of the record-level bootstrap confidence intervals."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ecgbeat.evaluation.bootstrap import bootstrap_confidence_intervals, headline_statistics
from ecgbeat.evaluation.ec57 import ec57_statistics
from ecgbeat.evaluation.metrics import classification_metrics


def _intervals(p, **kwargs):
    return bootstrap_confidence_intervals(
        p.y_true, p.y_pred, classes=p.classes, record=p.record, **kwargs
    )


def test_same_seed_gives_the_same_intervals(predictions):
    assert _intervals(predictions, seed=1) == _intervals(predictions, seed=1)


def test_different_seeds_give_different_intervals(predictions):
    a, b = _intervals(predictions, seed=1), _intervals(predictions, seed=2)
    assert a["accuracy"].low != b["accuracy"].low


def test_estimates_are_the_full_data_figures_and_lie_inside_their_intervals(predictions):
    cis = _intervals(predictions)
    metrics = classification_metrics(
        predictions.y_true, predictions.y_pred, classes=predictions.classes
    )
    ec57 = ec57_statistics(predictions.y_true, predictions.y_pred, classes=predictions.classes)
    assert cis["accuracy"].estimate == pytest.approx(metrics.accuracy)
    assert cis["macro_f1"].estimate == pytest.approx(metrics.macro["f1"])
    assert cis["veb_se"].estimate == pytest.approx(ec57.veb.gross["se"])
    assert cis["sveb_ppv"].estimate == pytest.approx(ec57.sveb.gross["ppv"])
    for name, ci in cis.items():
        assert ci.low <= ci.estimate <= ci.high, name
        assert ci.n_valid == 1000


def test_resampling_is_by_record_so_a_dominant_record_widens_the_interval():
    # One record of 1,000 beats all wrong, nine records of 10 beats all right. Resampling
    # beats would give a narrow interval around 90 / 1090; resampling records leaves the big
    # record out of about a third of the replicates, whose accuracy is then 1.
    y_true = np.zeros(1090, dtype=np.int64)
    y_pred = np.concatenate([np.ones(1000, dtype=np.int64), np.zeros(90, dtype=np.int64)])
    record = np.array(["big"] * 1000 + [f"small{i // 10}" for i in range(90)])
    ci = bootstrap_confidence_intervals(y_true, y_pred, classes=("N", "V"), record=record)[
        "accuracy"
    ]
    assert ci.estimate == pytest.approx(90 / 1090)
    assert ci.low < 0.1
    assert ci.high == 1.0


def test_a_single_record_gives_a_zero_width_interval(predictions):
    one = np.full(len(predictions.y_true), "only")
    ci = bootstrap_confidence_intervals(
        predictions.y_true, predictions.y_pred, classes=predictions.classes, record=one
    )["accuracy"]
    assert ci.low == ci.estimate == ci.high


def test_replicates_without_the_class_are_left_out_of_its_interval():
    # S beats only in record "a": replicates that miss "a" have no SVEB Se.
    y_true = np.array([1, 1, 0, 0, 0, 0, 0, 0])
    y_pred = np.array([1, 0, 0, 0, 0, 0, 0, 0])
    record = np.array(list("aabbccdd"))
    cis = bootstrap_confidence_intervals(
        y_true, y_pred, classes=("N", "S", "V"), record=record, n_bootstrap=500
    )
    assert 0 < cis["sveb_se"].n_valid < 500
    assert cis["accuracy"].n_valid == 500


def test_one_thousand_replicates_over_48_records_take_well_under_a_second():
    rng = np.random.default_rng(0)
    n = 100_000
    y_true = rng.integers(0, 5, n)
    y_pred = np.where(rng.random(n) < 0.9, y_true, rng.integers(0, 5, n))
    record = rng.integers(100, 148, n).astype(str)
    start = time.perf_counter()
    bootstrap_confidence_intervals(y_true, y_pred, classes="NSVFQ", record=record)
    assert time.perf_counter() - start < 1.0


def test_headline_statistics_follow_the_classes():
    assert list(headline_statistics(("N", "V"))) == ["accuracy", "macro_f1", "veb_se", "veb_ppv"]


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"n_bootstrap": 0}, "n_bootstrap"), ({"level": 1.5}, "level")]
)
def test_bad_parameters_raise_a_clear_error(predictions, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _intervals(predictions, **kwargs)
