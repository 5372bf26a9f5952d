"""Every link a page emits resolves: a crawler follows each same-site link from ``/`` on a real server over a
store analysed from a real corpus (the bundled examples, and the seed pair when ../shared has it)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from conftest import EXAMPLES, SHARED_DATA
from test_web_data import live_server

from parallax.cli import main
from parallax.web import create_app

MAX_PAGES = 3000  # the example and seed stores have about 250 pages each; a runaway crawl stops here


class _Links(HTMLParser):
    """The ``href`` and ``src`` values of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in {"href", "src"} and value]


LINK_KEYS = {"next", "prev", "href", "link", "url"}  # JSON fields that hold links ("url" of an article: its page)


def _json_links(data: Any) -> Iterator[str]:
    """The links in a JSON document: string values of the link fields, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in LINK_KEYS and isinstance(value, str) and value:
                yield value
            else:
                yield from _json_links(value)
    elif isinstance(data, list):
        for item in data:
            yield from _json_links(item)


def _links(response: httpx.Response) -> list[str]:
    kind = response.headers.get("content-type", "")
    if "text/html" in kind:
        parser = _Links()
        parser.feed(response.text)
        return parser.found
    if "json" in kind:
        return list(_json_links(response.json()))
    return []


@dataclass
class Crawl:
    """What a crawl found: the status of every URL, the failures as (status, url, linked from), and the
    URLs whose body holds one of the strings that must never be shown."""

    seen: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


def crawl(base: str, *, forbidden: Sequence[str] = ()) -> Crawl:
    """Every same-site URL reachable from ``/``; a body holding any of ``forbidden`` is a leak."""
    site = urlsplit(base).netloc
    found = Crawl()
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    queued = {"/"}
    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
        while queue and len(found.seen) < MAX_PAGES:
            path, source = queue.popleft()
            response = client.get(path)
            found.seen[path] = response.status_code
            if any(secret in response.text for secret in forbidden):
                found.leaks.append(path)
            if response.status_code >= 400:
                found.failures.append((response.status_code, path, source))
                continue
            here = str(response.url)
            for link in _links(response):
                target = urlsplit(urljoin(here, link))
                if target.scheme not in {"http", "https"} or target.netloc != site:
                    continue
                full = target.path + (f"?{target.query}" if target.query else "")
                if full not in queued:
                    queued.add(full)
                    queue.append((full, path))
    return found


def _corpus_source(name: str) -> Path:
    source = EXAMPLES if name == "examples" else SHARED_DATA / "seeds"
    if not source.exists():
        pytest.skip(f"needs {source} (the shared data beside the repository); it is absent here")
    return source.resolve()


def _corpus_db(tmp: Path, source: Path) -> Path:
    db = tmp / "parallax.db"
    assert main(["--db", str(db), "-q", "ingest", str(source)]) == 0
    assert main(["--db", str(db), "-q", "analyze"]) == 0
    return db


@pytest.fixture(scope="module", params=["examples", "seeds"])
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    source = _corpus_source(request.param)
    db = _corpus_db(tmp_path_factory.mktemp("links"), source)
    with live_server(create_app(db)) as base:
        # The folders the store and its inputs live in are the server's business, not a visitor's.
        return crawl(base, forbidden=(str(source), str(db.parent)))


def test_web_links_every_link_resolves(crawled: Crawl) -> None:
    assert crawled.failures == [], "\n".join(f"{s} {url} (linked from {src})" for s, url, src in crawled.failures)


def test_web_links_no_page_shows_a_server_path(crawled: Crawl) -> None:
    assert crawled.leaks == []
    assert any(p.startswith("/stories/") and p.endswith(".json") for p in crawled.seen)  # whole comparisons too


def test_web_links_crawl_reaches_every_kind_of_page(crawled: Crawl) -> None:
    seen = crawled.seen
    assert len(seen) < MAX_PAGES
    for prefix in ("/stories/", "/articles/", "/entities/", "/quotes", "/docs"):
        assert any(path.startswith(prefix) for path in seen), prefix
    html_pages = [p for p in seen if not urlsplit(p).path.endswith(".json") and not p.startswith("/static/")]
    twins = {p for p in seen if urlsplit(p).path.endswith(".json")}
    assert len(twins) >= len([p for p in html_pages if p != "/"]) // 2  # the JSON twins were followed too


def test_web_links_json_next_links_are_site_paths(crawled: Crawl) -> None:
    pages = [p for p in crawled.seen if "offset=" in p or "page=" in p]
    assert all(p.startswith("/") for p in pages)


def test_web_links_crawler_reports_a_broken_link(tmp_path: Path) -> None:
    """The crawler itself: a page linking a missing entity is reported with the page that links it."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    async def home(request: Any) -> HTMLResponse:
        return HTMLResponse('<a href="/ok">ok</a> <a href="/entities/missing">x</a> <a href="https://example.org/">out</a>')

    async def ok(request: Any) -> JSONResponse:
        return JSONResponse({"next": "/gone?offset=1", "text": "not a link"})

    app = Starlette(routes=[Route("/", home), Route("/ok", ok)])
    with live_server(app) as base:
        found = crawl(base, forbidden=("not a link",))
    assert sorted(found.failures) == [(404, "/entities/missing", "/"), (404, "/gone?offset=1", "/ok")]
    assert set(found.seen) == {"/", "/ok", "/entities/missing", "/gone?offset=1"}
    assert found.leaks == ["/ok"]


def test_web_links_json_links_found_in_nested_data() -> None:
    data = {"a": [{"next": "/stories.json?offset=2", "prev": None, "url": ""}], "href": "/articles/x",
            "path": "/home/someone/a.txt", "text": "/not/a/link"}
    assert sorted(_json_links(data)) == ["/articles/x", "/stories.json?offset=2"]
    assert json.dumps(data)  # the sample stays plain JSON


@pytest.mark.parametrize(("links", "linked"), [({}, False), ({"Lake Sarn": "lake-sarn"}, True)])
def test_web_links_entity_chip_links_only_a_page_that_exists(links: dict[str, str], linked: bool) -> None:
    from parallax.web.present import entities_html, quote_groups_html

    chips = str(entities_html([{"name": "Lake Sarn", "label": "LOC", "forms": ["Lake Sarn"]}], links))
    groups = str(quote_groups_html([{"speaker": "Lake Sarn", "label": "single", "wordings": []}], links))
    assert ('href="/entities/lake-sarn"' in chips) is linked and ("href=" in groups) is linked
    assert "Lake Sarn" in chips and "Lake Sarn" in groups
