"""The service layer: what the CLI, the web app and library users call, so each answers alike.

Every function takes an open :class:`~parallax.store.Database` (see :func:`open_store`) and returns JSON-ready
values whose fields and order are the resources of docs/records.md: ``parallax stories --format json``,
``GET /stories.json`` and :func:`stories` give the same object. Settings come in as one
:class:`~parallax.settings.Settings`, never from the environment.

    from parallax import api
    from parallax.settings import Settings

    settings = Settings(db_path=Path("parallax.db"))
    with api.open_store(settings) as db:
        print(api.stories(db, limit=10)["stories"][0]["title"])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from parallax.errors import InputError
from parallax.model import Comparison, Job, StoryFilters, StoryList, to_dict
from parallax.pipeline import AnalyzeReport, ProgressFn, analyze_store, upgrade_store
from parallax.settings import Settings
from parallax.store import Database, open_existing
from parallax.store.feeds import FeedHealth, FeedStore

if TYPE_CHECKING:
    from parallax.engine import Engine

__all__ = [
    "NOT_COMPARED",
    "SORTS",
    "STORIES_PER_PAGE",
    "add_feed",
    "analyze",
    "article_versions",
    "comparison",
    "comparison_json",
    "comparison_part",
    "feeds",
    "is_compared",
    "job",
    "open_store",
    "parse_date",
    "remove_feed",
    "set_feed_active",
    "set_watching",
    "stories",
    "stories_page",
    "upgrade",
    "watch_state",
]

# What `parallax show` and the story page say of a story that has no comparison yet.
NOT_COMPARED = ("not compared yet: the next analysis compares it (`parallax analyze`, or the job of the web"
                " ingest that stored it); until then only its articles are listed")
STORIES_PER_PAGE = 50  # the web's page size; the CLI lists every story unless --limit says otherwise
SORTS = ("date", "activity")  # story list orders: newest day first, or latest article or edit first


def open_store(settings: Settings, *, existing: bool = False, readonly: bool = False) -> Database:
    """The store ``settings.db_path``; ``existing``: refuse to create it (read commands).

    Raises:
        StoreError: it does not exist (with ``existing``) or cannot be opened.
    """
    if existing or readonly:
        return open_existing(settings.db_path, readonly=readonly)
    return Database(settings.db_path)


def parse_date(value: str | None, *, name: str) -> str | None:
    """``YYYY-MM-DD`` checked and normalised, or None; anything else is an :class:`InputError`."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise InputError(name, f"{value!r} is not a date", "write it as YYYY-MM-DD") from None


def stories(db: Database, filters: StoryFilters | None = None, *, limit: int | None = STORIES_PER_PAGE,
            offset: int = 0, sort: str = "date") -> list[dict[str, Any]]:
    """One page of stories, newest day first and broadest first within a day: the "stories" resource of
    docs/records.md, which ``parallax stories --format json`` prints and ``GET /stories.json`` sends.

    Args:
        db: the store.
        filters: outlet, entity key, date range and words; None lists every story.
        limit: stories per page (1-200), or None for every story from ``offset`` on.
        offset: stories skipped.
        sort: ``date`` (newest day first) or ``activity`` (the story that last gained an article or an edit
            first).

    Returns:
        One object per story: ``id, title, first_date, last_date, n_articles, n_outlets, outlets`` (outlet ->
        its articles in the story), ``has_comparison``, ``updated_at``, ``updated``, ``n_versions`` and
        ``article_ids`` (oldest first), in this order.

    Raises:
        InputError: ``sort`` is not one of :data:`SORTS`.
    """
    return stories_page(db, filters, limit=limit, offset=offset, sort=sort)["stories"]  # type: ignore[no-any-return]


def stories_page(db: Database, filters: StoryFilters | None = None, *, limit: int | None = STORIES_PER_PAGE,
                 offset: int = 0, sort: str = "date") -> dict[str, Any]:
    """:func:`stories` with how many stories match in all: ``{"stories", "total", "limit", "offset",
    "filters", "next", "prev"}`` (``next``/``prev``: the web routes of the pages beside it, or None). The
    web sends the stories as the body and the rest as headers (``X-Total-Count``, ``Link``)."""
    if sort not in SORTS:
        raise InputError("sort", f"{sort!r} is not a story order", f"use one of {', '.join(SORTS)}")
    page = db.list_stories(filters, limit=limit, offset=offset, sort=sort)
    members = db.story_article_ids([row.id for row in page.stories])
    rows = [{**to_dict(row), "article_ids": members.get(row.id, [])} for row in page.stories]
    return {
        "stories": rows,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "filters": to_dict(page.filters),
        "sort": sort,
        **_page_links(page, sort),
    }


def _page_links(page: StoryList, sort: str = "date") -> dict[str, str | None]:
    """Site-relative routes of the next and previous pages (never built from a request's Host)."""
    if page.limit is None:
        return {"next": None, "prev": None}
    names = {"date_from": "from", "date_to": "to"}
    query = {names.get(k, k): v for k, v in dataclasses.asdict(page.filters).items() if v}
    if sort != "date":
        query["sort"] = sort

    def link(offset: int) -> str:
        return "/stories.json?" + urlencode({**query, "limit": page.limit, "offset": offset})

    nxt = link(page.offset + page.limit) if page.offset + page.limit < page.total else None
    prev = link(max(0, page.offset - page.limit)) if page.offset > 0 else None
    return {"next": nxt, "prev": prev}


def comparison(db: Database, story_id: str) -> Comparison:
    """The story's stored comparison, or, when it has not been compared yet, an empty comparison of its
    articles (:func:`is_compared` tells which): reading never computes. ``parallax show``, the
    story page and its JSON twin all show this.

    Raises:
        NotFoundError, AmbiguousError: ``story_id`` names no story, or several.
    """
    stored = db.comparison(story_id)
    if stored is not None:
        return stored
    story = db.story(story_id)
    return Comparison(story=story, articles=tuple(db.articles(story.article_ids)))


def comparison_json(db: Database, story_id: str) -> dict[str, Any]:
    """:func:`comparison` as its JSON form, without rebuilding records when it is stored."""
    data = db.comparison_json(story_id)
    return data if data is not None else dict(to_dict(comparison(db, story_id)))


def comparison_part(db: Database, story_id: str, *, offset: int = 0, limit: int | None = None,
                    nearest_of_first: int = 15, framing_first: int | None = None) -> dict[str, Any] | None:
    """What one story page shows of a stored comparison, read from its rows without the rest: ``summary``
    (the JSON form's ``story``, ``articles`` without text, ``conflicts``, ``quote_groups``, ``entities``,
    ``timeline``), ``columns`` (the articles ``offset`` to ``offset + limit`` with their sentences and
    alignments, every conflict, their outlets' gaps, framing and sources, and the sentences the first
    ``nearest_of_first`` gaps of each outlet name as nearest; with ``framing_first``, only each outlet's
    first framing terms, labels and entities) and ``n_columns`` (articles in all); None when the story has
    not been compared.

    Raises:
        NotFoundError, AmbiguousError: ``story_id`` names no story, or several.
    """
    return db.comparison_page(story_id, offset=offset, limit=limit, nearest_of_first=nearest_of_first,
                              framing_first=framing_first)


def is_compared(db: Database, story_id: str) -> bool:
    """Whether the story has a stored comparison."""
    return db.comparison_stamp(db.story(story_id).id) != ""


def analyze(db: Database, settings: Settings, *, n_process: int = 1, on_progress: ProgressFn | None = None,
            compare: bool = True, engine: Engine | None = None) -> AnalyzeReport:
    """Analyse what is new, place it in stories and compare the stories that changed (see
    :func:`parallax.pipeline.analyze_store`; ``engine``: what runs the per-article and per-story tasks,
    :func:`parallax.engine.make_engine`)."""
    options: dict[str, Any] = {} if on_progress is None else {"on_progress": on_progress}
    return analyze_store(db, n_process=n_process, compare=compare, settings=settings,
                         engine=engine, **options)


def upgrade(db: Database, *, on_progress: ProgressFn | None = None) -> None:
    """Bring a store written by an older version up to date (see :func:`parallax.pipeline.upgrade_store`)."""
    if on_progress is None:
        upgrade_store(db)
    else:
        upgrade_store(db, on_progress=on_progress)


def job(db: Database, job_id: str) -> dict[str, Any]:
    """Where one background job stands (the "job" resource)."""
    found: Job = db.job(job_id)
    return dict(to_dict(found))


# -- live coverage: feeds, the watcher's switch, article versions -----------------------------------------


def feeds(db: Database) -> list[dict[str, Any]]:
    """Every watched feed with its health: the "feeds" resource of docs/records.md, which ``parallax feeds
    list --format json`` prints and ``GET /feeds.json`` sends (feeds in the order they were added)."""
    return [_feed_json(h) for h in FeedStore(db).health()]


def _feed_json(h: FeedHealth) -> dict[str, Any]:
    feed = h.feed
    return {
        "id": feed.id, "url": feed.url, "outlet": feed.outlet, "title": feed.title, "every_s": feed.every_s,
        "status": h.status, "last_fetch_at": feed.last_fetch_at, "last_ok_at": feed.last_ok_at,
        "last_status": feed.last_status, "last_error": feed.last_error, "failures": feed.failures,
        "n_errors": feed.n_errors, "items": h.n_items, "articles": h.n_articles, "pending": h.n_pending,
        "failed": h.n_failed, "skipped": h.n_skipped,
        "errors": [{"at": e.at, "url": e.url, "status": e.status, "error": e.error} for e in h.errors],
    }


def _feed(db: Database, ref: str | int) -> dict[str, Any]:
    feed = FeedStore(db).get(ref)
    return next(f for f in feeds(db) if f["id"] == feed.id)


def add_feed(db: Database, url: str, *, outlet: str | None = None, every_s: int = 600) -> tuple[dict[str, Any], bool]:
    """Watch ``url`` (an http(s) URL; polled every ``every_s`` seconds, at least 10); returns the feed as
    :func:`feeds` shows it and whether it was new. ``parallax feeds add`` and ``POST /api/feeds``.

    Raises:
        InputError: the URL is not http(s), or the interval is under 10 seconds.
    """
    from urllib.parse import urlsplit

    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError("url", f"{url!r} is not an http(s) feed URL", "give one like https://example.org/rss.xml")
    if every_s < 10:
        raise InputError("every", f"{every_s} s is too often to poll a feed", "poll at most every 10 seconds")
    feed, created = FeedStore(db).add(url, outlet=(outlet or "").strip() or None, every_s=every_s)
    return _feed(db, feed.id), created


def set_feed_active(db: Database, ref: str | int, active: bool) -> dict[str, Any]:
    """Pause (``active`` False) or resume one feed; the watcher polls a resumed feed at once.

    Raises:
        NotFoundError: no feed has that id or URL.
    """
    FeedStore(db).set_active(ref, active)
    return _feed(db, ref)


def remove_feed(db: Database, ref: str | int) -> dict[str, Any]:
    """Stop watching a feed and forget its items (its articles stay); returns the feed as it was."""
    found = _feed(db, ref)
    FeedStore(db).remove(found["id"])
    return found


def watch_state(db: Database) -> dict[str, Any]:
    """Whether ``parallax watch`` polls (the "watch" resource): ``{"paused", "feeds", "active_feeds"}``."""
    store = FeedStore(db)
    every = store.feeds()
    return {"paused": store.state("paused") == "1", "feeds": len(every),
            "active_feeds": sum(f.active for f in every)}


def set_watching(db: Database, on: bool) -> dict[str, Any]:
    """Stop (``on`` False) or start again every running watcher of this store: a paused watcher finishes
    its cycle, then polls nothing until started again (the process keeps running)."""
    FeedStore(db).set_state("paused", None if on else "1")
    return watch_state(db)


def article_versions(db: Database, article_id: str) -> dict[str, Any]:
    """The texts a watcher stored of one article and what changed between each and the next (the
    "versions" resource): ``{"article_id", "versions": [{"version", "title", "fetched_at", "n_chars"}],
    "changes": [{"from", "to", "fetched_at", "added", "removed", "reworded": [{"old", "new"}], "figures"}]}``.
    An article never re-fetched has no versions and no changes."""
    texts = FeedStore(db).versions(article_id)
    changes = []
    if len(texts) > 1:  # parallax.compare loads the comparison's models: only when there is a change to show
        from parallax.compare.edits import diff_versions
    for before, after in zip(texts, texts[1:]):
        diff = diff_versions(before.text, after.text)
        changes.append({
            "from": before.version, "to": after.version, "fetched_at": after.fetched_at,
            "added": [e.new for e in diff.of_kind("added")],
            "removed": [e.old for e in diff.of_kind("removed")],
            "reworded": [{"old": e.old, "new": e.new} for e in diff.of_kind("reworded")],
            "figures": [str(f) for f in diff.figures],
        })
    versions = [{"version": v.version, "title": v.title, "fetched_at": v.fetched_at, "n_chars": len(v.text)}
                for v in texts]
    return {"article_id": article_id, "versions": versions, "changes": changes}
