"""The ``parallax feeds`` and ``parallax watch`` commands: parse arguments, call parallax.watch, print."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from parallax.errors import ConfigError

__all__ = ["add_parsers", "cmd_feeds", "cmd_watch"]

_EXIT_OK = 0


def add_parsers(sub: Any) -> None:
    """Add ``feeds`` (add, list, remove, import, pause, resume) and ``watch`` to the CLI's subparsers."""
    p = sub.add_parser("feeds", help="the RSS/Atom feeds `parallax watch` polls: add, list (with health), remove,"
                                     " import an OPML file, pause, resume")
    feeds = p.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    f = feeds.add_parser("add", help="watch a feed")
    f.add_argument("url", metavar="URL")
    f.add_argument("--outlet", metavar="NAME", help="credit its articles to this outlet (default: what each"
                                                    " page says, else the feed's title)")
    f.add_argument("--every", default="10m", metavar="DURATION", help="poll it this often: 30s, 10m, 1h (default 10m)")
    f = feeds.add_parser("list", help="the watched feeds with their health: last fetch, errors, articles")
    f.add_argument("--format", choices=("table", "json"), default="table")
    f = feeds.add_parser("remove", help="stop watching a feed (its articles stay)")
    f.add_argument("feed", metavar="FEED", help="the feed's id (see `feeds list`) or URL")
    f = feeds.add_parser("import", help="watch every feed of an OPML subscription list")
    f.add_argument("file", metavar="FILE.opml")
    f.add_argument("--every", default="10m", metavar="DURATION", help="poll them this often (default 10m)")
    for action, text in (("pause", "stop polling a feed for now"), ("resume", "poll a paused feed again")):
        f = feeds.add_parser(action, help=text)
        f.add_argument("feed", metavar="FEED", help="the feed's id or URL")

    p = sub.add_parser("watch", help="poll the feeds, store new and edited articles, keep stories up to date"
                                     " (Ctrl-C stops; a restart goes on where it stopped)")
    p.add_argument("--once", action="store_true", help="one cycle, then exit")
    p.add_argument("--cycles", type=int, default=None, metavar="N", help="N cycles, then exit")
    p.add_argument("--every", default=None, metavar="DURATION",
                   help="poll every feed this often in this run, over each feed's own interval")
    p.add_argument("--contact", default=None, metavar="URL",
                   help="where site operators can reach you, sent in the User-Agent (default: $PARALLAX_CONTACT)")
    p.add_argument("--host-delay", default="1s", metavar="DURATION",
                   help="least time between two requests to one host (default 1s; a longer robots.txt Crawl-delay"
                        " wins)")
    p.add_argument("--timeout", default="20s", metavar="DURATION", help="longest time one request may take"
                                                                        " (default 20s)")
    p.add_argument("--max-page-bytes", default="2MB", metavar="SIZE", help="larger pages are refused (default 2MB)")
    p.add_argument("--max-feed-bytes", default="5MB", metavar="SIZE", help="larger feeds are refused (default 5MB)")
    p.add_argument("--max-redirects", type=int, default=5, metavar="N", help="redirects followed (default 5)")
    p.add_argument("--retry", default="60s", metavar="DURATION",
                   help="first wait before a failed page is tried again; it doubles per failure (default 60s)")
    p.add_argument("--recheck", default="1h", metavar="DURATION",
                   help="fetch pages of items listed in the last two days again this often, to catch edits;"
                        " 'off' never (default 1h)")
    p.add_argument("--no-analyze", action="store_true", help="store articles only; `parallax analyze` later")
    p.add_argument("--no-compare", action="store_true", help="analyse and group into stories, but do not recompare")
    p.add_argument("--ignore-robots", action="store_true", help=argparse.SUPPRESS)  # own test servers only


# -- feeds ---------------------------------------------------------------------------------------------


def cmd_feeds(args: argparse.Namespace, db: Any) -> int:
    """Run one ``feeds`` action on the open store ``db``."""
    from parallax.store.feeds import FeedStore
    from parallax.watch import parse_duration

    store = FeedStore(db)
    action = args.feeds_command
    if action == "add":
        every = parse_duration(args.every, name="--every")
        feed, created = store.add(_checked_url(args.url), outlet=args.outlet, every_s=round(every))
        print(f"{'added' if created else 'updated'} feed {feed.id}: {feed.url} (every {_human(feed.every_s)})")
    elif action == "list":
        _print_health(db, store, args.format)
    elif action == "remove":
        feed = store.remove(args.feed)
        print(f"removed feed {feed.id}: {feed.url} (its articles stay in {db.path})")
    elif action == "import":
        _import(store, args)
    else:
        feed = store.set_active(args.feed, action == "resume")
        print(f"{'resumed' if feed.active else 'paused'} feed {feed.id}: {feed.url}")
    return _EXIT_OK


def _checked_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{url!r} is not an http(s) feed URL; give one like https://example.org/rss.xml")
    return url.strip()


def _import(store: Any, args: argparse.Namespace) -> None:
    from parallax.watch import parse_duration, read_opml

    every = round(parse_duration(args.every, name="--every"))
    added = updated = 0
    for entry in read_opml(args.file):
        _, created = store.add(entry.url, every_s=every)
        added += created
        updated += not created
    print(f"imported {args.file}: {added} feed(s) added, {updated} already watched")


def _print_health(db: Any, store: Any, fmt: str) -> None:
    if fmt == "json":  # the "feeds" resource, as GET /feeds.json sends it (docs/records.md)
        from parallax import api

        print(json.dumps(api.feeds(db), ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from parallax.watch.display import health_table

    Console().print(health_table(store.health()))


def _human(seconds: float) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


# -- watch ---------------------------------------------------------------------------------------------


def watch_settings(args: argparse.Namespace) -> Any:
    """The :class:`WatchSettings` the ``watch`` arguments (and ``$PARALLAX_CONTACT``) describe."""
    from parallax.watch import WatchSettings, parse_duration, parse_size

    if args.cycles is not None and args.cycles < 1:
        raise ConfigError(f"--cycles must be at least 1, got {args.cycles}")
    if args.max_redirects < 0:
        raise ConfigError(f"--max-redirects must be 0 or more, got {args.max_redirects}")
    recheck = 0.0 if args.recheck.strip().lower() in ("off", "0", "never") else parse_duration(
        args.recheck, name="--recheck")
    return WatchSettings(
        contact=args.contact or os.environ.get("PARALLAX_CONTACT") or None,
        every_s=parse_duration(args.every, name="--every") if args.every else None,
        host_delay_s=parse_duration(args.host_delay, name="--host-delay") if args.host_delay not in ("0", "0s") else 0.0,
        timeout_s=parse_duration(args.timeout, name="--timeout"),
        max_page_bytes=parse_size(args.max_page_bytes, name="--max-page-bytes"),
        max_feed_bytes=parse_size(args.max_feed_bytes, name="--max-feed-bytes"),
        max_redirects=args.max_redirects,
        retry_s=parse_duration(args.retry, name="--retry"),
        recheck_s=recheck,
        analyze=not args.no_analyze,
        compare=not args.no_compare,
        robots=not args.ignore_robots,
    )


def cmd_watch(args: argparse.Namespace, db: Any, *, quiet: bool) -> int:
    """Watch until Ctrl-C (or SIGTERM), ``--once`` or ``--cycles N``; one line per cycle on stderr."""
    from parallax.store.feeds import FeedStore
    from parallax.watch import Watcher

    settings = watch_settings(args)
    if not FeedStore(db).feeds():
        raise ConfigError(f"no feeds to watch in {db.path}; add one with `parallax feeds add URL`")
    cycles = 1 if args.once else args.cycles
    stop = threading.Event()
    watcher = Watcher(db, settings, stop=stop)
    try:
        with _signals(stop, watcher), _display(watcher, quiet=quiet) as on_cycle:
            done = watcher.run(cycles=cycles, on_cycle=on_cycle)
    except KeyboardInterrupt:
        done = -1
    finally:
        watcher.close()
    reason = "interrupted" if done < 0 or stop.is_set() else "done"
    ran = "" if done < 0 else f" after {done} cycle(s)"
    print(f"parallax: watch stopped ({reason}){ran}; everything stored is kept, run it again to go on",
          file=sys.stderr)
    return _EXIT_OK


@contextmanager
def _signals(stop: threading.Event, watcher: Any) -> Iterator[None]:
    """SIGINT/SIGTERM stop after the request in flight; during analysis (or a second time) at once."""

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set() or watcher.phase == "analyze":
            stop.set()
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _display(watcher: Any, *, quiet: bool) -> Iterator[Any]:
    """A Rich live table of the feeds on a terminal, else one line per cycle on stderr."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield lambda report: print(f"parallax: watch {report.line()}", file=sys.stderr, flush=True)
        return
    from parallax.watch.display import live_feeds

    with live_feeds(console, watcher) as on_cycle:
        yield on_cycle
