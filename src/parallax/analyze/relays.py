"""Relayed sources: the channel a statement reached the outlet through, and what kind of source it is.

Found from the parse: "according to X", "X reported" (a second reporting verb whose subject is a
medium), "told X" (X a named outlet), "in a statement" / "a X statement". The kind comes from a small
lexicon of generic words and well-known agency names, never from the article at hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from parallax.model import Relay, SourceKind, Span as TextSpan

__all__ = ["RelayMention", "find_relays", "relay_for", "source_kind"]

LOGGER = logging.getLogger(__name__)

WIRE = frozenset("reuters ap afp bloomberg dpa upi efe ansa kyodo yonhap pti anadolu".split()) | {
    "associated press",
    "agence france-presse",
    "agence france presse",
    "press association",
}
STATE_MEDIA = frozenset(
    "tass ria novosti xinhua irna isna fars tasnim kcna sputnik rt cctv cgtn wafa sana mena spa wam".split()
) | {"press tv", "state media", "state television", "state tv", "state news agency"}
OFFICIAL_WORDS = frozenset(
    "statement ministry kremlin government department pentagon office embassy presidency cabinet "
    "administration spokesman spokeswoman spokesperson communique readout release police military army "
    "council commission agency court parliament senate congress".split()
) | {"white house", "state department", "foreign ministry", "downing street", "elysee"}
OUTLET_SUFFIXES = (
    "tv",
    "news",
    "times",
    "post",
    "journal",
    "week",
    "radio",
    "daily",
    "herald",
    "tribune",
    "telegraph",
    "guardian",
    "gazette",
    "magazine",
    "channel",
    "network",
    "newspaper",
    "media",
    "wire",
    "review",
    "insider",
    "monitor",
    "observer",
    "chronicle",
    "mail",
    "standard",
    "globe",
    "inquirer",
    "courier",
    "dispatch",
    "examiner",
    "register",
    "bulletin",
    "sun",
)
OUTLET_WORDS = frozenset(
    {
        "newspaper",
        "outlet",
        "broadcaster",
        "channel",
        "network",
        "television",
        "tv",
        "radio",
        "magazine",
        "agency",
        "website",
        "daily",
        "paper",
        "news",
    }
)
ANONYMOUS_HEADS = frozenset(
    "source sources official officials person people aide aides insider insiders diplomat diplomats "
    "analyst analysts".split()
)
REPORT_LEMMAS = frozenset({"report", "say", "quote", "cite", "carry", "publish", "write", "broadcast"})
GENERIC_NAME_WORDS = frozenset(
    {
        "state",
        "news",
        "agency",
        "media",
        "the",
        "a",
        "an",
        "russian",
        "national",
        "official",
        "run",
        "-",
        "state-run",
        "owned",
    }
)


@dataclass(frozen=True, slots=True)
class RelayMention:
    name: str
    kind: SourceKind
    span: Span  # the noun phrase of the source


def relay_for(doc: Doc, content: Span, cue: Span | None, sentence: Span | None = None) -> Relay | None:
    """The relay that frames this quote: a relay mention in the cue's sentence (else the content's)."""
    if sentence is None:
        sentence = (cue if cue is not None else content).root.sent
    for mention in find_relays(sentence):
        if mention.span.start >= content.start and mention.span.end <= content.end:
            continue  # a source named inside the quote is what the speaker cites, not our channel
        return Relay(mention.name, mention.kind, _text_span(mention.span))
    return None


def find_relays(span: Span | Doc) -> list[RelayMention]:
    """Every relay mention in a sentence or document, in text order."""
    found: dict[tuple[int, int], RelayMention] = {}
    for token in span:
        phrase = _according_to(token) or _reported_by(token) or _told_outlet(token) or _statement(token)
        if phrase is not None and (phrase.start, phrase.end) not in found:
            kind = source_kind(phrase)
            if kind is not None:
                found[(phrase.start, phrase.end)] = RelayMention(source_name(phrase), kind, phrase)
    return sorted(found.values(), key=lambda m: m.span.start)


def _according_to(token: Token) -> Span | None:
    if token.lower_ != "according":
        return None
    for child in token.children:
        if child.lower_ == "to":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _phrase(objects[0])
    nxt = token.nbor(1) if token.i + 2 < len(token.doc) else None
    if nxt is not None and nxt.lower_ == "to":
        return _phrase(nxt.nbor(1))
    return None


def _reported_by(token: Token) -> Span | None:
    """ "X reported" where X is a medium or agency (a quote's own speaker is a person, not a relay)."""
    if token.pos_ != "VERB" or token.lemma_.lower() not in REPORT_LEMMAS:
        return None
    subjects = [c for c in token.children if c.dep_ == "nsubj"]
    if not subjects:
        return None
    phrase = _phrase(subjects[0])
    if len(subjects) > 1 and subjects[-1].left_edge.i == phrase.end:
        # "state news agency X reported": the parser may split the name off as a second subject.
        phrase = phrase.doc[phrase.start : subjects[-1].right_edge.i + 1]
    return phrase if _is_medium(phrase) else None


def _told_outlet(token: Token) -> Span | None:
    if token.lemma_.lower() not in {"tell", "speak"}:
        return None
    for child in token.children:
        target = child
        if child.dep_ == "prep" and child.lower_ == "to":
            target = next((c for c in child.children if c.dep_ == "pobj"), child)
        if target.dep_ in {"dative", "dobj", "pobj"} and target.pos_ == "PROPN":
            phrase = _phrase(target)
            if _is_medium(phrase):
                return phrase
    return None


def _statement(token: Token) -> Span | None:
    """ "in a statement", "a Kremlin statement": an official statement as the channel."""
    if token.lemma_.lower() not in {"statement", "communique", "readout"} or token.pos_ != "NOUN":
        return None
    head = token.head
    if head.lower_ in {"in", "to", "from"} or token.dep_ == "pobj":
        return _phrase(token)
    return None


def _phrase(token: Token) -> Span:
    """The noun phrase headed by ``token``, without trailing clauses or leading determiners."""
    doc = token.doc
    left = token.left_edge.i
    right = token.i
    for child in token.rights:
        if child.dep_ in {"compound", "appos"} or (child.dep_ == "punct" and child.text == "-"):
            right = max(right, child.right_edge.i)
        else:
            break
    while left < right and (doc[left].dep_ in {"det", "punct", "predet"} or doc[left].is_space):
        left += 1
    return doc[left : right + 1]


def _is_medium(phrase: Span) -> bool:
    return source_kind(phrase) in {"wire", "state_media", "outlet"}


def source_kind(phrase: Span) -> SourceKind | None:
    """What kind of source a noun phrase names, or None when it names no source we recognise."""
    low = phrase.text.lower().replace("’s", "").replace("'s", "")
    words = set(low.replace("-", " ").split())
    if words & WIRE or any(w in low for w in WIRE if " " in w):
        return "wire"
    if (
        words & STATE_MEDIA
        or any(w in low for w in STATE_MEDIA if " " in w)
        or ("state" in words and words & OUTLET_WORDS)
    ):
        return "state_media"
    if _outlet_name(phrase) or (words & OUTLET_WORDS and any(t.pos_ == "PROPN" for t in phrase)):
        return "outlet"
    if words & OFFICIAL_WORDS or any(w in low for w in OFFICIAL_WORDS if " " in w):
        return "official"
    if phrase.root.lemma_.lower() in ANONYMOUS_HEADS and not any(t.pos_ == "PROPN" for t in phrase):
        return "anonymous"
    if any(t.ent_type_ in {"ORG", "PERSON", "GPE", "NORP"} for t in phrase):
        return "other"
    return None


def _outlet_name(phrase: Span) -> bool:
    """A capitalised name that reads as a medium: "RBC-TV", "Daily News", "Newsweek"."""
    for token in phrase:
        low = token.lower_
        if token.text[:1].isupper() and any(low.endswith(s) for s in OUTLET_SUFFIXES):
            return True
    return False


def source_name(phrase: Span) -> str:
    """A short name for a source: its proper nouns ("TASS"), or the phrase for a statement or group."""
    propn = _name_run(phrase)
    if phrase.root.lemma_.lower() in {"statement", "communique", "readout"}:
        owner = " ".join(t.text.removesuffix("’s").removesuffix("'s") for t in propn)
        return f"{owner} statement".strip()
    if propn:
        joined = phrase.doc[propn[0].i : propn[-1].i + 1].text
        return joined.removesuffix("’s").removesuffix("'s")
    return phrase.text


def _name_run(phrase: Span) -> list[Token]:
    """The run of adjacent proper nouns that names the source: the one holding the phrase's head, else
    the last one (dates and generic medium words left out)."""
    runs: list[list[Token]] = []
    for token in phrase:
        named = token.text in {"-", "&"} or (token.pos_ == "PROPN" and token.lower_ not in GENERIC_NAME_WORDS)
        if named and token.ent_type_ not in {"DATE", "TIME", "CARDINAL", "ORDINAL"}:
            if runs and runs[-1][-1].i == token.i - 1:
                runs[-1].append(token)
            else:
                runs.append([token])
    runs = [[t for t in run if t.pos_ == "PROPN"] for run in runs]
    runs = [run for run in runs if run]
    root = phrase.root.i
    for run in runs:
        if run[0].i <= root <= run[-1].i:
            return run
    return runs[-1] if runs else []


def _text_span(span: Span) -> TextSpan:
    return TextSpan(span.start_char, span.end_char, span.text)
