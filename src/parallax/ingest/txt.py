"""Plain UTF-8 text articles in the seeds' form: one paragraph per line, optional trailer."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from parallax.errors import InputError
from parallax.ingest.assemble import Draft, finish
from parallax.model import Article

__all__ = ["read_txt"]

LOGGER = logging.getLogger(__name__)


def read_txt(text: str, *, source: str, stem: str | None = None) -> Iterator[Article | InputError]:
    """One article from a text file; its id is the file's stem when there is a file."""
    yield finish(Draft(text=text, id=stem, title_from_first_line=True), source=source)
