"""Read views: each renders an HTML page or, on the same route, its JSON twin from the same data."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

import parallax
from parallax import api, entity_pages
from parallax.model import QuoteHit, StoryFilters, StoryRender, to_dict
from parallax.store import Database

from .negotiate import render, wants_json
from .pages import GAPS_SHOWN, LABELS_SHOWN, TERMS_SHOWN, page_sections, story_columns, story_summary
from .public import public_comparison
from .present import (
    annotations_for,
    column_html,
    conflicts_html,
    entities_html,
    framing_html,
    gaps_html,
    highlight,
    outlet_options,
    quote_groups_html,
    remarks_html,
    sources_html,
)

__all__ = ["article", "entities", "entity", "home", "keep_story_renders", "quotes", "stories", "story"]

LOGGER = logging.getLogger(__name__)

T = TypeVar("T")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # what a path keeps as is; "%" so that escapes already there stay single


async def _read(request: Request, fn: Callable[[Database], T]) -> T:
    """Run ``fn`` with a pooled read-only connection, off the event loop."""

    def call() -> T:
        with request.app.state.pool.connection() as db:
            return fn(db)

    return await run_in_threadpool(call)


def _int(request: Request, name: str, default: int, *, low: int = 0, high: int = 10_000_000) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HTTPException(400, f"query parameter {name!r} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise HTTPException(400, f"query parameter {name!r} must be between {low} and {high}")
    return value


def _text(request: Request, name: str, *, max_len: int = 300) -> str | None:
    value = request.query_params.get(name, "").strip()
    if len(value) > max_len:
        raise HTTPException(400, f"query parameter {name!r} is longer than {max_len} characters")
    return value or None


def _plain(record: Any) -> Any:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, (list, tuple)):
        return [_plain(item) for item in record]
    if isinstance(record, dict):
        return {str(k): _plain(v) for k, v in record.items()}
    return record


def _outlets(request: Request, db: Database) -> list[tuple[str, int]]:
    """The outlet list for filter menus, recomputed only when articles were added since the last call."""
    stamp = db.articles_stamp()
    cache: dict[str, Any] = request.app.state.outlet_cache
    if cache.get("stamp") != stamp or "rows" not in cache:
        cache["rows"], cache["stamp"] = db.list_outlets(), stamp
    return list(cache["rows"])


def _link(request: Request, **params: int) -> str:
    """This page's path and query with ``params`` changed, relative to the site: never built from ``Host``."""
    url = request.url.include_query_params(**params)
    return f"{quote(url.path, safe=_PATH_SAFE)}?{url.query}"


def _page_links(request: Request, total: int, limit: int, offset: int) -> dict[str, str | None]:
    nxt = _link(request, offset=offset + limit) if offset + limit < total else None
    prev = _link(request, offset=max(0, offset - limit)) if offset > 0 else None
    return {"next": nxt, "prev": prev}


async def home(request: Request) -> Response:
    return RedirectResponse("/stories", status_code=302)


async def stories(request: Request) -> Response:
    """Stories, newest and broadest first, filtered by outlet, entity, date range and full text."""
    filters = StoryFilters(
        outlet=_text(request, "outlet"),
        entity=_text(request, "entity"),
        date_from=api.parse_date(_text(request, "from"), name="from"),
        date_to=api.parse_date(_text(request, "to"), name="to"),
        q=_text(request, "q"),
    )
    limit, offset = _int(request, "limit", 50, low=1, high=200), _int(request, "offset", 0)
    sort = _text(request, "sort") or "date"
    if sort not in api.SORTS:
        raise HTTPException(400, f"query parameter 'sort' must be one of {', '.join(api.SORTS)}, got {sort!r}")

    def load(db: Database) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        return api.stories_page(db, filters, limit=limit, offset=offset, sort=sort), _outlets(request, db)

    page, outlets = await _read(request, load)  # the template reads its fields as attributes
    links = _page_links(request, page["total"], limit, page["offset"])
    options = outlet_options(outlets, filters.outlet, counts=True)
    context = {"page": page, "filters": filters, "outlet_options": options, "links": links}
    # The JSON twin is the "stories" resource, as `parallax stories --format json` prints it; how many
    # match and the neighbouring pages travel as headers.
    response = render(request, "stories.html", context, page["stories"])
    response.headers["X-Total-Count"] = str(page["total"])
    rels = [f'<{page[rel]}>; rel="{rel}"' for rel in ("next", "prev") if page[rel]]
    if rels:
        response.headers["Link"] = ", ".join(rels)
    return response


def load_comparison(db: Database, story_id: str) -> dict[str, Any]:
    """The stored comparison's JSON form, or an empty comparison of the story's articles if not computed yet."""
    return api.comparison_json(db, story_id)


COLUMNS_PER_PAGE = 12  # article columns shown side by side; a larger story pages through them


async def story(request: Request) -> Response:
    """One story's comparison: columns per outlet, conflicts, quote groups, sources, framing.

    The JSON twin is the whole stored comparison; ``?view=page`` gives what the HTML page shows instead
    (the summary and one page of columns), which stays small for stories of hundreds of articles.
    """
    story_id = request.path_params["story_id"]
    page = _int(request, "page", 1, low=1, high=100_000)
    if wants_json(request) and request.query_params.get("view") != "page":
        packed = await run_in_threadpool(_comparison_body, request, story_id)
        if packed is not None:  # the stored JSON, not parsed and re-serialised: it can be 15 MB
            headers = {"Vary": "Accept, Accept-Encoding"}
            if "gzip" in request.headers.get("accept-encoding", "").lower():
                headers["Content-Encoding"] = "gzip"
                body = packed
            else:
                body = await run_in_threadpool(gzip.decompress, packed)
            return Response(body, media_type="application/json", headers=headers)
        data = await _read(request, lambda db: public_comparison(load_comparison(db, story_id)))
        return JSONResponse(data, headers={"Vary": "Accept"})
    return await run_in_threadpool(_story_page, request, story_id, page)


def _comparison_body(request: Request, story_id: str) -> bytes | None:
    """The stored comparison as gzip-compressed JSON with server paths cut (:func:`public_comparison`);
    None when the story is not compared. Read as rendered ahead (:func:`keep_story_renders`) while the
    comparison is the one it was made from; else put together from its rows once, then kept in memory (at
    most 32 stories) until the story is compared again: the whole of a large story takes a while to assemble."""
    with request.app.state.pool.connection() as db:
        canonical = db.story_key(story_id)
        key = (canonical, db.comparison_stamp(canonical))
        cache: PageCache = request.app.state.comparison_bodies
        cached = cache.get(key)
        if cached is not None:
            return cached[0]
        if not key[1]:
            return None
        kept = db.kept_render(canonical, WHOLE, key[1], RENDERER)
        if kept is not None:
            return kept.body
        data = db.comparison_json(canonical)
    if data is None:
        return None
    body = _whole_body(data, level=1)
    cache.put(key, (body, "application/json"))
    return body


WHOLE = "whole"  # the variant of a kept render that is the whole comparison's JSON


def _whole_body(data: dict[str, Any], *, level: int) -> bytes:
    text = json.dumps(public_comparison(data), ensure_ascii=False).encode("utf-8")
    return gzip.compress(text, compresslevel=level, mtime=0)


class PageCache:
    """Rendered pages of one app, keyed by what they were built from (for a story page: story, column
    page, the comparison's ``computed_at`` and the format). Least recently used pages go first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], tuple[bytes, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[bytes, str | None] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: tuple[bytes, str | None]) -> None:
        with self._lock:
            self._pages[key] = value
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def _story_page(request: Request, story_id: str, page: int) -> Response:
    """A story page (or its ``?view=page`` JSON), rendered from the rows it shows once per comparison and
    then kept (:class:`PageCache`, keyed by the comparison's stamp) until the story is compared again:
    assembling a page from rows costs a few milliseconds of CPU, a cached one a dictionary lookup. One
    pooled connection serves the whole request."""
    as_json = wants_json(request)
    cache: PageCache = request.app.state.story_pages
    with request.app.state.pool.connection() as db:
        canonical = db.story_key(story_id)
        stamp = db.comparison_stamp(canonical)
        key = (canonical, stamp, page, as_json, request.url.path, request.url.query)
        cached = cache.get(key) if stamp else None
        if cached is not None:
            return Response(cached[0], media_type=cached[1], headers={"Vary": "Accept"})
        kept = _kept_render(request, db, canonical, stamp, page, as_json)
        if kept is not None:
            return _kept_response(request, kept)
        response = _render_story_page(request, db, canonical, page, as_json)
    if stamp and response.status_code == 200:
        cache.put(key, (bytes(response.body), response.media_type))
    return response


def _render_address(story_id: str, page: int, as_json: bool) -> tuple[str, str]:
    """The path and query of the one request whose page is rendered ahead (links in a page repeat its query,
    so another spelling of the same page is rendered when asked)."""
    if as_json:
        return f"/stories/{story_id}.json", "view=page" + (f"&page={page}" if page > 1 else "")
    return f"/stories/{story_id}", f"page={page}" if page > 1 else ""


def _renderer() -> str:
    """A short digest of what lays a story out (parallax's version, the web and report templates): kept
    renders of another renderer are made again rather than served."""
    digest = hashlib.sha256(parallax.__version__.encode())
    for package in ("parallax.web", "parallax.report"):
        folder = resources.files(package) / "templates"
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.is_file():
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:12]


RENDERER = _renderer()


def _variant(page: int, as_json: bool) -> str:
    return f"{'json' if as_json else 'html'}:{page}"


def _kept_render(request: Request, db: Database, story_id: str, stamp: str, page: int, as_json: bool
                 ) -> StoryRender | None:
    """The page rendered ahead from the current comparison, when this request asks for it as rendered."""
    if not stamp or (request.url.path, request.url.query) != _render_address(story_id, page, as_json):
        return None
    return db.kept_render(story_id, _variant(page, as_json), stamp, RENDERER)


def _kept_response(request: Request, kept: StoryRender) -> Response:
    """A kept render as stored (gzip) to a client that accepts it, else decompressed: the same bytes as a
    page rendered now."""
    headers = {"Vary": "Accept, Accept-Encoding"}
    body = kept.body
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return Response(body, media_type=kept.media_type, headers=headers)


def keep_story_renders(app: Any, db: Database, *, on_progress: Callable[[str, int, int | None], None] | None = None
                       ) -> int:
    """Render ahead, as ``app`` would answer them, every page of columns of each compared story whose kept
    renders are missing or were made from an older comparison, in both formats, and its whole comparison's
    JSON (what ``/stories/ID.json`` sends), and keep them in the store
    (:meth:`Database.save_story_renders`): a first request then reads stored bytes instead of assembling the
    page from rows. Returns how many stories were rendered."""
    todo = db.stories_to_render(RENDERER)
    done = 0
    for n, (story_id, stamp) in enumerate(todo.items()):
        try:
            renders = _renders_of(app, db, story_id)
        except Exception:  # noqa: BLE001 - one story that cannot be rendered ahead is rendered when asked
            LOGGER.warning("story %s: not rendered ahead; its pages are rendered when asked", story_id, exc_info=True)
            continue
        done += db.save_story_renders(story_id, stamp, renders, RENDERER)
        if on_progress is not None:
            on_progress("render", n + 1, len(todo))
    return done


def _renders_of(app: Any, db: Database, story_id: str) -> list[StoryRender]:
    out: list[StoryRender] = []
    page, pages = 1, 1
    while page <= pages:
        for as_json in (True, False):
            path, query = _render_address(story_id, page, as_json)
            scope = {"type": "http", "method": "GET", "scheme": "http", "server": ("localhost", 80),
                     "root_path": "", "path": path, "raw_path": quote(path).encode(), "query_string": query.encode(),
                     "headers": [(b"host", b"localhost")], "app": app}
            response = _render_story_page(Request(scope), db, story_id, page, as_json)
            if as_json:
                pages = int(json.loads(response.body)["pages"])
            body = gzip.compress(bytes(response.body), compresslevel=6, mtime=0)
            out.append(StoryRender(_variant(page, as_json), response.media_type or "", body))
        page += 1
    data = db.comparison_json(story_id)
    if data is not None:
        out.append(StoryRender(WHOLE, "application/json", _whole_body(data, level=6)))
    return out


def _render_story_page(request: Request, db: Database, story_id: str, page: int, as_json: bool) -> Response:
    offset = (page - 1) * COLUMNS_PER_PAGE
    not_compared = None
    # The rows of what this page shows: the summary and these columns' articles, never the whole story.
    part = api.comparison_part(db, story_id, offset=offset, limit=COLUMNS_PER_PAGE, nearest_of_first=GAPS_SHOWN,
                               framing_first=max(TERMS_SHOWN, LABELS_SHOWN))
    if part is not None:
        summary, columns, n_columns = story_summary(part["summary"]), story_columns(part["columns"]), part["n_columns"]
    else:  # not compared yet: the story's articles, without findings
        not_compared = api.NOT_COMPARED
        data = load_comparison(db, story_id)
        every = story_columns(data)
        summary, columns, n_columns = story_summary(data), every[offset : offset + COLUMNS_PER_PAGE], len(every)
    pages = _column_pages(story_id, page, n_columns)
    links = _numbered_links(request, page, pages)
    data = {"summary": summary, "columns": columns, "page": page, "pages": pages, **links}
    if as_json:  # the twin is ``data``: none of the HTML below is made for it
        return render(request, "story.html", {}, data)
    links_to_entities = db.story_entity_links(story_id)
    page_of = {a["id"]: i // COLUMNS_PER_PAGE + 1 for i, a in enumerate(summary["articles"])}
    scope = page_sections(columns)
    view = {
        **scope,
        "conflicts_html": conflicts_html(scope["conflicts"], page_of, page),
        "gaps_html": gaps_html(scope["gaps"], page_of, page),
        "entities_html": entities_html(summary["entities"], links_to_entities),
        "quote_groups_html": quote_groups_html(summary["quote_groups"], links_to_entities),
        "sources_html": sources_html(scope["sources"]),
        "framing_html": framing_html(scope["framing"]),
        "columns": [{**c, "html": column_html(c["article"]["outlet"] or "", c["paragraphs"])} for c in columns],
        "page": page,
        "pages": pages,
        "page_of": page_of,
        "first": offset + 1,
        "last": offset + len(columns),
        "n_columns": n_columns,
        "links": links,
        "not_compared": not_compared,
    }
    return render(request, "story.html", {"s": summary, "view": view}, data)


def _column_pages(story_id: str, page: int, n_columns: int) -> int:
    """How many pages of columns the story has; 404 when ``page`` is past the last."""
    pages = max(1, -(-n_columns // COLUMNS_PER_PAGE))
    if page > pages:
        raise HTTPException(404, f"story {story_id} has {pages} page{'s' if pages > 1 else ''} of columns")
    return pages


def _numbered_links(request: Request, page: int, pages: int) -> dict[str, str | None]:
    """Previous/next links of a page numbered from 1 (``?page=N``): story columns, entity remarks."""
    return {
        "prev": _link(request, page=page - 1) if page > 1 else None,
        "next": _link(request, page=page + 1) if page < pages else None,
    }


async def entities(request: Request) -> Response:
    """People and organisations, most mentioned first; ``q`` filters by name."""
    q = _text(request, "q")
    limit, offset = _int(request, "limit", 100, low=1, high=200), _int(request, "offset", 0)
    rows = await _read(request, lambda db: db.list_entities(q=q, limit=limit, offset=offset))
    data = {"entities": _plain(rows), "q": q, "limit": limit, "offset": offset}
    return render(request, "entities.html", {"rows": rows, "q": q}, data)


async def entity(request: Request) -> Response:
    """Everything one entity is quoted saying, across outlets and time, grouped into wording variants."""
    return await run_in_threadpool(_entity_page, request, request.path_params["key"])


def _entity_page(request: Request, key: str) -> Response:
    # A much-quoted speaker's grouping is kept in the store, a page of remarks at a time; others are
    # grouped here. Rendered pages are kept until quotes or comparisons change.
    as_json = wants_json(request)
    page_no = _int(request, "page", 1, low=1, high=100_000)
    cache: PageCache = request.app.state.entity_pages
    with request.app.state.pool.connection() as db:
        cache_key = (key, page_no, db.quotes_stamp(), as_json)
        cached = cache.get(cache_key)
        if cached is not None:
            return Response(cached[0], media_type=cached[1], headers={"Vary": "Accept"})
        data, _ = entity_pages.entity_page_slice(db, key, page_no)
    pages = max(1, -(-data["n_variants"] // entity_pages.REMARKS_PER_PAGE))
    if page_no > pages:
        raise HTTPException(404, f"{key} has {pages} page{'s' if pages > 1 else ''} of remarks")
    data.update(first=(page_no - 1) * entity_pages.REMARKS_PER_PAGE + 1, page=page_no, pages=pages,
                **_numbered_links(request, page_no, pages))
    remarks = None if as_json else remarks_html(data["variants"], data["first"])
    response = render(request, "entity.html", {"page": data, "remarks": remarks}, data)
    cache.put(cache_key, (bytes(response.body), response.media_type))
    return response


async def quotes(request: Request) -> Response:
    """Quote search by words, speaker, outlet and date range."""
    params = {
        "q": _text(request, "q"),
        "speaker": _text(request, "speaker"),
        "outlet": _text(request, "outlet"),
        "date_from": api.parse_date(_text(request, "from"), name="from"),
        "date_to": api.parse_date(_text(request, "to"), name="to"),
    }
    limit, offset = _int(request, "limit", 50, low=1, high=200), _int(request, "offset", 0)

    def load(db: Database) -> tuple[list[QuoteHit], int, list[tuple[str, int]]]:
        hits, total = db.search_quotes(**params, limit=limit, offset=offset)  # type: ignore[arg-type]
        return hits, total, _outlets(request, db)

    hits, total, outlets = await _read(request, load)
    links = _page_links(request, total, limit, offset)
    data = {"quotes": _plain(hits), "total": total, "limit": limit, "offset": offset, "filters": params, **links}
    options = outlet_options(outlets, params["outlet"], counts=False)
    context = {"hits": hits, "total": total, "params": params, "outlet_options": options, "links": links}
    return render(request, "quotes.html", context, data)


async def article(request: Request) -> Response:
    """One article's cleaned text with entities, quotes and relays highlighted, and what cleaning removed."""
    article_id = request.path_params["article_id"]

    def load(db: Database) -> tuple[Any, tuple[str, str] | None, dict[str, str], dict[str, Any]]:
        analyzed = db.analysis(article_id)
        aid = analyzed.article.id
        return analyzed, db.article_story(aid), db.article_entity_forms(aid), api.article_versions(db, aid)

    analyzed, in_story, forms, versions = await _read(request, load)
    data = public_comparison(dict(to_dict(analyzed)))
    data["story"] = None if in_story is None else {"id": in_story[0], "title": in_story[1]}
    data["entity_keys"] = forms
    data["versions"] = versions["versions"]
    data["changes"] = versions["changes"]
    context: dict[str, Any] = {"a": analyzed, "story": in_story, "body": None, "versions": versions}
    if not wants_json(request):
        context["body"] = highlight(analyzed.article.text, annotations_for(analyzed, forms))
    return render(request, "article.html", context, data)
