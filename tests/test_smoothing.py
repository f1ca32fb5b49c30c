"""Smoothing within records: like beats of one record vote, other records never do."""

from __future__ import annotations

import numpy as np
import pytest

import ecgbeat
from ecgbeat.smoothing import RecordSmoothing, smooth_within_records


def _two_kinds(n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Windows of two kinds of beat, ``n`` each, and probabilities that agree with them."""
    windows = np.repeat([[0.0], [5.0]], n, axis=0)[:, :, None] + np.arange(8.0)
    windows += np.random.default_rng(0).normal(scale=0.01, size=windows.shape)
    proba = np.repeat([[0.9, 0.1], [0.2, 0.8]], n, axis=0)
    return windows, proba


def test_a_call_its_like_beats_do_not_share_is_outvoted():
    windows, proba = _two_kinds()
    proba[0] = [0.4, 0.6]
    out = smooth_within_records(proba, windows, smoothing=RecordSmoothing())
    # Half its own, half the mean of itself and its 4 like beats: 0.5 x 0.4 + 0.5 x 0.8.
    np.testing.assert_allclose(out[0], [0.6, 0.4])
    assert out.argmax(axis=1).tolist() == [0] * 6 + [1] * 6
    np.testing.assert_allclose(out.sum(axis=1), 1)


def test_own_weight_zero_is_the_plain_mean_over_like_beats():
    windows, proba = _two_kinds()
    proba[0] = [0.4, 0.6]
    out = smooth_within_records(proba, windows, smoothing=RecordSmoothing(own_weight=0.0))
    np.testing.assert_allclose(out[0], [0.8, 0.2])


def test_agreed_only_leaves_a_beat_among_split_like_beats_as_it_is():
    # Five beats of each kind: a beat's 4 like beats are the other four of its kind.
    windows, proba = _two_kinds(n=5)
    proba[0], proba[1] = [0.4, 0.6], [0.3, 0.7]
    agreed = RecordSmoothing(agreed_only=True)
    out = smooth_within_records(proba, windows, smoothing=agreed)
    # Two of the first kind call class 1, so every beat of that kind has split like beats
    # and keeps its probabilities; the second kind agrees and is smoothed.
    np.testing.assert_array_equal(out[:5], proba[:5])
    plain = smooth_within_records(proba, windows, smoothing=RecordSmoothing())
    np.testing.assert_allclose(out[5:], plain[5:])
    assert not np.allclose(plain[:5], proba[:5])


def test_beats_of_another_record_never_vote():
    windows, proba = _two_kinds()
    proba[0] = [0.4, 0.6]
    # The same windows as a second record whose beats all call class 1.
    both = np.concatenate([windows, windows])
    other = np.tile([0.1, 0.9], (12, 1))
    record = ["a"] * 12 + ["b"] * 12
    out = smooth_within_records(
        np.concatenate([proba, other]), both, record=record, smoothing=RecordSmoothing()
    )
    alone = smooth_within_records(proba, windows, smoothing=RecordSmoothing())
    np.testing.assert_allclose(out[:12], alone)
    np.testing.assert_allclose(out[12:], other)


def test_a_record_of_fewer_beats_than_neighbours_is_left_as_it_is():
    windows, proba = _two_kinds(n=2)
    out = smooth_within_records(proba, windows, smoothing=RecordSmoothing(neighbours=5))
    np.testing.assert_array_equal(out, proba)


def test_the_dtype_of_the_probabilities_is_kept():
    windows, proba = _two_kinds()
    for record in (None, ["a"] * 12):
        out = smooth_within_records(
            proba.astype(np.float32), windows, record=record, smoothing=RecordSmoothing()
        )
        assert out.dtype == np.float32


def test_settings_round_trip_through_a_dictionary():
    settings = RecordSmoothing(neighbours=7, own_weight=0.25, components=4, agreed_only=True)
    assert RecordSmoothing.from_dict(settings.to_dict()) == settings


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"neighbours": 1}, ValueError, "at least 2"),
        ({"neighbours": 2.5}, TypeError, "neighbours must be an integer"),
        ({"components": 0}, ValueError, "components must be a positive"),
        ({"own_weight": 1.0}, ValueError, r"\[0, 1\)"),
        ({"own_weight": -0.1}, ValueError, "own_weight"),
        ({"agreed_only": 1}, TypeError, "True or False"),
    ],
)
def test_bad_settings_give_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        RecordSmoothing(**kwargs)


def test_unknown_settings_are_named():
    with pytest.raises(ValueError, match=r"\['k'\]"):
        RecordSmoothing.from_dict({"k": 5})


def test_mismatched_shapes_are_refused():
    windows, proba = _two_kinds()
    with pytest.raises(ValueError, match="same n_beats"):
        smooth_within_records(proba[:5], windows, smoothing=RecordSmoothing())
    with pytest.raises(ValueError, match="record of each of the 12 beats"):
        smooth_within_records(proba, windows, record=["a"] * 3, smoothing=RecordSmoothing())


def test_probabilities_that_are_not_finite_floats_are_refused():
    windows, proba = _two_kinds()
    with pytest.raises(TypeError, match="dtype int64"):
        smooth_within_records(proba.round().astype(np.int64), windows, smoothing=RecordSmoothing())
    proba[3, 0] = np.nan
    with pytest.raises(ValueError, match="must be finite"):
        smooth_within_records(proba, windows, smoothing=RecordSmoothing())


def test_on_real_beats_smoothing_mends_noisy_calls():
    # Real beats of the embedded MIT-BIH sample with probabilities that are the labels
    # blurred by noise (about 4 % of the calls wrong): like beats outvote most wrong calls.
    beats = ecgbeat.load_beats("sample", protocol=None)
    alpha = np.full((len(beats), beats.num_classes), 0.25)
    alpha[np.arange(len(beats)), beats.y] = 4.0
    proba = np.random.default_rng(0).gamma(alpha)
    proba /= proba.sum(axis=1, keepdims=True)
    out = smooth_within_records(
        proba, beats.X, record=beats.record, smoothing=RecordSmoothing(agreed_only=True)
    )
    np.testing.assert_allclose(out.sum(axis=1), 1)
    before, after = proba.argmax(axis=1) == beats.y, out.argmax(axis=1) == beats.y
    changed = before != after
    assert 0.9 < before.mean() < 0.98 and after.mean() > before.mean()
    assert after[changed].mean() > 0.8  # the calls it changes are mostly mended
