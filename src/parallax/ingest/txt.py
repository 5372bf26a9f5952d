"""Plain UTF-8 text articles in the seeds' form: one paragraph per line, optional trailer.

The outlet may be named on the first or the last line, ``Outlet: Fox News`` or ``Source: Fox News``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from parallax.errors import InputError
from parallax.ingest.assemble import Draft, finish
from parallax.model import Article, Removed

__all__ = ["read_txt"]

LOGGER = logging.getLogger(__name__)

_OUTLET_LINE = re.compile(r"(?:outlet|source)\s*:\s*(?P<name>.+?)[\s.]*", re.IGNORECASE)
# A name, not a sentence: "Source: officials said on Monday that ..." is body text and stays.
_OUTLET_MAX_WORDS = 8
_OUTLET_MAX_CHARS = 60


def read_txt(text: str, *, source: str, stem: str | None = None) -> Iterator[Article | InputError]:
    """One article from a text file; its id is the file's stem when there is a file."""
    outlet, text, removed = _take_outlet_line(text)
    yield finish(
        Draft(text=text, id=stem, outlet=outlet, title_from_first_line=True, removed=removed), source=source
    )


def _take_outlet_line(text: str) -> tuple[str | None, str, tuple[Removed, ...]]:
    """The outlet named on the first or last non-blank line, and the text without that line."""
    lines = text.splitlines()
    filled = [index for index, line in enumerate(lines) if line.strip()]
    for index in filled[:1] + filled[-1:] if len(filled) > 1 else []:
        line = lines[index].strip()
        match = _OUTLET_LINE.fullmatch(line)
        if match and len(match["name"]) <= _OUTLET_MAX_CHARS and len(match["name"].split()) <= _OUTLET_MAX_WORDS:
            rest = lines[:index] + lines[index + 1 :]
            return match["name"].strip(), "\n".join(rest), (Removed("outlet-line", line),)
    return None, text, ()
