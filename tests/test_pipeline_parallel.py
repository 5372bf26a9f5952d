"""Comparing stories in worker processes gives the same stored comparisons as comparing them in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES

from parallax.model import to_dict
from parallax.pipeline import analyze_store, ingest_paths
from parallax.store import Database


def _comparisons(db: Database) -> dict[str, dict[str, object]]:
    out = {}
    for story_id in sorted(s.id for s in db.stories()):
        comparison = db.comparison(story_id)
        assert comparison is not None, f"story {story_id} was not compared"
        data = to_dict(comparison)
        data.pop("computed_at", None)
        out[story_id] = json.loads(json.dumps(data, sort_keys=True))
    return out


def test_compare_in_two_processes_matches_one(tmp_path: Path) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    with Database(one) as db:
        ingest_paths(db, [EXAMPLES])
        analyze_store(db, compare=False)
    shutil.copy(one, two)
    with Database(one) as db:
        assert analyze_store(db, n_process=1).compared >= 3
        serial = _comparisons(db)
        assert not db.dirty_stories()
    with Database(two) as db:
        assert analyze_store(db, n_process=2).compared == len(serial)
        parallel = _comparisons(db)
        assert not db.dirty_stories()
    assert parallel == serial


def _quotes(db: Database) -> list[str]:
    return sorted(json.dumps(to_dict(q), sort_keys=True) for a in db.articles() for q in db.analysis(a.id).quotes)


def test_accurate_quotes_reach_worker_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quote mode of the settings reaches the parsing workers: they tag as the parent would."""
    from parallax.settings import Settings

    plain, serial, parallel = (tmp_path / f"{name}.db" for name in ("plain", "serial", "parallel"))
    with Database(plain) as db:
        ingest_paths(db, [EXAMPLES])
    shutil.copy(plain, serial)
    shutil.copy(plain, parallel)
    fast_mode, accurate_mode = Settings(quote_mode="fast"), Settings(quote_mode="accurate")
    with Database(plain) as db:
        analyze_store(db, n_process=1, compare=False, settings=fast_mode)
        fast = _quotes(db)
    with Database(serial) as db:
        analyze_store(db, n_process=1, compare=False, settings=accurate_mode)
        accurate = _quotes(db)
    with Database(parallel) as db:
        analyze_store(db, n_process=2, compare=False, settings=accurate_mode)
        assert _quotes(db) == accurate
    assert accurate != fast  # the switch changed something, so the equality above means something
