"""Tests of the table of published inter-patient results."""

from __future__ import annotations

import pytest

from ecgbeat.evaluation.literature import INTER_PATIENT_RESULTS, comparison_table


def test_the_published_inter_patient_methods_are_listed_with_citations():
    methods = [r.method for r in INTER_PATIENT_RESULTS]
    assert methods == [
        "de Chazal et al. 2004",
        "Llamedo & Martinez 2011",
        "Mar et al. 2011",
        "Zhang et al. 2014",
        "Lin & Yang 2014",
        "Garcia et al. 2017",
    ]
    assert all(r.citation and str(r.method[-4:]) in r.citation for r in INTER_PATIENT_RESULTS)


def test_figures_are_percentages():
    for r in INTER_PATIENT_RESULTS:
        for value in (r.accuracy, r.sveb_se, r.sveb_ppv, r.veb_se, r.veb_ppv):
            assert 1 < value <= 100


def test_our_row_is_converted_to_percent_and_missing_figures_stay_empty():
    rows = comparison_table({"accuracy": 0.9123, "sveb_se": float("nan"), "veb_se": None})
    ours = rows[-1]
    assert ours["accuracy"] == pytest.approx(91.2)
    assert ours["sveb_se"] is None and ours["veb_se"] is None and ours["veb_ppv"] is None
    assert rows[0]["accuracy"] == INTER_PATIENT_RESULTS[0].accuracy
