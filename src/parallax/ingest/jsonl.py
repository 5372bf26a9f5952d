"""JSON inputs: ``.jsonl`` rows streamed line by line, ``.json`` arrays or objects, and ``.gz`` of either."""

from __future__ import annotations

import gzip
import json
import logging
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from parallax.errors import InputError
from parallax.ingest.assemble import Draft, finish
from parallax.ingest.html import fragment_to_text
from parallax.model import Article

__all__ = [
    "Overlong",
    "bounded_lines",
    "json_articles",
    "parse_json",
    "read_json_text",
    "read_jsonl_file",
    "read_jsonl_lines",
    "row_article",
]

LOGGER = logging.getLogger(__name__)

# Field names that common news datasets and APIs (NewsAPI, news-please, GDELT exports, RSS-to-JSON tools)
# use for each article attribute, in order of preference; "a.b" is field b of object a.
_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "full_text", "maintext"),
    "id": ("id", "guid"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "publisher", "site_name", "outlet.name", "source.name", "publisher.name"),
    "date": ("date", "published", "published_at", "publishedAt", "pubDate", "date_publish", "datePublished"),
    "url": ("url", "link"),
    "byline": ("byline", "author", "authors"),
    "story": ("story",),
}
# Where a number is a fine value: ids, and dates as Unix timestamps.
_NUMBERS_WELCOME = frozenset({"id", "date", "story"})
# A body holding HTML markup (not just a "<" in prose): it is converted to paragraphs.
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|a|b|i|em|strong|ul|ol|li|h[1-6]|blockquote|figure|img|table)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
# Piece size for reading past the end of an overlong line.
_SKIP_BYTES = 1 << 20
_INT_DIGITS = min(sys.get_int_max_str_digits() or 4300, 4300)


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line over the byte limit, read only far enough to know its length."""

    size: int


def read_jsonl_file(path: Path, *, max_bytes: int) -> Iterator[Article | InputError]:
    """Stream a ``.jsonl`` (or ``.jsonl.gz``) file; ``max_bytes`` bounds each line, not the file."""
    name = str(path)
    try:
        with _open(path) as handle:
            yield from read_jsonl_lines(bounded_lines(handle, max_bytes=max_bytes), source=name, max_bytes=max_bytes)
    except PermissionError:
        yield InputError(name, "cannot be read (permission denied)", "make it readable (chmod a+r)")
    except (OSError, EOFError, zlib.error) as error:
        yield InputError(name, f"is corrupt or truncated ({error})", "re-create or re-download the file")


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def bounded_lines(handle: IO[bytes], *, max_bytes: int) -> Iterator[bytes | Overlong]:
    """Each line of ``handle``, never holding more than ``max_bytes`` + 1 bytes of one line.

    A longer line is read on in pieces and thrown away, and comes out as :class:`Overlong`: a 1 GiB line
    inside a 1 MB ``.jsonl.gz`` costs the time to decompress it, not the memory to hold it.
    """
    while line := handle.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n") and (line := handle.readline(_SKIP_BYTES)):
            size += len(line)
        yield Overlong(size)


def read_jsonl_lines(
    lines: Iterable[bytes | Overlong], *, source: str, max_bytes: int
) -> Iterator[Article | InputError]:
    """One article per non-blank line; a bad line yields one error naming ``source:line``."""
    for number, raw in enumerate(lines, start=1):
        where = f"{source}:{number}"
        if isinstance(raw, Overlong) or len(raw) > max_bytes:
            size = raw.size if isinstance(raw, Overlong) else len(raw)
            yield InputError(where, f"line is {size:,} bytes, over the {max_bytes:,}-byte limit", "split it")
            continue
        if not raw.strip():
            continue
        row = _parse_line(raw, where=where)
        yield row if isinstance(row, InputError) else row_article(row, source=where, source_path=source)


def _parse_line(raw: bytes, *, where: str) -> Any | InputError:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return InputError(
            where, f"is not valid UTF-8 (offset {error.start} in the line)", "convert it to UTF-8"
        )
    return parse_json(text, where=where, hint="fix or remove that line")


def parse_json(text: str, *, where: str, hint: str) -> Any | InputError:
    """The parsed JSON, or an error for ``where`` saying why it cannot be read (syntax, nesting).

    Numbers of any length are read (over 4,300 digits as :class:`~decimal.Decimal`), and nesting too
    deep for the decoder is an error, not a crash: this is the one JSON parser for untrusted input.
    """
    try:
        return json.loads(text, parse_int=_int)
    except json.JSONDecodeError as error:
        place = f"line {error.lineno} column {error.colno}" if error.lineno > 1 else f"column {error.colno}"
        # Some of json's messages end in "at" already ("Unterminated string starting at").
        joint = " " if error.msg.endswith(" at") else " at "
        return InputError(where, f"is not valid JSON ({error.msg}{joint}{place})", hint)
    except RecursionError:
        # json's decoder recurses once per nested array or object; an article is never that deep.
        return InputError(where, "is JSON nested too deeply to read", "flatten it: one object per article")


def _int(digits: str) -> int | Decimal:
    # int() refuses over 4,300 digits (CPython's guard against quadratic conversion); Decimal does not.
    return int(digits) if len(digits) <= _INT_DIGITS else Decimal(digits)


def read_json_text(text: str, *, source: str) -> Iterator[Article | InputError]:
    """Articles from a JSON document: one object, an array of objects, or ``{"articles": [...]}``."""
    data = parse_json(text, where=source, hint="fix it")
    if isinstance(data, InputError):
        yield data
        return
    yield from json_articles(data, source=source, source_path=source)


def json_articles(data: Any, *, source: str, source_path: str | None = None) -> Iterator[Article | InputError]:
    """Articles from parsed JSON (:func:`parse_json`): one object, an array of objects, or ``{"articles": [...]}``."""
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    rows = data if isinstance(data, list) else [data]
    for index, row in enumerate(rows):
        where = f"{source}[{index}]" if isinstance(data, list) else source
        yield row_article(row, source=where, source_path=source_path)


def row_article(row: Any, *, source: str, source_path: str | None = None) -> Article | InputError:
    """An article from one JSON object with at least a body (``text``, ``body``, ``content``, ...)."""
    if not isinstance(row, dict):
        return InputError(
            source, f"is a JSON {_json_kind(row)}, not an object", "give one object per article"
        )
    text = _body(row, source=source)
    if isinstance(text, InputError):
        return text
    fields = {name: _field(row, name, source=source) for name in _FIELDS if name != "text"}
    return finish(
        Draft(
            text=fragment_to_text(text) if _HTML_TAG.search(text) else text,
            id=fields["id"],
            title=fields["title"],
            outlet=fields["outlet"],
            date=fields["date"],
            url=fields["url"],
            byline=fields["byline"],
            story_hint=fields["story"],
        ),
        source=source,
        source_path=source_path,
    )


def _json_kind(value: Any) -> str:
    """JSON's name for the kind of a parsed value (never Python's: 'Decimal', 'NoneType')."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    return {str: "string", list: "array"}.get(type(value), "value")


def _lookup(row: dict[str, Any], key: str) -> Any:
    """``row[key]``, where ``"a.b"`` is field ``b`` of object ``a``; None when absent."""
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _body(row: dict[str, Any], *, source: str) -> str | InputError:
    """The article body: the first text field holding words (a list of paragraphs is joined)."""
    for key in _FIELDS["text"]:
        value = _lookup(row, key)
        if isinstance(value, list) and value and all(isinstance(part, str) for part in value):
            value = "\n".join(value)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, (int, float, Decimal)):
            shown = str(value) if len(str(value)) <= 20 else f"{str(value)[:20]}..."
            return InputError(
                source, f"has a number ({shown}) in '{key}', where the article's text should be",
                f'give the body as a JSON string: "{key}": "..."',
            )
    names = ", ".join(repr(key) for key in _FIELDS["text"] if "." not in key)
    return InputError(source, "row has no 'text'", f"give each row a non-empty \"text\" field (or one of {names})")


def _field(row: dict[str, Any], name: str, *, source: str) -> str | None:
    """The first of ``name``'s field names that holds a value, as text."""
    for key in _FIELDS[name]:
        value = _lookup(row, key)
        if isinstance(value, list) and value and all(isinstance(part, str) for part in value):
            return ", ".join(value)  # "authors": ["A", "B"]
        if value is None or isinstance(value, (dict, list)) or value == "":
            continue
        if isinstance(value, (bool, int, float, Decimal)) and name not in _NUMBERS_WELCOME:
            LOGGER.warning("%s: '%s' is a number (%s), not text; read as text", source, key, str(value)[:20])
        return str(value)
    return None


