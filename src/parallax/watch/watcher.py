"""The watch loop: poll due feeds, fetch new and edited pages, store them, analyse what changed.

Each step commits as it goes (store/feeds.py, pipeline.ingest_articles, pipeline.analyze_store), so a
watcher killed at any moment restarts where it stopped: items still pending are fetched again, an article
already stored under its id is recognised, and analysis picks up what was not analysed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from parallax.errors import InputError
from parallax.ingest.dedup import minhash_bytes
from parallax.ingest.options import SHORT_ARTICLE_WORDS, IngestOptions
from parallax.model import Article
from parallax.pipeline import ProgressFn, analyze_store, ingest_articles
from parallax.store import Database
from parallax.store.feeds import Feed, FeedStore, PendingItem, iso_utc

from .feeds import FeedListing, read_listing
from .fetch import Fetched, FetchError, Fetcher, RobotsDisallowed, host_key
from .pages import page_article, watched_id
from .settings import WatchSettings

__all__ = ["CycleReport", "Watcher"]

LOGGER = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_FLUSH = 25  # new articles stored per ingest batch (one transaction, one near-duplicate index load)
_IDLE_WAKE_S = 30.0  # with nothing watched, look at the store again this often (feeds added meanwhile)


@dataclass(slots=True)
class CycleReport:
    """What one cycle did: the line printed per cycle and what the live table shows."""

    number: int
    started: float
    feeds_polled: int = 0
    not_modified: int = 0
    feed_errors: int = 0
    new_items: int = 0
    edited_items: int = 0
    stored: int = 0
    versions: int = 0
    unchanged: int = 0
    page_errors: int = 0
    skipped: int = 0
    analyzed: int = 0
    compared: int = 0
    stories: int = 0
    seconds: float = 0.0
    next_in: float | None = None
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line for stderr: ``cycle 3 2026-03-09T14:05:00Z: 12 feeds (2 not modified, 1 failed) ...``."""
        parts = [f"cycle {self.number} {iso_utc(self.started)[:19]}Z: {self.feeds_polled} feed(s) polled"
                 f" ({self.not_modified} not modified, {self.feed_errors} failed)",
                 f"{self.new_items} new item(s)", f"{self.stored} article(s) stored",
                 f"{self.versions} new version(s)", f"{self.page_errors} page error(s)"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped by robots.txt")
        if self.analyzed or self.compared:
            parts.append(f"analysed {self.analyzed}, recompared {self.compared} story(ies)")
        parts.append(f"{self.seconds:.1f} s")
        if self.next_in is not None:
            parts.append(f"next in {self.next_in:.0f} s")
        return "; ".join(parts)


class Watcher:
    """Polls a store's feeds (``parallax feeds add``) and keeps its stories up to date.

    Args:
        db: the store (its one writer).
        settings: how to fetch (:class:`WatchSettings`).
        options: outlet spellings and the shortest article kept, as ``ingest`` takes them.
        clock: seconds since the epoch (the scheduler's time; tests pass their own).
        stop: set it (from a signal handler or another thread) to stop after the request in flight.
        on_progress: progress of the analysis stages, as ``analyze_store`` reports it.
    """

    def __init__(self, db: Database, settings: WatchSettings | None = None, *, options: IngestOptions | None = None,
                 clock: Callable[[], float] = time.time, stop: threading.Event | None = None,
                 on_progress: ProgressFn | None = None) -> None:
        self.db = db
        self.store = FeedStore(db)
        self.settings = settings or WatchSettings()
        self.options = options or IngestOptions(min_words=SHORT_ARTICLE_WORDS)
        self.clock = clock
        self.stop = stop or threading.Event()
        self.on_progress = on_progress
        self.fetcher = Fetcher(self.settings)
        self.phase = "idle"
        self._cycles = 0
        self._analysed_once = False

    def close(self) -> None:
        self.fetcher.close()

    def run(self, *, cycles: int | None = None, on_cycle: Callable[[CycleReport], None] | None = None) -> int:
        """Run cycles until ``stop`` is set (or ``cycles`` are done); returns how many ran to the end."""
        done = 0
        while not self.stop.is_set() and (cycles is None or done < cycles):
            report = self.cycle()
            if self.stop.is_set():
                break
            done += 1
            if on_cycle is not None:
                on_cycle(report)
            if cycles is not None and done >= cycles:
                break
            self.stop.wait(max(report.next_in if report.next_in is not None else _IDLE_WAKE_S, 0.05))
        return done

    def cycle(self) -> CycleReport:
        """One pass: due feeds, then due pages, then analysis of whatever changed."""
        self._cycles += 1
        report = CycleReport(self._cycles, self.clock())
        if self.store.state("paused") == "1":
            report.next_in = _IDLE_WAKE_S if self.settings.every_s is None else self.settings.every_s
            return report
        self.phase = "feeds"
        feeds = self._poll_feeds(report)
        self.phase = "pages"
        if self.settings.recheck_s > 0:
            self.store.mark_rechecks(now=self.clock(), every_s=self.settings.recheck_s,
                                     window_s=self.settings.recheck_window_s)
        self._fetch_pages(report, {feed.id: feed for feed in feeds})
        self.phase = "analyze"
        if self.settings.analyze and not self.stop.is_set():
            self._analyze(report)
        self.phase = "idle"
        report.seconds = self.clock() - report.started
        wakeup = self.store.next_wakeup()
        report.next_in = None if wakeup is None else max(wakeup - self.clock(), 0.0)
        return report

    # -- feeds ----------------------------------------------------------------------------------------

    def _poll_feeds(self, report: CycleReport) -> list[Feed]:
        due = self.store.due(self.clock(), every_s=self.settings.every_s)
        for feed, result in _by_host(due, lambda f: f.url, self._fetch_feed, self.settings.max_hosts, self.stop):
            report.feeds_polled += 1
            self._record_feed(feed, result, report)
        return self.store.feeds()

    def _fetch_feed(self, feed: Feed) -> tuple[Fetched, FeedListing | None]:
        fetched = self.fetcher.get(feed.url, max_bytes=self.settings.max_feed_bytes, etag=feed.etag,
                                   last_modified=feed.last_modified, accept=_FEED_ACCEPT)
        return fetched, None if fetched.not_modified else read_listing(fetched.body, url=fetched.url)

    def _record_feed(self, feed: Feed, result: tuple[Fetched, FeedListing | None] | BaseException,
                     report: CycleReport) -> None:
        now = self.clock()
        if isinstance(result, BaseException):
            status = result.status if isinstance(result, FetchError) else None
            message = _message(result)
            base = self.settings.every_s or feed.every_s
            self.store.feed_failed(feed.id, now=now, url=feed.url, status=status, error=message,
                                   retry_in=self.settings.backoff(base, feed.failures + 1))
            report.feed_errors += 1
            report.errors.append(f"{feed.url}: {message}")
            return
        fetched, listing = result
        if listing is None:
            report.not_modified += 1
        else:
            new, edited = self.store.add_entries(feed.id, listing.entries, now=now)
            report.new_items += new
            report.edited_items += edited
        self.store.feed_fetched(feed.id, now=now, status=fetched.status, etag=fetched.etag,
                                last_modified=fetched.last_modified, title=listing.title if listing else None,
                                every_s=self.settings.every_s)

    # -- pages ----------------------------------------------------------------------------------------

    def _fetch_pages(self, report: CycleReport, feeds: dict[int, Feed]) -> None:
        items = self.store.pending(now=self.clock(), limit=self.settings.max_items)
        buffer: list[tuple[PendingItem, Article, Fetched]] = []
        try:
            for item, result in _by_host(items, lambda i: i.url, self._fetch_page, self.settings.max_hosts,
                                         self.stop):
                self._record_page(item, result, report, buffer, feeds)
                if len(buffer) >= _FLUSH:
                    self._flush(buffer, report)
        finally:
            self._flush(buffer, report)  # what was fetched before a stop is kept

    def _fetch_page(self, item: PendingItem) -> Fetched:
        known = item.article_id is not None
        return self.fetcher.get(item.url, max_bytes=self.settings.max_page_bytes, accept=_PAGE_ACCEPT,
                                etag=item.etag if known else None, last_modified=item.last_modified if known else None)

    def _record_page(self, item: PendingItem, result: Fetched | BaseException, report: CycleReport,
                     buffer: list[tuple[PendingItem, Article, Fetched]], feeds: dict[int, Feed]) -> None:
        now = self.clock()
        if isinstance(result, RobotsDisallowed):
            self.store.item_skipped(item, reason=result.problem)
            report.skipped += 1
            return
        if isinstance(result, BaseException):
            self._page_failed(item, result, report)
            return
        if result.not_modified and item.article_id is not None:
            self.store.item_stored(item, article_id=item.article_id, now=now, etag=result.etag,
                                   last_modified=result.last_modified)
            report.unchanged += 1
            return
        feed = feeds.get(item.feed_id)
        article = page_article(result, item, options=self.options, feed_title=feed.title if feed else None)
        if isinstance(article, InputError):
            self._page_failed(item, article, report)
            return
        own_id = watched_id(item.url)
        if self.db.resolve_article_id(own_id) == own_id:  # this page is stored: maybe a new version of it
            version = self.store.add_version(own_id, article, now=now, signature=minhash_bytes(article.text))
            report.versions += version is not None
            report.unchanged += version is None
            self.store.item_stored(item, article_id=own_id, now=now, etag=result.etag,
                                   last_modified=result.last_modified)
            return
        buffer.append((item, article, result))

    def _page_failed(self, item: PendingItem, error: BaseException, report: CycleReport) -> None:
        attempts = item.attempts + 1
        permanent = isinstance(error, FetchError) and error.permanent
        retry = None if permanent or attempts >= self.settings.max_attempts else self.settings.backoff(
            self.settings.retry_s, attempts)
        self.store.item_failed(item, now=self.clock(), status=error.status if isinstance(error, FetchError) else None,
                               error=_message(error), retry_in=retry)
        report.page_errors += 1
        report.errors.append(f"{item.url}: {_message(error)}")

    def _flush(self, buffer: list[tuple[PendingItem, Article, Fetched]], report: CycleReport) -> None:
        """Store new articles in one batch (ingest's de-duplication), then mark their items stored."""
        if not buffer:
            return
        ingest_articles(self.db, [article for _, article, _ in buffer])
        now = self.clock()
        for item, article, fetched in buffer:
            stored = self.db.resolve_article_id(article.id)
            if stored is None:  # only if ingest refused it; it says why in the log
                self._page_failed(item, InputError(item.url, "could not be stored"), report)
                continue
            self.store.item_stored(item, article_id=stored, now=now, etag=fetched.etag,
                                   last_modified=fetched.last_modified)
            report.stored += 1
        buffer.clear()

    # -- analysis -------------------------------------------------------------------------------------

    def _analyze(self, report: CycleReport) -> None:
        if not (report.stored or report.versions or not self._analysed_once):
            return
        kwargs = {} if self.on_progress is None else {"on_progress": self.on_progress}
        done = analyze_store(self.db, compare=self.settings.compare, **kwargs)
        self._analysed_once = True
        report.analyzed, report.compared, report.stories = done.analyzed, done.compared, done.stories


def _message(error: BaseException) -> str:
    if isinstance(error, FetchError):
        return error.problem
    if isinstance(error, InputError):
        return f"{error.problem}; {error.hint}" if error.hint else error.problem
    return f"internal error: {type(error).__name__}: {error}"


def _by_host(jobs: Sequence[T], url_of: Callable[[T], str], work: Callable[[T], R], max_hosts: int,
             stop: threading.Event) -> Iterator[tuple[T, R | BaseException]]:
    """(job, result or error) as they finish: hosts in parallel, each host's jobs one after another."""
    groups: dict[str, list[T]] = defaultdict(list)
    for job in jobs:
        groups[host_key(url_of(job))].append(job)
    if not groups:
        return
    results: queue.Queue[tuple[T, R | BaseException] | None] = queue.Queue()
    abandoned = threading.Event()

    def run(host_jobs: list[T]) -> None:
        try:
            for job in host_jobs:
                if stop.is_set() or abandoned.is_set():
                    break
                try:
                    outcome: R | BaseException = work(job)
                except Exception as exc:  # noqa: BLE001 - one job's failure is its result, not the host's end
                    outcome = exc
                results.put((job, outcome))
        finally:
            results.put(None)

    pool = ThreadPoolExecutor(max(1, min(max_hosts, len(groups))), thread_name_prefix="parallax-watch")
    try:
        for host_jobs in groups.values():
            pool.submit(run, host_jobs)
        remaining = len(groups)
        while remaining:
            try:
                got = results.get(timeout=0.2)  # wakes the main thread for signals
            except queue.Empty:
                continue
            if got is None:
                remaining -= 1
            else:
                yield got
    finally:
        abandoned.set()  # when the consumer stopped early, workers end after the request in flight
        pool.shutdown(wait=True, cancel_futures=True)
