"""Live coverage: watch outlets' feeds, store each new or edited article, keep the stories up to date."""

from __future__ import annotations

import logging

from .feeds import FeedListing, OpmlFeed, read_listing, read_opml
from .fetch import FetchError, Fetched, Fetcher, RobotsDisallowed
from .pages import page_article, watched_id
from .settings import WatchSettings, parse_duration, parse_size
from .watcher import CycleReport, Watcher

__all__ = [
    "CycleReport",
    "FeedListing",
    "FetchError",
    "Fetched",
    "Fetcher",
    "OpmlFeed",
    "RobotsDisallowed",
    "WatchSettings",
    "Watcher",
    "page_article",
    "parse_duration",
    "parse_size",
    "read_listing",
    "read_opml",
    "watched_id",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
