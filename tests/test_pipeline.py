"""The preprocessing recipe: BeatConfig, beat extraction and the record template."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbeat.beats import RR_FEATURE_NAMES, rr_features
from ecgbeat.pipeline import (
    TEMPLATE_BEATS,
    BeatConfig,
    extract_beats,
    record_template,
    template_candidates,
    template_rows,
)

FS = 360.0
#: No band-pass: its ringing at the record edges would make the synthetic beats differ.
CLEAN = BeatConfig(bandpass_hz=None)


def _record(n_beats: int = 40, odd: tuple[int, ...] = (20,)) -> tuple[np.ndarray, np.ndarray]:
    """One lead of identical Gaussian beats every second, with wide odd beats at ``odd``."""
    return _beats_at(np.arange(1, n_beats + 1) * FS, odd)


def _beats_at(peaks_s: np.ndarray, odd) -> tuple[np.ndarray, np.ndarray]:
    """One lead of narrow Gaussian beats at ``peaks_s`` (s), wide ones at the indices ``odd``."""
    peaks = np.asarray(peaks_s * FS, dtype=np.int64)
    t = np.arange(peaks[-1] + int(2 * FS)) / FS
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


def test_a_sinus_template_is_the_normal_beat_where_premature_beats_are_the_majority():
    # Each normal beat (after 1 s) is followed by two wide beats 0.5 s apart: two thirds
    # of the beats are premature and odd, so the record's median beat is an odd one.
    peaks_s = np.cumsum(np.tile([1.0, 0.5, 0.5], 15))
    x, peaks = _beats_at(peaks_s, odd=[k for k in range(len(peaks_s)) if k % 3])
    narrow = dict(bandpass_hz=None, before_s=0.1, after_s=0.1)
    plain, rr, _ = extract_beats(x, peaks, fs=FS, config=BeatConfig(**narrow))
    normal = np.arange(len(plain)) % 3 == 0
    assert template_candidates(rr, template="record-sinus")[1:].tolist() == normal[1:].tolist()
    energy = {}
    for template in ("record-median", "record-sinus"):
        relative, rr_t, _ = extract_beats(
            x, peaks, fs=FS, config=BeatConfig(**narrow, template=template)
        )
        np.testing.assert_array_equal(rr_t, rr)
        energy[template] = (relative**2).sum(axis=(1, 2))
    assert energy["record-median"][~normal].max() < 1e-6 < energy["record-median"][normal].min()
    assert energy["record-sinus"][normal].max() < 1e-6 < energy["record-sinus"][~normal].min()


def test_template_candidates_keep_every_beat_for_a_median_or_when_none_follows_a_long_cycle():
    rr = rr_features(np.arange(10) * 360, fs=360)
    assert template_candidates(rr, template="record-median").all()
    rr[:, RR_FEATURE_NAMES.index("pre_over_record_p90")] = 0.5  # every beat early
    assert template_candidates(rr, template="record-sinus").all()


def test_template_candidates_refuse_unknown_templates_and_partial_rr_features():
    rr = rr_features(np.arange(10) * 360, fs=360)
    with pytest.raises(ValueError, match="record-sinus"):
        template_candidates(rr, template="none")
    with pytest.raises(ValueError, match="columns of rr_features"):
        template_candidates(rr[:, :8], template="record-sinus")


def test_unknown_template_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="record-median"):
        BeatConfig(template="patient-mean")


def test_configs_saved_before_templates_existed_load_without_one():
    saved = BeatConfig().to_dict()
    del saved["template"]
    assert BeatConfig.from_dict(saved).template == "none"
