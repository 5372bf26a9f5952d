"""Bounded, checked reading of input bytes and sniffing of what kind of input they hold."""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO, Literal

from parallax.errors import InputError

__all__ = ["Kind", "check_readable", "decode", "kind_from_name", "read_bounded", "read_stream", "sniff"]

LOGGER = logging.getLogger(__name__)

Kind = Literal["txt", "html", "feed", "json", "jsonl"]

_SUFFIXES: dict[str, Kind] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
# How far into a file the sniffers look; a feed or page declares itself in its first few elements.
_SNIFF_CHARS = 4096
_BINARY_PROBE = 8192
# The problem text of an input that failed on a bug rather than on something wrong with it.
UNEXPECTED_PROBLEM = "could not be read because of an unexpected error in parallax"
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding=["']([A-Za-z0-9._-]+)["']""")


def kind_from_name(path: Path) -> Kind | None:
    """The input kind named by the file's suffix (looking through ``.gz``), or None."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return _SUFFIXES.get(suffixes[-1]) if suffixes else None


def is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def check_readable(path: Path, *, explicit: bool) -> InputError | None:
    """An error if ``path`` cannot be opened as an input file; fifos only when named explicitly."""
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return InputError(name, "is a broken symbolic link", "fix or remove the link")
        return InputError(name, "does not exist", "check the path")
    except OSError as error:
        return InputError(name, f"cannot be read ({error.strerror})", "check the path and its permissions")
    if stat.S_ISREG(info.st_mode):
        if not os.access(path, os.R_OK):
            return InputError(name, "cannot be read (permission denied)", "make it readable (chmod a+r)")
        return None
    if explicit and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        return None
    return InputError(name, "is not a regular file", "pass a text, HTML, feed or JSON file")


def too_big(name: str, size: int, max_bytes: int) -> InputError:
    return InputError(
        name,
        f"is {size:,} bytes, over the {max_bytes:,}-byte limit",
        "split it into smaller files or raise the limit (max_bytes / --max-bytes)",
    )


def unexpected_error(name: str, error: Exception) -> InputError:
    """The error for an input that a bug in parallax (or a library under it) failed on.

    Ingest keeps going past it; the traceback is logged at debug level (-vv) for the report.
    """
    LOGGER.debug("unexpected error reading %s", name, exc_info=error)
    return InputError(
        name,
        f"{UNEXPECTED_PROBLEM} ({type(error).__name__}: {str(error)[:200]})",
        "the other inputs were read; please report this with the -vv log",
    )


def read_bounded(path: Path, *, max_bytes: int) -> bytes | InputError:
    """The file's bytes, or an error if it is over ``max_bytes`` (checked before reading it whole)."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return too_big(name, size, max_bytes)
        with path.open("rb") as handle:
            return read_stream(handle, name=name, max_bytes=max_bytes)
    except PermissionError:
        return InputError(name, "cannot be read (permission denied)", "make it readable (chmod a+r)")
    except OSError as error:
        return InputError(name, f"cannot be read ({error.strerror or error})", "check the file")


def read_stream(handle: BinaryIO, *, name: str, max_bytes: int) -> bytes | InputError:
    """Up to ``max_bytes`` from a stream (fifo, stdin), or an error if there is more."""
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        return too_big(name, len(data), max_bytes)
    return data


def decode(data: bytes, *, name: str) -> str | InputError:
    """UTF-8 text of ``data``, or an error saying it is empty, binary or not UTF-8 (and where)."""
    if not data.strip():
        return InputError(name, "is empty", "remove it or give it some text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return InputError(name, "is UTF-16 text", "convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8")
    nul = data.find(b"\x00", 0, _BINARY_PROBE)
    if nul >= 0:
        return InputError(
            name, f"looks binary (NUL byte at offset {nul})", "pass a UTF-8 text, HTML, feed or JSON file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return InputError(
            name,
            f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            "convert it to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8",
        )
    if not text.strip():
        return InputError(name, "is empty", "remove it or give it some text")
    return text


def sniff(text: str) -> Kind:
    """Guess the input kind from the content itself."""
    head = text[:_SNIFF_CHARS].lstrip()
    lowered = head.lower()
    if head.startswith(("{", "[")):
        return _sniff_json(head)
    if head.startswith("<"):
        # An XML prolog or entity declaration goes to the feed reader, whose defusedxml check is the
        # one place that refuses entity expansion and explains what is wrong.
        if lowered.startswith("<?xml") or "<!entity" in lowered:
            return "feed"
        if any(tag in lowered for tag in ("<rss", "<feed", "<rdf:rdf")):
            return "feed"
        return "html"
    return "txt"


def _sniff_json(head: str) -> Kind:
    if head.startswith("["):
        return "json"
    first = head.partition("\n")[0]
    # JSONL puts one complete object on each line; a pretty-printed object spans lines.
    return "jsonl" if first.rstrip().endswith("}") else "json"


def declared_xml_encoding(data: bytes) -> str | None:
    """The encoding an XML prolog declares (``<?xml ... encoding="ISO-8859-1"?>``), lower-cased, or None."""
    match = _XML_ENCODING.match(data[:200])
    return match.group(1).decode("ascii").lower() if match else None
