"""Polite HTTP: conditional GET, one request at a time per host with a delay, robots.txt, size and time
limits, redirects followed by hand (to count them and catch loops)."""

from __future__ import annotations

import logging
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from parallax.errors import ParallaxError

from .settings import WatchSettings

__all__ = ["FetchError", "Fetched", "Fetcher", "RobotsDisallowed", "host_key"]

LOGGER = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_TTL_S = 3600.0  # robots.txt is read again after an hour
_ROBOTS_RETRY_S = 600.0  # an unreachable robots.txt (5xx, network) forbids the host for ten minutes (RFC 9309)
_ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB
_CHUNK = 65536


class FetchError(ParallaxError):
    """A request that gave no usable answer. ``permanent``: trying again will not help (404, too large)."""

    def __init__(self, url: str, problem: str, *, status: int | None = None, permanent: bool = False) -> None:
        self.url = url
        self.problem = problem
        self.status = status
        self.permanent = permanent
        super().__init__(f"{url}: {problem}")


class RobotsDisallowed(FetchError):
    """robots.txt of the URL's host forbids parallax to fetch it."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "robots.txt forbids fetching it", permanent=True)


@dataclass(frozen=True, slots=True)
class Fetched:
    """An answer: 200 with its body, or 304 (not modified, empty body)."""

    url: str  # after redirects
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> str | None:
        for part in (self.content_type or "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"').lower()
        return None


def host_key(url: str) -> str:
    """scheme://host:port of ``url``: what politeness and robots.txt are kept per."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Fetcher:
    """One HTTP client for a watcher; safe to share between threads that each fetch from their own host."""

    def __init__(self, settings: WatchSettings, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        timeout = httpx.Timeout(settings.timeout_s)
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                                    headers={"User-Agent": settings.user_agent,
                                                     "Accept-Encoding": "gzip, deflate"})
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, max_bytes: int, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Fetched:
        """GET ``url`` politely, following redirects; 304 when the validators still hold.

        Raises:
            FetchError: a network error, a timeout, an HTTP error status, a body over ``max_bytes``, a
                redirect loop or too many redirects, or robots.txt forbids the URL (RobotsDisallowed).
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            if self.settings.robots and not self._allowed(current):
                raise RobotsDisallowed(current)
            status, target, fetched = self._request(current, headers=headers, max_bytes=max_bytes)
            if target is None:
                assert fetched is not None
                return fetched
            if target in seen:
                raise FetchError(url, f"redirect loop ({current} -> {target})", status=status, permanent=True)
            seen.add(target)
            current = target
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects", permanent=True)

    def _request(self, url: str, *, headers: dict[str, str], max_bytes: int) -> tuple[int, str | None, Fetched | None]:
        """One request: (status, redirect target, None) or (status, None, the answer)."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(url, "is not an http(s) URL", permanent=True)
        deadline = self._clock() + self.settings.timeout_s
        with self._host(url):
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(url, f"HTTP {response.status_code} redirect without a Location",
                                             status=response.status_code, permanent=True)
                        return response.status_code, urljoin(url, location), None
                    _check_status(url, response.status_code)
                    body = b"" if response.status_code == 304 else self._body(url, response, max_bytes, deadline)
            except httpx.TimeoutException:
                raise FetchError(url, f"timed out after {self.settings.timeout_s:g} s") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"network error: {type(exc).__name__}: {exc}") from None
        return response.status_code, None, Fetched(
            url, response.status_code, body, response.headers.get("etag"), response.headers.get("last-modified"),
            response.headers.get("content-type"),
        )

    def _body(self, url: str, response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(url, f"is {int(declared):,} bytes, over the limit of {max_bytes:,}", permanent=True)
        chunks, size = [], 0
        for chunk in response.iter_raw(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(url, f"is over the limit of {max_bytes:,} bytes", permanent=True)
            if self._clock() > deadline:  # a server trickling bytes never trips the read timeout
                raise FetchError(url, f"timed out after {self.settings.timeout_s:g} s")
            chunks.append(chunk)
        body = b"".join(chunks)
        encoding = response.headers.get("content-encoding", "").lower()
        if encoding in ("gzip", "deflate", "br"):
            body = _decompress(url, body, encoding, max_bytes)
        return body

    # -- politeness -----------------------------------------------------------------------------------

    def _host(self, url: str) -> _HostTurn:
        key = host_key(url)
        with self._lock:
            lock = self._host_locks.setdefault(key, threading.Lock())
        return _HostTurn(self, key, lock)

    def _wait_turn(self, key: str) -> None:
        delay = max(self.settings.host_delay_s, self._delays.get(key, 0.0))
        last = self._last.get(key)
        if last is not None:
            wait = last + delay - self._clock()
            if wait > 0:
                self._sleep(wait)

    def _done(self, key: str) -> None:
        self._last[key] = self._clock()

    def _allowed(self, url: str) -> bool:
        key = host_key(url)
        now = self._clock()
        with self._lock:
            cached = self._robots.get(key)
        if cached is None or cached[0] <= now:
            cached = self._read_robots(key)
            with self._lock:
                self._robots[key] = cached
        parser = cached[1]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    def _read_robots(self, key: str) -> tuple[float, urllib.robotparser.RobotFileParser | None]:
        """(good until, parser or None for 'everything allowed'); a forbidding parser when unreachable."""
        url = key + "/robots.txt"
        parser = urllib.robotparser.RobotFileParser(url)
        try:
            fetched = self._follow(url)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return self._clock() + _ROBOTS_TTL_S, None  # no robots.txt: everything is allowed
            LOGGER.info("%s unreachable (%s): the host is not fetched for now", url, exc.problem)
            parser.disallow_all = True
            return self._clock() + _ROBOTS_RETRY_S, parser
        parser.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.settings.user_agent)
        if delay:
            self._delays[key] = float(delay)
        return self._clock() + _ROBOTS_TTL_S, parser

    def _follow(self, url: str) -> Fetched:
        """GET without a robots check (for robots.txt itself), redirects followed within the limit."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            _, target, fetched = self._request(current, headers={"Accept": "text/plain"},
                                               max_bytes=_ROBOTS_MAX_BYTES)
            if target is None:
                assert fetched is not None
                return fetched
            current = target
        raise FetchError(url, "too many redirects")


class _HostTurn:
    """Holds a host's lock for one request and keeps the delay since its previous request."""

    def __init__(self, fetcher: Fetcher, key: str, lock: threading.Lock) -> None:
        self.fetcher, self.key, self.lock = fetcher, key, lock

    def __enter__(self) -> None:
        self.lock.acquire()
        self.fetcher._wait_turn(self.key)

    def __exit__(self, *exc: object) -> None:
        self.fetcher._done(self.key)
        self.lock.release()


def _check_status(url: str, status: int) -> None:
    if status == 304 or 200 <= status < 300:
        return
    # 404 and 410 do not heal by waiting; 408, 429 and 5xx often do.
    permanent = status in (400, 401, 403, 404, 405, 410, 451)
    raise FetchError(url, f"HTTP {status}", status=status, permanent=permanent)


def _decompress(url: str, body: bytes, encoding: str, max_bytes: int) -> bytes:
    import zlib

    if encoding == "br":
        raise FetchError(url, "is brotli-compressed, which parallax does not read", permanent=True)
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(url, f"has a corrupt {encoding} body ({exc})") from None
    if len(out) > max_bytes:
        raise FetchError(url, f"unpacks to over the limit of {max_bytes:,} bytes", permanent=True)
    return out
