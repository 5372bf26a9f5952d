"""Frames the tagger left incomplete, found from the layout and the parse, and attributions that say
nobody spoke dropped.

Each rule adds what the linked attributions lack: a content the tagger ran over its own frame split at the
reporting verb, a colon line framing the next paragraph, a frame set inside its clause ("X, the senator
said, Y"), a cue with no content, "according to X", quotations carrying on the previous speaker's words,
and a quoted speaker inside an "according to" content. The rules run in that order, each seeing what the
ones before found.
"""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Token

from .features import CLOSE_QUOTES, OPEN_QUOTES, STRAIGHT_QUOTES, Layout
from .kinds import quote_kind
from .linking import nearest, subject_of
from .runner import step
from .state import Attribution, QuoteState
from .tagger import RoleSpan

__all__ = ["add_frames", "is_connective", "trimmed"]

LOGGER = logging.getLogger(__name__)

# "…, a senior official with knowledge of the talks said on Monday.": at most this many words between
# the comma and the cue, and this many after it.
FRAME_SOURCE_WORDS = 10
FRAME_TAIL_WORDS = 4
# "He made the following comment:": at most this many words between a cue and the colon ending its
# paragraph, for the next paragraph to be the content.
COLON_FRAME_WORDS = 3


@step("frames", requires=["layout", "spans", "linked", "cue_rates"], assigns=["framed"])
def add_frames(state: QuoteState) -> None:
    """Add the frames the rules find to the linked attributions, then keep those that say who spoke or
    are quotations."""
    assert state.layout is not None and state.spans is not None and state.linked is not None
    assert state.cue_rates is not None
    doc, layout, spans, cue_rates = state.doc, state.layout, state.spans, state.cue_rates
    attributions = _split_frames(doc, layout, state.linked, cue_rates)
    attributions = _colon_frames(doc, layout, spans, attributions)
    attributions.extend(_interrupting_frames(doc, spans, attributions))
    attributions.extend(_orphan_cues(doc, layout, spans, attributions, cue_rates))
    attributions.extend(_according_frames(doc, layout, attributions))
    attributions.extend(_continuations(doc, layout, attributions))
    attributions.extend(_quoted_inside(doc, layout, attributions, cue_rates))
    state.framed = [a for a in attributions if _framed(doc, layout, a)]


def _split_frames(
    doc: Doc, layout: Layout, found: list[Attribution], cue_rates: dict[str, str]
) -> list[Attribution]:
    """A content the tagger ran over its own frame ("the former mayor said the levy is …" tagged
    as one content with no cue or source) is split at the reporting verb: the verb's subject becomes the
    source, the verb (with its auxiliaries) the cue and its complement the content."""
    out = []
    for a in found:
        split = None
        if a.cue is None and a.source is None:
            split = _frame_inside(doc, layout, a.content, cue_rates)
        out.append(split or a)
    return out


def _frame_inside(doc: Doc, layout: Layout, content: RoleSpan, cue_rates: dict[str, str]) -> Attribution | None:
    """The first "<subject> <reporting verb> <complement>" clause within ``content``, outside quotation marks,
    whose subject opens the content."""
    for token in doc[content.start : content.end]:
        if layout.depth[token.i] or token.pos_ != "VERB" or cue_rates.get(token.lemma_.lower()) != "hi":
            continue
        subject = next((c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        complement = next(
            (c for c in token.children if c.dep_ in {"ccomp", "xcomp", "dobj"} and c.i > token.i), None
        )
        if subject is None or complement is None or subject.left_edge.i > content.start + 1:
            continue
        if complement.right_edge.i >= content.end + 1 or subject.left_edge.i < content.start:
            continue
        cue_start = min([token.i, *(c.i for c in token.children if c.dep_ in {"aux", "neg"} and c.i < token.i)])
        if cue_start <= subject.right_edge.i:
            continue
        return Attribution(
            RoleSpan("Content", complement.left_edge.i, content.end, content.paragraph),
            RoleSpan("Cue", cue_start, token.i + 1, content.paragraph),
            RoleSpan("Source", subject.left_edge.i, subject.right_edge.i + 1, content.paragraph),
        )
    return None


def _colon_frames(
    doc: Doc, layout: Layout, spans: list[RoleSpan], found: list[Attribution]
) -> list[Attribution]:
    """A cue that closes its paragraph with a colon ("He said:", "She made the following comment:")
    frames the whole next paragraph (so does a colon line whose verb the tagger missed, see
    :func:`_untagged_colon_cues`): contents the tagger found there without a cue of their own become
    that one content, with this cue and its source."""
    used = {(a.cue.start, a.cue.end) for a in found if a.cue is not None}
    sources = [s for s in spans if s.role == "Source"]
    out = list(found)
    cues = [s for s in spans if s.role == "Cue" and (s.start, s.end) not in used]
    cues.extend(_untagged_colon_cues(doc, layout, spans))
    for cue in cues:
        tokens = layout.paragraphs[cue.paragraph].tokens
        colon = tokens[-1]
        if doc[colon].text != ":" or colon - cue.end > COLON_FRAME_WORDS:
            continue
        if cue.paragraph + 1 >= len(layout.paragraphs):
            continue
        number = cue.paragraph + 1
        following = layout.paragraphs[number].tokens
        there = [a for a in out if a.content.paragraph == number]
        if any(a.cue is not None for a in there):
            continue
        content = RoleSpan("Content", following[0], following[-1] + 1, number)
        source = nearest(doc, cue, sources) or subject_of(doc, cue)
        out = [a for a in out if a.content.paragraph != number] + [Attribution(content, cue, source)]
    return out


def _untagged_colon_cues(doc: Doc, layout: Layout, spans: list[RoleSpan]) -> list[RoleSpan]:
    """ "Caddell continued:" as a paragraph of its own: the tagger found the speaker but not the verb
    between it and the closing colon. The verb (a few words at most) becomes the cue."""
    tagged = {s.paragraph for s in spans if s.role == "Cue"}
    out = []
    for source in (s for s in spans if s.role == "Source" and s.paragraph not in tagged):
        tokens = layout.paragraphs[source.paragraph].tokens
        colon = tokens[-1]
        words = doc[source.end : colon]
        if doc[colon].text != ":" or not 0 < len(words) <= COLON_FRAME_WORDS or source.end <= tokens[0]:
            continue
        if words[0].pos_ in {"VERB", "AUX"} and all(not t.is_punct for t in words):
            out.append(RoleSpan("Cue", source.end, colon + 1, source.paragraph))
    return out


def _interrupting_frames(doc: Doc, spans: list[RoleSpan], found: list[Attribution]) -> list[Attribution]:
    """A tagged cue set into the clause it reports ("The museum, the senator said, honours ...") hangs on
    that clause's verb as parataxis, and the tagger leaves the clause untagged: the content is the clause
    without its frame, one fragment on each side of it (PolNeAR annotates them so: 22 % of dev content
    fragments belong to such interrupted attributions)."""
    used = {(a.cue.start, a.cue.end) for a in found if a.cue is not None}
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    sources = [s for s in spans if s.role == "Source"]
    out = []
    for cue in (s for s in spans if s.role == "Cue" and (s.start, s.end) not in used):
        verb = doc[cue.start : cue.end].root
        head = verb.head
        if verb.dep_ != "parataxis" or head.pos_ not in {"VERB", "AUX"}:
            continue
        sent = verb.sent
        frame = (verb.left_edge.i, verb.right_edge.i + 1)
        clause = (max(head.left_edge.i, sent.start), min(head.right_edge.i + 1, sent.end))
        pieces = [trimmed(doc, clause[0], frame[0]), trimmed(doc, frame[1], clause[1])]
        fragments = [p for p in pieces if p is not None and p[1] - p[0] >= 2]
        if not fragments or any(i in taken for a, b in fragments for i in range(a, b)):
            continue
        source = next((x for x in sources if frame[0] <= x.start and x.end <= frame[1]), None)
        source = source or subject_of(doc, cue)
        for start, end in fragments:
            out.append(Attribution(RoleSpan("Content", start, end, cue.paragraph), cue, source))
            taken.update(range(start, end))
    return out


def _orphan_cues(
    doc: Doc, layout: Layout, spans: list[RoleSpan], found: list[Attribution], cue_rates: dict[str, str]
) -> list[Attribution]:
    """Cues the tagger found without content: the content is the clause the cue governs, or, for a frame
    that closes a sentence holding attributions of its own, that whole sentence (see :func:`_nesting_frame`)."""
    used = {(a.cue.start, a.cue.end) for a in found if a.cue is not None}
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    sources = [s for s in spans if s.role == "Source"]
    out = []
    for cue in (s for s in spans if s.role == "Cue" and (s.start, s.end) not in used):
        clause = _governed_clause(doc, cue)
        nested = clause is None or any(i in taken for i in range(*clause))
        if nested:
            clause = _nesting_frame(doc, cue, found, cue_rates)
            if clause is None:
                continue
        content = RoleSpan("Content", clause[0], clause[1], cue.paragraph)
        source = nearest(doc, cue, sources) or subject_of(doc, cue)
        out.append(Attribution(content, cue, source))
        if not nested:
            taken.update(range(*clause))
    return out


def _nesting_frame(
    doc: Doc, cue: RoleSpan, found: list[Attribution], cue_rates: dict[str, str]
) -> tuple[int, int] | None:
    """ "X told police that …, but the NYPD overruled it, the source added." / "… says Y, according to the
    AP.": a frame closing a sentence whose clause holds whole attributions reports all of it, theirs
    included (PolNeAR nests them so). Only a plain, affirmative, common reporting frame after the last
    comma qualifies: on train this finds 9 such frames, 8 of their cues gold (the content edges are
    harder: the outer content should leave out a leading subordinate clause, which this does not)."""
    clause = _clause_before_frame(doc, cue)
    verb = doc[cue.start : cue.end].root
    if clause is None or cue_rates.get(verb.lemma_.lower()) != "hi":
        return None
    negated = any(t.dep_ == "neg" for t in doc[cue.start : cue.end])
    if negated or any(t.pos_ == "CCONJ" for t in doc[clause[1] : cue.start]):
        return None
    if not all(t.is_punct or t.is_space for t in doc[cue.end : verb.sent.end]):
        return None
    inside = [a for a in found if clause[0] <= a.content.start and a.content.end <= clause[1]]
    whole = all(
        a.cue is not None and a.source is not None and clause[0] <= a.source.start and a.cue.end <= clause[1]
        for a in inside
    )
    crossing = any(a.content.start < clause[1] and clause[0] < a.content.end for a in found if a not in inside)
    return clause if inside and whole and not crossing else None


def _governed_clause(doc: Doc, cue: RoleSpan) -> tuple[int, int] | None:
    """Token range of the complement clause (or object) of the cue's head word, punctuation trimmed."""
    root = doc[cue.start : cue.end].root
    for child in root.children:
        if child.dep_ in {"ccomp", "dobj", "xcomp"} and not (cue.start <= child.i < cue.end):
            start, end = child.left_edge.i, child.right_edge.i + 1
            while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
                end -= 1
            if start < end and "\n" not in doc[start:end].text:
                return start, end
    return _clause_before_frame(doc, cue)


def _clause_before_frame(doc: Doc, cue: RoleSpan) -> tuple[int, int] | None:
    """ "<clause>, officials said." : the clause before a frame that closes its sentence."""
    root = doc[cue.start : cue.end].root
    sent = root.sent
    rest = [t for t in doc[cue.end : sent.end] if not (t.is_punct or t.is_space)]
    if len(rest) > FRAME_TAIL_WORDS:
        return None
    k = cue.start - 1
    while k > sent.start and doc[k].text != ",":
        k -= 1
    if k - sent.start < 3 or cue.start - k > FRAME_SOURCE_WORDS + 1:
        return None
    start = sent.start
    while start < k and (doc[start].is_space or doc[start].text in OPEN_QUOTES | STRAIGHT_QUOTES):
        start += 1
    return (start, k) if start < k and "\n" not in doc[start:k].text else None


def _according_frames(doc: Doc, layout: Layout, found: list[Attribution]) -> list[Attribution]:
    """ "<clause>, according to X." / "According to X, <clause>." that the tagger left without a frame:
    "according to" is the cue, X the source and the clause on the other side of the comma the content
    (PolNeAR dev: 36 of 40 "according to" are such cues; the tagger found 13)."""
    cue_tokens = {i for a in found if a.cue is not None for i in range(a.cue.start, a.cue.end)}
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    out = []
    words = layout.arrays.lower
    for i, word in enumerate(words):
        if word != "according" or i + 2 >= len(doc) or words[i + 1] != "to" or i in cue_tokens:
            continue
        token, to = doc[i], doc[i + 1]
        obj = next((c for c in to.children if c.dep_ == "pobj"), doc[token.i + 2])
        source = trimmed(doc, max(obj.left_edge.i, token.i + 2), obj.right_edge.i + 1)
        if source is None:
            continue
        content = _according_content(doc, layout, token.i, source[1])
        if content is None or any(i in taken for i in range(*content)):
            continue
        paragraph = _paragraph_of(layout, token.i)
        out.append(
            Attribution(
                RoleSpan("Content", content[0], content[1], paragraph),
                RoleSpan("Cue", token.i, token.i + 2, paragraph),
                RoleSpan("Source", source[0], source[1], paragraph),
            )
        )
        taken.update(range(*content))
    return out


def _according_content(doc: Doc, layout: Layout, according: int, source_end: int) -> tuple[int, int] | None:
    """The clause an "according to X" frame attributes: what follows "According to X," at a sentence's
    start (after any connective: "Yet, according to X, …"), else what precedes ", according to X"."""
    sent_start, sent_end = layout.sentence_bounds(according)
    lead = sent_start
    # Opening quotation marks and connectives ("Yet, according to X, …") do not make a clause before it.
    while lead < according and (
        doc[lead].is_space
        or doc[lead].text in OPEN_QUOTES | STRAIGHT_QUOTES
        or doc[lead].is_punct
        or is_connective(doc[lead])
    ):
        lead += 1
    if lead == according:
        start = source_end + 1 if source_end < sent_end and doc[source_end].text == "," else source_end
        return trimmed(doc, start, sent_end)
    return trimmed(doc, lead, according)


def is_connective(token: Token) -> bool:
    return token.pos_ in ("CCONJ", "SCONJ") or (token.pos_ == "ADV" and token.dep_ == "advmod")


def trimmed(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """A token range without edge punctuation or whitespace; None when nothing is left or it crosses
    a line break."""
    while start < end and (doc[start].is_space or doc[start].text in {",", ";", ":", "—", "-"}):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        if doc[end - 1].text in CLOSE_QUOTES | STRAIGHT_QUOTES:
            break
        end -= 1
    if start >= end or "\n" in doc[start:end].text:
        return None
    return start, end


def _paragraph_of(layout: Layout, token: int) -> int:
    for number, paragraph in enumerate(layout.paragraphs):
        if paragraph.tokens and paragraph.tokens[0] <= token <= paragraph.tokens[-1]:
            return number
    return 0


def _continuations(doc: Doc, layout: Layout, found: list[Attribution]) -> list[Attribution]:
    """Quoted passages with no frame of their own that follow an attributed quote in the same paragraph.

    News prose often carries on a speaker's words in the next sentence without a new "he said"; the
    speaker and cue are those of the attribution just before.
    """
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    framed = sorted(found, key=lambda a: a.content.start)
    out = []
    for number, paragraph in enumerate(layout.paragraphs):
        for start, end in _quoted_runs(layout, paragraph.tokens):
            if any(i in taken for i in range(start, end)) or end - start < 3:
                continue
            before = [a for a in framed if a.content.paragraph == number and a.content.end <= start]
            if before and (before[-1].source is not None):
                prev = before[-1]
                out.append(Attribution(RoleSpan("Content", start, end, number), prev.cue, prev.source))
    return out


def _quoted_runs(layout: Layout, tokens: tuple[int, ...]) -> list[tuple[int, int]]:
    """Token ranges (marks included) of each quotation in a paragraph."""
    depths = [layout.depth[i] for i in tokens]
    runs = []
    start: int | None = None
    for k, depth in enumerate(depths):
        if depth == 2 and start is None:
            start = k
        elif depth == 2 and start is not None:
            runs.append((tokens[start], tokens[k] + 1))
            start = None
    return runs


def _quoted_inside(
    doc: Doc, layout: Layout, found: list[Attribution], cue_rates: dict[str, str]
) -> list[Attribution]:
    """Quotations with a speaker of their own inside the content of an "according to" frame.

    "… used by Mr. X, who denounced the “…,” according to the ministry" is one attribution to the
    ministry in PolNeAR's terms (the tagger marks the outer one), but the quoted words are X's, relayed by
    the ministry. When such a quotation hangs below a reporting verb that stands outside the quotation,
    inside the same content, and has its own subject, it becomes an attribution of its own: that subject
    (a relative pronoun resolves to its noun) as source, the verb as cue; the outer attribution stays, and
    the relay is found from the cue's sentence as for any quote. Other frames are left alone: PolNeAR
    marks no nested attributions, and allowing every outer cue cost 0.003 source F1 on dev.
    """
    out = []
    for a in found:
        if a.cue is None or doc[a.cue.start].lower_ != "according":
            continue
        for start, end in _quoted_runs(layout, layout.paragraphs[a.content.paragraph].tokens):
            if start < a.content.start or end > a.content.end or (start, end) == (a.content.start, a.content.end):
                continue
            verb = doc[start:end].root.head
            if not (a.content.start <= verb.i < a.content.end) or layout.depth[verb.i]:
                continue
            if verb.pos_ != "VERB" or cue_rates.get(verb.lemma_.lower()) not in ("hi", "mid"):
                continue
            cue = RoleSpan("Cue", verb.i, verb.i + 1, a.content.paragraph)
            source = subject_of(doc, cue)
            if source is None or (a.source is not None and source.start < a.source.end and a.source.start < source.end):
                continue
            out.append(Attribution(RoleSpan("Content", start, end, a.content.paragraph), cue, source))
    return out


def _framed(doc: Doc, layout: Layout, a: Attribution) -> bool:
    """Whether an attribution says who spoke. A content with no source the tagger or the parse could
    find is mostly not an attribution at all (PolNeAR dev: 31 of 177 such contents exact; dropping them
    raised exact content F1 0.553 -> 0.563, cue 0.667 -> 0.670); a quotation is kept, it is somebody's
    words even when the frame is lost."""
    return a.source is not None or quote_kind(doc, layout, a.content) == "direct"
