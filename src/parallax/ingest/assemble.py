"""Turn what a reader found (a :class:`Draft`) into a cleaned :class:`~parallax.model.Article`."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from parallax.errors import InputError
from parallax.ingest.clean import clean_text, first_words, looks_like_headline
from parallax.ingest.dates import normalize_date
from parallax.ingest.dedup import content_hash
from parallax.ingest.outlets import resolve_outlet
from parallax.ingest.reading import unexpected_error
from parallax.model import Article, Removed

__all__ = ["Draft", "finish"]

LOGGER = logging.getLogger(__name__)

_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Draft:
    """One article as a reader found it, before cleaning. ``None`` means the input did not say."""

    text: str
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    byline: str | None = None
    story_hint: str | None = None
    # Plain-text inputs carry no title field, so their first line may be the headline.
    title_from_first_line: bool = False
    # Lines a reader took out before cleaning (a text file's "Outlet:" line), kept with their reason.
    removed: tuple[Removed, ...] = ()


def finish(draft: Draft, *, source: str, source_path: str | None = None) -> Article | InputError:
    """Clean the draft's body and fill the article's title, outlet, byline, hash and id.

    ``source`` names the item in messages (``file:line``); ``source_path`` is the file, kept on the article.
    Whatever goes wrong with one item becomes an error for that item, never an exception.
    """
    problem = _surrogate_problem(draft, source=source)
    if problem is not None:
        return problem
    try:
        return _finish(draft, source=source, source_path=source_path)
    except Exception as error:  # noqa: BLE001 - one item's bug must not cost the other items
        return unexpected_error(source, error)


def _surrogate_problem(draft: Draft, *, source: str) -> InputError | None:
    """An error if a field holds a lone surrogate (JSON's "\\ud800"), which no UTF-8 text can hold."""
    for name in ("text", "title", "outlet", "date", "url", "byline", "id", "story_hint"):
        value = getattr(draft, name)
        match = _SURROGATE.search(value) if isinstance(value, str) else None
        if match:
            return InputError(
                source,
                f"has a lone surrogate \\u{ord(match.group()):04x} in its {name} at character {match.start()},"
                " which is not valid Unicode text",
                "fix the \\u escape in the input (surrogates come in pairs) or remove it",
            )
    return None


def _finish(draft: Draft, *, source: str, source_path: str | None) -> Article | InputError:
    cleaned = clean_text(draft.text)
    text, removed = cleaned.text, (*draft.removed, *cleaned.removed)
    title = _text_or_none(draft.title) or cleaned.title
    if draft.title_from_first_line:
        title, text, removed = _headline_from_first_line(text, removed, known=title)
    if not text:
        return InputError(source, "has no article text after cleaning", "check that it holds an article body")
    digest = content_hash(text)
    raw_date = _text_or_none(draft.date)
    date = normalize_date(raw_date)
    if raw_date and date is None:
        LOGGER.warning("%s: date %r is not a date parallax can read; left empty", source, raw_date)
    return Article(
        id=_text_or_none(draft.id) or "a-" + digest[:16],
        outlet=resolve_outlet(meta=draft.outlet, trailer=cleaned.outlet, url=draft.url),
        title=title or first_words(text),
        text=text,
        date=date,
        url=_text_or_none(draft.url),
        byline=cleaned.byline or _text_or_none(draft.byline),
        source_path=source_path or source,
        content_hash=digest,
        removed=removed,
        story_hint=_text_or_none(draft.story_hint),
    )


def _headline_from_first_line(
    text: str, removed: tuple[Removed, ...], *, known: str | None
) -> tuple[str | None, str, tuple[Removed, ...]]:
    """Take a headline-like first line as the title; a repeat of a title found elsewhere goes too."""
    first, _, rest = text.partition("\n")
    if not rest:
        return known, text, removed
    if known and first.casefold() != known.casefold():
        return known, text, removed
    if known or looks_like_headline(first):
        return first, rest, (Removed("headline", first), *removed)
    return None, text, removed


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None
