"""Stories: which articles each holds, its dates and outlets, and the story list the CLI and web show."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from parallax.errors import AmbiguousError, NotFoundError
from parallax.model import Story, StoryFilters, StoryList, StoryRow

from .base import StoreBase, clamp, like_prefix
from .text import fts_query

__all__ = ["StoryRepository"]

_AMBIGUOUS_SHOWN = 10  # ids listed when a prefix names several stories


class StoryRepository(StoreBase):
    """Stories and their members."""

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
                (like_prefix(story_id), _AMBIGUOUS_SHOWN + 1),
            ).fetchall()
            if not rows:
                raise NotFoundError("story", story_id)
            if len(rows) > 1:
                (total,) = self.conn.execute(
                    "SELECT count(*) FROM stories WHERE id LIKE ? ESCAPE '\\'", (like_prefix(story_id),)
                ).fetchone()
                shown = [str(r["id"]) for r in rows[:_AMBIGUOUS_SHOWN]]
                raise AmbiguousError("story", story_id, shown, more=int(total) - len(shown))
            row = rows[0]
        return self._story_from_row(row)

    def story_key(self, story_id: str) -> str:
        """The id of the story ``story_id`` names, as :meth:`story` finds it, without reading its articles.

        Raises:
            NotFoundError, AmbiguousError: as :meth:`story`.
        """
        row = self.conn.execute("SELECT id FROM stories WHERE id = ?", (story_id,)).fetchone()
        return str(row[0]) if row is not None else self.story(story_id).id

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

    def story_article_ids(self, story_ids: Sequence[str]) -> dict[str, list[str]]:
        """Story id -> its article ids, oldest first, for the stories given."""
        out: dict[str, list[str]] = {}
        if not story_ids:
            return out
        marks = ",".join("?" * len(story_ids))
        for story_id, article_id in self.conn.execute(
            "SELECT sa.story_id, a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            f" WHERE sa.story_id IN ({marks}) ORDER BY coalesce(a.date, ''), a.rowid",  # noqa: S608
            list(story_ids),
        ):
            out.setdefault(story_id, []).append(article_id)
        return out

    def dirty_stories(self) -> list[str]:
        """Stories whose comparison is missing or stale, largest first: a run cut short leaves the stories
        readers open most already compared."""
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM stories WHERE dirty = 1 ORDER BY n_articles DESC, rowid")]

    def mark_changed(self, story_ids: Sequence[str]) -> int:
        """Mark stories as changed so that the next analysis run compares them again (a rule or model of
        the comparison changed); returns how many exist. Their stored comparisons stay readable until then."""
        with self.conn:
            return sum(self.conn.execute("UPDATE stories SET dirty = 1 WHERE id = ?", (story_id,)).rowcount
                       for story_id in story_ids)

    def list_stories(self, filters: StoryFilters | None = None, *, limit: int | None = 50, offset: int = 0,
                     sort: str = "date") -> StoryList:
        """Stories matching ``filters``: ``sort="date"``, newest day first and, within a day, broadest (most
        outlets) first; ``sort="activity"``, the story that last gained an article or an edit first."""
        filters = filters or StoryFilters()
        limit, offset = (-1, max(0, offset)) if limit is None else clamp(limit, offset)
        where, params = _story_where(filters)
        match = fts_query(filters.q)
        if sort == "activity":
            # No index: a sort of the stories table, 24 ms a page for 40,000 stories (7 ms by date) on two
            # loaded cores; not worth a migration yet.
            order, indexed = "s.updated_at DESC, s.id", ""
        else:
            # Matches the stories_web_order index, so a page stops after LIMIT rows.
            order = "substr(coalesce(s.last_date, ''), 1, 10) DESC, s.n_outlets DESC, s.n_articles DESC, s.id"
            indexed = "INDEXED BY stories_web_order "
        prefix, first = (_HITS, [match]) if match else ("", [])
        if match and not (filters.outlet or filters.entity or filters.date_from or filters.date_to):
            # Words only: every story with an article has n_articles > 0, so the total is the hit set's size.
            total_sql, total_params = "(SELECT count(*) FROM hits)", []
        else:
            total_sql, total_params = f"(SELECT count(*) FROM stories s WHERE {where})", params  # noqa: S608
        rows = self.conn.execute(
            f"{prefix}SELECT p.*, EXISTS (SELECT 1 FROM comparisons c WHERE c.story_id = p.id) AS has_comparison,"
            f" {_ACTIVITY} FROM ("
            f"SELECT s.id, s.title, s.first_date, s.last_date, s.n_articles, s.n_outlets, s.updated_at,"
            f" {total_sql} AS total"
            f" FROM stories s {indexed}WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) p"  # noqa: S608
            f" ORDER BY {order.replace('s.', 'p.')}",
            [*first, *total_params, *params, limit, offset],
        ).fetchall()
        if rows:
            total = int(rows[0]["total"])
        else:  # a page past the end: count on its own
            total = int(self.conn.execute(f"{prefix}SELECT {total_sql}", [*first, *total_params]).fetchone()[0])  # noqa: S608
        outlets = self._story_outlets([row["id"] for row in rows])
        stories = tuple(
            StoryRow(
                id=row["id"],
                title=row["title"],
                first_date=row["first_date"],
                last_date=row["last_date"],
                n_articles=row["n_articles"],
                n_outlets=row["n_outlets"],
                outlets=outlets.get(row["id"], {}),
                has_comparison=bool(row["has_comparison"]),
                updated_at=row["updated_at"],
                updated=bool(row["n_versions"]) or (row["spread_s"] or 0) > _UPDATED_AFTER_S,
                n_versions=int(row["n_versions"]),
            )
            for row in rows
        )
        return StoryList(stories, total, None if limit < 0 else limit, offset, filters)


    def _story_outlets(self, story_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        result: dict[str, dict[str, int]] = {}
        for row in self.conn.execute(
            "SELECT sa.story_id, a.outlet, count(*) FROM story_articles sa"
            " JOIN articles a INDEXED BY articles_id_date_outlet ON a.id = sa.article_id"
            f" WHERE sa.story_id IN ({marks}) GROUP BY sa.story_id, a.outlet ORDER BY 3 DESC, 2",  # noqa: S608
            list(story_ids),
        ):
            result.setdefault(row[0], {})[row[1]] = row[2]
        return result


# A story counts as updated when an article joined it this long after its first one arrived (articles
# stored in one batch arrive within seconds of each other), or when one of its articles was edited.
_UPDATED_AFTER_S = 60
_ACTIVITY = (
    "(SELECT count(*) FROM story_articles sa JOIN article_versions v ON v.article_id = sa.article_id"
    " WHERE sa.story_id = p.id AND v.version > 1) AS n_versions,"
    " (SELECT (max(julianday(a.ingested_at)) - min(julianday(a.ingested_at))) * 86400.0 FROM story_articles sa"
    " JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = p.id) AS spread_s"
)


def _story_where(filters: StoryFilters) -> tuple[str, list[Any]]:
    clauses = ["s.n_articles > 0"]
    params: list[Any] = []
    if filters.outlet:
        clauses.append(
            "EXISTS (SELECT 1 FROM story_articles sa JOIN articles a INDEXED BY articles_id_date_outlet"
            " ON a.id = sa.article_id WHERE sa.story_id = s.id AND a.outlet = ?)"
        )
        params.append(filters.outlet)
    if filters.entity:
        clauses.append("EXISTS (SELECT 1 FROM entity_articles ea WHERE ea.story_id = s.id AND ea.entity_key = ?)")
        params.append(filters.entity)
    if filters.date_from:
        clauses.append("coalesce(s.last_date, '') >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        # Dates may carry a time; anything on the ``to`` day still counts.
        clauses.append("coalesce(s.first_date, '') < date(?, '+1 day')")
        params.append(filters.date_to)
    if fts_query(filters.q):
        clauses.append("s.id IN hits")  # the stories of the full-text hits: see _HITS
    return " AND ".join(clauses), params


# The stories whose articles match the full-text query, computed once per request: the page walks the
# stories_web_order index and stops after LIMIT members, and the total counts this set.
_HITS = (
    "WITH hits(story_id) AS MATERIALIZED (SELECT DISTINCT sa.story_id FROM story_articles sa"
    " WHERE sa.article_rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)) "
)


# The stories whose articles match the full-text query, computed once per request: the page walks the
# stories_web_order index and stops after LIMIT members, and the total counts this set.
_HITS = (
    "WITH hits(story_id) AS MATERIALIZED (SELECT DISTINCT sa.story_id FROM story_articles sa"
    " WHERE sa.article_rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)) "
)
