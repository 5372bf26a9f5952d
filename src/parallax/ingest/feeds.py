"""RSS and Atom feeds: one article per entry, checked for XML attacks before feedparser sees them."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser

from parallax.errors import InputError
from parallax.ingest.assemble import Draft, finish
from parallax.ingest.html import fragment_to_text
from parallax.ingest.reading import declared_xml_encoding
from parallax.model import Article

__all__ = ["read_feed"]

LOGGER = logging.getLogger(__name__)

_PROLOG_BYTES = 65536
_FEED_ROOTS = ("rss", "feed", "rdf")


def read_feed(data: bytes, *, source: str) -> Iterator[Article | InputError]:
    """One article per feed entry; the full ``content:encoded`` body when the entry has one."""
    problem = check_xml(data, source=source)
    if problem:
        yield problem
        return
    # A stream, never bytes or str, so feedparser cannot mistake the content for a URL or file name.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        yield InputError(source, "is a feed with no entries", "check that the feed lists articles")
        return
    channel = parsed.feed
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry_article(entry, channel, source=f"{source}#{number}", source_path=source)


def check_xml(data: bytes, *, source: str) -> InputError | None:
    """An error if ``data`` is not well-formed XML, declares a DTD or entities, or is not a feed."""
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        # The DTD check fires first, so look for the entity declarations that make it an attack.
        if b"<!ENTITY" in data[:_PROLOG_BYTES].upper():
            return InputError(
                source,
                "declares XML entities (possible entity-expansion attack)",
                "remove the entity declarations",
            )
        return InputError(
            source, "declares a DTD, which feeds are not read with", "remove the <!DOCTYPE ...>"
        )
    except ParseError as error:
        return InputError(
            source, f"is malformed or truncated XML ({error})", "re-download the feed or fix the XML"
        )
    except (LookupError, ValueError) as error:
        # The prolog names an encoding Python does not know (LookupError), one that is no text encoding
        # ('rot13'), or a multi-byte one expat cannot decode (ValueError).
        encoding = declared_xml_encoding(data) or "?"
        return InputError(
            source,
            f"declares an XML encoding that cannot be read ({encoding!r}: {error})",
            'convert it to UTF-8 (iconv -f OLD -t UTF-8) and declare encoding="UTF-8"',
        )
    tag = root.tag.rsplit("}", 1)[-1].lower()
    if tag not in _FEED_ROOTS:
        return InputError(source, f"is XML but not an RSS or Atom feed (root <{tag}>)", "pass a feed file")
    return None


def _entry_article(entry: Any, channel: Any, *, source: str, source_path: str) -> Article | InputError:
    body = _entry_body(entry)
    if not body.strip():
        return InputError(source, "feed entry has no content or summary", "check the feed entry")
    return finish(
        Draft(
            text=body,
            id=entry.get("id") or None,
            title=fragment_to_text(entry.get("title", "")) or None,
            outlet=channel.get("title") or None,
            date=_entry_date(entry),
            url=entry.get("link") or channel.get("link") or None,
            byline=entry.get("author") or None,
        ),
        source=source,
        source_path=source_path,
    )


def _entry_body(entry: Any) -> str:
    # content:encoded (and Atom <content>) carry the full article; the summary is often a teaser.
    contents = [item.get("value", "") for item in entry.get("content", []) if item.get("value")]
    if contents:
        return fragment_to_text(max(contents, key=len))
    return fragment_to_text(entry.get("summary", "") or "")


def _entry_date(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    return entry.get("published") or entry.get("updated") or None
