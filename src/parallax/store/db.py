"""The SQLite store: one file, one writer, named migrations, batched transactions.

Every write that belongs together happens in one transaction, so a process killed at any moment leaves
either all of a batch or none of it; re-running the same work skips what is already there.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parallax.errors import AmbiguousError, NotFoundError, StoreError
from parallax.model import (
    AnalyzedArticle,
    Article,
    Comparison,
    Mention,
    Quote,
    Removed,
    Sentence,
    SourceCitation,
    Story,
    from_dict,
    to_dict,
)

from .migrations import MIGRATIONS
from .pages import PAGES_VERSION, story_columns, story_summary

__all__ = ["ANALYSIS_VERSION", "Database", "InsertOutcome", "StoryPageData", "StoryPageText", "default_db_path"]

LOGGER = logging.getLogger(__name__)

# Bump when the analysis records change shape or meaning, so `analyze` recomputes stored analyses.
# 2: the tokenizer splits dashes off words; quotes come from the tagger ensemble.
# 3: quotes come from one self-trained tagger.
# 4: quote spans never start or end on whitespace; mixed-quote tails, two-step parse links, datelines,
#    appositive commas, unmatched parentheses and coordination arcs change which speakers, cues and
#    contents quotes get.
# 5: raising and passive frames drop their subject as speaker, quoted titles are no quotes, nesting
#    frames, colon lines and signed quotations with a reversed opening mark add quotes; "X was quoted
#    by Y as saying" gives X as speaker and Y as relay.
# 6: the quote tagger keeps the spans more likely right than wrong (minimum Bayes risk decoding).
ANALYSIS_VERSION = 6
_VECTOR_DTYPE = np.float32
_AMBIGUOUS_SHOWN = 10  # ids listed when a prefix names several stories


def open_existing(path: str | Path) -> Database:
    """The store at ``path``, which must exist: a read command never creates an empty store by mistake.

    Raises:
        StoreError: there is no file at ``path``.
    """
    if str(path) != ":memory:" and not Path(path).exists():
        raise StoreError(f"no store at {path}: the file does not exist; check --db (or $PARALLAX_DB),"
                         f" or create it with `parallax --db {path} ingest PATH...`")
    return Database(path)


def default_db_path() -> Path:
    """``$PARALLAX_DB`` when set, else ``parallax.db`` in the working directory."""
    return Path(os.environ.get("PARALLAX_DB") or "parallax.db")


@dataclass(frozen=True, slots=True)
class InsertOutcome:
    """What happened to one article handed to :meth:`Database.add_articles`."""

    article_id: str
    status: str  # "added", "exists", "duplicate" (folded into ``canonical_id`` as an alias)
    canonical_id: str


class Database:
    """A parallax store in one SQLite file (``:memory:`` works for throwaway use)."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        try:
            if readonly:
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                self.conn = sqlite3.connect(self.path, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 10000")
        if not readonly:
            self._configure_for_writing()
            self.migrate()

    def _configure_for_writing(self) -> None:
        try:
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a parallax database (or is damaged): {exc}") from exc

    # -- schema ---------------------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply every migration not yet applied, in order; returns the names applied now."""
        with self.transaction():
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL"
                " DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
            )
        done = {row[0] for row in self.conn.execute("SELECT name FROM migrations")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            LOGGER.info("applying migration %s", name)
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO migrations(name) VALUES (?)", (name,))
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM migrations ORDER BY rowid")]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: committed whole on success, rolled back whole on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles -------------------------------------------------------------------------------------

    def add_articles(
        self, articles: Sequence[Article], *, signatures: Sequence[bytes | None] | None = None
    ) -> list[InsertOutcome]:
        """Insert a batch of articles in one transaction, folding exact duplicates into aliases."""
        outcomes = []
        with self.transaction() as conn:
            for i, article in enumerate(articles):
                outcome = self._add_article(conn, article)
                outcomes.append(outcome)
                signature = signatures[i] if signatures else None
                if outcome.status == "added" and signature is not None:
                    conn.execute(
                        "INSERT OR REPLACE INTO minhashes(article_id, signature) VALUES (?, ?)",
                        (outcome.canonical_id, signature),
                    )
        return outcomes

    def _add_article(self, conn: sqlite3.Connection, article: Article) -> InsertOutcome:
        row = conn.execute("SELECT id FROM articles WHERE content_hash = ?", (article.content_hash,)).fetchone()
        if row is not None:
            if row[0] in (self._resolve_id(conn, article.id), _unique_id(article)):
                return InsertOutcome(article.id, "exists", row[0])
            conn.execute("INSERT OR IGNORE INTO article_aliases(alias, article_id) VALUES (?, ?)", (article.id, row[0]))
            return InsertOutcome(article.id, "duplicate", row[0])
        if self._resolve_id(conn, article.id) is not None:
            # Same id, different text (two "report.txt" in different folders, or an updated row): keep both,
            # the newcomer under an id made unique by its content, so re-ingesting stays idempotent.
            unique_id = _unique_id(article)
            LOGGER.warning("id %s is taken by another text; storing %s as %s", article.id, article.source_path, unique_id)
            article = dataclasses.replace(article, id=unique_id)
        self._insert_article(conn, article)
        return InsertOutcome(article.id, "added", article.id)

    @staticmethod
    def _insert_article(conn: sqlite3.Connection, article: Article) -> None:
        conn.execute(
            "INSERT INTO articles(id, outlet, title, date, url, byline, source_path, content_hash, text, removed,"
            " near_duplicate_of, story_hint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.outlet,
                article.title,
                article.date,
                article.url,
                article.byline,
                article.source_path,
                article.content_hash,
                article.text,
                json.dumps(to_dict(article.removed), ensure_ascii=False),
                article.near_duplicate_of,
                article.story_hint,
            ),
        )
        for alias in article.aliases:
            conn.execute("INSERT OR IGNORE INTO article_aliases(alias, article_id) VALUES (?, ?)", (alias, article.id))

    @staticmethod
    def _resolve_id(conn: sqlite3.Connection, article_id: str) -> str | None:
        row = conn.execute("SELECT id FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is not None:
            return str(row[0])
        row = conn.execute("SELECT article_id FROM article_aliases WHERE alias = ?", (article_id,)).fetchone()
        return None if row is None else str(row[0])

    def resolve_article_id(self, article_id: str) -> str | None:
        """The stored id for ``article_id``, which may be an alias of an exact duplicate."""
        return self._resolve_id(self.conn, article_id)

    def article(self, article_id: str) -> Article:
        canonical = self.resolve_article_id(article_id)
        row = None
        if canonical is not None:
            row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (canonical,)).fetchone()
        if row is None:
            raise NotFoundError("article", article_id)
        return self._article_from_row(row)

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Articles by id (in the order given) or all of them in ingest order."""
        if ids is None:
            for row in self.conn.execute("SELECT * FROM articles ORDER BY rowid"):
                yield self._article_from_row(row)
            return
        for article_id in ids:
            yield self.article(article_id)

    def _article_from_row(self, row: sqlite3.Row) -> Article:
        aliases = tuple(
            r[0] for r in self.conn.execute("SELECT alias FROM article_aliases WHERE article_id = ?", (row["id"],))
        )
        return Article(
            id=row["id"],
            outlet=row["outlet"],
            title=row["title"],
            text=row["text"],
            date=row["date"],
            url=row["url"],
            byline=row["byline"],
            source_path=row["source_path"],
            content_hash=row["content_hash"],
            removed=tuple(from_dict(Removed, r) for r in json.loads(row["removed"])),
            aliases=aliases,
            near_duplicate_of=row["near_duplicate_of"],
            story_hint=row["story_hint"],
        )

    def article_ids(self) -> list[str]:
        """Every stored article id, in ingest order."""
        return [str(row[0]) for row in self.conn.execute("SELECT id FROM articles ORDER BY rowid")]

    def story_of_articles(self) -> dict[str, str]:
        """Article id -> the id of the story it is placed in (articles not clustered yet are absent)."""
        return {str(a): str(s) for a, s in self.conn.execute("SELECT article_id, story_id FROM story_articles")}

    def count(self, table: str) -> int:
        if table not in {"articles", "analyses", "stories", "quotes", "story_articles", "article_aliases", "entities"}:
            raise ValueError(f"unknown table {table}")
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - allow-listed

    def minhash_signatures(self) -> Iterator[tuple[str, bytes]]:
        for row in self.conn.execute("SELECT article_id, signature FROM minhashes ORDER BY rowid"):
            yield row[0], row[1]

    def has_article(self, article_id: str, content_hash: str) -> bool:
        """True when this exact text is stored and ``article_id`` already names it."""
        row = self.conn.execute("SELECT id FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        return row is not None and row[0] in (self._resolve_id(self.conn, article_id), f"{article_id}~{content_hash[:8]}")

    def set_near_duplicate(self, article_id: str, original_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE articles SET near_duplicate_of = ? WHERE id = ?", (original_id, article_id))

    # -- analyses -------------------------------------------------------------------------------------

    def pending_analysis(self, *, limit: int | None = None) -> list[str]:
        """Ids of articles with no analysis of the current version, in ingest order."""
        sql = (
            "SELECT a.id FROM articles a LEFT JOIN analyses n ON n.article_id = a.id"
            " WHERE n.article_id IS NULL OR n.version < ? ORDER BY a.rowid"
        )
        params: tuple[Any, ...] = (ANALYSIS_VERSION,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        return [row[0] for row in self.conn.execute(sql, params)]

    def save_analyses(self, batch: Sequence[AnalyzedArticle]) -> None:
        """Store analyses with their quotes and sources in one transaction."""
        with self.transaction() as conn:
            for analyzed in batch:
                self._save_analysis(conn, analyzed)

    @staticmethod
    def _save_analysis(conn: sqlite3.Connection, analyzed: AnalyzedArticle) -> None:
        article_id = analyzed.article.id
        data = {
            "sentences": to_dict(analyzed.sentences),
            "mentions": to_dict(analyzed.mentions),
            "quotes": to_dict(analyzed.quotes),
            "sources": to_dict(analyzed.sources),
        }
        conn.execute(
            "INSERT OR REPLACE INTO analyses(article_id, version, data) VALUES (?, ?, ?)",
            (article_id, ANALYSIS_VERSION, json.dumps(data, ensure_ascii=False)),
        )
        conn.execute("DELETE FROM quotes WHERE article_id = ?", (article_id,))
        for idx, quote in enumerate(analyzed.quotes):
            conn.execute(
                "INSERT INTO quotes(article_id, idx, kind, speaker, speaker_name, speaker_key, content, start, end,"
                " cue, relay, relay_kind, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    idx,
                    quote.kind,
                    quote.speaker.text if quote.speaker else None,
                    quote.speaker_name,
                    quote.speaker_entity or speaker_key(quote.speaker_name),
                    quote.content.text,
                    quote.content.start,
                    quote.content.end,
                    quote.cue.text if quote.cue else None,
                    quote.relay.name if quote.relay else None,
                    quote.relay.kind if quote.relay else None,
                    analyzed.article.date,
                ),
            )
        conn.execute("DELETE FROM article_sources WHERE article_id = ?", (article_id,))
        counts: dict[tuple[str, str], int] = {}
        for source in analyzed.sources:
            counts[(source.name, source.kind)] = counts.get((source.name, source.kind), 0) + 1
        for (name, kind), count in counts.items():
            conn.execute(
                "INSERT OR REPLACE INTO article_sources(article_id, name, kind, count) VALUES (?, ?, ?, ?)",
                (article_id, name, kind, count),
            )

    def analysis(self, article_id: str) -> AnalyzedArticle:
        article = self.article(article_id)
        row = self.conn.execute("SELECT data FROM analyses WHERE article_id = ?", (article.id,)).fetchone()
        if row is None:
            return AnalyzedArticle(article)
        data = json.loads(row[0])
        return AnalyzedArticle(
            article,
            tuple(from_dict(Sentence, item) for item in data.get("sentences", [])),
            tuple(from_dict(Mention, item) for item in data.get("mentions", [])),
            tuple(from_dict(Quote, item) for item in data.get("quotes", [])),
            tuple(from_dict(SourceCitation, item) for item in data.get("sources", [])),
        )

    # -- stories --------------------------------------------------------------------------------------

    def save_vectors(self, rows: Sequence[tuple[str, np.ndarray, Sequence[str]]]) -> None:
        with self.transaction() as conn:
            for article_id, vector, entities in rows:
                conn.execute(
                    "INSERT OR REPLACE INTO vectors(article_id, vector, entities) VALUES (?, ?, ?)",
                    (article_id, np.asarray(vector, _VECTOR_DTYPE).tobytes(), json.dumps(sorted(entities))),
                )

    def vector_rows(self) -> Iterator[tuple[str, np.ndarray, list[str], str | None, str, str | None]]:
        """(article id, vector, entities, date, outlet, story id) for every embedded article, in ingest order."""
        sql = (
            "SELECT v.article_id, v.vector, v.entities, a.date, a.outlet, s.story_id FROM vectors v"
            " JOIN articles a ON a.id = v.article_id LEFT JOIN story_articles s ON s.article_id = v.article_id"
            " ORDER BY a.rowid"
        )
        for row in self.conn.execute(sql):
            yield (row[0], np.frombuffer(row[1], _VECTOR_DTYPE), json.loads(row[2]), row[3], row[4], row[5])

    def unclustered(self) -> list[str]:
        sql = (
            "SELECT a.id FROM articles a JOIN analyses n ON n.article_id = a.id"
            " LEFT JOIN story_articles s ON s.article_id = a.id WHERE s.article_id IS NULL"
            " ORDER BY coalesce(a.date, ''), a.rowid"
        )
        return [row[0] for row in self.conn.execute(sql)]

    def assign_stories(self, assignments: Sequence[tuple[str, str]]) -> None:
        """Record (article id, story id) pairs and mark the touched stories for recomparison."""
        with self.transaction() as conn:
            touched = set()
            for article_id, story_id in assignments:
                conn.execute("INSERT OR IGNORE INTO stories(id, title) VALUES (?, '')", (story_id,))
                placed = conn.execute(
                    "INSERT OR REPLACE INTO story_articles(article_id, story_id, article_rowid)"
                    " SELECT id, ?, rowid FROM articles WHERE id = ?",
                    (story_id, article_id),
                )
                if placed.rowcount == 0:
                    raise NotFoundError("article", article_id)
                touched.add(story_id)
            for story_id in touched:
                self._refresh_story(conn, story_id)

    @staticmethod
    def _refresh_story(conn: sqlite3.Connection, story_id: str) -> None:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT a.outlet), min(a.date), max(a.date) FROM story_articles s"
            " JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?",
            (story_id,),
        ).fetchone()
        # The story is named after its earliest article that has a title.
        title_row = conn.execute(
            "SELECT a.title FROM story_articles s JOIN articles a ON a.id = s.article_id"
            " WHERE s.story_id = ? AND a.title != '' ORDER BY coalesce(a.date, ''), a.rowid LIMIT 1",
            (story_id,),
        ).fetchone()
        conn.execute(
            "UPDATE stories SET n_articles = ?, n_outlets = ?, first_date = ?, last_date = ?, title = ?, dirty = 1,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            (row[0], row[1], row[2], row[3], title_row[0] if title_row else "", story_id),
        )

    def stories(self, *, limit: int | None = None) -> list[Story]:
        """Stories, broadest and newest first."""
        sql = "SELECT * FROM stories ORDER BY n_outlets DESC, coalesce(last_date, '') DESC, n_articles DESC, id"
        params: tuple[Any, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [self._story_from_row(row) for row in self.conn.execute(sql, params)]

    def story(self, story_id: str) -> Story:
        """The story with id ``story_id``, or the one story whose id starts with it.

        Raises:
            NotFoundError: no story id is or starts with ``story_id``.
            AmbiguousError: several start with it (the error lists them).
        """
        row = self.conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            rows = self.conn.execute(
                "SELECT * FROM stories WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
                (_like_prefix(story_id), _AMBIGUOUS_SHOWN + 1),
            ).fetchall()
            if not rows:
                raise NotFoundError("story", story_id)
            if len(rows) > 1:
                (total,) = self.conn.execute(
                    "SELECT count(*) FROM stories WHERE id LIKE ? ESCAPE '\\'", (_like_prefix(story_id),)
                ).fetchone()
                shown = [str(r["id"]) for r in rows[:_AMBIGUOUS_SHOWN]]
                raise AmbiguousError("story", story_id, shown, more=int(total) - len(shown))
            row = rows[0]
        return self._story_from_row(row)

    def _story_from_row(self, row: sqlite3.Row) -> Story:
        members = self.conn.execute(
            "SELECT a.id, a.outlet FROM story_articles s JOIN articles a ON a.id = s.article_id"
            " WHERE s.story_id = ? ORDER BY coalesce(a.date, ''), a.rowid",
            (row["id"],),
        ).fetchall()
        outlets = tuple(dict.fromkeys(m[1] for m in members))
        return Story(
            id=row["id"],
            title=row["title"],
            article_ids=tuple(m[0] for m in members),
            first_date=row["first_date"],
            last_date=row["last_date"],
            outlets=outlets,
        )

    def dirty_stories(self) -> list[str]:
        """Stories whose comparison is missing or stale, largest first: a run cut short leaves the stories
        readers open most already compared."""
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM stories WHERE dirty = 1 ORDER BY n_articles DESC, rowid")]

    def save_comparison(
        self,
        comparison: Comparison,
        *,
        entity_rows: Sequence[tuple[str, str, str, str, list[str], int]] = (),
        quote_keys: Sequence[tuple[str, int, str]] = (),
    ) -> None:
        """Store a story's comparison, its entity index and the entity keys of its quotes' speakers;
        clears the story's dirty mark."""
        story = comparison.story
        data = to_dict(comparison)
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO comparisons(story_id, n_articles, data) VALUES (?, ?, ?)",
                (story.id, len(story.article_ids), _packed(json.dumps(data, ensure_ascii=False))),
            )
            _write_page(conn, story.id, data)
            touched = {row[0] for row in conn.execute(
                "SELECT DISTINCT entity_key FROM entity_articles WHERE story_id = ?", (story.id,))}
            conn.execute("DELETE FROM entity_articles WHERE story_id = ?", (story.id,))
            for key, name, label, article_id, forms, count in entity_rows:
                touched.add(key)
                conn.execute(
                    "INSERT INTO entities(key, name, label) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING",
                    (key, name, label),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO entity_articles(entity_key, article_id, story_id, forms, count)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (key, article_id, story.id, json.dumps(forms, ensure_ascii=False), count),
                )
            conn.executemany(
                "UPDATE entities SET"
                " n_articles = (SELECT count(DISTINCT article_id) FROM entity_articles WHERE entity_key = ?),"
                " n_stories = (SELECT count(DISTINCT story_id) FROM entity_articles WHERE entity_key = ?)"
                " WHERE key = ?",
                [(key, key, key) for key in touched],
            )
            for article_id, idx, key in quote_keys:
                conn.execute("UPDATE quotes SET speaker_key = ? WHERE article_id = ? AND idx = ?", (key, article_id, idx))
            conn.execute("UPDATE stories SET dirty = 0 WHERE id = ?", (story.id,))

    def comparison(self, story_id: str) -> Comparison | None:
        story = self.story(story_id)
        text = self.comparison_text(story.id)
        return None if text is None else from_dict(Comparison, json.loads(text))

    def story_page(self, story_id: str, *, offset: int = 0, limit: int | None = None) -> StoryPageData | None:
        """The story page's summary and columns ``offset`` to ``offset + limit`` of its stored comparison;
        None when the story has no comparison or its page pieces are missing or older than it."""
        raw = self.story_page_text(story_id, offset=offset, limit=limit)
        if raw is None:
            return None
        return StoryPageData(json.loads(raw.summary), [json.loads(c) for c in raw.columns], raw.n_columns,
                             raw.computed_at)

    def story_page_text(self, story_id: str, *, offset: int = 0, limit: int | None = None) -> StoryPageText | None:
        """:meth:`story_page` as the stored JSON texts, unparsed (for sending on as they are)."""
        story = self.story(story_id)
        row = self.conn.execute(
            "SELECT p.summary, p.n_columns, p.computed_at FROM story_pages p JOIN comparisons c"
            " ON c.story_id = p.story_id AND c.computed_at = p.computed_at WHERE p.story_id = ? AND p.version = ?",
            (story.id, PAGES_VERSION),
        ).fetchone()
        if row is None:
            return None
        stop = row["n_columns"] if limit is None else offset + max(0, limit)
        columns = [
            str(r[0])
            for r in self.conn.execute(
                "SELECT data FROM story_columns WHERE story_id = ? AND ord >= ? AND ord < ? ORDER BY ord",
                (story.id, offset, stop),
            )
        ]
        return StoryPageText(str(row["summary"]), columns, row["n_columns"], row["computed_at"])

    def stale_story_pages(self) -> list[str]:
        """Stories whose comparison has no page pieces of the same computation and format (stores written
        before migration 0006, or by an older version)."""
        return [row[0] for row in self.conn.execute(
            "SELECT c.story_id FROM comparisons c LEFT JOIN story_pages p ON p.story_id = c.story_id"
            " WHERE p.computed_at IS NULL OR p.computed_at != c.computed_at OR p.version != ?"
            " ORDER BY c.n_articles DESC, c.story_id", (PAGES_VERSION,))]

    def rebuild_story_pages(self, story_ids: Iterable[str]) -> int:
        """Cut the stored comparisons of ``story_ids`` into page pieces again; returns how many were built."""
        done = 0
        for story_id in story_ids:
            text = self.comparison_text(story_id)
            if text is None:
                continue
            with self.transaction() as conn:
                _write_page(conn, story_id, json.loads(text))
            done += 1
        return done

    def unpacked_comparisons(self) -> list[str]:
        """Stories whose comparison is still kept as JSON text (written before comparisons were compressed)."""
        return [row[0] for row in self.conn.execute("SELECT story_id FROM comparisons WHERE typeof(data) = 'text'")]

    def pack_comparison(self, story_id: str) -> None:
        """Compress one comparison kept as text; its ``computed_at`` (which page pieces match) is unchanged."""
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT data FROM comparisons WHERE story_id = ? AND typeof(data) = 'text'", (story_id,)
            ).fetchone()
            if row is not None:
                conn.execute("UPDATE comparisons SET data = ? WHERE story_id = ?", (_packed(row[0]), story_id))

    def comparison_json(self, story_id: str) -> dict[str, Any] | None:
        """The stored comparison as its JSON form, without rebuilding records."""
        text = self.comparison_text(story_id)
        return None if text is None else dict(json.loads(text))

    def comparison_text(self, story_id: str) -> str | None:
        """The stored comparison as JSON text; None when the story has not been compared."""
        stored = self.comparison_bytes(story_id)
        if stored is None:
            return None
        body, packed = stored
        return (gzip.decompress(body) if packed else body).decode("utf-8")

    def comparison_bytes(self, story_id: str) -> tuple[bytes, bool] | None:
        """The stored comparison as it is kept, and whether that is gzip-compressed JSON (stores written
        before comparisons were compressed hold JSON text)."""
        story = self.story(story_id)
        row = self.conn.execute("SELECT data FROM comparisons WHERE story_id = ?", (story.id,)).fetchone()
        if row is None:
            return None
        value = row[0]
        if isinstance(value, bytes):
            return value, value[:2] == _GZIP_MAGIC
        return str(value).encode("utf-8"), False


@dataclass(frozen=True, slots=True)
class StoryPageData:
    """What the story page reads: the summary, a slice of the columns, how many columns there are in all,
    and when the comparison they come from was computed."""

    summary: dict[str, Any]
    columns: list[dict[str, Any]]
    n_columns: int
    computed_at: str


@dataclass(frozen=True, slots=True)
class StoryPageText:
    """:class:`StoryPageData` with the summary and columns as stored JSON text."""

    summary: str
    columns: list[str]
    n_columns: int
    computed_at: str


# Comparisons are kept gzip-compressed (a 200-article story's JSON is 16 MB, 3.7 MB packed; the whole
# store shrinks by about half), so the web app can send them as they are to clients that accept gzip.
# Rows written before are JSON text in the same column (SQLite keeps a value's own type), read as such.
_GZIP_MAGIC = b"\x1f\x8b"


def _packed(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)


def _write_page(conn: sqlite3.Connection, story_id: str, data: dict[str, Any]) -> None:
    """Store the page pieces of one comparison (``to_dict`` form), stamped with its ``computed_at``."""
    columns = story_columns(data)
    conn.execute(
        "INSERT OR REPLACE INTO story_pages(story_id, computed_at, version, n_columns, summary)"
        " SELECT story_id, computed_at, ?, ?, ? FROM comparisons WHERE story_id = ?",
        (PAGES_VERSION, len(columns), json.dumps(story_summary(data), ensure_ascii=False), story_id),
    )
    conn.execute("DELETE FROM story_columns WHERE story_id = ?", (story_id,))
    conn.executemany(
        "INSERT INTO story_columns(story_id, ord, article_id, data) VALUES (?, ?, ?, ?)",
        [(story_id, i, c["article"]["id"], json.dumps(c, ensure_ascii=False)) for i, c in enumerate(columns)],
    )


def _unique_id(article: Article) -> str:
    """The id an article gets when its own id already names a different text."""
    return f"{article.id}~{article.content_hash[:8]}"


def speaker_key(name: str | None) -> str | None:
    """The fallback ``quotes.speaker_key`` of a name no entity claimed: case-folded, spaces collapsed."""
    if not name:
        return None
    return " ".join(name.casefold().split())


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; trigger bodies keep their inner semicolons."""
    statements: list[str] = []
    current: list[str] = []
    depth = 0
    for line in script.strip().splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        current.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            depth += 1
        if upper.startswith("END;"):
            depth -= 1
        if stripped.endswith(";") and depth == 0:
            statements.append("\n".join(current))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements
