"""Comparisons: one record per story, kept gzip-compressed, with the story page's pieces beside it.

The comparison is read and written only through this repository (:meth:`save_comparison`,
:meth:`comparison`, :meth:`comparison_json`, :meth:`story_page`), so how it is kept (today one packed JSON
value per story) can change to rows keyed by story, article and sentence behind the same methods.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from parallax.model import Comparison, from_dict, to_dict

from .stories import StoryRepository

__all__ = ["ComparisonRepository", "PageLayout", "PagePieces", "StoryPageData", "StoryPageText"]


@dataclass(frozen=True, slots=True)
class PagePieces:
    """A comparison cut the way a page reads it (made by the web layer's layout, kept by the store)."""

    version: int  # of the layout that cut them: pieces of another version are stale
    summary: dict[str, Any]
    columns: list[dict[str, Any]]


# The layout that cuts a comparison's JSON form (``to_dict``) into page pieces: parallax.web.pages.layout.
PageLayout = Callable[[dict[str, Any]], PagePieces]


class ComparisonRepository(StoryRepository):
    """Each story's comparison and its page pieces."""

    def save_comparison(
        self,
        comparison: Comparison,
        *,
        entity_rows: Sequence[tuple[str, str, str, str, list[str], int]] = (),
        quote_keys: Sequence[tuple[str, int, str]] = (),
        layout: PageLayout | None = None,
    ) -> None:
        """Store a story's comparison, its entity index and the entity keys of its quotes' speakers;
        clears the story's dirty mark. With ``layout``, the story page's pieces are cut and kept in the same
        transaction (without, a page is cut from the comparison when read, until they are saved)."""
        story = comparison.story
        data = to_dict(comparison)
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO comparisons(story_id, n_articles, data) VALUES (?, ?, ?)",
                (story.id, len(story.article_ids), _packed(json.dumps(data, ensure_ascii=False))),
            )
            if layout is not None:
                _write_page(conn, story.id, layout(data))
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

    def story_page(self, story_id: str, *, version: int, offset: int = 0, limit: int | None = None
                   ) -> StoryPageData | None:
        """The story page's summary and columns ``offset`` to ``offset + limit`` as kept for the comparison;
        None when the story has no comparison or its page pieces are missing, older than it or of another
        layout ``version``."""
        raw = self.story_page_text(story_id, version=version, offset=offset, limit=limit)
        if raw is None:
            return None
        return StoryPageData(json.loads(raw.summary), [json.loads(c) for c in raw.columns], raw.n_columns,
                             raw.computed_at)

    def story_page_text(self, story_id: str, *, version: int, offset: int = 0, limit: int | None = None
                        ) -> StoryPageText | None:
        """:meth:`story_page` as the kept JSON texts, unparsed (for sending on as they are)."""
        story = self.story(story_id)
        row = self.conn.execute(
            "SELECT p.summary, p.n_columns, p.computed_at FROM story_pages p JOIN comparisons c"
            " ON c.story_id = p.story_id AND c.computed_at = p.computed_at WHERE p.story_id = ? AND p.version = ?",
            (story.id, version),
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

    def stale_story_pages(self, version: int) -> list[str]:
        """Stories whose comparison has no page pieces of the same computation and layout ``version``."""
        return [row[0] for row in self.conn.execute(
            "SELECT c.story_id FROM comparisons c LEFT JOIN story_pages p ON p.story_id = c.story_id"
            " WHERE p.computed_at IS NULL OR p.computed_at != c.computed_at OR p.version != ?"
            " ORDER BY c.n_articles DESC, c.story_id", (version,))]

    def save_story_page(self, story_id: str, layout: PageLayout) -> bool:
        """Cut the stored comparison of ``story_id`` into page pieces with ``layout`` and keep them;
        False when the story has no comparison."""
        data = self.comparison_json(story_id)
        if data is None:
            return False
        with self.transaction() as conn:
            _write_page(conn, self.story(story_id).id, layout(data))
        return True

    def largest_compared_stories(self, limit: int) -> list[str]:
        """Ids of the ``limit`` compared stories with the most articles."""
        return [str(row[0]) for row in self.conn.execute(
            "SELECT story_id FROM comparisons ORDER BY n_articles DESC, story_id LIMIT ?", (limit,))]

    def comparison_stamp(self, story_id: str) -> str:
        """When the story's comparison was computed ("" if it was not): what a cached page was built from."""
        row = self.conn.execute("SELECT computed_at FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
        return str(row[0]) if row else ""

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


def _write_page(conn: sqlite3.Connection, story_id: str, pieces: PagePieces) -> None:
    """Keep the page pieces of one comparison, stamped with its ``computed_at``."""
    conn.execute(
        "INSERT OR REPLACE INTO story_pages(story_id, computed_at, version, n_columns, summary)"
        " SELECT story_id, computed_at, ?, ?, ? FROM comparisons WHERE story_id = ?",
        (pieces.version, len(pieces.columns), json.dumps(pieces.summary, ensure_ascii=False), story_id),
    )
    conn.execute("DELETE FROM story_columns WHERE story_id = ?", (story_id,))
    conn.executemany(
        "INSERT INTO story_columns(story_id, ord, article_id, data) VALUES (?, ?, ?, ?)",
        [(story_id, i, c["article"]["id"], json.dumps(c, ensure_ascii=False)) for i, c in enumerate(pieces.columns)],
    )
