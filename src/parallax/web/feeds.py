"""Live coverage on the web: the feeds page (and its JSON twin), the watcher's switch, adding, pausing,
resuming and removing feeds. Every write needs the write token, sent as ``Authorization: Bearer`` by API
clients or as the ``token`` field of the feeds page's forms (which are then answered with a redirect)."""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from parallax import api

from .ingest import check_token, read_limited
from .negotiate import render

__all__ = ["add_feed", "feed_action", "feeds_page", "watch_action", "watch_status"]

_FORM = "application/x-www-form-urlencoded"
_MAX_BODY = 16_384  # a feed URL, an outlet name and an interval


async def feeds_page(request: Request) -> Response:
    """Every watched feed with its health; the JSON twin is the "feeds" resource (docs/records.md)."""

    def load() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with request.app.state.pool.connection() as db:
            return api.feeds(db), api.watch_state(db)

    rows, state = await run_in_threadpool(load)
    context = {"feeds": rows, "watch": state, "writable": bool(request.app.state.ingest_token),
               "message": request.query_params.get("done")}
    response = render(request, "feeds.html", context, rows)
    response.headers["X-Watch-Paused"] = "1" if state["paused"] else "0"
    return response


async def watch_status(request: Request) -> Response:
    """The "watch" resource: whether watchers of this store poll."""

    def load() -> dict[str, Any]:
        with request.app.state.pool.connection() as db:
            return api.watch_state(db)

    return JSONResponse(await run_in_threadpool(load))


async def watch_action(request: Request) -> Response:
    """``POST /api/watch/start`` or ``/api/watch/stop``: every watcher of this store polls again, or not."""
    action = request.path_params["action"]
    if action not in ("start", "stop"):
        raise HTTPException(404, f"no watch action {action!r}; use start or stop")
    form = await _authorised(request)
    state = await _write(request, lambda db: api.set_watching(db, action == "start"))
    return _answer(request, form, state, done=f"watching {'started' if action == 'start' else 'stopped'}")


async def add_feed(request: Request) -> Response:
    """``POST /api/feeds`` with ``url`` and optional ``outlet`` and ``every`` (seconds, or 10m, 1h): 201 and
    the feed when it is new, 200 when it was watched already (it takes the new settings)."""
    form = await _authorised(request)
    fields = form if form is not None else request.state.body
    url = str(fields.get("url") or "")
    every = _every(fields.get("every"))
    feed, created = await _write(
        request, lambda db: api.add_feed(db, url, outlet=fields.get("outlet") or None, every_s=every))
    done = f"feed {feed['id']} {'added' if created else 'updated'}"
    return _answer(request, form, feed, done=done, status=201 if created else 200)


async def feed_action(request: Request) -> Response:
    """``POST /api/feeds/ID/pause`` or ``/resume``; ``DELETE /api/feeds/ID`` (or ``POST .../remove``)."""
    ref = request.path_params["feed_id"]
    action = "remove" if request.method == "DELETE" else request.path_params.get("action", "")
    if action not in ("pause", "resume", "remove"):
        raise HTTPException(404, f"no feed action {action!r}; use pause, resume or remove")
    form = await _authorised(request)
    if action == "remove":
        feed = await _write(request, lambda db: api.remove_feed(db, ref))
    else:
        feed = await _write(request, lambda db: api.set_feed_active(db, ref, action == "resume"))
    past = {"pause": "paused", "resume": "resumed", "remove": "removed"}[action]
    return _answer(request, form, feed, done=f"feed {feed['id']} {past}")


async def _authorised(request: Request) -> dict[str, str] | None:
    """Check the token; returns the form fields of a form post (None for a JSON or empty body, which is
    kept in ``request.state.body``)."""
    body = await read_limited(request, _MAX_BODY)
    if request.headers.get("content-type", "").split(";")[0].strip() == _FORM:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        expected = request.app.state.ingest_token
        given = form.pop("token", "")
        if expected and given and hmac.compare_digest(given.encode(), expected.encode()):
            return form
        check_token(request)  # a header token still counts; else 403 or 401 with its message
        return form
    check_token(request)
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        raise HTTPException(400, "the body is not JSON; send an object like {\"url\": \"https://…/rss.xml\"}") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be a JSON object")
    request.state.body = data
    return None


def _every(raw: Any) -> int:
    """An interval in seconds from a number or a duration (``10m``); 600 when absent."""
    if raw in (None, ""):
        return 600
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return round(raw)
    from parallax.watch import parse_duration

    return round(parse_duration(str(raw), name="every"))


async def _write(request: Request, fn: Any) -> Any:
    def call() -> Any:
        with request.app.state.writer.connection() as db:
            return fn(db)

    return await run_in_threadpool(call)


def _answer(request: Request, form: dict[str, str] | None, data: Any, *, done: str, status: int = 200) -> Response:
    """JSON for API clients; a form post from the feeds page goes back to it, saying what was done."""
    if form is not None and "application/json" not in request.headers.get("accept", ""):
        return RedirectResponse(f"/feeds?done={done.replace(' ', '+')}", status_code=303)
    return JSONResponse(data, status_code=status)
