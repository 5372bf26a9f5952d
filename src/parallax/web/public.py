"""What of a stored record a visitor may see: an ingested file's path on this server becomes its base name.

The store keeps each article's ``source_path`` as ingest saw it (``/home/me/news/courier.txt``), and the
CLI shows it to its owner; the site shows only ``courier.txt``, so no page or JSON twin tells a visitor
how the server's disk is laid out.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

__all__ = ["public_comparison", "public_json_bytes", "public_source_path"]

# A "source_path" member with a string value, as json.dumps writes it (with or without the space). Inside
# a JSON string every '"' is escaped, so article text quoting this never matches.
_SOURCE_PATH = re.compile(rb'"source_path":(\s*)"((?:[^"\\]|\\.)*)"')


def public_source_path(path: str | None) -> str | None:
    """The base name of ``path`` (``/srv/in/a.txt`` -> ``a.txt``; Windows separators too); None stays None."""
    if path is None:
        return None
    return PurePosixPath(path.replace("\\", "/")).name or path.strip("/\\") or None


def public_article(article: dict[str, Any]) -> dict[str, Any]:
    """An article's JSON form with its ``source_path`` cut to the base name."""
    if article.get("source_path") is None:
        return article
    return {**article, "source_path": public_source_path(article["source_path"])}


def public_comparison(data: dict[str, Any]) -> dict[str, Any]:
    """A comparison's (or an analysed article's) JSON form with every article's ``source_path`` cut."""
    out = dict(data)
    if isinstance(out.get("articles"), list):
        out["articles"] = [public_article(a) if isinstance(a, dict) else a for a in out["articles"]]
    if isinstance(out.get("article"), dict):
        out["article"] = public_article(out["article"])
    return out


def public_json_bytes(body: bytes) -> bytes:
    """Stored JSON text with each ``source_path`` cut to its base name, without parsing the whole document."""

    def cut(match: re.Match[bytes]) -> bytes:
        path = json.loads(b'"' + match[2] + b'"')
        return b'"source_path":' + match[1] + json.dumps(public_source_path(path)).encode()

    return _SOURCE_PATH.sub(cut, body)
