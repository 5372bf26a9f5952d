"""Comparisons kept as rows of findings: what is read back is what was compared, a recomparison writes only
the rows that changed, a page reads only its rows, and comparisons kept whole are cut into rows."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from parallax import api
from parallax.cli import main
from parallax.model import Comparison, to_dict
from parallax.pipeline import compare_stored_story, upgrade_store
from parallax.report import render
from parallax.store import Database
from parallax.web.pages import GAPS_SHOWN, LABELS_SHOWN, TERMS_SHOWN, story_columns, story_summary

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples corpus ingested, analysed, grouped and compared by the real pipeline."""
    db = tmp_path_factory.mktemp("rows") / "examples.db"
    assert main(["-q", "--db", str(db), "ingest", str(EXAMPLES)]) == 0
    assert main(["-q", "--db", str(db), "analyze"]) == 0
    return db


def _compared(db: Database) -> list[str]:
    return [s.id for s in db.stories() if db.comparison_stamp(s.id)]


def _multi_outlet(db: Database) -> list[str]:
    return [s.id for s in db.stories() if len(s.outlets) > 1 and db.comparison_stamp(s.id)]


def test_comparison_rows_read_back_as_compared(examples_db: Path) -> None:
    """Compare a story, store it as rows, read it back: the JSON form and every report are the same."""
    with Database(examples_db) as db:
        stories = _multi_outlet(db)
        assert len(stories) >= 2
        for story_id in stories:
            fresh = compare_stored_story(db, story_id)
            db.save_comparison(fresh)
            kept = db.comparison(story_id)
            assert kept is not None
            assert to_dict(kept) == to_dict(fresh) == db.comparison_json(story_id)
            assert kept.timeline == fresh.timeline
            for fmt in ("json", "md", "html"):
                assert render(kept, fmt) == render(fresh, fmt)  # type: ignore[arg-type]


def test_comparison_rows_do_not_store_the_story_again(examples_db: Path) -> None:
    """Sentences and mentions are read from the analyses, not kept with the comparison a second time."""
    with Database(examples_db) as db:
        story_id = _multi_outlet(db)[0]
        data = db.comparison_json(story_id)
        assert data is not None and data["sentences"] and data["mentions"]
        kept = " ".join(str(v) for v in db.conn.execute(
            "SELECT patch FROM comparison_articles WHERE story_id = ?", (story_id,)).fetchall())
        assert data["sentences"][0]["text"] not in kept


def test_recompare_unchanged_writes_no_finding_rows(examples_db: Path) -> None:
    with Database(examples_db) as db:
        story_id = _multi_outlet(db)[0]
        count = db.save_comparison(compare_stored_story(db, story_id))
        assert count.written == count.deleted == 0 and count.kept > 0


def test_recompare_with_one_more_article_keeps_unchanged_rows(examples_db: Path) -> None:
    with Database(examples_db) as db:
        story_id = max(_multi_outlet(db), key=lambda s: len(db.story(s).article_ids))
        story = db.story(story_id)
        full = compare_stored_story(db, story_id)
        before = replace(story, article_ids=story.article_ids[:-1])
        from parallax.compare import compare_story
        from parallax.stories.resolve import linked_entities

        analyzed = [db.analysis(a) for a in before.article_ids]
        entities, linked = linked_entities(analyzed)
        smaller = compare_story(before, linked, entities=entities)
        db.save_comparison(smaller)
        grown = db.save_comparison(full)
        assert grown.kept > 0, grown.by_table
        total = grown.kept + grown.written
        assert grown.written < total
        assert to_dict(db.comparison(story_id)) == to_dict(full)


def _page(db: Database, story_id: str, offset: int, limit: int) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """As the web's story page reads it: gaps and framing cut to what is shown."""
    part = api.comparison_part(db, story_id, offset=offset, limit=limit, nearest_of_first=GAPS_SHOWN,
                               framing_first=max(TERMS_SHOWN, LABELS_SHOWN))
    assert part is not None
    return story_summary(part["summary"]), story_columns(part["columns"]), part["n_columns"]


def test_story_page_rows_give_the_page_of_the_whole_comparison(examples_db: Path) -> None:
    with Database(examples_db) as db:
        for story_id in _compared(db):
            whole = db.comparison_json(story_id)
            assert whole is not None
            every = story_columns(whole)
            for offset in range(0, len(whole["articles"]), 2):
                summary, columns, n = _page(db, story_id, offset, 2)
                assert summary == story_summary(whole)
                assert columns == every[offset : offset + 2]
                assert n == len(whole["articles"])


def _keep_whole(db: Database, story_id: str, data: dict[str, Any], *, packed: bool) -> None:
    """Put a comparison back as versions before rows kept it: one JSON value (gzip or text), format 1."""
    text = json.dumps(data, ensure_ascii=False)
    value: bytes | str = gzip.compress(text.encode()) if packed else text
    with db.transaction() as conn:
        for table in ("comparison_articles", "comparison_alignments", "comparison_gaps", "comparison_entities"):
            conn.execute(f"DELETE FROM {table} WHERE story_id = ?", (story_id,))  # noqa: S608
        conn.execute("UPDATE comparisons SET data = ?, format = 1 WHERE story_id = ?", (value, story_id))


def _copy(examples_db: Path, path: Path) -> Path:
    """A copy of the examples store at ``path``, for a test that writes to it."""
    with Database(examples_db) as src, Database(path) as dst:
        src.conn.backup(dst.conn)
    return path


@pytest.mark.parametrize("packed", [True, False])
def test_comparisons_kept_whole_are_read_then_cut_into_rows(tmp_path: Path, examples_db: Path, packed: bool) -> None:
    path = _copy(examples_db, tmp_path / "old.db")
    with Database(path) as db:
        story_id = _multi_outlet(db)[0]
        data = db.comparison_json(story_id)
        assert data is not None
        pages = _page(db, story_id, 0, 3)
        old = dict(data)
        _keep_whole(db, story_id, old, packed=packed)
        stamp = db.comparison_stamp(story_id)
        assert db.unpacked_comparisons() == [story_id]
        assert db.comparison_json(story_id) == old
        assert _page(db, story_id, 0, 3) == pages
        upgrade_store(db)
        assert db.unpacked_comparisons() == []
        assert db.conn.execute("SELECT format FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()[0] == 2
        assert db.comparison_stamp(story_id) == stamp  # cutting it is not a new comparison
        assert db.comparison_json(story_id) == data
        assert _page(db, story_id, 0, 3) == pages
        # One written before stories had a timeline gains an empty one when cut.
        _keep_whole(db, story_id, {k: v for k, v in data.items() if k != "timeline"}, packed=packed)
        upgrade_store(db)
        assert db.comparison_json(story_id) == {**data, "timeline": []}


def test_reanalysing_an_article_marks_its_story_for_recomparison(tmp_path: Path, examples_db: Path) -> None:
    path = _copy(examples_db, tmp_path / "re.db")
    with Database(path) as db:
        story = db.story(_multi_outlet(db)[0])
        assert story.id not in db.dirty_stories()
        analysis = db.analysis(story.article_ids[0])
        db.save_analyses([analysis])  # the same analysis again: nothing the comparison read has changed
        assert story.id not in db.dirty_stories()
        db.save_analyses([replace(analysis, sentences=analysis.sentences[:-1])])
        assert story.id in db.dirty_stories()


def test_marking_stories_changed_makes_the_next_run_compare_them(tmp_path: Path, examples_db: Path) -> None:
    from parallax.pipeline import analyze_store

    path = _copy(examples_db, tmp_path / "marked.db")
    with Database(path) as db:
        ids = [story.id for story in db.stories(limit=None)]
        before = {story_id: db.comparison_json(story_id) for story_id in ids}
        assert len(ids) >= 3 and db.dirty_stories() == []
        assert db.mark_changed([*ids, "no-such-story"]) == len(ids)
        assert sorted(db.dirty_stories()) == sorted(ids)
        assert db.comparison_json(ids[0]) == before[ids[0]]  # still readable until the next run
        # two worker processes: the pool keeps a bounded window of stories in flight and saves each
        assert analyze_store(db, n_process=2).compared == len(ids)
        assert db.dirty_stories() == []
        assert {story_id: db.comparison_json(story_id) for story_id in ids} == before  # the same comparisons


def test_comparisons_made_with_older_rules_are_made_again(tmp_path: Path, examples_db: Path) -> None:
    from parallax.pipeline import analyze_store
    from parallax.store import COMPARISON_VERSION

    path = _copy(examples_db, tmp_path / "rules.db")
    with Database(path) as db:
        story_id = _multi_outlet(db)[0]
        before = db.comparison_json(story_id)
        assert {r[0] for r in db.conn.execute("SELECT rules FROM comparisons")} == {COMPARISON_VERSION}
        db.conn.execute("UPDATE comparisons SET rules = ? WHERE story_id = ?", (COMPARISON_VERSION - 1, story_id))
        db.conn.commit()
        assert analyze_store(db).compared == 1  # only the outdated one
        assert db.conn.execute("SELECT rules FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()[0] \
            == COMPARISON_VERSION
        assert db.comparison_json(story_id) == before
        assert analyze_store(db).compared == 0


def test_cli_report_reads_the_rows(examples_db: Path, tmp_path: Path) -> None:
    with Database(examples_db) as db:
        story_id = _multi_outlet(db)[0]
        expected = db.comparison(story_id)
    assert isinstance(expected, Comparison)
    out = tmp_path / "r.json"
    assert main(["--db", str(examples_db), "report", story_id, "--format", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(render(expected, "json"))
