"""The Starlette application: routes, the one error handler, security headers, read pool and writer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from parallax.errors import ParallaxError
from parallax.settings import Settings
from parallax.store import Database

from . import feeds, views
from .hosts import HostCheck, allowed_hosts
from .ingest import ingest
from .jobs import JobRunner, job_status
from .negotiate import SecurityHeaders, error_response, make_env, render
from .openapi import openapi_document
from .pool import ReadPool, Writer

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"
Endpoint = Callable[[Request], Any]


def _twin(path: str, endpoint: Endpoint, name: str) -> list[Route]:
    """The JSON route (``path`` + ``.json``) first, so it wins over a path parameter that would swallow it."""
    return [Route(path + ".json", endpoint, name=name + "_json"), Route(path, endpoint, name=name)]


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


async def docs(request: Request) -> Response:
    doc = openapi_document()
    return render(request, "docs.html", {"doc": doc}, doc)


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _routes() -> Sequence[BaseRoute]:
    return [
        Route("/", views.home),
        *_twin("/stories", views.stories, "stories"),
        *_twin("/stories/{story_id:path}", views.story, "story"),
        *_twin("/entities", views.entities, "entities"),
        *_twin("/entities/{key:path}", views.entity, "entity"),
        *_twin("/quotes", views.quotes, "quotes"),
        *_twin("/articles/{article_id:path}", views.article, "article"),
        *_twin("/feeds", feeds.feeds_page, "feeds"),
        Route("/api/feeds", feeds.add_feed, methods=["POST"], name="add_feed"),
        Route("/api/feeds/{feed_id}", feeds.feed_action, methods=["DELETE"], name="remove_feed"),
        Route("/api/feeds/{feed_id}/{action}", feeds.feed_action, methods=["POST"], name="feed_action"),
        Route("/api/watch", feeds.watch_status, name="watch"),
        Route("/api/watch/{action}", feeds.watch_action, methods=["POST"], name="watch_action"),
        Route("/api/ingest", ingest, methods=["POST"], name="ingest"),
        Route("/api/jobs/{job_id}", job_status, name="job"),
        Route("/api/health", health, name="health"),
        Route("/openapi.json", openapi, name="openapi"),
        *_twin("/docs", docs, "docs"),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(
    settings: Settings | str | Path,
    *,
    ingest_token: str | None = None,
    max_upload_bytes: int = 10_000_000,
    hosts: Iterable[str] | None = None,
) -> Starlette:
    """The web app and REST API over the store at ``db_path``.

    Args:
        settings: the store (created and migrated if absent), the ingest token and the analysis settings
            of background jobs; a path stands for default settings over that store.
        ingest_token: with a path only: enables ``POST /api/ingest`` and is required by every write (None
            leaves ingest off).
        max_upload_bytes: the largest request body ingest accepts (413 beyond it).
        hosts: the ``Host`` names answered (``name`` for any port, ``name:port`` for one); any other gets 400.
            None: the loopback names (localhost, 127.0.0.1, [::1]).

    Returns:
        A Starlette ASGI application.
    """
    if not isinstance(settings, Settings):
        settings = Settings(db_path=Path(settings), ingest_token=ingest_token or None)
    path = Path(settings.db_path)
    with Database(path) as db:  # create and migrate once, so read-only connections find the schema
        queued = db.has_queued_jobs()
    pool, writer, jobs = ReadPool(path), Writer(path), JobRunner(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if queued:
            jobs.start()  # jobs queued before a restart
        yield
        jobs.stop()
        pool.close()
        writer.close()

    handlers: dict[Any, Any] = {HTTPException: error_response, ParallaxError: error_response, Exception: error_response}
    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(HostCheck, hosts=allowed_hosts() if hosts is None else tuple(hosts)),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.writer = writer
    app.state.env = make_env()
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.ingest_token = settings.ingest_token
    app.state.max_upload_bytes = max_upload_bytes
    app.state.outlet_cache = {}
    app.state.story_pages = views.PageCache()
    app.state.entity_pages = views.PageCache(size=128)
    # Whole comparisons as sent (gzip, server paths cut): up to ~2 MB each for a 200-article story.
    app.state.comparison_bodies = views.PageCache(size=32)
    jobs.after_job = lambda db: views.keep_story_renders(app, db)  # the pages of what a job compared
    return app
