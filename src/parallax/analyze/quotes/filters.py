"""Filters over the snapped attributions: who is not a speaker after all, and what is not somebody's words.

"X was quoted by TASS as saying" makes X the speaker; "X is expected to" reports what nobody says; a
speaker inside its own words, a fragment that is only a connective and a quoted title are tagging errors.
What is left is put in text order (of speaker, else cue, else content), the order speakers resolve in.
"""

from __future__ import annotations

import logging
from collections import Counter

from spacy.tokens import Doc, Token

from .features import Layout
from .frames import is_connective
from .kinds import quote_kind
from .linking import ANY_QUOTES, phrase_range, word_root
from .relays import QUOTING_LEMMAS
from .runner import step
from .snapping import snap_source
from .state import Attribution, QuoteState
from .tagger import RoleSpan

__all__ = ["filter_attributions"]

LOGGER = logging.getLogger(__name__)

# Frames whose subject is not the speaker ("X seems to …", "X is expected to …"; lemmas).
RAISING_VERBS = frozenset({"seem", "appear"})
PASSIVE_FRAMES = frozenset(
    "expect consider believe say report think mention know rumor see view regard project predict suppose "
    "presume allege estimate".split()
)
# Words a title leaves in lower case ("Meet the Press", "State of the Union").
TITLE_LOWER = frozenset("a an the and or of on in at to for with by from &".split())


@step("filters", requires=["layout", "snapped"], assigns=["attributions"])
def filter_attributions(state: QuoteState) -> None:
    """Re-read the speakers of quoting and raising frames, drop what is not an attribution, and order the
    rest by where each starts."""
    assert state.layout is not None and state.snapped is not None
    doc, layout = state.doc, state.layout
    # "X was quoted by TASS as saying …": X spoke, TASS relayed it.
    attributions = _quoted_as_saying(doc, layout, state.snapped)
    # "X is expected to / seems to …" reports what nobody in the text says: X is part of the content.
    attributions = [b for a in attributions for b in _raised_subject(doc, a)]
    # A speaker inside the words attributed to it is a tagging error ("The holiday is observed as …"
    # with the subject tagged as both): the quote stays, without that speaker (dev: 18 of 19 wrong).
    attributions = [
        Attribution(a.content, a.cue, None)
        if a.source is not None and a.source.start < a.content.end and a.content.start < a.source.end
        else a
        for a in attributions
    ]
    # A fragment of an interrupted content that is only an unquoted connective ("Yet, according to X,
    # …") says nothing by itself; its frame stays with the other fragment.
    framed = Counter(a.cue for a in attributions if a.cue is not None)
    attributions = [
        a
        for a in attributions
        if not (a.cue is not None and framed[a.cue] > 1 and _only_connectives(doc, layout, a.content))
    ]
    # A quoted title is a name, not somebody's words ("he said on CBS's “Face the Nation.”").
    attributions = [a for a in attributions if not _quoted_title(doc, layout, a.content)]
    state.attributions = sorted(attributions, key=lambda a: (a.source or a.cue or a.content).start)


def _quoting_verb(doc: Doc, cue: RoleSpan) -> Token | None:
    """The passive "quoted"/"cited" of "X was quoted (by Y) as saying": the cue's root or the head two
    steps above its "saying"."""
    verb = word_root(doc, cue)
    for _ in range(3):
        if verb.lemma_.lower() in QUOTING_LEMMAS and any(c.dep_ == "nsubjpass" for c in verb.children):
            return verb
        if verb.lower_ not in {"as", "saying"} or verb.head is verb:
            return None
        verb = verb.head
    return None


def _quoted_as_saying(doc: Doc, layout: Layout, found: list[Attribution]) -> list[Attribution]:
    """ "X was quoted by TASS as saying …", "X was cited as saying …": the passive subject X is the
    speaker (the tagger tends to take the agent, the medium, which is the relay and is found as such), and
    a fragment that is only X is not a content."""
    out = []
    for a in found:
        verb = _quoting_verb(doc, a.cue) if a.cue is not None else None
        if verb is None:
            out.append(a)
            continue
        start, end = phrase_range(doc, next(c for c in verb.children if c.dep_ == "nsubjpass"))
        if a.content.start >= start and a.content.end <= end:
            continue
        source = snap_source(doc, layout, RoleSpan("Source", start, end, a.content.paragraph))
        out.append(Attribution(a.content, a.cue, source))
    return out


def _raised_subject(doc: Doc, a: Attribution) -> list[Attribution]:
    """A cue that is a raising verb ("seems", "appears") or a passive report frame ("is expected",
    "is considered", "was first reported") with nothing after it: its subject is not a speaker but part
    of what is reported ("[The ruling] is expected [to come this month]"). PolNeAR train annotates such
    subjects as a content fragment 315 times and as the source 45 times (mostly where the cue runs on
    into the next verb, "appeared to suggest", which this leaves alone). The subject becomes a content
    fragment of the same cue, with no speaker; an expletive "it" ("it seems") is dropped.

    Any other passive cue ("have been accused of", "was labeled") loses its subject as speaker too: the
    subject is what the words are about, the speaker would be the by-phrase (train: 97 such speakers
    dropped, 16 of them gold). The subject is not made a content fragment there (27 % of those were gold).
    """
    cue, source, content = a.cue, a.source, a.content
    if cue is None or source is None or content.start < cue.end:
        return [a]
    verb = word_root(doc, cue)
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects:
        return [a]
    subject = subjects[0]
    if not (subject.left_edge.i <= source.start and source.end <= subject.right_edge.i + 1):
        return [a]
    lemma = verb.lemma_.lower()
    trailing = doc[verb.i + 1 : cue.end]
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)
    bare = all(t.is_punct for t in trailing)
    if bare and (lemma in RAISING_VERBS or (passive and lemma in PASSIVE_FRAMES)):
        if subject.lower_ == "it" or subject.dep_ == "expl":
            return [Attribution(content, cue, None)]
        return [
            Attribution(RoleSpan("Content", source.start, source.end, content.paragraph), cue, None),
            Attribution(content, cue, None),
        ]
    if (
        subject.dep_ == "nsubjpass"
        and lemma not in QUOTING_LEMMAS
        and all(t.pos_ in {"ADP", "PART"} or t.is_punct for t in trailing)
    ):
        return [Attribution(content, cue, None)]
    return [a]


def _only_connectives(doc: Doc, layout: Layout, content: RoleSpan) -> bool:
    """Whether a content holds nothing but unquoted connectives and punctuation ("Yet", "But,")."""
    return all(
        not layout.depth[i] and (doc[i].is_punct or doc[i].is_space or is_connective(doc[i]))
        for i in range(content.start, content.end)
    )


def _quoted_title(doc: Doc, layout: Layout, content: RoleSpan) -> bool:
    """A short quotation in title case after a preposition, a name or a possessive: a programme, book or
    slogan named in the frame, not a content (PolNeAR train: 54 such predictions, 6 of them gold)."""
    words = [t for t in doc[content.start : content.end] if not (t.is_punct or t.is_space)]
    if not words or len(words) > 6 or quote_kind(doc, layout, content) != "direct":
        return False
    if not all(t.text[:1].isupper() or t.lower_ in TITLE_LOWER or not t.is_alpha for t in words):
        return False
    k = content.start - 1
    while k >= 0 and (doc[k].is_space or doc[k].text in ANY_QUOTES):
        k -= 1
    return k >= 0 and (doc[k].pos_ in {"ADP", "PROPN"} or doc[k].tag_ == "POS")
