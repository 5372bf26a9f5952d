"""A fetched article page made into an :class:`Article` by ingest's own HTML reader and cleaning."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from parallax.errors import InputError
from parallax.ingest.html import read_html
from parallax.ingest.options import IngestOptions
from parallax.ingest.outlets import UNKNOWN_OUTLET, host_of, resolve_outlet
from parallax.ingest.reading import decode
from parallax.model import Article
from parallax.store.feeds import PendingItem

from .fetch import Fetched

__all__ = ["page_article", "watched_id"]

LOGGER = logging.getLogger(__name__)


def watched_id(url: str) -> str:
    """The id of the article a watched page URL is stored as: the same URL keeps one id across versions."""
    return "w-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def page_article(fetched: Fetched, item: PendingItem, *, options: IngestOptions,
                 feed_title: str | None = None) -> Article | InputError:
    """The article on a fetched page, credited as the feed says, or an error naming the page.

    The outlet is the feed's ``--outlet`` when given, else what the page says about itself (site name,
    then the feed's title for a page on the feed's site, else the page's host); the date is the feed's publication time when it has one (the
    outlet's own clock, to the second), else the page's.
    """
    text = _text(fetched)
    if isinstance(text, InputError):
        return text
    found = next(iter(read_html(text, source=item.url)), None)
    if found is None or isinstance(found, InputError):
        return found or InputError(item.url, "has no article text", "check it is an article page")
    outlet = item.outlet or found.outlet
    if outlet == UNKNOWN_OUTLET:
        # A page on the feed's own site is the feed's outlet; one elsewhere (an aggregator's item) is its host's.
        same_site = host_of(item.url) == host_of(item.feed_url)
        outlet = feed_title if same_site and feed_title else resolve_outlet(url=item.url)
    outlet = options.outlet_names.canonical(outlet) if outlet != UNKNOWN_OUTLET else outlet
    words = len(found.text.split())
    if words < options.min_words:
        return InputError(item.url, f"has {words} word(s) of article text, under the {options.min_words} an"
                          " article needs", "check it is an article page, not a teaser")
    return replace(found, id=watched_id(item.url), outlet=outlet, url=item.url, source_path=item.url,
                   date=item.published or found.date, title=found.title or item.title or found.title)


def _text(fetched: Fetched) -> str | InputError:
    charset = fetched.charset
    if charset and charset.replace("-", "") not in ("utf8", "utf8sig"):
        try:
            return fetched.body.decode(charset, errors="replace")
        except LookupError:
            LOGGER.info("%s declares unknown charset %r; reading it as UTF-8", fetched.url, charset)
    return decode(fetched.body, name=fetched.url)
