"""The SQLite store: migrations, idempotent inserts, duplicates as aliases, analyses round-trip."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from parallax.errors import NotFoundError, StoreError
from parallax.model import AnalyzedArticle, Article, Mention, Quote, Relay, Removed, Sentence, SourceCitation, Span
from parallax.store import Database
from parallax.store.migrations import MIGRATIONS


def _article(article_id: str, text: str = "Officials met on Monday.", **extra: object) -> Article:
    return Article(id=article_id, outlet="Example Wire", title="A meeting", text=text, content_hash=f"h-{text}", **extra)  # type: ignore[arg-type]


def test_store_applies_every_migration_in_order(db_path: Path) -> None:
    with Database(db_path) as db:
        assert db.applied_migrations() == [name for name, _ in MIGRATIONS]


def test_store_migrate_twice_applies_nothing(db_path: Path) -> None:
    Database(db_path).close()
    with Database(db_path) as db:
        assert db.migrate() == []


def test_store_reinserting_same_article_changes_nothing(db_path: Path) -> None:
    with Database(db_path) as db:
        db.add_articles([_article("a1")])
        outcome = db.add_articles([_article("a1")])
        assert outcome[0].status == "exists"
        assert db.count("articles") == 1


def test_store_exact_duplicate_becomes_alias(db_path: Path) -> None:
    with Database(db_path) as db:
        db.add_articles([_article("a1"), _article("copy-of-a1")])
        assert db.count("articles") == 1
        assert db.article("copy-of-a1").id == "a1"
        assert db.article("a1").aliases == ("copy-of-a1",)


def test_store_keeps_removed_parts(db_path: Path) -> None:
    removed = (Removed("trailer", "The post X appeared first on Y."),)
    with Database(db_path) as db:
        db.add_articles([_article("a1", removed=removed)])
        assert db.article("a1").removed == removed


def test_store_analysis_round_trip(db_path: Path) -> None:
    article = _article("a1", text="“We agree,” Ms. Vale said, according to Example Wire.")
    content = Span(1, 9, "We agree")
    quote = Quote(
        "a1", "direct", content, cue=Span(20, 24, "said"), speaker=Span(11, 19, "Ms. Vale"), speaker_name="Ana Vale",
        relay=Relay("Example Wire", "wire", Span(39, 51, "Example Wire")),
    )
    analyzed = AnalyzedArticle(
        article,
        (Sentence("a1", 0, 0, len(article.text), article.text),),
        (Mention("a1", 11, 19, "Ms. Vale", "PERSON", 0),),
        (quote,),
        (SourceCitation("a1", "Example Wire", "wire", Span(39, 51, "Example Wire")),),
    )
    with Database(db_path) as db:
        db.add_articles([article])
        db.save_analyses([analyzed])
        assert db.analysis("a1") == analyzed
        assert db.pending_analysis() == []
        row = db.conn.execute("SELECT speaker_name, relay FROM quotes").fetchone()
        assert tuple(row) == ("Ana Vale", "Example Wire")


def test_store_full_text_search_finds_article(db_path: Path) -> None:
    with Database(db_path) as db:
        db.add_articles([_article("a1", text="The reservoir dam failed overnight.")])
        hits = db.conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'reservoir'").fetchall()
        assert len(hits) == 1


def test_store_batch_is_atomic(db_path: Path) -> None:
    with Database(db_path) as db:
        broken = _article("a2", text="Another text entirely.")
        object.__setattr__(broken, "title", None)  # violates NOT NULL inside the batch
        with pytest.raises(sqlite3.IntegrityError):
            db.add_articles([_article("a1"), broken])
        assert db.count("articles") == 0


def test_store_unknown_story_is_not_found(db_path: Path) -> None:
    with Database(db_path) as db, pytest.raises(NotFoundError):
        db.story("nope")


def test_store_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError):
        Database(path)


def test_store_same_id_different_text_keeps_both(db_path: Path) -> None:
    with Database(db_path) as db:
        first = db.add_articles([_article("report", text="The first report.")])[0]
        second = db.add_articles([_article("report", text="A second, different report.")])[0]
        again = db.add_articles([_article("report", text="A second, different report.")])[0]
        assert first.canonical_id == "report"
        assert second.status == "added" and second.canonical_id.startswith("report~")
        assert again.status == "exists"
        assert db.count("articles") == 2
