"""Shared fixtures: the real MIT-BIH copy and an isolated cache folder."""

from __future__ import annotations

import os
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
