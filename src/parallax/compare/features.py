"""Per-sentence facts used to compare statements: entity keys, numbers, dates and content words.

Everything here works on records (sentences and mentions), never on a spaCy ``Doc``, so a comparison can
be recomputed from stored analyses without re-parsing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

from parallax.model import AnalyzedArticle, Mention

from parallax.keys import mention_key

from .quantities import Quantity, quantities_in

__all__ = ["SentenceFacts", "content_tokens", "demonym_map", "fact_units", "sentence_facts", "stem"]

LOGGER = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*")
_POSSESSIVE = re.compile(r"[’']s?$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
# Month names and the abbreviations news style uses ("Feb. 28", "Sept. 4"), longest first.
_MONTH_NUMBER = {**{m: i + 1 for i, m in enumerate(_MONTHS)},
                 **{m[:3]: i + 1 for i, m in enumerate(_MONTHS) if m != "may"}, "sept": 9}
_MONTH_DAY = re.compile(r"\b(" + "|".join(sorted((m.capitalize() for m in _MONTH_NUMBER), key=len, reverse=True))
                        + r")\.?\s+(\d{1,2})\b(?!,\d)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(w.capitalize() for w in WEEKDAYS) + r")\b")
_DEMONYM_ENDINGS = ("an", "ese", "i", "ish", "ic")
_RELATIVE_DAY = {"today": 0, "yesterday": -1, "tomorrow": 1}
_EXTRA_STOP = {"said", "says", "say", "told", "according", "mr", "ms", "mrs", "also", "would", "could",
               "will", "added", "continued", "’s", "'s", "like", "just"}


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    """What one sentence asserts, reduced to comparable keys."""

    article_id: str
    outlet: str
    index: int
    start: int
    end: int
    text: str
    entities: frozenset[str]
    persons: frozenset[str]
    places: frozenset[str]
    numbers: tuple[tuple[float, str], ...]  # (value, the word after it)
    dates: frozenset[str]
    tokens: frozenset[str]  # stemmed content words
    quantities: tuple[Quantity, ...] = ()  # values with what they count and their bounds
    published: str | None = None  # the article's date (ISO), when it has one
    headline: bool = False  # the article's title repeated as its first line: shown, never aligned


def fact_units(facts: SentenceFacts) -> set[str]:
    """The comparable facts of a sentence as one set of prefixed keys."""
    units = {f"e:{key}" for key in facts.entities} | {f"w:{tok}" for tok in facts.tokens}
    units |= {f"n:{value:g}" for value, _ in facts.numbers}
    units |= {f"d:{date}" for date in facts.dates}
    return units


def stem(word: str) -> str:
    """A crude suffix-stripping stem: enough to match "strikes"/"strike", "condemned"/"condemning"."""
    word = word.lower().strip("’'")
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_tokens(text: str) -> list[str]:
    """Lower-cased content words (no stop words, no numbers)."""
    out = []
    for match in _TOKEN.finditer(text):
        word = _POSSESSIVE.sub("", match.group().lower())
        if word and word[0].isalpha() and word not in STOP_WORDS and word not in _EXTRA_STOP and len(word) > 1:
            out.append(word)
    return out


def demonym_map(keys: Iterable[str]) -> dict[str, str]:
    """Adjective forms ("iranian", "israeli") mapped to the place key they derive from."""
    places = sorted({k for k in keys if " " not in k and len(k) >= 4}, key=len, reverse=True)
    mapping: dict[str, str] = {}
    for key in keys:
        if not key.endswith(_DEMONYM_ENDINGS):
            continue
        for place in places:
            stemmed = place[:-1] if place[-1] in "aeiou" else place
            if len(key) > len(place) and key.startswith(stemmed) and len(key) - len(place) <= 3:
                mapping[key] = place
                break
    return mapping


def numbers_in(text: str) -> tuple[tuple[float, str], ...]:
    """Quantities with what each counts ("12 people", "two million people"; see :mod:`.quantities`)."""
    return tuple((q.value, q.unit.split(":")[0]) for q in quantities_in(text))


_YEAR_AFTER = re.compile(r",?\s*((?:1[89]|20)\d\d)\b")


def dates_in(text: str, article_date: str | None) -> frozenset[str]:
    """Days and years a sentence names; weekdays resolved to the date on or before the article's date."""
    base = _parse_date(article_date)
    out: set[str] = set()
    for match in _WEEKDAY.finditer(text):
        out.add(_resolve_weekday(match.group(1).lower(), base))
    for word, delta in _RELATIVE_DAY.items():
        if base and re.search(rf"\b{word}\b", text, re.I):
            out.add((base + dt.timedelta(days=delta)).isoformat())
    for match in _MONTH_DAY.finditer(text):
        day = int(match.group(2))
        if 1 <= day <= 31:
            month_day = f"{_MONTH_NUMBER[match.group(1).lower()]:02d}-{day:02d}"
            out.add(month_day)
            year = _YEAR_AFTER.match(text, match.end())  # "July 20, 2006": that day, not any July 20
            if year:
                out.add(f"{year.group(1)}-{month_day}")
    out.update(_YEAR.findall(text))
    return frozenset(out)


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _iso_day(value: str | None) -> str | None:
    day = _parse_date(value)
    return day.isoformat() if day else None


def _resolve_weekday(name: str, base: dt.date | None) -> str:
    if base is None:
        return name
    back = (base.weekday() - WEEKDAYS.index(name)) % 7
    return (base - dt.timedelta(days=back)).isoformat()


def _is_title(text: str, title: str) -> bool:
    """Whether a sentence is the article's headline (texts often open with it)."""
    def norm(value: str) -> str:
        return " ".join(re.findall(r"\w+", value.lower()))

    return bool(title.strip()) and norm(text) == norm(title)


def sentence_facts(
    analyzed: Sequence[AnalyzedArticle], *, canonical: Mapping[str, str] | None = None
) -> list[SentenceFacts]:
    """Facts of every sentence of every article, in article then sentence order.

    Args:
        analyzed: the story's analysed articles.
        canonical: optional map from a mention's ``entity_id`` to a canonical key (cross-document
            resolution); mentions without one fall back to :func:`parallax.keys.mention_key`.
    """
    raw_keys = {mention_key(m) for a in analyzed for m in a.mentions}
    demonyms = demonym_map(raw_keys)
    out: list[SentenceFacts] = []
    for item in analyzed:
        by_sentence: dict[int, list[Mention]] = {}
        for mention in item.mentions:
            by_sentence.setdefault(mention.sentence, []).append(mention)
        for sent in item.sentences:
            mentions = by_sentence.get(sent.index, [])
            keys = {_key(m, canonical, demonyms) for m in mentions}
            persons = {_key(m, canonical, demonyms) for m in mentions if m.label == "PERSON"}
            places = {_key(m, canonical, demonyms) for m in mentions if m.label in ("GPE", "LOC", "FAC")}
            out.append(SentenceFacts(
                item.article.id, item.article.outlet, sent.index, sent.start, sent.end, sent.text,
                frozenset(keys), frozenset(persons), frozenset(places), numbers_in(sent.text),
                dates_in(sent.text, item.article.date), frozenset(stem(w) for w in content_tokens(sent.text)),
                quantities_in(sent.text), _iso_day(item.article.date),
                sent.index == 0 and _is_title(sent.text, item.article.title),
            ))
    return out


def _key(mention: Mention, canonical: Mapping[str, str] | None, demonyms: Mapping[str, str]) -> str:
    if canonical and mention.entity_id and mention.entity_id in canonical:
        return canonical[mention.entity_id]
    key = mention_key(mention)
    return demonyms.get(key, key)
