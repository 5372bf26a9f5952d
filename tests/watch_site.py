"""A real HTTP server on a loopback port serving feeds and article pages that change while a test runs.

Every text here is made up for the tests (fictional towns, people and events): no outlet's writing.
The site is a table of paths to :class:`Page` answers that a test edits between watcher runs; the server
keeps a log of every request (path, host, headers, status) and the most requests it ever had in flight
to one host at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOWNS = ["Harbourvale", "Kessing", "Morrowby", "Alder Cross", "Pellmouth", "Quenby", "Ravelstone", "Sorrel Bay",
         "Tamsford", "Upper Linwick", "Varrow", "Westerholt", "Yarnley", "Brackenmoor", "Caddow", "Dunmere"]
THINGS = ["ferry service", "library roof", "tram extension", "water treatment plant", "harbour wall",
          "school canteen", "wind farm", "bus depot", "flood barrier", "market hall", "cycle bridge", "hospital wing"]
PEOPLE = ["Mara Quill", "Tobin Ashgrove", "Elin Varga", "Osric Penhale", "Ludo Farrant", "Nessa Blythe",
          "Corin Maddox", "Ilse Rowntree"]
VERBS = ["approved", "postponed", "criticised", "funded", "inspected", "reopened", "redesigned", "questioned"]


def article_text(n: int, *, edit: int = 0) -> list[str]:
    """Paragraphs of made-up article number ``n``; ``edit`` > 0 changes a figure and adds a quote."""
    town, thing = TOWNS[n % len(TOWNS)], THINGS[(n // len(TOWNS)) % len(THINGS)]
    person, other = PEOPLE[n % len(PEOPLE)], PEOPLE[(n + 3) % len(PEOPLE)]
    verb = VERBS[(n * 5) % len(VERBS)]
    cost = 3 + (n * 7) % 40 + edit * 2
    paras = [
        f"The council of {town} {verb} plans for the {thing} on Tuesday after a meeting that ran late into the"
        f" evening, officials said, in what residents called report number {n} of a long dispute.",
        f"The project is expected to cost {cost} million crowns, according to figures the council published,"
        f" and work would begin in the spring if the regional board agrees to the timetable set out for {town}.",
        f"{person}, who chairs the works committee, said the decision was overdue. \"We have waited for this"
        f" {thing} for years and the town deserves an answer,\" {person.split()[0]} told reporters outside.",
        f"{other}, a member of the opposition group, said the figures did not add up and asked for an"
        f" independent review of case {n} before any contract is signed.",
        f"Residents of {town} gathered near the site during the afternoon, and several shops closed early so"
        f" staff could attend the public session on the {thing}.",
    ]
    if edit:
        paras.append(f"Late on Tuesday {other} said the review would report within {edit + 2} weeks, and the"
                     f" committee agreed to publish every contract for case {n}.")
    return paras


def article_page(n: int, *, edit: int = 0, padding: int = 0, site: str = "Harbour Courier") -> bytes:
    """An HTML article page; ``padding`` bytes of extra markup make a page as large as a test needs."""
    title = f"{TOWNS[n % len(TOWNS)]} council decides on the {THINGS[(n // len(TOWNS)) % len(THINGS)]} ({n})"
    body = "".join(f"<p>{p}</p>\n" for p in article_text(n, edit=edit))
    filler = f"<div class=\"ad\">{'x' * padding}</div>" if padding else ""
    html = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<meta property=\"og:site_name\" content=\"{site}\"></head><body><nav><a href=\"/\">Home</a></nav>"
            f"<article><h1>{title}</h1>\n{body}</article>{filler}<footer>Made-up news for tests.</footer>"
            "</body></html>")
    return html.encode("utf-8")


def rss(title: str, items: list[tuple[str, str, datetime, str]]) -> bytes:
    """An RSS 2.0 feed of (link, title, published, updated-marker) items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate><description>{marker}</description></item>"
        for link, t, when, marker in items
    )
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>{title}</title>"
            f"<link>http://example.invalid/</link><description>test feed</description>{entries}"
            "</channel></rss>").encode("utf-8")


def atom(title: str, items: list[tuple[str, str, datetime, str]]) -> bytes:
    entries = "".join(
        f"<entry><title>{t}</title><link href=\"{link}\"/><id>{link}</id>"
        f"<updated>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</updated><summary>{marker}</summary></entry>"
        for link, t, when, marker in items
    )
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
            f"<title>{title}</title><id>urn:test:{title}</id><updated>2026-03-09T12:00:00Z</updated>{entries}"
            "</feed>").encode("utf-8")


BASE_TIME = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def when(minutes: int) -> datetime:
    return BASE_TIME + timedelta(minutes=minutes)


@dataclass
class Page:
    """One path's answer. ``etag`` makes the server answer 304 to a matching If-None-Match."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before the answer (past the watcher's timeout: a slow response)
    location: str | None = None  # for redirects
    etag: bool = True

    def tag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:12] + '"'


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    most_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.log if r["path"] == path]


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        site = self.site
        host = self.headers.get("Host", "")
        with site.lock:
            site.in_flight[host] += 1
            site.most_in_flight[host] = max(site.most_in_flight[host], site.in_flight[host])
            page = site.pages.get(self.path.split("?", 1)[0])
        try:
            self._answer(page, host)
        finally:
            with site.lock:
                site.in_flight[host] -= 1

    def _answer(self, page: Page | None, host: str) -> None:
        status = 404 if page is None else page.status
        if page is not None and page.delay:
            time.sleep(page.delay)
        if page is not None and status == 200 and page.etag and self.headers.get("If-None-Match") == page.tag():
            status = 304
        with self.site.lock:
            self.site.log.append({"path": self.path, "host": host, "status": status,
                                  "if_none_match": self.headers.get("If-None-Match"),
                                  "user_agent": self.headers.get("User-Agent", ""), "at": time.monotonic()})
        body = b"" if page is None or status in (301, 302, 304) else page.body
        if status >= 400 and not body:
            body = b"<html><body>error</body></html>"
        try:
            self.send_response(status)
            if page is not None and page.location:
                self.send_header("Location", page.location)
            if page is not None and page.etag and status in (200, 304):
                self.send_header("ETag", page.tag())
            self.send_header("Content-Type", page.content_type if page else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the watcher gave up on a slow answer
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server API
        return None


class SiteServer:
    """A threaded HTTP server on 127.0.0.1 (any free port) serving ``site``; a context manager."""

    def __init__(self, site: Site) -> None:
        handler = type("Handler", (_Handler,), {"site": site})
        self.site = site
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
