"""What every benchmark result records about the code it measured: the commit, and the models it read.

The commit is that of the checkout the imported ``parallax`` comes from (so a run with
``PYTHONPATH=<worktree>/src`` names the worktree's commit), with ``+dirty`` when that checkout's ``src/``
or ``models/`` had uncommitted changes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import parallax
from parallax.errors import ParallaxError


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def run_info() -> dict[str, str]:
    """``commit`` (short hash, ``+dirty`` when src/ or models/ had changes) and ``models`` (their version)."""
    root = Path(parallax.__file__).resolve().parents[2]
    commit = _git(root, "rev-parse", "--short", "HEAD") or "unknown"
    if _git(root, "status", "--porcelain", "--", "src", "models"):
        commit += "+dirty"
    try:
        from parallax.weights import models_stamp

        models = models_stamp()
    except ParallaxError:
        models = "not installed"
    return {"commit": commit, "models": models}


def recorded(result: dict[str, Any] | list[Any]) -> dict[str, Any]:
    """``result`` with the run's commit and models first (a list of rows goes under ``rows``)."""
    rows = {"rows": result} if isinstance(result, list) else result
    return {**run_info(), **{k: v for k, v in rows.items() if k not in ("commit", "models")}}
