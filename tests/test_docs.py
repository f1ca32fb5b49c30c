"""The documentation covers the public API and its navigation points at real pages."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import ecgbeat

REPO = Path(__file__).resolve().parents[1]
API_PAGE = (REPO / "docs" / "api.md").read_text()

#: Sub-packages whose ``__all__`` the API reference documents name by name.
DOCUMENTED_MODULES = (
    "datasets",
    "signal",
    "beats",
    "pipeline",
    "labels",
    "splits",
    "models",
    "smoothing",
    "training",
    "evaluation",
    "explain",
    "plots",
    "predict",
    "export",
    "pretrained",
)


@pytest.mark.parametrize("module", DOCUMENTED_MODULES)
def test_api_reference_has_an_entry_for_every_public_name_of(module: str) -> None:
    names = importlib.import_module(f"ecgbeat.{module}").__all__
    missing = [n for n in names if f"::: ecgbeat.{module}.{n}\n" not in API_PAGE]
    assert not missing, f"docs/api.md lacks '::: ecgbeat.{module}.NAME' for {missing}"


def test_api_reference_lists_every_top_level_name() -> None:
    missing = [n for n in ecgbeat.__all__ if f"`ecgbeat.{n}`" not in API_PAGE]
    assert not missing, f"docs/api.md lacks a top-level row for {missing}"


def test_every_page_in_the_mkdocs_nav_exists() -> None:
    config = (REPO / "mkdocs.yml").read_text()
    nav = config[config.index("\nnav:") :]
    pages = re.findall(r":\s*([\w/-]+\.md)\s*$", nav, flags=re.MULTILINE)
    assert pages, "no page found in the nav of mkdocs.yml"
    missing = [p for p in pages if not (REPO / "docs" / p).is_file()]
    assert not missing, f"mkdocs.yml names pages that do not exist: {missing}"
