"""Ingest: read articles from text, HTML, RSS/Atom and JSON inputs and clean them.

The one entry point is :func:`iter_inputs`. It never raises for bad input: every file or item that
cannot be read becomes an :class:`~parallax.errors.InputError` in the stream, and the rest go on.
"""

from __future__ import annotations

import gzip
import logging
import os
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from parallax.errors import InputError
from parallax.ingest.clean import Cleaned, clean_text
from parallax.ingest.dedup import NearDuplicateIndex, content_hash, minhash_bytes, minhash_from_bytes
from parallax.ingest.feeds import read_feed
from parallax.ingest.html import read_html
from parallax.ingest.jsonl import read_json_text, read_jsonl_file, read_jsonl_lines
from parallax.ingest.options import SHORT_ARTICLE_WORDS, IngestOptions
from parallax.ingest.outlets import UNKNOWN_OUTLET, OutletAliasError, OutletNames, resolve_outlet
from parallax.ingest.reading import (
    Kind,
    check_readable,
    declared_xml_encoding,
    decode,
    kind_from_name,
    read_bounded,
    read_stream,
    sniff,
    unexpected_error,
)
from parallax.ingest.txt import read_txt
from parallax.model import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SHORT_ARTICLE_WORDS",
    "Cleaned",
    "IngestOptions",
    "NearDuplicateIndex",
    "OutletAliasError",
    "OutletNames",
    "clean_text",
    "content_hash",
    "iter_inputs",
    "minhash_bytes",
    "minhash_from_bytes",
    "resolve_outlet",
]

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())

DEFAULT_MAX_BYTES = 20_000_000
STDIN_NAME = "<stdin>"


def iter_inputs(
    paths: Sequence[str | Path],
    *,
    stdin: TextIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    options: IngestOptions | None = None,
    passed_over: list[Path] | None = None,
) -> Iterator[Article | InputError]:
    """Read every input and yield cleaned articles, or an error for each item that cannot be read.

    Args:
        paths: files, directories (walked recursively in sorted order) or ``"-"`` for ``stdin``.
        stdin: the stream ``"-"`` reads; ``sys.stdin`` when None. Its kind is sniffed from the content.
        max_bytes: the largest document read whole into memory; JSONL files are streamed, so the
            limit applies to each of their lines instead.
        options: outlet, outlet spellings and shortest article (:class:`IngestOptions`).
        passed_over: when given, each file a folder walk leaves out for its kind (``.pdf``, ``.md``) is
            appended to it.

    Returns:
        An iterator of :class:`Article` and :class:`InputError`, in input order.
    """
    options = options or IngestOptions()
    for item in _read_all(paths, stdin=stdin, max_bytes=max_bytes, passed_over=passed_over):
        yield item if isinstance(item, InputError) else _apply(item, options)


def _read_all(
    paths: Sequence[str | Path], *, stdin: TextIO | None, max_bytes: int, passed_over: list[Path] | None
) -> Iterator[Article | InputError]:
    for raw in paths:
        if str(raw) == "-":
            yield from _guarded(
                _read_stdin(stdin if stdin is not None else sys.stdin, max_bytes=max_bytes), STDIN_NAME
            )
        elif Path(raw).is_dir():
            yield from _walk(Path(raw), max_bytes=max_bytes, passed_over=passed_over)
        else:
            yield from _guarded(_read_path(Path(raw), explicit=True, max_bytes=max_bytes), str(raw))


def _apply(article: Article, options: IngestOptions) -> Article | InputError:
    """The article as ``options`` want it: its outlet named and spelled their way, long enough to keep."""
    words = len(article.text.split())
    if words < options.min_words:
        return InputError(
            article.source_path or article.id,
            f"article {article.id!r} has {words} word(s), under the {options.min_words} an article needs",
            "pass --keep-short to keep short articles",
        )
    outlet = options.outlet or article.outlet
    if outlet != UNKNOWN_OUTLET:
        outlet = options.outlet_names.canonical(outlet)
    return article if outlet == article.outlet else replace(article, outlet=outlet)


def _guarded(items: Iterator[Article | InputError], name: str) -> Iterator[Article | InputError]:
    """``items``, ending in an error for ``name`` if reading it fails on a bug; the next input goes on."""
    try:
        yield from items
    except Exception as error:  # noqa: BLE001 - one file's bug must not cost the files after it
        yield unexpected_error(name, error)


def _walk(root: Path, *, max_bytes: int, passed_over: list[Path] | None) -> Iterator[Article | InputError]:
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as error:
        yield InputError(str(root), f"cannot be listed ({error.strerror})", "check the folder's permissions")
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            LOGGER.debug("skipping hidden %s", path)
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(path, max_bytes=max_bytes, passed_over=passed_over)
        elif kind_from_name(path) is None:
            LOGGER.info("passed over %s: not a kind parallax reads (txt, html, rss/atom/xml, json, jsonl)", path)
            if passed_over is not None:
                passed_over.append(path)
        else:
            yield from _guarded(_read_path(path, explicit=False, max_bytes=max_bytes), str(path))


def _read_path(path: Path, *, explicit: bool, max_bytes: int) -> Iterator[Article | InputError]:
    problem = check_readable(path, explicit=explicit)
    if problem:
        yield problem
        return
    kind = kind_from_name(path)
    if kind == "jsonl":
        yield from read_jsonl_file(path, max_bytes=max_bytes)
        return
    data = _read_gzip(path, max_bytes=max_bytes) if path.suffix.lower() == ".gz" else None
    if data is None:
        data = read_bounded(path, max_bytes=max_bytes)
    if isinstance(data, InputError):
        yield data
        return
    yield from _read_data(data, kind=kind, name=str(path), stem=path.name.split(".")[0] or None)


def _read_gzip(path: Path, *, max_bytes: int) -> bytes | InputError:
    name = str(path)
    try:
        with gzip.open(path, "rb") as handle:
            return read_stream(handle, name=name + " (uncompressed)", max_bytes=max_bytes)
    except (OSError, EOFError, zlib.error) as error:
        return InputError(name, f"is corrupt or truncated gzip ({error})", "re-create or re-download it")


def _read_stdin(stream: TextIO, *, max_bytes: int) -> Iterator[Article | InputError]:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data = read_stream(buffer, name=STDIN_NAME, max_bytes=max_bytes)
    else:
        data = stream.read(max_bytes + 1).encode("utf-8")
        if len(data) > max_bytes:
            data = InputError(STDIN_NAME, f"holds over {max_bytes:,} bytes", "pass it as a file")
    if isinstance(data, InputError):
        yield data
        return
    yield from _read_data(data, kind=None, name=STDIN_NAME, stem=None)


def _read_data(
    data: bytes, *, kind: Kind | None, name: str, stem: str | None
) -> Iterator[Article | InputError]:
    text = decode(data, name=name)
    if isinstance(text, InputError) and _is_other_encoding_xml(data):
        # An XML prolog may declare another encoding; the XML parser decodes those itself.
        yield from read_feed(data, source=name)
        return
    if isinstance(text, InputError):
        yield text
        return
    # ".xml" may hold a page as well as a feed, and unnamed input says nothing about itself.
    if kind is None or name.lower().endswith((".xml", ".xml.gz")):
        kind = sniff(text)
    LOGGER.debug("reading %s as %s", name, kind)
    if kind == "feed":
        yield from read_feed(data, source=name)
    elif kind == "html":
        yield from read_html(text, source=name)
    elif kind == "json":
        yield from read_json_text(text, source=name)
    elif kind == "jsonl":
        lines = (line.encode("utf-8") for line in text.splitlines())
        yield from read_jsonl_lines(lines, source=name, max_bytes=len(data))
    else:
        yield from read_txt(text, source=name, stem=stem)


def _is_other_encoding_xml(data: bytes) -> bool:
    encoding = declared_xml_encoding(data)
    return encoding is not None and encoding.replace("-", "").replace("_", "") != "utf8"
