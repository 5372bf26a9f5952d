"""What a watcher may be told: each setting declared once, with its default and why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parallax import __version__
from parallax.errors import ConfigError

__all__ = ["WatchSettings", "parse_duration", "parse_size"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$", re.IGNORECASE)
_SIZES = {"b": 1, "k": 1000, "kb": 1000, "m": 1_000_000, "mb": 1_000_000, "g": 1_000_000_000, "gb": 1_000_000_000}


def parse_duration(text: str, *, name: str = "duration") -> float:
    """Seconds in ``"10m"``, ``"30s"``, ``"1.5h"``, ``"250ms"`` or a bare number of seconds.

    Raises:
        ConfigError: the text is not a positive duration.
    """
    match = _DURATION.match(str(text))
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(f"{name} {text!r} is not a duration; write it like 30s, 10m, 1h or 250ms")
    return float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]


def parse_size(text: str, *, name: str = "size") -> int:
    """Bytes in ``"2MB"``, ``"500k"`` or a bare number of bytes.

    Raises:
        ConfigError: the text is not a positive size.
    """
    match = _SIZE.match(str(text))
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(f"{name} {text!r} is not a size; write it like 2MB, 500kB or 1000000")
    return int(float(match.group(1)) * _SIZES[(match.group(2) or "b").lower()])


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """How a watcher fetches. The defaults are polite for public sites: set by judgement, not calibrated.

    Attributes:
        contact: a URL or address where a site's operator can reach whoever runs the watcher; it goes in
            the User-Agent (``$PARALLAX_CONTACT``).
        every_s: poll every feed this often, over each feed's own interval (tests and one-off runs); None
            keeps each feed's interval.
        host_delay_s: the least time between two requests to one host (a robots.txt Crawl-delay that is
            longer wins).
        timeout_s: the longest one request may take, connecting and reading together.
        max_feed_bytes / max_page_bytes: larger bodies are refused unread (a 3 MB page is not an article).
        max_redirects: redirects followed per request; a loop fails at once.
        max_attempts: tries of one page before it is given up (errors that cannot heal, 404 or a page too
            large, give up at once).
        backoff_cap_s: the longest wait between tries of a failing feed or page (the wait doubles per
            consecutive failure from the feed's interval, or from ``retry_s`` for a page).
        retry_s: the first wait before a failed page is tried again.
        recheck_s / recheck_window_s: pages of items a feed listed in the last ``recheck_window_s`` are
            fetched again (conditionally) every ``recheck_s`` to catch edits; 0 turns rechecks off.
        max_items: pages fetched per cycle at most (the rest wait for the next cycle).
        max_hosts: hosts fetched from at once (requests to one host are always one at a time).
        analyze / compare: analyse stored articles into stories after each cycle, and recompare the
            stories that changed.
        robots: obey robots.txt (the default; off only for testing one's own server).
    """

    contact: str | None = None
    every_s: float | None = None
    host_delay_s: float = 1.0
    timeout_s: float = 20.0
    max_feed_bytes: int = 5_000_000
    max_page_bytes: int = 2_000_000
    max_redirects: int = 5
    max_attempts: int = 5
    backoff_cap_s: float = 6 * 3600.0
    retry_s: float = 60.0
    recheck_s: float = 3600.0
    recheck_window_s: float = 2 * 86400.0
    max_items: int = 500
    max_hosts: int = 8
    analyze: bool = True
    compare: bool = True
    robots: bool = True

    @property
    def user_agent(self) -> str:
        """``parallax/0.1.0 (+CONTACT; news comparison)``: names the program and how to reach its operator."""
        if self.contact:
            return f"parallax/{__version__} (+{self.contact}; news comparison)"
        return f"parallax/{__version__} (news comparison; operator gave no contact)"

    def backoff(self, base_s: float, failures: int) -> float:
        """The wait after ``failures`` consecutive failures (1 = the first): base, 2 x base, 4 x base..."""
        return float(min(base_s * 2 ** max(failures - 1, 0), max(self.backoff_cap_s, base_s)))
