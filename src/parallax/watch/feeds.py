"""Reading what a feed lists (RSS/Atom, via feedparser) and the feeds an OPML file names."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser

from parallax.errors import InputError
from parallax.ingest.feeds import check_xml
from parallax.store.feeds import FeedEntry

__all__ = ["FeedListing", "OpmlFeed", "read_listing", "read_opml"]


@dataclass(frozen=True, slots=True)
class FeedListing:
    """A fetched feed: its title and its entries that link to a page (others are counted, not kept)."""

    title: str | None
    entries: tuple[FeedEntry, ...]
    without_link: int


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None


def read_listing(data: bytes, *, url: str) -> FeedListing:
    """The entries of the feed in ``data`` (fetched from ``url``; relative links are resolved against it).

    Raises:
        InputError: the body is not a well-formed, safe RSS or Atom feed.
    """
    problem = check_xml(data, source=url)
    if problem is not None:
        raise problem
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    entries, without_link = [], 0
    seen: set[str] = set()
    for entry in parsed.entries:
        link = _link(entry, base=url)
        if link is None:
            without_link += 1
            continue
        if link in seen:
            continue
        seen.add(link)
        entries.append(_entry(entry, link))
    title = parsed.feed.get("title") or None
    return FeedListing(title, tuple(entries), without_link)


def _link(entry: Any, *, base: str) -> str | None:
    raw = (entry.get("link") or "").strip()
    if not raw:
        return None
    link = urljoin(base, raw).split("#", 1)[0]
    return link if urlsplit(link).scheme in ("http", "https") else None


def _entry(entry: Any, link: str) -> FeedEntry:
    raw = entry.get("published") or entry.get("updated") or None
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    published = time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None
    # What an outlet changes in the feed when it edits the article: the title, the updated stamp, the teaser.
    parts = (entry.get("title", ""), entry.get("updated", ""), raw or "", entry.get("summary", ""))
    fingerprint = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return FeedEntry(link, entry.get("id") or None, entry.get("title") or None, published, raw, fingerprint)


def read_opml(path: str | Path) -> list[OpmlFeed]:
    """The feeds (``xmlUrl`` outlines, at any depth) of an OPML file.

    Raises:
        InputError: the file cannot be read, is not safe well-formed XML, or is not OPML.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror})", "check the path") from None
    try:
        root = defusedxml.ElementTree.parse(io.BytesIO(data), forbid_dtd=True).getroot()
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise InputError(name, "declares a DTD or entities", "remove the <!DOCTYPE ...>") from None
    except ParseError as exc:
        raise InputError(name, f"is not well-formed XML ({exc})", "fix the XML or export the OPML again") from None
    if root.tag.lower() != "opml":
        raise InputError(name, f"is XML but not OPML (root <{root.tag}>)", "pass an OPML subscription list")
    feeds = list(_outlines(root))
    if not feeds:
        raise InputError(name, "names no feed (no outline has an xmlUrl)", "check it is a subscription list")
    return feeds


def _outlines(root: Any) -> Iterator[OpmlFeed]:
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in seen and urlsplit(url).scheme in ("http", "https"):
            seen.add(url)
            yield OpmlFeed(url, outline.get("title") or outline.get("text") or None)
