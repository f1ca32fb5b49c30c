"""Shared fixtures: the real MIT-BIH copy, an isolated cache folder and a quick real run."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _mitdb_dir() -> Path | None:
    candidates = (
        [Path(os.environ["ECGBEAT_DATA"]) / "mitdb"] if "ECGBEAT_DATA" in os.environ else []
    )
    candidates.append(REPO.parent / "shared" / "data" / "mitdb")
    return next((c for c in candidates if (c / "100.hea").is_file()), None)


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Beat caches go to a temporary folder, never to the user's cache."""
    os.environ["ECGBEAT_CACHE"] = str(tmp_path_factory.mktemp("ecgbeat-cache"))


@pytest.fixture(scope="session")
def mitdb_dir() -> Path:
    """Folder of the MIT-BIH Arrhythmia Database (``$ECGBEAT_DATA/mitdb``)."""
    folder = _mitdb_dir()
    if folder is None:
        pytest.skip("MIT-BIH not found: set ECGBEAT_DATA to a folder holding mitdb/")
    return folder


@pytest.fixture(scope="session")
def quick_run() -> Callable:
    """``quick_run(beats, out_dir, seed=0)``: a real one-epoch training of the tiny fusion
    model, the smallest run that writes a checkpoint (use a quarter of the sample)."""
    from ecgbeat.training import train

    def run(beats, out_dir: Path, *, seed: int = 0):
        with warnings.catch_warnings():
            # A quarter of the sample holds no Q beat for training; irrelevant here.
            warnings.filterwarnings("ignore", message="classes .* have no beat in the training")
            return train(
                model="beatfusion_tiny",
                beats=beats,
                protocol=None,
                epochs=1,
                batch_size=128,
                device="cpu",
                out_dir=out_dir,
                progress=False,
                n_bootstrap=0,
                seed=seed,
            )

    return run
