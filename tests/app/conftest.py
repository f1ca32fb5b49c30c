"""Fixtures of the dashboard tests: a small real checkpoint trained on the embedded sample."""

from __future__ import annotations

from pathlib import Path

import pytest

import ecgbeat


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``best.pt`` of a one-epoch run of the tiny RR-fusion model (about 20 s on 2 cores)."""
    result = ecgbeat.train(
        epochs=1,
        model="beatfusion_tiny",
        members=1,
        # One lead at 360 Hz: the tests feed one-lead MIT-BIH signals at the model's rate.
        leads="MLII",
        config=ecgbeat.BeatConfig(),
        progress=False,
        n_bootstrap=0,
        device="cpu",
        out_dir=tmp_path_factory.mktemp("app") / "run",
    )
    return result.checkpoint
