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

__all__ = ["SentenceFacts", "content_tokens", "demonym_map", "entity_key", "sentence_facts", "stem"]

LOGGER = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*")
_HONORIFIC = re.compile(r"^(?:the|mr\.?|mrs\.?|ms\.?|dr\.?|president|prime minister|gen\.?|sen\.?|rep\.?)\s+", re.I)
_POSSESSIVE = re.compile(r"[’']s?$")
# Abbreviations that name the same country or body; general, not tied to any story.
_ALIASES = {
    "u.s.": "united states", "us": "united states", "u.s.a.": "united states", "usa": "united states",
    "u.s": "united states", "america": "united states", "united states of america": "united states",
    "u.k.": "united kingdom", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "u.n.": "united nations", "un": "united nations",
    "e.u.": "european union", "eu": "european union", "russian federation": "russia",
}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH_DAY = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r")\.?\s+(\d{1,2})\b")
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


def entity_key(mention: Mention) -> str:
    """A comparable key for a mention: persons by surname, abbreviations expanded."""
    text = _POSSESSIVE.sub("", mention.text.strip()).strip()
    for _ in range(2):
        text = _HONORIFIC.sub("", text)
    key = " ".join(text.lower().split())
    key = _ALIASES.get(key, key)
    if mention.label == "PERSON" and " " in key:
        key = key.split()[-1]
    return key


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
    """Quantities with the word that follows each ("12 people", "two million people")."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    found: list[tuple[float, str]] = []
    i = 0
    while i < len(words):
        value = _number_value(words[i])
        if value is None or _YEAR.fullmatch(words[i]):
            i += 1
            continue
        j = i + 1
        while j < len(words) and words[j] in _SCALES:
            value *= _SCALES[words[j]]
            j += 1
        unit = next((stem(w) for w in words[j : j + 3] if w not in STOP_WORDS), "")
        found.append((value, unit))
        i = j
    return tuple(found)


def _number_value(word: str) -> float | None:
    if word in _NUMBER_WORDS and word not in _SCALES:
        return float(_NUMBER_WORDS[word])
    if word[0].isdigit():
        try:
            return float(word.rstrip(".,").replace(",", ""))
        except ValueError:
            return None
    return None


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
        out.add(f"{_MONTHS.index(match.group(1).lower()) + 1:02d}-{int(match.group(2)):02d}")
    out.update(_YEAR.findall(text))
    return frozenset(out)


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _resolve_weekday(name: str, base: dt.date | None) -> str:
    if base is None:
        return name
    back = (base.weekday() - WEEKDAYS.index(name)) % 7
    return (base - dt.timedelta(days=back)).isoformat()


def sentence_facts(
    analyzed: Sequence[AnalyzedArticle], *, canonical: Mapping[str, str] | None = None
) -> list[SentenceFacts]:
    """Facts of every sentence of every article, in article then sentence order.

    Args:
        analyzed: the story's analysed articles.
        canonical: optional map from a mention's ``entity_id`` to a canonical key (cross-document
            resolution); mentions without one fall back to :func:`entity_key`.
    """
    raw_keys = {entity_key(m) for a in analyzed for m in a.mentions}
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
            ))
    return out


def _key(mention: Mention, canonical: Mapping[str, str] | None, demonyms: Mapping[str, str]) -> str:
    if canonical and mention.entity_id and mention.entity_id in canonical:
        return canonical[mention.entity_id]
    key = entity_key(mention)
    return demonyms.get(key, key)
