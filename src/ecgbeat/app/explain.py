"""Explaining one beat of a classified record: its model input and its Grad-CAM map."""

from __future__ import annotations

import numpy as np

from ecgbeat.explain import grad_cam
from ecgbeat.pipeline import extract_beats
from ecgbeat.signal import resample, resample_samples
from ecgbeat.training import Classifier

__all__ = ["explain_beat"]


def explain_beat(
    classifier: Classifier,
    signal: np.ndarray,
    *,
    fs: float,
    samples: np.ndarray,
    index: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The model input of one beat and the Grad-CAM map of its predicted class.

    The beat is rebuilt from the record with the classifier's own preprocessing (its
    :class:`~ecgbeat.pipeline.BeatConfig`, at its sampling rate, with RR features from
    every beat), so the map explains exactly what the model saw.

    Parameters
    ----------
    classifier : Classifier
        The model that classified the record.
    signal : ndarray of shape (n_leads, n_samples) or (n_samples,)
        The record, with the leads the classifier takes.
    fs : float
        Sampling rate of ``signal`` in Hz.
    samples : ndarray of shape (n_beats,)
        R peaks of every classified beat, in samples at ``fs``, increasing.
    index : int
        Which beat to explain (position in ``samples``).

    Returns
    -------
    x : ndarray of shape (n_leads, beat_samples), float32
        The beat as the model sees it.
    cam : ndarray of shape (beat_samples,), float32
        Grad-CAM relevance in [0, 1] for the predicted class.

    Raises
    ------
    IndexError
        ``index`` outside the beats.
    ValueError
        A beat too close to the record edge to be cut.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from ecgbeat.models import create_model
    >>> net = create_model("cnn3", num_classes=2, input_length=252)
    >>> clf = Classifier(net, metadata={"classes": ["N", "V"], "input_shape": [1, 252],
    ...                                 "fs": 360.0})
    >>> ecg = np.random.default_rng(0).normal(size=(1, 3600))
    >>> x, cam = explain_beat(clf, ecg, fs=360.0, samples=np.arange(360, 3600, 360), index=2)
    >>> x.shape, cam.shape
    ((1, 252), (252,))
    """
    samples = np.asarray(samples, dtype=np.int64)
    if not 0 <= index < len(samples):
        raise IndexError(f"beat {index} does not exist; the record has {len(samples)} beats")
    x = np.atleast_2d(np.asarray(signal, dtype=np.float64))
    # The model's input length is fixed at its training rate: bring the record there first.
    if classifier.fs is not None and float(classifier.fs) != float(fs):
        x = resample(x, fs=fs, target_fs=float(classifier.fs))
        samples = resample_samples(samples, fs=fs, target_fs=float(classifier.fs))
        fs = float(classifier.fs)
    X, rr, kept = extract_beats(x, samples, fs=fs, config=classifier.config)
    if not kept[index]:
        raise ValueError(
            f"beat {index} at sample {samples[index]} is too close to the record edge to be cut"
        )
    position = int(np.count_nonzero(kept[:index]))
    beat = X[position : position + 1]
    beat_rr = classifier.select_rr(rr[position : position + 1]) if classifier.uses_rr else None
    cam = grad_cam(classifier.model, beat, rr=beat_rr)
    return beat[0], cam[0]
