"""Cleaning: normalise raw article text and take out what is not the article's own prose.

Every line taken out is kept as a :class:`~parallax.model.Removed` with its reason, so nothing is lost
silently and a reader can see why a line is missing. The rules are generic shapes (a syndication
trailer, a line in capitals, a closing author bio); none names a particular article, person or outlet.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from parallax.model import Removed

__all__ = ["Cleaned", "clean_text", "normalise_text"]

LOGGER = logging.getLogger(__name__)

# Control characters other than newline and tab; they come from copy-paste and broken encoders and
# would shift character offsets invisibly.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")

# WordPress-style syndication trailer; feeds append it to every item.
_TRAILER = re.compile(r"^The post (?P<title>.+?) appeared first on (?P<outlet>.+?)\.?$")

# A person's name: two to four capitalised words, allowing initials ("Dmitri S.") and particles.
_NAME = r"(?!The\s|This\s|It\s)[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al|bin|da|del|la|le)){1,4}"
_BIO_PATTERNS = (
    re.compile(rf"^(?P<name>{_NAME}) covers\s+\S.*$"),
    re.compile(
        rf"^(?P<name>{_NAME}),? (?:is|was) (?:a|an|the|our)\b[^.]{{0,80}}?"
        r"\b(?:correspondent|reporter|writer|editor|journalist|columnist|bureau chief|contributor)\b.*$"
    ),
    re.compile(
        rf"^(?P<name>{_NAME})(?:,\s*{_NAME})*(?:,? and {_NAME})? contributed (?:reporting|to this).*$"
    ),
    re.compile(rf"^\(?(?:Reporting|Written) by (?P<name>{_NAME})\b.*$"),
)
# A bio is a short closing note; longer lines are body text that happens to start with a name.
_BIO_MAX_CHARS = 300
_BIO_TAIL_LINES = 3

_BOILERPLATE = re.compile(
    r"^(?:"
    r"(?:click|tap) here\b"
    r"|sign up (?:for|to|now|here)\b"
    r"|subscribe (?:to|now|here|for)\b"
    r"|read more\s*[:.…]"
    r"|read more$"
    r"|continue reading\b"
    r"|(?:story continues below )?advertisement$"
    r"|(?:follow|like) us on\b"
    r"|(?:related|recommended|see also|more on this story)\s*:"
    r"|share this (?:article|story)\b"
    r")",
    re.IGNORECASE,
)
_BOILERPLATE_MAX_CHARS = 250
# Publication stamps on their own line ("UPDATED: THURSDAY, MARCH 14, 2013, 9:31 AM"); they are page
# furniture, and in capitals they would otherwise pass for promo headlines.
_TIMESTAMP = re.compile(
    r"^(?:(?:last )?updated|(?:first )?published|posted)\b\s*:?\s*\S.{0,60}$"
    r"|^(?:mon|tues|wednes|thurs|fri|satur|sun)day,? \w+ \d{1,2},? \d{4}\b.{0,30}$",
    re.IGNORECASE,
)

# Promo headline: short, mostly capitals, no closing sentence punctuation. Calibrated by eye on the
# seeds and the baly corpus: 3+ words and 12+ letters keeps datelines ("WASHINGTON") and acronyms out.
_PROMO_MAX_CHARS = 140
_PROMO_MIN_WORDS = 3
_PROMO_MIN_LETTERS = 12
_PROMO_UPPER_SHARE = 0.8
_SENTENCE_END = tuple(".!?:;,\"'”’)»")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned body and what cleaning learned or took out on the way."""

    text: str
    title: str | None = None
    outlet: str | None = None
    byline: str | None = None
    removed: tuple[Removed, ...] = ()


def normalise_text(raw: str) -> list[str]:
    """Non-empty, whitespace-normalised lines of ``raw``."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    # str.split() splits on every Unicode space (NBSP, thin and ideographic spaces too), and is far
    # faster than a regex that matches each of the many single spaces in long articles.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]


def clean_text(raw: str) -> Cleaned:
    """Clean one article body.

    Args:
        raw: the body as read from the input, any line endings.

    Returns:
        The text with paragraphs joined by ``"\\n"``, the title/outlet from a syndication trailer,
        the byline from a closing author note, and every removed line with its reason.
    """
    lines = normalise_text(raw)
    removed: list[Removed] = []
    title, outlet, lines = _take_trailer(lines, removed)
    byline, lines = _take_bio(lines, removed)
    lines = [line for index, line in enumerate(lines) if _keep(line, index, removed)]
    return Cleaned("\n".join(lines), title, outlet, byline, tuple(removed))


def _take_trailer(lines: list[str], removed: list[Removed]) -> tuple[str | None, str | None, list[str]]:
    for index in range(len(lines) - 1, max(-1, len(lines) - 1 - _BIO_TAIL_LINES), -1):
        match = _TRAILER.match(lines[index])
        if match:
            removed.append(Removed("trailer", lines[index]))
            rest = lines[:index] + lines[index + 1 :]
            return match["title"].strip(), match["outlet"].strip(), rest
    return None, None, lines


def _take_bio(lines: list[str], removed: list[Removed]) -> tuple[str | None, list[str]]:
    for index in range(len(lines) - 1, max(0, len(lines) - _BIO_TAIL_LINES) - 1, -1):
        line = lines[index]
        if index == 0 or len(line) > _BIO_MAX_CHARS:
            continue
        for pattern in _BIO_PATTERNS:
            match = pattern.match(line)
            if match:
                removed.append(Removed("author-bio", line))
                return match["name"].strip(), lines[:index] + lines[index + 1 :]
    return None, lines


def _keep(line: str, index: int, removed: list[Removed]) -> bool:
    if len(line) <= _BOILERPLATE_MAX_CHARS and _BOILERPLATE.match(line):
        removed.append(Removed("boilerplate", line))
        return False
    if _TIMESTAMP.match(line) and any(char.isdigit() for char in line):
        removed.append(Removed("timestamp", line))
        return False
    # The first line may be the article's own headline or dateline, which callers decide about.
    if index > 0 and is_promo_headline(line):
        removed.append(Removed("promo-headline", line))
        return False
    return True


def is_promo_headline(line: str) -> bool:
    """True for a short line set mostly in capitals without closing punctuation."""
    if len(line) > _PROMO_MAX_CHARS or line.endswith(_SENTENCE_END):
        return False
    if len(line.split()) < _PROMO_MIN_WORDS:
        return False
    letters = [char for char in line if char.isalpha()]
    if len(letters) < _PROMO_MIN_LETTERS:
        return False
    upper = sum(1 for char in letters if char.isupper())
    return upper / len(letters) >= _PROMO_UPPER_SHARE


def looks_like_headline(line: str) -> bool:
    """True for a first line that reads as a headline rather than a sentence of the body."""
    words = line.split()
    return 2 <= len(words) <= 20 and len(line) <= 160 and not line.endswith(_SENTENCE_END)


def first_words(text: str, *, limit: int = 12) -> str:
    """A stand-in title: the first ``limit`` words of the first paragraph."""
    words = text.split("\n", 1)[0].split()
    if len(words) <= limit:
        return " ".join(words)
    return " ".join(words[:limit]).rstrip(",;:—-") + " …"
