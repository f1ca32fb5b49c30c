"""Evaluation: metrics, EC57 statistics, bootstrap intervals, calibration and the report."""

from __future__ import annotations

from ecgbeat.evaluation.bootstrap import ConfidenceInterval, bootstrap_confidence_intervals
from ecgbeat.evaluation.calibration import (
    MCDropoutResult,
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    mc_dropout_proba,
    predictive_entropy,
    reliability_curve,
)
from ecgbeat.evaluation.ec57 import EC57Result, EC57Stats, ec57_statistics
from ecgbeat.evaluation.html import write_html_report
from ecgbeat.evaluation.literature import INTER_PATIENT_RESULTS, PublishedResult, comparison_table
from ecgbeat.evaluation.metrics import ClassificationMetrics, classification_metrics
from ecgbeat.evaluation.report import EvaluationReport, evaluate, evaluate_predictions

__all__ = [
    "INTER_PATIENT_RESULTS",
    "ClassificationMetrics",
    "ConfidenceInterval",
    "EC57Result",
    "EC57Stats",
    "EvaluationReport",
    "MCDropoutResult",
    "PublishedResult",
    "apply_temperature",
    "bootstrap_confidence_intervals",
    "classification_metrics",
    "comparison_table",
    "ec57_statistics",
    "evaluate",
    "evaluate_predictions",
    "expected_calibration_error",
    "fit_temperature",
    "mc_dropout_proba",
    "predictive_entropy",
    "reliability_curve",
    "write_html_report",
]
