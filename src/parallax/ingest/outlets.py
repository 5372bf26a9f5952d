"""Readable outlet names from metadata, a syndication trailer or a URL's host."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

__all__ = ["UNKNOWN_OUTLET", "host_of", "outlet_from_host", "resolve_outlet"]

LOGGER = logging.getLogger(__name__)

UNKNOWN_OUTLET = "unknown"

# Registrable domain -> the name readers know the outlet by. Deliberately small: the fallback
# below covers the long tail well enough for display, and metadata usually names the outlet anyway.
_HOSTS: dict[str, str] = {
    "nytimes.com": "New York Times",
    "washingtonpost.com": "Washington Post",
    "wsj.com": "Wall Street Journal",
    "latimes.com": "Los Angeles Times",
    "usatoday.com": "USA Today",
    "nypost.com": "New York Post",
    "chicagotribune.com": "Chicago Tribune",
    "washingtontimes.com": "Washington Times",
    "foxnews.com": "Fox News",
    "cnn.com": "CNN",
    "msnbc.com": "MSNBC",
    "nbcnews.com": "NBC News",
    "cbsnews.com": "CBS News",
    "abcnews.go.com": "ABC News",
    "npr.org": "NPR",
    "huffpost.com": "HuffPost",
    "huffingtonpost.com": "HuffPost",
    "politico.com": "Politico",
    "thehill.com": "The Hill",
    "axios.com": "Axios",
    "bloomberg.com": "Bloomberg",
    "reuters.com": "Reuters",
    "apnews.com": "Associated Press",
    "newsweek.com": "Newsweek",
    "time.com": "Time",
    "theatlantic.com": "The Atlantic",
    "vox.com": "Vox",
    "breitbart.com": "Breitbart",
    "nationalreview.com": "National Review",
    "motherjones.com": "Mother Jones",
    "cnbc.com": "CNBC",
    "forbes.com": "Forbes",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "theguardian.com": "The Guardian",
    "independent.co.uk": "The Independent",
    "telegraph.co.uk": "The Telegraph",
    "dailymail.co.uk": "Daily Mail",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "sky.com": "Sky News",
    "aljazeera.com": "Al Jazeera",
    "france24.com": "France 24",
    "dw.com": "DW",
    "tass.com": "TASS",
    "tass.ru": "TASS",
    "rt.com": "RT",
}
# Spelling variants seen in metadata and trailers -> the same names as above.
_ALIASES: dict[str, str] = {
    "the new york times": "New York Times",
    "nyt": "New York Times",
    "the washington post": "Washington Post",
    "the wall street journal": "Wall Street Journal",
    "the los angeles times": "Los Angeles Times",
    "fox news channel": "Fox News",
    "huffington post": "HuffPost",
    "the huffington post": "HuffPost",
    "the associated press": "Associated Press",
    "ap": "Associated Press",
    "bbc news": "BBC",
    "guardian": "The Guardian",
}
_NAMES = {name.casefold(): name for name in _HOSTS.values()} | _ALIASES

# Second-level public suffixes common in news hosts; a full public-suffix list is not worth a
# dependency for a display name.
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "news"}
_HOST_LIKE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$", re.IGNORECASE)


def resolve_outlet(*, meta: str | None = None, trailer: str | None = None, url: str | None = None) -> str:
    """The outlet's readable name: from metadata, else a trailer, else the URL's host, else ``unknown``."""
    for name in (meta, trailer):
        if name and name.strip():
            return _canonical_name(name)
    host = host_of(url)
    return outlet_from_host(host) if host else UNKNOWN_OUTLET


def _canonical_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if _HOST_LIKE.match(cleaned):
        return outlet_from_host(cleaned.lower())
    return _NAMES.get(cleaned.casefold(), cleaned)


def host_of(url: str | None) -> str | None:
    """The lower-cased host of ``url`` without ``www.``, or None."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:  # "http://[::1": an unclosed IPv6 bracket names no host
        LOGGER.debug("no host in malformed URL %r", url)
        return None
    if not host:
        return None
    return host.lower().removeprefix("www.")


def outlet_from_host(host: str) -> str:
    """``nytimes.com`` -> ``New York Times``; unknown hosts -> their registrable name, title-cased."""
    labels = host.lower().removeprefix("www.").split(".")
    for start in range(len(labels) - 1):
        known = _HOSTS.get(".".join(labels[start:]))
        if known:
            return known
    name = _registrable_label(labels)
    if not name:
        return UNKNOWN_OUTLET
    return " ".join(part.capitalize() for part in re.split(r"[-_]+", name) if part)


def _registrable_label(labels: list[str]) -> str | None:
    if len(labels) < 2:
        return None
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2]
