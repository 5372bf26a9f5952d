"""The feeds' health as a Rich table: printed by ``feeds list``, kept live by ``watch`` on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from parallax.store.feeds import FeedHealth, FeedStore

from .watcher import CycleReport, Watcher

__all__ = ["health_table", "live_feeds"]

_STATUS_STYLE = {"ok": "green", "failing": "red", "paused": "yellow", "new": "cyan"}


def health_table(health: Sequence[FeedHealth], *, title: str | None = None) -> Table:
    """One row per feed: status, outlet, last fetch, articles, pending, failed, last error."""
    table = Table(title=title or f"{len(health)} feed(s)")
    for name in ("id", "status", "feed", "every", "last fetch", "articles", "pending", "failed", "last error"):
        numeric = name in ("id", "every", "articles", "pending", "failed")
        table.add_column(name, justify="right" if numeric else "left", no_wrap=True, overflow="ellipsis",
                         max_width=40 if name in ("feed", "last error") else None)
    for h in health:
        feed = h.feed
        error = h.errors[0].error if h.errors else ""
        table.add_row(
            str(feed.id), Text(h.status, style=_STATUS_STYLE.get(h.status, "")),
            feed.outlet or feed.title or feed.url, f"{feed.every_s}s",
            (feed.last_fetch_at or "never")[:19].replace("T", " "), str(h.n_articles), str(h.n_pending),
            str(h.n_failed), error,
        )
    return table


@contextmanager
def live_feeds(console: Console, watcher: Watcher) -> Iterator[Callable[[CycleReport], None]]:
    """A live view redrawn after each cycle: the cycle's line above the feeds' table."""
    store = FeedStore(watcher.db)

    def view(line: str) -> Any:
        return Group(Text(line, style="bold"), health_table(store.health(errors_shown=1)))

    with Live(view("watch: first cycle running..."), console=console, refresh_per_second=2) as live:
        yield lambda report: live.update(view(f"watch {report.line()}"))
