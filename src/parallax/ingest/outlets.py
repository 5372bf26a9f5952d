"""Readable outlet names from metadata, a syndication trailer or a URL's host."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from parallax.errors import ConfigError

__all__ = [
    "BUILTIN_NAMES",
    "UNKNOWN_OUTLET",
    "OutletAliasError",
    "OutletNames",
    "host_of",
    "outlet_from_host",
    "outlet_key",
    "resolve_outlet",
]

LOGGER = logging.getLogger(__name__)

UNKNOWN_OUTLET = "unknown"


class OutletAliasError(ConfigError):
    """A file of outlet aliases cannot be read."""

    def __init__(self, path: str, problem: str, hint: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}; {hint}")

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
# Spelling variants seen in metadata and trailers -> the same names as above. Names are compared by
# outlet_key, so case, a leading "The", the word "Online", a "(...)" or " - Section" suffix and
# punctuation never need an entry of their own ("Fox News (Online)", "New York Times - News").
_ALIASES: dict[str, str] = {
    "nyt": "New York Times",
    "fox news channel": "Fox News",
    "huffington post": "HuffPost",
    "ap": "Associated Press",
    "bbc news": "BBC",
    "guardian": "The Guardian",
    "mail online": "Daily Mail",
}
# Second-level public suffixes common in news hosts; a full public-suffix list is not worth a
# dependency for a display name.
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "news"}
_HOST_LIKE = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$", re.IGNORECASE)


_SUFFIX = re.compile(r"\s*\([^()]*\)$|\s+[-–—|]\s+.*$")
_KEY_WORDS = re.compile(r"\w+")


def outlet_key(name: str) -> str:
    """What two spellings of one outlet share: casefolded words without a "(...)" or " - ..." suffix, a
    leading "the" or the word "online" ("Fox News (Online)", "Fox Online News" -> "fox news")."""
    words = _KEY_WORDS.findall(_SUFFIX.sub("", " ".join(name.split())).casefold())
    if words[:1] == ["the"]:
        words = words[1:]
    kept = [word for word in words if word != "online"]
    return " ".join(kept or words)


class OutletNames:
    """Outlet spellings -> one canonical name each: the built-in table, extended by a user's file."""

    def __init__(self, aliases: dict[str, str] | None = None) -> None:
        self._names = {outlet_key(name): name for name in _HOSTS.values()}
        for variant, name in {**_ALIASES, **(aliases or {})}.items():
            self._names[outlet_key(variant)] = name
            self._names.setdefault(outlet_key(name), name)

    @classmethod
    def from_file(cls, path: str | Path) -> OutletNames:
        """The built-in table and the aliases of a TOML file: ``[aliases]`` ``"Name" = ["variant", ...]``.

        Raises:
            ConfigError: the file cannot be read or is not in that form.
        """
        return cls(_read_aliases(Path(path)))

    def canonical(self, name: str) -> str:
        """The canonical spelling of ``name``; an unknown name comes back tidied (no "(...)" suffix)."""
        cleaned = " ".join(name.split())
        if _HOST_LIKE.match(cleaned):
            return outlet_from_host(cleaned.lower())
        known = self._names.get(outlet_key(cleaned))
        return known or _SUFFIX.sub("", cleaned) or cleaned


BUILTIN_NAMES = OutletNames()


def _read_aliases(path: Path) -> dict[str, str]:
    hint = 'write it as [aliases] then one line per outlet: "Fox News" = ["Fox Online News", "FNC"]'
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise OutletAliasError(str(path), f"cannot be read as TOML ({error})", hint) from None
    unknown = sorted(set(table) - {"aliases"})
    aliases = table.get("aliases", {})
    if unknown or not isinstance(aliases, dict):
        raise OutletAliasError(str(path), f"has tables other than [aliases] ({', '.join(unknown)})", hint)
    pairs: dict[str, str] = {}
    for name, variants in aliases.items():
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise OutletAliasError(str(path), f"gives {name!r} something other than a list of names", hint)
        pairs.update({variant: name for variant in variants})
    return pairs


def resolve_outlet(
    *, meta: str | None = None, trailer: str | None = None, url: str | None = None,
    names: OutletNames = BUILTIN_NAMES,
) -> str:
    """The outlet's readable name: from metadata, else a trailer, else the URL's host, else ``unknown``."""
    for name in (meta, trailer):
        if name and name.strip():
            return names.canonical(name)
    host = host_of(url)
    return outlet_from_host(host) if host else UNKNOWN_OUTLET


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
