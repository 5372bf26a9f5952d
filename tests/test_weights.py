"""The model package: one place that locates model files, its meta.json, and a folder given instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parallax.weights import ModelsMissingError, model_package, models_stamp, pair_models


def test_model_package_meta_names_version_and_fitting_parallax() -> None:
    package = model_package()
    assert package.name == "parallax-models"
    assert package.stamp == f"parallax-models {package.meta['version']}"
    assert package.meta["parallax_version"]
    assert set(package.meta["components"]) == {"quotes", "alignment", "tokenizer"}


@pytest.mark.parametrize("component", ["quotes", "alignment", "tokenizer"])
def test_model_package_holds_every_file_its_meta_lists(component: str) -> None:
    package = model_package()
    for name in package.meta["components"][component]["files"]:
        assert package.path(component, name).is_file(), f"{component}/{name} listed in meta.json but missing"


def test_tokenizer_licence_is_recorded() -> None:
    package = model_package()
    assert package.meta["components"]["tokenizer"]["licence"] == "Apache-2.0"
    assert "Apache License" in package.path("tokenizer", "LICENSE").read_text(encoding="utf-8")


def test_pair_model_package_is_its_own() -> None:
    pairs = pair_models()
    assert pairs.name == "parallax-models-pairs" and (pairs.root / "pairs.onnx").is_file()


def test_a_folder_given_as_root_is_read_instead(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"name": "trial", "version": "0.0.1"}), encoding="utf-8")
    assert models_stamp(tmp_path) == "trial 0.0.1"
    assert model_package(tmp_path).path("quotes") == tmp_path.resolve() / "quotes"


def test_a_folder_without_meta_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelsMissingError, match=r"not a model package \(no meta.json\)"):
        model_package(tmp_path)
