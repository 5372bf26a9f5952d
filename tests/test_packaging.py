"""`pip install .` resolves parallax's own model packages from this repository's folders.

The full check (a fresh venv, `pip install <clean checkout>`, `parallax compare` on the seed files) downloads
and builds for minutes; docs/training.md gives its commands. These tests keep the declarations it relies on.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER_REFERENCE = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+) @ \{root:uri\}/(?P<folder>\S+)$")


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _folder_requirements() -> list[tuple[str, str]]:
    """(name, folder) of every requirement of pyproject.toml named by a folder of this repository."""
    project = _toml(ROOT / "pyproject.toml")["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    matches = (FOLDER_REFERENCE.match(requirement) for requirement in requirements)
    return [(match["name"], match["folder"]) for match in matches if match]


def test_packaging_model_packages_are_named_by_folder() -> None:
    assert dict(_folder_requirements()) == {
        "parallax-models": "models",
        "parallax-models-pairs": "models/pairs",
    }


@pytest.mark.parametrize(("name", "folder"), _folder_requirements())
def test_packaging_folder_reference_is_that_package(name: str, folder: str) -> None:
    project = _toml(ROOT / folder / "pyproject.toml")["project"]
    assert project["name"] == name
    package = name.replace("-", "_")
    meta = json.loads((ROOT / folder / package / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == project["version"], f"{folder}: meta.json and pyproject.toml disagree"


def test_packaging_backend_allows_folder_references() -> None:
    pyproject = _toml(ROOT / "pyproject.toml")
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"
    assert pyproject["tool"]["hatch"]["metadata"]["allow-direct-references"] is True


def test_packaging_sdist_carries_the_model_folders() -> None:
    included = _toml(ROOT / "pyproject.toml")["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    for _, folder in _folder_requirements():
        assert any(f"/{folder}".startswith(entry) for entry in included), f"{folder} left out of the sdist"
