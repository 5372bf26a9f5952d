"""Articles: stored once per text, exact duplicates folded into aliases, near-duplicates linked."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from parallax.errors import NotFoundError
from parallax.model import Article, Removed, from_dict, to_dict

from .base import StoreBase

__all__ = ["ArticleRepository", "InsertOutcome"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InsertOutcome:
    """What happened to one article handed to :meth:`Database.add_articles`."""

    article_id: str
    status: str  # "added", "exists", "duplicate" (folded into ``canonical_id`` as an alias)
    canonical_id: str



class ArticleRepository(StoreBase):
    """Articles, their aliases and near-duplicate signatures."""

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

    def list_outlets(self) -> list[tuple[str, int]]:
        """(outlet, article count), most prolific first."""
        rows = self.conn.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY 2 DESC, 1")
        return [(row[0], row[1]) for row in rows]

    def articles_stamp(self) -> int | None:
        """Changes whenever an article is added: what a cached outlet list was computed from."""
        value = self.conn.execute("SELECT max(rowid) FROM articles").fetchone()[0]
        return None if value is None else int(value)

    def article_story(self, article_id: str) -> tuple[str, str] | None:
        """(story id, title) of the story holding ``article_id``, if it has been clustered."""
        row = self.conn.execute(
            "SELECT s.id, s.title FROM story_articles sa JOIN stories s ON s.id = sa.story_id WHERE sa.article_id = ?",
            (article_id,),
        ).fetchone()
        return None if row is None else (row[0], row[1])


def _unique_id(article: Article) -> str:
    """The id an article gets when its own id already names a different text."""
    return f"{article.id}~{article.content_hash[:8]}"

