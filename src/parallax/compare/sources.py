"""Sources each outlet relies on, counted per outlet for a side-by-side view."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from parallax.model import AnalyzedArticle, Relay

__all__ = ["named_sources", "sources_by_outlet"]

LOGGER = logging.getLogger(__name__)


def sources_by_outlet(analyzed: Sequence[AnalyzedArticle]) -> dict[str, dict[str, int]]:
    """outlet -> source name -> number of citations, from source citations and quote relays.

    A relay already cited as a source at the same offsets is counted once.
    """
    out: dict[str, Counter[str]] = {}
    for item in analyzed:
        counts = out.setdefault(item.article.outlet, Counter())
        seen: set[tuple[int, int]] = set()
        for citation in item.sources:
            counts[_display(citation.name)] += 1
            seen.add((citation.span.start, citation.span.end))
        for quote in item.quotes:
            relay = quote.relay
            if relay is not None and (relay.span.start, relay.span.end) not in seen:
                counts[_display(relay.name)] += 1
                seen.add((relay.span.start, relay.span.end))
    return {outlet: dict(counts.most_common()) for outlet, counts in sorted(out.items())}


def _display(name: str) -> str:
    """One spelling per source: "Tass" and "TASS" are the same agency."""
    name = " ".join(name.split())
    return name.upper() if name.isalpha() and len(name) <= 5 else name


_DETERMINER = re.compile(r"^(?:the|a|an|this|that|these|those|its|their|his|her)\s+", re.I)
# Nouns that name a kind of source, not a source: alone ("a statement", "the video", "the official") they
# say nothing a reader can check, and the article almost always names the same thing more fully nearby.
GENERIC_HEADS = frozenset(
    "statement statements letter report video ad ads website site article tweet tweets post posts email e-mail "
    "book memo readout interview poll official spokesman spokeswoman aide source".split()
)  # not "officials" or "sources": a bare plural is a group of its own ("officials said")


_OWNED_AFTER = re.compile(r"^(?P<head>[\w-]+) (?:by|from|of) (?:the )?(?P<owner>.+)$")


def _key(name: str) -> str:
    """A source name as compared with the article's other names for it: no leading article, lower case, no
    possessive mark, and a document's owner before it ("report by the inspector general" and "the
    inspector general's report" are one key)."""
    key = _DETERMINER.sub("", " ".join(name.split())).lower().replace("’s ", " ").replace("'s ", " ")
    owned = _OWNED_AFTER.match(key)
    if owned and _head(owned["head"]) in GENERIC_HEADS:
        key = f"{owned['owner']} {owned['head']}"
    return key


def _head(key: str) -> str:
    word = key.rsplit(" ", 1)[-1]
    return word[:-1] if word.endswith("s") and word[:-1] in GENERIC_HEADS else word


def _persons(item: AnalyzedArticle) -> set[str]:
    """Lower-cased surnames of the people the article names in full, as persons or as quoted speakers
    ("Aitan Goelman": "goelman")."""
    names = [m.text for m in item.mentions if m.label == "PERSON"]
    names += [q.speaker_name for q in item.quotes if q.speaker_name]
    return {words[-1].lower() for name in names if len(words := name.removesuffix("’s").removesuffix("'s").split()) > 1}


def _owned(key: str, surnames: set[str]) -> tuple[str, str] | None:
    """A person's document: its kind and the person a document's name gives as its owner ("goelman's
    statement", "strzok attorney aitan goelman statement", "mattis’ resignation letter addressed to trump":
    the last surname named before the document's head word, which may be followed by a participle phrase),
    or None."""
    words = [w.removesuffix("’s").removesuffix("'s").rstrip("’'") for w in re.findall(r"[\w’'-]+", key)]
    at = len(words) - 1
    for k in range(len(words) - 2, 0, -1):  # "letter addressed to trump": the head stands before a participle
        if _head(words[k]) in GENERIC_HEADS and words[k + 1].endswith(("ed", "ing", "en")):
            at = k
            break
    named = [w for w in words[:at] if w in surnames]
    head = _head(words[at]) if words else ""
    return (head, named[-1]) if named and head in GENERIC_HEADS else None


def named_sources(item: AnalyzedArticle) -> AnalyzedArticle:
    """The article's source citations and quote relays under the fullest name the article gives them.

    One person's document named two ways ("Goelman's statement", "Strzok attorney Aitan Goelman statement")
    is one source, under its first name.

    One source written two ways ("A senior Israeli official", "senior Israeli official") takes its first
    spelling. A bare kind of source ("the
    statement", "a letter", "the official") takes the name of the nearest fuller mention of the same kind
    before it in the article when it is definite ("Etheridge's written statement ... the statement"); "a
    statement" brings in another one and, like a bare kind with no fuller mention before it, stays as written.
    """
    mentions = [(c.span.start, c.name) for c in item.sources]
    mentions += [(q.relay.span.start, q.relay.name) for q in item.quotes if q.relay is not None]
    if not mentions:
        return item
    mentions.sort()
    first: dict[str, str] = {}
    owned: dict[tuple[str, str], str] = {}
    bare: dict[str, str] = {}  # a bare kind's first spelling that is not indefinite ("the official")
    surnames = _persons(item)
    for _, name in mentions:
        key, written = _key(name), " ".join(name.split())
        document = _owned(key, surnames)
        first.setdefault(key, written if document is None else owned.setdefault(document, written))
        if " " not in key and name.split()[0].lower() not in {"a", "an"}:
            bare.setdefault(key, written)
    full = [(at, _key(name)) for at, name in mentions if len(_key(name).split()) > 1]

    text = item.article.text

    def definite(at: int, name: str, *, owned: bool = False) -> bool:
        """"the statement" points back to one named before; "a statement" brings in another; with ``owned``,
        so does "his resignation letter" (the person's, named before)."""
        pointers = {"the", "his", "her", "its", "their"} if owned else {"the"}
        first_word = name.split()[0].lower()
        before = text[:at].lower().split()[-1:]
        return first_word in pointers or (first_word not in {"a", "an"} and bool(before) and before[0] in pointers)

    def name_of(at: int, name: str) -> str:
        key = _key(name)
        words = set(key.split())
        if " " in key and _head(key) in GENERIC_HEADS and definite(at, name, owned=True):
            # "the resignation letter" after "Mattis' bombshell resignation letter": a shorter name of it
            fuller = [k for k_at, k in full if k_at < at and k != key and _head(k) == _head(key)
                      and words < set(k.split())]
            if fuller:
                return first[fuller[-1]]
        if " " not in key and key in GENERIC_HEADS:  # a bare kind is one source only through what it points to
            before = [k for k_at, k in full if k_at < at and _head(k) == _head(key)]
            if before and definite(at, name):
                return first[before[-1]]
            # "the official" and "official" (a relay's name without its article) are one spelling
            return bare.get(key, " ".join(name.split())) if name.split()[0].lower() not in {"a", "an"} \
                else " ".join(name.split())
        return first[key]

    sources = tuple(c if (n := name_of(c.span.start, c.name)) == c.name else replace(c, name=n) for c in item.sources)
    quotes = tuple(
        q if q.relay is None or (n := name_of(q.relay.span.start, q.relay.name)) == q.relay.name
        else replace(q, relay=Relay(n, q.relay.kind, q.relay.span))
        for q in item.quotes
    )
    if sources == item.sources and quotes == item.quotes:
        return item
    return replace(item, sources=sources, quotes=quotes)
