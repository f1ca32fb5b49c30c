"""Grad-CAM of one beat of a classified record, rebuilt with the model's own preprocessing."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbeat.app.explain import explain_beat
from ecgbeat.app.inputs import read_sample
from ecgbeat.models import create_model
from ecgbeat.pipeline import BeatConfig, extract_beats
from ecgbeat.signal import resample, resample_samples
from ecgbeat.training import Classifier

FS = 360.0


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    net = create_model("cnn3", num_classes=2, input_length=252)
    metadata = {
        "classes": ["N", "V"],
        "input_shape": [1, 252],
        "fs": FS,
        "config": BeatConfig().to_dict(),
    }
    return Classifier(net, metadata=metadata)


@pytest.fixture(scope="module")
def record() -> tuple[np.ndarray, np.ndarray]:
    rec = read_sample("208")
    return rec.signal[:1, : int(60 * FS)], rec.ann_sample[(rec.ann_sample < 60 * FS - 200)]


def test_beat_is_the_model_input_built_by_the_training_pipeline(classifier, record) -> None:
    signal, samples = record
    x, cam = explain_beat(classifier, signal, fs=FS, samples=samples, index=5)
    X, _, kept = extract_beats(signal, samples, fs=FS, config=classifier.config)
    np.testing.assert_allclose(x, X[np.count_nonzero(kept[:5])])
    assert cam.shape == (252,)
    assert cam.min() >= 0.0 and cam.max() <= 1.0


def test_record_at_another_rate_is_brought_to_the_model_rate(classifier, record) -> None:
    signal, samples = record
    slow = resample(signal, fs=FS, target_fs=250.0)
    x, cam = explain_beat(
        classifier,
        slow,
        fs=250.0,
        samples=resample_samples(samples, fs=FS, target_fs=250.0),
        index=5,
    )
    assert x.shape == (1, 252) and cam.shape == (252,)


def test_beat_outside_the_record_is_refused(classifier, record) -> None:
    signal, samples = record
    with pytest.raises(IndexError, match=f"the record has {len(samples)} beats"):
        explain_beat(classifier, signal, fs=FS, samples=samples, index=len(samples))


def test_beat_at_the_record_edge_is_refused(classifier, record) -> None:
    signal, samples = record
    edge = np.concatenate([[10], samples[1:]])
    with pytest.raises(ValueError, match="too close to the record edge"):
        explain_beat(classifier, signal, fs=FS, samples=edge, index=0)
