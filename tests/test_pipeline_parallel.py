"""Comparing stories in worker processes gives the same stored comparisons as comparing them in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
