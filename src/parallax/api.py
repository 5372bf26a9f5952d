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
from typing import Any
from urllib.parse import urlencode

from parallax.errors import InputError
from parallax.model import Comparison, Job, StoryFilters, StoryList, to_dict
from parallax.pipeline import AnalyzeReport, ProgressFn, analyze_store, upgrade_store
from parallax.settings import Settings
from parallax.store import Database, PageLayout, open_existing

__all__ = [
    "NOT_COMPARED",
    "STORIES_PER_PAGE",
    "analyze",
    "comparison",
    "comparison_json",
    "is_compared",
    "job",
    "open_store",
    "parse_date",
    "stories",
    "stories_page",
    "upgrade",
]

# What `parallax show` and the story page say of a story that has no comparison yet.
NOT_COMPARED = ("not compared yet: the next analysis compares it (`parallax analyze`, or the job of the web"
                " ingest that stored it); until then only its articles are listed")
STORIES_PER_PAGE = 50  # the web's page size; the CLI lists every story unless --limit says otherwise


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
            offset: int = 0) -> list[dict[str, Any]]:
    """One page of stories, newest day first and broadest first within a day: the "stories" resource of
    docs/records.md, which ``parallax stories --format json`` prints and ``GET /stories.json`` sends.

    Args:
        db: the store.
        filters: outlet, entity key, date range and words; None lists every story.
        limit: stories per page (1-200), or None for every story from ``offset`` on.
        offset: stories skipped.

    Returns:
        One object per story: ``id, title, first_date, last_date, n_articles, n_outlets, outlets`` (outlet ->
        its articles in the story), ``has_comparison`` and ``article_ids`` (oldest first), in this order.
    """
    return stories_page(db, filters, limit=limit, offset=offset)["stories"]  # type: ignore[no-any-return]


def stories_page(db: Database, filters: StoryFilters | None = None, *, limit: int | None = STORIES_PER_PAGE,
                 offset: int = 0) -> dict[str, Any]:
    """:func:`stories` with how many stories match in all: ``{"stories", "total", "limit", "offset",
    "filters", "next", "prev"}`` (``next``/``prev``: the web routes of the pages beside it, or None). The
    web sends the stories as the body and the rest as headers (``X-Total-Count``, ``Link``)."""
    page = db.list_stories(filters, limit=limit, offset=offset)
    members = db.story_article_ids([row.id for row in page.stories])
    rows = [{**to_dict(row), "article_ids": members.get(row.id, [])} for row in page.stories]
    return {
        "stories": rows,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "filters": to_dict(page.filters),
        **_page_links(page),
    }


def _page_links(page: StoryList) -> dict[str, str | None]:
    """Site-relative routes of the next and previous pages (never built from a request's Host)."""
    if page.limit is None:
        return {"next": None, "prev": None}
    names = {"date_from": "from", "date_to": "to"}
    query = {names.get(k, k): v for k, v in dataclasses.asdict(page.filters).items() if v}

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


def is_compared(db: Database, story_id: str) -> bool:
    """Whether the story has a stored comparison."""
    return db.comparison_stamp(db.story(story_id).id) != ""


def analyze(db: Database, settings: Settings, *, n_process: int = 1, on_progress: ProgressFn | None = None,
            compare: bool = True, layout: PageLayout | None = None) -> AnalyzeReport:
    """Analyse what is new, place it in stories and compare the stories that changed (see
    :func:`parallax.pipeline.analyze_store`)."""
    options: dict[str, Any] = {} if on_progress is None else {"on_progress": on_progress}
    return analyze_store(db, n_process=n_process, compare=compare, layout=layout, settings=settings, **options)


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
