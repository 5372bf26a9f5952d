"""Quantities and days a sentence states, in a form two outlets' statements can be compared by.

A quantity is a value with what it counts ("14 people died" -> people/dead, "$900 million" -> money in
dollars), the bound its wording puts on it ("at least 17" is a lower bound, "about $1.2 billion" an
approximation) and the content words around it. Days are ISO dates when the article's date resolves them,
else weekday names; two days are compatible when they can name the same day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

__all__ = ["Quantity", "days_compatible", "quantities_in", "values_compatible"]

_TOKEN = re.compile(r"[$€£¥]|\d[\d,]*(?:\.\d+)?|[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "bn": 1_000_000_000, "m": 1_000_000}
_MONEY_SCALES = {"bn", "m"}  # "$900m"; after a bare number "m" is more often metres
_CURRENCY_SYMBOLS = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen"}
_CURRENCY_WORDS = {"dollar": "dollar", "dollars": "dollar", "euro": "euro", "euros": "euro",
                   "pound": "pound", "pounds": "pound", "yen": "yen", "yuan": "yuan", "rupees": "rupee",
                   "crowns": "crown", "francs": "franc", "rubles": "ruble", "roubles": "ruble"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
           "sept", "oct", "nov", "dec"}
# Wording before a number that bounds it; longest first so "no more than" wins over "more than".
_BOUNDS = (
    ("no more than", "max"), ("no fewer than", "min"), ("not less than", "min"), ("at least", "min"),
    ("more than", "min"), ("upwards of", "min"), ("in excess of", "min"), ("over", "min"),
    ("at most", "max"), ("up to", "max"), ("fewer than", "max"), ("less than", "max"), ("under", "max"),
    ("an estimated", "approx"), ("close to", "approx"), ("about", "approx"), ("around", "approx"),
    ("roughly", "approx"), ("approximately", "approx"), ("some", "approx"), ("nearly", "approx"),
    ("almost", "approx"), ("estimated", "approx"),
)
# What a count of people is a count of; the nouns and adjectives that name a toll are grouped.
_EVENTS = {
    "dead": ("dead", "died", "die", "dies", "killed", "deaths", "death", "toll", "fatalities", "bodies",
             "lives", "perished", "drowned"),
    "missing": ("missing", "unaccounted"),
    "injured": ("injured", "hurt", "wounded", "injuries", "hospitalised", "hospitalized"),
    "rescued": ("rescued", "survivors", "survived", "saved"),
    "arrested": ("arrested", "detained", "held"),
    "evacuated": ("evacuated", "displaced", "homeless"),
}
_EVENT_OF = {w: event for event, words in _EVENTS.items() for w in words}
_PEOPLE = {"people", "persons", "person", "passengers", "residents", "civilians", "children", "adults",
           "migrants", "workers", "soldiers", "men", "women", "others", "victims", "pilgrims"}
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")
_EXACT_TOLERANCE = 0.05  # "beyond rounding": 1.2 vs 1.23 billion agree, 14 vs 17 do not
_APPROX_TOLERANCE = 0.10  # "about 175" agrees with 190 (each end widened by 10 %), not with 230


@dataclass(frozen=True, slots=True)
class Quantity:
    """One stated quantity: its value, what it counts, its bound and the words around it."""

    value: float
    unit: str  # "money:dollar", "people:dead", or the stem of the counted noun ("stations")
    bound: str  # "exact", "min", "max", "approx"
    context: frozenset[str]  # lower-cased content words within a few words of the number
    text: str  # the wording, for reasons ("at least 17")


def _value_at(words: list[str], i: int, *, money: bool = False) -> tuple[float, int] | None:
    """The number starting at ``words[i]`` (digits or number words, with scale words) and where it ends."""
    word = words[i]
    if word[0].isdigit():
        try:
            value = float(word.replace(",", ""))
        except ValueError:
            return None
        j = i + 1
    elif word == "a" and i + 1 < len(words) and words[i + 1] == "dozen":
        value, j = 12.0, i + 2
    elif word in _UNITS or "-" in word and all(p in _UNITS for p in word.split("-")):
        value = float(sum(_UNITS[p] for p in word.split("-")))
        j = i + 1
    else:
        return None
    while j < len(words) and words[j] in _SCALES and (money or words[j] not in _MONEY_SCALES):
        value *= _SCALES[words[j]]
        j += 1
    return value, j


def _bound(words: list[str], i: int) -> tuple[str, str]:
    before = " ".join(words[max(0, i - 3): i])
    for cue, bound in _BOUNDS:
        if before == cue or before.endswith(" " + cue):
            return bound, cue
    return "exact", ""


def _unit(words: list[str], i: int, j: int, currency: str | None) -> str:
    """What the number at ``words[i:j]`` counts."""
    if currency:
        return f"money:{currency}"
    after = [w for w in words[j: j + 4] if w not in STOP_WORDS or w in _EVENT_OF]
    if i >= 2 and words[i - 1] in ("at", "of", "to") and words[i - 2] not in STOP_WORDS:
        head = words[i - 2]  # "put the toll at 14", "a capacity of 150"
        if head in _EVENT_OF:
            return f"people:{_EVENT_OF[head]}"
        if not after or after[0] not in _PEOPLE | set(_CURRENCY_WORDS):
            return _noun_stem(head)
    if after and after[0] in _CURRENCY_WORDS:
        return f"money:{_CURRENCY_WORDS[after[0]]}"
    if after and after[0] in _EVENT_OF:
        return f"people:{_EVENT_OF[after[0]]}"
    if after and after[0] in _PEOPLE:
        event = next((_EVENT_OF[w] for w in words[j + 1: j + 5] if w in _EVENT_OF), "")
        return f"people:{event}" if event else "people"
    return _noun_stem(after[0]) if after else ""


def _noun_stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def quantities_in(text: str) -> tuple[Quantity, ...]:
    """Every quantity ``text`` states (years, days of the month and clock times left out)."""
    words = [w.lower().replace("’", "'") for w in _TOKEN.findall(text)]
    found: list[Quantity] = []
    i = 0
    while i < len(words):
        currency = _CURRENCY_SYMBOLS.get(words[i])
        start = i + 1 if currency else i
        parsed = _value_at(words, start, money=bool(currency)) if start < len(words) else None
        if parsed is None:
            i += 1
            continue
        value, j = parsed
        token = words[start]
        if _not_a_quantity(words, start, j, token, currency):
            i = j
            continue
        bound, cue = _bound(words, i)
        unit = _unit(words, start, j, currency)
        context = frozenset(w for w in words[max(0, i - 6): j + 6]
                            if w[0].isalpha() and w not in STOP_WORDS and len(w) > 2)
        wording = " ".join(x for x in (cue, *words[i:j]) if x).replace("$ ", "$")
        found.append(Quantity(value, unit, bound, context, wording))
        i = j
    return tuple(found)


def _not_a_quantity(words: list[str], i: int, j: int, token: str, currency: str | None) -> bool:
    if currency:
        return False
    if _YEAR.fullmatch(token) and j == i + 1:
        return True
    previous = words[i - 1] if i else ""
    if previous in ("no", "number", "rank", "ranked", "page", "room", "route"):
        return True  # "the No. 2 job": a rank or label, not an amount
    if previous in _MONTHS or (j < len(words) and words[j] in _MONTHS):
        return True  # "March 12", "12 March"
    return token == "one" and not (j < len(words) and words[j] in _PEOPLE | set(_EVENT_OF))


def values_compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two statements of the same quantity can both be true, given their bounds and rounding."""
    tolerance = _APPROX_TOLERANCE if "approx" in (a.bound, b.bound) else _EXACT_TOLERANCE
    lo_a, hi_a = _interval(a, tolerance)
    lo_b, hi_b = _interval(b, tolerance)
    return lo_a <= hi_b and lo_b <= hi_a


def _interval(q: Quantity, tolerance: float) -> tuple[float, float]:
    low, high = q.value * (1 - tolerance), q.value * (1 + tolerance)
    if q.bound == "min":
        return low, float("inf")
    if q.bound == "max":
        return float("-inf"), high
    return low, high


def days_compatible(a: str, b: str) -> bool:
    """Whether two day keys (ISO date, "MM-DD" or a weekday name) can name the same day."""
    if a == b:
        return True
    return _matches(a, b) or _matches(b, a)


def _matches(general: str, specific: str) -> bool:
    import datetime as dt

    if len(specific) != 10:
        return False
    try:
        day = dt.date.fromisoformat(specific)
    except ValueError:
        return False
    if general.isalpha():
        return day.strftime("%A").lower() == general
    return len(general) == 5 and specific.endswith(general)
