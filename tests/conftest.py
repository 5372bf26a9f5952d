"""Shared fixtures: paths to ../shared data, a fresh on-disk database, the spaCy pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARALLAX_SHARED", REPO.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"
EXAMPLES = REPO / "examples"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or a skip naming what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared evaluation data beside the repository); it is absent here")
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from parallax.analyze.nlp import load_nlp

    return load_nlp()


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "parallax.db"
