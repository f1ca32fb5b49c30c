"""The preprocessing recipe: BeatConfig, beat extraction and the record template."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbeat.pipeline import (
    TEMPLATE_BEATS,
    BeatConfig,
    extract_beats,
    record_template,
    template_rows,
)

FS = 360.0
#: No band-pass: its ringing at the record edges would make the synthetic beats differ.
CLEAN = BeatConfig(bandpass_hz=None)


def _record(n_beats: int = 40, odd: tuple[int, ...] = (20,)) -> tuple[np.ndarray, np.ndarray]:
    """One lead of identical Gaussian beats every second, with wide odd beats at ``odd``."""
    t = np.arange(int((n_beats + 2) * FS)) / FS
    peaks = (np.arange(1, n_beats + 1) * FS).astype(np.int64)
    x = np.zeros_like(t)
    for k, p in enumerate(peaks):
        width = 0.05 if k in odd else 0.01
        x += np.exp(-0.5 * ((t - p / FS) / width) ** 2)
    return x[None, :], peaks


def test_template_rows_take_every_beat_or_an_even_spread_that_keeps_both_ends():
    assert template_rows(7).tolist() == list(range(7))
    rows = template_rows(10 * TEMPLATE_BEATS)
    assert len(rows) == TEMPLATE_BEATS and rows[0] == 0 and rows[-1] == 10 * TEMPLATE_BEATS - 1
    assert np.all(np.diff(rows) > 0)


def test_record_template_is_the_median_beat_and_ignores_rare_odd_beats():
    x, peaks = _record(odd=(5, 20))
    X, _, _ = extract_beats(x, peaks, fs=FS, config=CLEAN)
    template = record_template(X)
    assert template.shape == X.shape[1:] and template.dtype == np.float32
    np.testing.assert_allclose(template, X[0], atol=1e-6)  # beat 0 is a normal beat


def test_record_template_refuses_an_empty_record():
    with pytest.raises(ValueError, match="n_beats >= 1"):
        record_template(np.zeros((0, 1, 10)))


def test_record_median_template_leaves_only_how_each_beat_departs_from_the_usual_one():
    x, peaks = _record(odd=(20,))
    plain, rr, kept = extract_beats(x, peaks, fs=FS, config=CLEAN)
    relative, rr_t, kept_t = extract_beats(
        x, peaks, fs=FS, config=BeatConfig(bandpass_hz=None, template="record-median")
    )
    np.testing.assert_array_equal(rr, rr_t)
    np.testing.assert_array_equal(kept, kept_t)
    np.testing.assert_allclose(relative, plain - record_template(plain), atol=1e-6)
    energy = (relative**2).sum(axis=(1, 2))
    assert energy.argmax() == 20 and np.delete(energy, 20).max() < 1e-6


def test_unknown_template_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="record-median"):
        BeatConfig(template="patient-mean")


def test_configs_saved_before_templates_existed_load_without_one():
    saved = BeatConfig().to_dict()
    del saved["template"]
    assert BeatConfig.from_dict(saved).template == "none"
