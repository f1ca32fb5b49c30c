"""Fixtures of the training tests: real beats of the embedded MIT-BIH sample."""

from __future__ import annotations

import pytest

import ecgbeat
from ecgbeat.beats import BeatSet


@pytest.fixture(scope="session")
def sample_beats() -> BeatSet:
    """The embedded real MIT-BIH excerpt (DS1 and DS2 records, all five AAMI classes)."""
    return ecgbeat.load_beats("sample")


@pytest.fixture(scope="session")
def small_beats(sample_beats: BeatSet) -> BeatSet:
    """Every third beat of the sample: enough to exercise training, quick to train on."""
    return sample_beats[::3]
