"""Where the trained models live: the one place that resolves a model file's location.

The models are not part of this package. They ship as their own distributions, versioned apart from the
code (as spaCy's model packages are), built from the repository's ``models/`` folder:

- ``parallax-models`` (import name ``parallax_models``): what analysis and comparison read at run time
  (the quote tagger, its encoder and edge re-ranker, the same-fact model, MiniLM's WordPiece tokenizer).
- ``parallax-models-pairs`` (``parallax_models_pairs``): the MRPC sentence-pair model, read only by
  ``parallax eval pairs``; an optional install (the ``dev`` extra pulls it in).

Each holds a ``meta.json`` (name, version, the parallax versions it fits, provenance, training data and
scores). A caller that wants other models (a freshly trained build, a test folder) passes its folder as
``root``; nothing here reads the environment.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parallax.errors import ParallaxError

__all__ = ["META_FILE", "ModelPackage", "ModelsMissingError", "model_package", "models_stamp", "onnx_session", "pair_models"]

META_FILE = "meta.json"
RUNTIME = "parallax_models"
PAIRS = "parallax_models_pairs"


class ModelsMissingError(ParallaxError):
    """A model package is not installed, or a folder named as one is not one."""

    exit_code = 1

    def __init__(self, where: str, hint: str) -> None:
        self.where = where
        super().__init__(f"{where}: {hint}")


@dataclass(frozen=True, slots=True)
class ModelPackage:
    """An installed model package (or a folder laid out as one) and its ``meta.json``."""

    root: Path
    meta: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    @property
    def stamp(self) -> str:
        """``name version``: what a stored analysis records, so that a new model re-analyses."""
        return f"{self.name} {self.version}"

    def path(self, *parts: str) -> Path:
        """A file or folder inside the package, e.g. ``path("quotes")``."""
        return self.root.joinpath(*parts)


def _installed(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        folder = "models/pairs" if package == PAIRS else "models"
        raise ModelsMissingError(
            package.replace("_", "-"),
            f"the model package is not installed; run `make setup`, or `pip install ./{folder}` from a checkout",
        )
    return Path(spec.origin).parent


@functools.lru_cache(maxsize=8)
def _read(root: Path) -> ModelPackage:
    meta = root / META_FILE
    if not meta.is_file():
        raise ModelsMissingError(str(root), f"not a model package (no {META_FILE})")
    try:
        return ModelPackage(root, json.loads(meta.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelsMissingError(str(meta), f"not valid JSON ({exc})") from exc


def model_package(root: Path | None = None) -> ModelPackage:
    """The run-time models: those at ``root`` when given, else the installed ``parallax-models``.

    Raises:
        ModelsMissingError: the package is not installed, or ``root`` holds no ``meta.json``.
    """
    return _read((root or _installed(RUNTIME)).resolve())


def pair_models(root: Path | None = None) -> ModelPackage:
    """The sentence-pair model package (``parallax-models-pairs``), or the folder ``root``."""
    return _read((root or _installed(PAIRS)).resolve())


def models_stamp(root: Path | None = None) -> str:
    """The version stamp of the run-time models, as stored with each analysis."""
    return model_package(root).stamp


def onnx_session(path: Path, *, threads: int, arena: bool = False) -> Any:
    """An ONNX Runtime CPU session of the graph at ``path`` running on ``threads`` threads.

    ONNX Runtime's memory arena is off: with it, each session keeps the largest buffers any batch ever
    needed (long articles embed in wide batches) and an analysis worker grew to 2.3 GiB resident over 320
    Baly articles; without it the same worker stays near 0.5 GiB, peaking at 1.2 GiB (docs/performance.md,
    "Memory of an analysis worker"; ``arena=True`` restores it, for that comparison). Inter-op threads stay
    at one: the pipeline runs a process per core.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = arena
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
