"""Persistence of live coverage: watched feeds, the items they list, watched pages and article versions.

``parallax watch`` (``parallax.watch``) decides what to fetch and when; this module alone writes what it
found. Every call is one transaction, so a watcher killed at any moment leaves each item either stored or
still pending, and a restart fetches the pending ones again (an article already stored under its id is
recognised, never stored twice).

Times: ``*_at`` columns are ISO 8601 UTC text for people; ``next_due``, ``next_try``, ``listed`` and
``checked`` are seconds since the epoch for the scheduler, which passes its own clock in (tests and the
benchmark run on simulated time).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from parallax.errors import NotFoundError
from parallax.model import Article, to_dict

from .db import Database

__all__ = [
    "ArticleVersion",
    "Feed",
    "FeedEntry",
    "FeedError",
    "FeedHealth",
    "FeedStore",
    "PendingItem",
    "StoryActivity",
    "WatchedItem",
    "iso_utc",
]

_ERRORS_KEPT = 50  # per feed: the feeds page shows the latest; older ones only inflate the store


def iso_utc(ts: float) -> str:
    """Seconds since the epoch as ISO 8601 UTC with milliseconds (``2026-03-09T14:05:00.000Z``)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True, slots=True)
class Feed:
    """One watched feed and what the last fetches left."""

    id: int
    url: str
    outlet: str | None
    every_s: int
    active: bool
    title: str | None
    etag: str | None
    last_modified: str | None
    last_fetch_at: str | None
    last_ok_at: str | None
    last_status: int | None
    last_error: str | None
    failures: int  # consecutive failed fetches of the feed itself (0 after a success)
    n_errors: int  # every error recorded for the feed or its items
    next_due: float


@dataclass(frozen=True, slots=True)
class FeedError:
    at: str
    url: str
    status: int | None
    error: str


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed with its item counts and latest errors, as ``feeds list`` and the feeds page show it."""

    feed: Feed
    n_items: int
    n_articles: int
    n_pending: int
    n_failed: int
    n_skipped: int
    errors: tuple[FeedError, ...]

    @property
    def status(self) -> str:
        """paused, new (never fetched), failing (last feed fetch failed), ok."""
        if not self.feed.active:
            return "paused"
        if self.feed.last_fetch_at is None:
            return "new"
        return "failing" if self.feed.failures else "ok"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a fetched feed, as the watcher read it."""

    url: str
    guid: str | None
    title: str | None
    published: str | None  # ISO 8601 UTC
    published_raw: str | None  # as the outlet wrote it, with its own time zone
    fingerprint: str  # changes when the outlet changes the entry (title, dates, summary)


@dataclass(frozen=True, slots=True)
class PendingItem:
    """An item whose page is to be fetched: new, retried after an error, or rechecked for edits."""

    feed_id: int
    feed_url: str
    outlet: str | None
    url: str
    title: str | None
    published: str | None
    attempts: int
    article_id: str | None  # set when the page is already stored (a recheck)
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class WatchedItem:
    """Where and when a watched article was first seen: for the story timeline."""

    article_id: str
    feed_url: str
    published: str | None
    published_raw: str | None
    seen_at: str


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    article_id: str
    version: int
    title: str
    text: str
    content_hash: str
    fetched_at: str


@dataclass(frozen=True, slots=True)
class StoryActivity:
    """When a story last changed and how many of its articles were edited after they were first stored."""

    story_id: str
    updated_at: str
    n_versions: int


class FeedStore:
    """Feeds, items, pages and versions in a :class:`Database` (one writer, one transaction per call)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn = db.conn

    # -- feeds ----------------------------------------------------------------------------------------

    def add(self, url: str, *, outlet: str | None = None, every_s: int = 600) -> tuple[Feed, bool]:
        """Watch ``url``; returns the feed and whether it was new (an existing one gets the new settings)."""
        with self.db.transaction() as conn:
            created = conn.execute(
                "INSERT INTO feeds(url, outlet, every_s) VALUES (?, ?, ?) ON CONFLICT(url) DO NOTHING",
                (url, outlet, every_s),
            ).rowcount == 1
            if not created:
                conn.execute(
                    "UPDATE feeds SET outlet = coalesce(?, outlet), every_s = ?, active = 1 WHERE url = ?",
                    (outlet, every_s, url),
                )
        return self.get(url), created

    def get(self, ref: str | int) -> Feed:
        """The feed with id or URL ``ref``.

        Raises:
            NotFoundError: no feed has that id or URL.
        """
        row = None
        if isinstance(ref, int) or str(ref).isdigit():
            row = self.conn.execute("SELECT * FROM feeds WHERE id = ?", (int(ref),)).fetchone()
        if row is None:
            row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (str(ref),)).fetchone()
        if row is None:
            raise NotFoundError("feed", str(ref))
        return _feed(row)

    def remove(self, ref: str | int) -> Feed:
        """Stop watching a feed and forget its items; the articles it brought stay in the store."""
        feed = self.get(ref)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    def set_active(self, ref: str | int, active: bool) -> Feed:
        feed = self.get(ref)
        with self.db.transaction() as conn:
            conn.execute("UPDATE feeds SET active = ?, next_due = 0 WHERE id = ?", (int(active), feed.id))
        return self.get(feed.id)

    def feeds(self) -> list[Feed]:
        return [_feed(row) for row in self.conn.execute("SELECT * FROM feeds ORDER BY id")]

    def health(self, *, errors_shown: int = 5) -> list[FeedHealth]:
        """Every feed with its counts and its latest ``errors_shown`` errors, in the order they were added."""
        counts = {
            row[0]: row[1:]
            for row in self.conn.execute(
                "SELECT feed_id, count(*), count(DISTINCT article_id), sum(state IN ('pending', 'recheck')),"
                " sum(state = 'failed'), sum(state = 'skipped') FROM feed_items GROUP BY feed_id"
            )
        }
        result = []
        for feed in self.feeds():
            n_items, n_articles, n_pending, n_failed, n_skipped = counts.get(feed.id, (0, 0, 0, 0, 0))
            errors = tuple(
                FeedError(r["at"], r["url"], r["status"], r["error"])
                for r in self.conn.execute(
                    "SELECT * FROM feed_errors WHERE feed_id = ? ORDER BY id DESC LIMIT ?", (feed.id, errors_shown)
                )
            )
            result.append(FeedHealth(feed, int(n_items), int(n_articles), int(n_pending or 0), int(n_failed or 0),
                                     int(n_skipped or 0), errors))
        return result

    def due(self, now: float, *, every_s: float | None = None) -> list[Feed]:
        """Active feeds whose next poll time has come, longest overdue first; with ``every_s``, also those
        polled successfully over ``every_s`` seconds ago (a run that overrides the feeds' intervals)."""
        rows = self.conn.execute(
            "SELECT * FROM feeds WHERE active = 1 AND (next_due <= ? OR (? IS NOT NULL AND failures = 0"
            " AND (julianday(last_ok_at) - 2440587.5) * 86400.0 + ? <= ?)) ORDER BY next_due, id",
            (now, every_s, every_s, now),
        )
        return [_feed(row) for row in rows]

    def next_wakeup(self) -> float | None:
        """The earliest time a feed is due or a pending item may be tried; None when nothing is watched."""
        row = self.conn.execute(
            "SELECT min(t) FROM (SELECT min(next_due) AS t FROM feeds WHERE active = 1"
            " UNION ALL SELECT min(i.next_try) FROM feed_items i JOIN feeds f ON f.id = i.feed_id"
            " WHERE f.active = 1 AND i.state IN ('pending', 'recheck'))"
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def feed_fetched(self, feed_id: int, *, now: float, status: int, etag: str | None, last_modified: str | None,
                     title: str | None = None, every_s: float | None = None) -> None:
        """A successful poll (200 or 304): validators kept for the next conditional GET, failures cleared;
        the next poll after the feed's interval (or ``every_s``)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE feeds SET etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
                " title = coalesce(?, title), last_fetch_at = ?, last_ok_at = ?, last_status = ?, failures = 0,"
                " next_due = ? + coalesce(?, every_s) WHERE id = ?",
                (etag, last_modified, title, iso_utc(now), iso_utc(now), status, now, every_s, feed_id),
            )

    def feed_failed(self, feed_id: int, *, now: float, url: str, status: int | None, error: str,
                    retry_in: float) -> None:
        """A failed poll: recorded, counted, and the next one put off by ``retry_in`` seconds (the backoff)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE feeds SET last_fetch_at = ?, last_status = ?, last_error = ?, failures = failures + 1,"
                " n_errors = n_errors + 1, next_due = ? WHERE id = ?",
                (iso_utc(now), status, error, now + retry_in, feed_id),
            )
            self._log_error(conn, feed_id, now=now, url=url, status=status, error=error)

    @staticmethod
    def _log_error(conn: sqlite3.Connection, feed_id: int, *, now: float, url: str, status: int | None,
                   error: str) -> None:
        conn.execute("INSERT INTO feed_errors(feed_id, at, url, status, error) VALUES (?, ?, ?, ?, ?)",
                     (feed_id, iso_utc(now), url, status, error))
        conn.execute(
            "DELETE FROM feed_errors WHERE feed_id = ? AND id NOT IN"
            " (SELECT id FROM feed_errors WHERE feed_id = ? ORDER BY id DESC LIMIT ?)",
            (feed_id, feed_id, _ERRORS_KEPT),
        )

    # -- items ----------------------------------------------------------------------------------------

    def add_entries(self, feed_id: int, entries: Sequence[FeedEntry], *, now: float) -> tuple[int, int]:
        """Record what a feed lists: new items become pending; a stored item whose entry changed is
        rechecked. Returns (new, changed)."""
        new = changed = 0
        with self.db.transaction() as conn:
            for entry in entries:
                row = conn.execute("SELECT fingerprint, state FROM feed_items WHERE feed_id = ? AND url = ?",
                                   (feed_id, entry.url)).fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO feed_items(feed_id, url, guid, title, published, published_raw, fingerprint,"
                        " seen_at, listed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (feed_id, entry.url, entry.guid, entry.title, entry.published, entry.published_raw,
                         entry.fingerprint, iso_utc(now), now),
                    )
                    new += 1
                    continue
                edited = row["fingerprint"] != entry.fingerprint and row["state"] == "stored"
                changed += edited
                conn.execute(
                    "UPDATE feed_items SET fingerprint = ?, title = coalesce(?, title), listed = ?,"
                    " state = CASE WHEN ? THEN 'recheck' ELSE state END,"
                    " next_try = CASE WHEN ? THEN 0 ELSE next_try END WHERE feed_id = ? AND url = ?",
                    (entry.fingerprint, entry.title, now, edited, edited, feed_id, entry.url),
                )
        return new, changed

    def mark_rechecks(self, *, now: float, every_s: float, window_s: float) -> int:
        """Queue a recheck of stored pages last checked over ``every_s`` ago whose item a feed listed in the
        last ``window_s`` seconds (outlets edit fresh articles); returns how many were queued."""
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE feed_items SET state = 'recheck', next_try = 0 WHERE state = 'stored' AND listed >= ?"
                " AND url IN (SELECT url FROM watched_pages WHERE checked < ?)",
                (now - window_s, now - every_s),
            ).rowcount

    def pending(self, *, now: float, limit: int = 500) -> list[PendingItem]:
        """Items of active feeds whose page is due, oldest publication first."""
        rows = self.conn.execute(
            "SELECT i.*, f.url AS feed_url, f.outlet, p.article_id AS page_article, p.etag, p.last_modified"
            " FROM feed_items i JOIN feeds f ON f.id = i.feed_id LEFT JOIN watched_pages p ON p.url = i.url"
            " WHERE f.active = 1 AND i.state IN ('pending', 'recheck') AND i.next_try <= ?"
            " ORDER BY coalesce(i.published, i.seen_at), i.seen_at, i.url LIMIT ?",
            (now, limit),
        )
        return [
            PendingItem(row["feed_id"], row["feed_url"], row["outlet"], row["url"], row["title"], row["published"],
                        row["attempts"], row["page_article"] or row["article_id"], row["etag"], row["last_modified"])
            for row in rows
        ]

    def item_failed(self, item: PendingItem, *, now: float, status: int | None, error: str, retry_in: float | None,
                    url: str | None = None) -> None:
        """A page that could not be fetched or read: retried after ``retry_in`` seconds, or given up (None)."""
        state = "failed" if retry_in is None else None
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE feed_items SET attempts = attempts + 1, error = ?, next_try = ?,"
                " state = CASE WHEN ? IS NOT NULL THEN ? WHEN state = 'recheck' THEN 'recheck' ELSE 'pending' END"
                " WHERE feed_id = ? AND url = ?",
                (error, now + (retry_in or 0), state, state, item.feed_id, item.url),
            )
            if item.article_id is not None and retry_in is None:  # a failed recheck leaves the stored page
                conn.execute("UPDATE feed_items SET state = 'stored' WHERE feed_id = ? AND url = ?",
                             (item.feed_id, item.url))
            conn.execute("UPDATE feeds SET n_errors = n_errors + 1 WHERE id = ?", (item.feed_id,))
            self._log_error(conn, item.feed_id, now=now, url=url or item.url, status=status, error=error)

    def item_skipped(self, item: PendingItem, *, reason: str) -> None:
        """An item not fetched on purpose (robots.txt forbids it): kept, with the reason, never retried."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE feed_items SET state = 'skipped', error = ? WHERE feed_id = ? AND url = ?",
                         (reason, item.feed_id, item.url))

    def item_stored(self, item: PendingItem, *, article_id: str, now: float, etag: str | None,
                    last_modified: str | None) -> None:
        """The item's page is stored as ``article_id`` (new, unchanged or a new version)."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE feed_items SET state = 'stored', article_id = ?, error = NULL, attempts = 0"
                " WHERE feed_id = ? AND url = ?",
                (article_id, item.feed_id, item.url),
            )
            conn.execute(
                "INSERT INTO watched_pages(url, article_id, etag, last_modified, fetched_at, checked)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id,"
                " etag = coalesce(excluded.etag, etag), last_modified = coalesce(excluded.last_modified,"
                " last_modified), fetched_at = excluded.fetched_at, checked = excluded.checked",
                (item.url, article_id, etag, last_modified, iso_utc(now), now),
            )
            self._first_version(conn, article_id, fetched_at=iso_utc(now))

    @staticmethod
    def _first_version(conn: sqlite3.Connection, article_id: str, *, fetched_at: str) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO article_versions(article_id, version, title, text, content_hash, fetched_at)"
            " SELECT id, 1, title, text, content_hash, ? FROM articles WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM article_versions WHERE article_id = ?)",
            (fetched_at, article_id, article_id),
        )

    def page_article(self, url: str) -> str | None:
        """The article a watched page URL was stored as, if any."""
        row = self.conn.execute("SELECT article_id FROM watched_pages WHERE url = ?", (url,)).fetchone()
        return None if row is None else str(row[0])

    # -- versions -------------------------------------------------------------------------------------

    def add_version(self, article_id: str, article: Article, *, now: float, signature: bytes | None) -> int | None:
        """Replace the stored text of ``article_id`` by ``article``'s, keeping every earlier text as a version.

        The article keeps its id, outlet, date and story; its analysis is dropped, so the next
        ``analyze_store`` analyses the new text and recompares the story (marked dirty here).

        Returns:
            The new version's number, or None when the text is unchanged or is another stored article's
            (an outlet that replaced its page by a copy of another one: nothing to version).
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT content_hash, ingested_at FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                raise NotFoundError("article", article_id)
            if row[0] == article.content_hash:
                return None
            if conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (article.content_hash,)).fetchone():
                return None
            self._first_version(conn, article_id, fetched_at=row[1])
            (last,) = conn.execute("SELECT max(version) FROM article_versions WHERE article_id = ?",
                                   (article_id,)).fetchone()
            version = int(last) + 1
            conn.execute(
                "INSERT INTO article_versions(article_id, version, title, text, content_hash, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, version, article.title, article.text, article.content_hash, iso_utc(now)),
            )
            conn.execute(
                "UPDATE articles SET title = ?, text = ?, content_hash = ?, removed = ?,"
                " byline = coalesce(?, byline) WHERE id = ?",
                (article.title, article.text, article.content_hash,
                 json.dumps(to_dict(article.removed), ensure_ascii=False), article.byline, article_id),
            )
            if signature is not None:
                conn.execute("INSERT OR REPLACE INTO minhashes(article_id, signature) VALUES (?, ?)",
                             (article_id, signature))
            for table in ("analyses", "quotes", "article_sources"):
                conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))  # noqa: S608 - fixed names
            conn.execute(
                "UPDATE stories SET dirty = 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                " WHERE id IN (SELECT story_id FROM story_articles WHERE article_id = ?)",
                (article_id,),
            )
        return version

    def versions(self, article_id: str) -> list[ArticleVersion]:
        """Every stored text of an article, oldest first; empty for an article never re-fetched by a watcher."""
        return self.versions_of([article_id]).get(article_id, [])

    def versions_of(self, article_ids: Iterable[str]) -> dict[str, list[ArticleVersion]]:
        result: dict[str, list[ArticleVersion]] = {}
        for article_id in article_ids:
            rows = self.conn.execute(
                "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,)
            ).fetchall()
            if rows:
                result[article_id] = [
                    ArticleVersion(r["article_id"], r["version"], r["title"], r["text"], r["content_hash"],
                                   r["fetched_at"])
                    for r in rows
                ]
        return result

    def version_counts(self, article_ids: Iterable[str]) -> dict[str, int]:
        """Article id -> how many versions it has, for the articles with more than one."""
        result = {}
        for article_id in article_ids:
            (n,) = self.conn.execute("SELECT count(*) FROM article_versions WHERE article_id = ?",
                                     (article_id,)).fetchone()
            if n > 1:
                result[article_id] = int(n)
        return result

    def watched_items(self, article_ids: Iterable[str]) -> dict[str, WatchedItem]:
        """Article id -> the feed item it came from (the earliest seen when several feeds listed it)."""
        result: dict[str, WatchedItem] = {}
        for article_id in article_ids:
            row = self.conn.execute(
                "SELECT i.*, f.url AS feed_url FROM feed_items i JOIN feeds f ON f.id = i.feed_id"
                " WHERE i.article_id = ? ORDER BY i.seen_at LIMIT 1",
                (article_id,),
            ).fetchone()
            if row is not None:
                result[article_id] = WatchedItem(article_id, row["feed_url"], row["published"],
                                                 row["published_raw"], row["seen_at"])
        return result

    def recent_stories(self, *, limit: int = 50, offset: int = 0) -> list[StoryActivity]:
        """Stories by latest activity (an article joined, or one of its articles was edited), newest first."""
        rows = self.conn.execute(
            "SELECT s.id, s.updated_at, (SELECT count(*) FROM article_versions v JOIN story_articles sa"
            " ON sa.article_id = v.article_id WHERE sa.story_id = s.id AND v.version > 1) AS n_versions"
            " FROM stories s ORDER BY s.updated_at DESC, s.id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [StoryActivity(r[0], r[1], int(r[2])) for r in rows]

    # -- watcher state ----------------------------------------------------------------------------------

    def state(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM watch_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str | None) -> None:
        with self.db.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM watch_state WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO watch_state(key, value) VALUES (?, ?)", (key, value))

    def counts(self) -> dict[str, int]:
        """Items by state, over every feed (for the cycle line and the benchmark)."""
        return {str(r[0]): int(r[1]) for r in self.conn.execute("SELECT state, count(*) FROM feed_items GROUP BY state")}


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"], url=row["url"], outlet=row["outlet"], every_s=row["every_s"], active=bool(row["active"]),
        title=row["title"], etag=row["etag"], last_modified=row["last_modified"],
        last_fetch_at=row["last_fetch_at"], last_ok_at=row["last_ok_at"], last_status=row["last_status"],
        last_error=row["last_error"], failures=row["failures"], n_errors=row["n_errors"], next_due=row["next_due"],
    )
