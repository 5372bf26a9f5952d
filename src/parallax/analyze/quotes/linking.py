"""Linking: the tagger's spans, clipped and completed with transcript lines, paired into attributions.

Every content span gets its cue and every cue its source, nearest in the same paragraph first, the parse
breaking ties; a missing cue or source is filled from the parse (the reporting verb beside a quotation,
the subject of the cue's clause). The parse helpers here are shared by the later steps.
"""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Token

from .features import CLOSE_QUOTES, OPEN_QUOTES, STRAIGHT_QUOTES, Layout, Paragraph, quote_depths
from .runner import step
from .state import Attribution, QuoteState
from .tagger import RoleSpan

__all__ = ["ANY_QUOTES", "DASHES", "link", "nearest", "phrase_range", "subject_of", "word_root"]

LOGGER = logging.getLogger(__name__)

# Links further apart than this many tokens are not made: attributions in PolNeAR dev sit well inside it.
MAX_LINK_DISTANCE = 60
# A reporting verb this many tokens from a quotation frames it (", he said" / "he added:").
ADJACENT_FRAME = 5
# Transcript speaker labels ("MR. SMITH:", "WALLACE:") are at most this many upper-case words.
TRANSCRIPT_NAME_TOKENS = 3
DASHES = frozenset({"―", "—", "–", "--"})
ANY_QUOTES = OPEN_QUOTES | CLOSE_QUOTES | STRAIGHT_QUOTES
# A signature after a dash ("“…” ― Maria de la Cruz") is at most this many words.
SIGNATURE_NAME_TOKENS = 6
NAME_JOINERS = frozenset({"de", "la", "van", "von", "der", "del", "da", "di", "bin", "al", "-"})


@step("link", requires=["layout", "tagged", "cue_rates"], assigns=["spans", "linked"])
def link(state: QuoteState) -> None:
    """Clip source and cue spans to their sentence, read transcript and signature lines, pair the spans
    into attributions and complete each from the parse."""
    assert state.layout is not None and state.tagged is not None and state.cue_rates is not None
    doc, layout = state.doc, state.layout
    tagged = [_clip_to_sentence(doc, layout, s) for s in state.tagged]
    state.spans = _with_transcripts(doc, layout, tagged)
    state.linked = [_complete(doc, a, state.cue_rates) for a in _link(doc, state.spans)]


def _with_transcripts(doc: Doc, layout: Layout, spans: list[RoleSpan]) -> list[RoleSpan]:
    """Interview transcripts ("SPEAKER: words ...") are attributions by layout: the capitalised name
    is the source, the colon the cue and the rest of the paragraph the content. These replace whatever
    the tagger found in such a paragraph."""
    found: list[RoleSpan] = []
    lines: set[int] = set()
    for number, paragraph in enumerate(layout.paragraphs):
        signed = _signature_frame(doc, paragraph.tokens)
        if signed is not None:
            content_end, dash, name_start, name_end = signed
            lines.add(number)
            found.append(RoleSpan("Content", paragraph.tokens[0], content_end, number))
            found.append(RoleSpan("Cue", dash, dash + 1, number))
            found.append(RoleSpan("Source", name_start, name_end, number))
            continue
        frame = _transcript_frame(doc, paragraph.tokens)
        if frame is None:
            continue
        name_start, colon = frame
        end = paragraph.tokens[-1] + 1
        while end > colon + 1 and doc[end - 1].text in CLOSE_QUOTES | STRAIGHT_QUOTES:
            end -= 1
        if end <= colon + 1:
            continue
        lines.add(number)
        found.append(RoleSpan("Source", name_start, colon, number))
        found.append(RoleSpan("Cue", colon, colon + 1, number))
        found.append(RoleSpan("Content", colon + 1, end, number))
    return [s for s in spans if s.paragraph not in lines] + found


def _signature_frame(doc: Doc, tokens: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """(content end, dash, name start, name end) when a paragraph is a quotation signed by its speaker
    after a dash: "“…” ― Name" (reader voices, epigraphs). The opening mark may be turned the wrong way
    ("”…” ― Name", a typesetting slip). The name is a few capitalised words or initials; a no-break space
    between dash and name is a token of the doc but not of the paragraph."""
    if len(tokens) < 4 or doc[tokens[0]].text not in ANY_QUOTES:
        return None
    k = len(tokens)  # a paragraph holds no whitespace tokens
    while k and doc[tokens[k - 1]].text == ".":
        k -= 1
    name = k
    while name > 0 and k - name < SIGNATURE_NAME_TOKENS and _name_word(doc[tokens[name - 1]]):
        name -= 1
    if name == k or name < 2 or doc[tokens[name - 1]].text not in DASHES:
        return None
    closing = doc[tokens[name - 2]]
    if closing.text not in CLOSE_QUOTES | STRAIGHT_QUOTES:
        return None
    return closing.i + 1, tokens[name - 1], tokens[name], tokens[k - 1] + 1


def _name_word(token: Token) -> bool:
    text = token.text
    return (text[:1].isupper() and (text.isalpha() or (len(text) == 2 and text[1] == "."))) or text in NAME_JOINERS


def _transcript_frame(doc: Doc, tokens: tuple[int, ...]) -> tuple[int, int] | None:
    """(first name token, colon token) when a paragraph opens with an upper-case name and a colon."""
    k = 0
    while k < len(tokens) and doc[tokens[k]].text in OPEN_QUOTES | STRAIGHT_QUOTES:
        k += 1
    name = k
    while k < len(tokens) and k - name < TRANSCRIPT_NAME_TOKENS and doc[tokens[k]].is_upper:
        if not doc[tokens[k]].is_alpha or len(doc[tokens[k]]) < 2:
            return None
        k += 1
    if k == name or k >= len(tokens) - 1 or doc[tokens[k]].text != ":":
        return None
    return tokens[name], tokens[k]


def _clip_to_sentence(doc: Doc, layout: Layout, span: RoleSpan) -> RoleSpan:
    """Source and cue spans stay inside the sentence of their head word (content may run on)."""
    if span.role == "Content":
        return span
    sent_start, sent_end = layout.sentence_bounds(doc[span.start : span.end].root.i)
    start, end = max(span.start, sent_start), min(span.end, sent_end)
    return RoleSpan(span.role, start, end, span.paragraph) if start < end else span


def _link(doc: Doc, spans: list[RoleSpan]) -> list[Attribution]:
    """Give every content span its cue and every cue its source, nearest in the same paragraph first."""
    cues = [s for s in spans if s.role == "Cue"]
    sources = [s for s in spans if s.role == "Source"]
    contents = [s for s in spans if s.role == "Content"]
    cue_of = _assign(doc, contents, cues, capacity=2)
    source_of = _assign(doc, cues, sources, capacity=1)
    out = []
    for content in contents:
        cue = cue_of.get(content)
        if cue is None:
            source = source_of.get(content) or nearest(doc, content, sources)
        else:
            source = source_of.get(cue) or nearest(doc, cue, sources)
        out.append(Attribution(content, cue, source))
    return out


def _assign(
    doc: Doc, items: list[RoleSpan], candidates: list[RoleSpan], *, capacity: int
) -> dict[RoleSpan, RoleSpan]:
    """Pair items with candidates cheapest link first, each candidate taking at most ``capacity`` items,
    so that one cue does not take a content that a cue with no other content should have."""
    pairs = sorted(
        (cost, k, j)
        for k, item in enumerate(items)
        for j, cand in enumerate(candidates)
        if (cost := _link_cost(doc, item, cand)) is not None
    )
    load = [0] * len(candidates)
    out: dict[RoleSpan, RoleSpan] = {}
    for _, k, j in pairs:
        if items[k] in out or load[j] >= capacity:
            continue
        out[items[k]] = candidates[j]
        load[j] += 1
    return out


def _link_cost(doc: Doc, anchor: RoleSpan, cand: RoleSpan) -> float | None:
    if cand.paragraph != anchor.paragraph:
        return None
    gap = max(cand.start - anchor.end, anchor.start - cand.end, 0)
    if gap > MAX_LINK_DISTANCE:
        return None
    return gap - (20 if _parse_linked(doc, anchor, cand) else 0)


def _complete(doc: Doc, a: Attribution, cue_rates: dict[str, str]) -> Attribution:
    """Fill a missing cue or source from the parse: the reporting verb right beside a quotation, and
    the subject of the cue's clause (or of the clause it hangs on: "X condemned ..., calling it ...")."""
    content = _trim_direct(doc, a.content, cue_rates)
    if content != a.content:
        a = Attribution(content, None, None)
    cue = a.cue or _adjacent_cue(doc, a.content, cue_rates) or _dash_cue(doc, a.content, a.source)
    source = a.source
    if source is None and cue is not None:
        source = subject_of(doc, cue)
    return Attribution(a.content, cue, source)


def _dash_cue(doc: Doc, content: RoleSpan, source: RoleSpan | None) -> RoleSpan | None:
    """A dash alone between a quotation and its speaker is the cue of a signature line
    ("“…” ― Name", "Name — “…”"), as a colon is in a transcript."""
    if source is None:
        return None
    gap = range(content.end, source.start) if content.end <= source.start else range(source.end, content.start)
    words = [i for i in gap if not doc[i].is_space]
    if len(words) == 1 and doc[words[0]].text in DASHES:
        return RoleSpan("Cue", words[0], words[0] + 1, content.paragraph)
    return None


def _trim_direct(doc: Doc, content: RoleSpan, cue_rates: dict[str, str]) -> RoleSpan:
    """End a content span that opens a quotation at the quotation's close when its frame follows inside
    it (", he said during ..."): the tagger sometimes runs on where the parser merged paragraphs. A tail
    with no reporting verb is the reporter's continuation of a mixed quote ("“…” for criminal
    behavior, she said"), and PolNeAR keeps it in the content (dev: all 9 tails the rule cut before it
    asked for the verb were such continuations)."""
    if doc[content.start].text not in OPEN_QUOTES:
        return content
    depths = quote_depths(doc, Paragraph(tuple(range(content.start, content.end))))
    closes = [k for k, d in enumerate(depths) if d == 2 and k > 0]
    if len(closes) != 1 or closes[0] >= len(depths) - 2:
        return content
    end = content.start + closes[0] + 1
    tail = doc[end : content.end]
    if not any(t.pos_ in {"VERB", "AUX"} and cue_rates.get(t.lemma_.lower()) == "hi" for t in tail):
        return content
    return RoleSpan("Content", content.start, end, content.paragraph)


def _adjacent_cue(doc: Doc, content: RoleSpan, cue_rates: dict[str, str]) -> RoleSpan | None:
    """A frequent reporting verb within a few tokens after (", he said") or before ("he said:") it."""
    after = range(content.end, min(content.end + ADJACENT_FRAME, len(doc)))
    before = range(content.start - 1, max(content.start - ADJACENT_FRAME, 0) - 1, -1)
    for i in (*after, *before):
        token = doc[i]
        if "\n" in token.text:
            return None
        if token.pos_ in {"VERB", "AUX"} and cue_rates.get(token.lemma_.lower()) == "hi":
            return RoleSpan("Cue", i, i + 1, content.paragraph)
    return None


def phrase_range(doc: Doc, head: Token) -> tuple[int, int]:
    """Token range of the phrase ``head`` heads, without trailing punctuation and whitespace."""
    start, end = head.left_edge.i, head.right_edge.i + 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def subject_of(doc: Doc, cue: RoleSpan) -> RoleSpan | None:
    """The subject phrase of the cue's verb, climbing through participle and coordinate clauses."""
    verb = doc[cue.start : cue.end].root
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects:
            start, end = phrase_range(doc, subjects[0])
            if start < end and not doc[start:end].text.count("\n"):
                return RoleSpan("Source", start, end, cue.paragraph)
            return None
        if verb.dep_ not in {"advcl", "xcomp", "conj"} or verb.head is verb:
            return None
        verb = verb.head
    return None


def nearest(doc: Doc, anchor: RoleSpan, candidates: list[RoleSpan]) -> RoleSpan | None:
    """The candidate in the anchor's paragraph that the parse ties to it, else the closest one."""
    best: tuple[float, RoleSpan] | None = None
    for cand in candidates:
        cost = _link_cost(doc, anchor, cand)
        if cost is None:
            continue
        if best is None or cost < best[0]:
            best = (cost, cand)
    return best[1] if best else None


def _parse_linked(doc: Doc, a: RoleSpan, b: RoleSpan) -> bool:
    """Whether the roots of the two spans are near in the parse: one heads the other, directly or through
    one word between ("X said [the videos do not show …], the footage showed": the parser hangs the
    content below "showed" and "showed" below "said"), or they share a head. A coordination arc is not a
    link: in "Trump tweeted [that …] and encouraged [Americans to …]" the parser hangs "encouraged" on the
    first content's verb as its conjunct, but it frames only the second content."""
    root_a, root_b = word_root(doc, a), word_root(doc, b)
    siblings = root_a.head == root_b.head and "conj" not in (root_a.dep_, root_b.dep_)
    return root_b in _governors(root_a) or root_a in _governors(root_b) or siblings


def _governors(token: Token) -> list[Token]:
    """The head of ``token`` and the head's head, not climbing through a coordination arc."""
    if token.dep_ == "conj":
        return []
    head = token.head
    return [head] if head.dep_ == "conj" else [head, head.head]


def word_root(doc: Doc, span: RoleSpan) -> Token:
    """The syntactic root of ``span`` without its edge punctuation (a closing period or quotation mark
    hangs on the sentence's root, and would otherwise be the root of a content that ends on it)."""
    start, end = span.start, span.end
    while end - start > 1 and doc[end - 1].is_punct:
        end -= 1
    while end - start > 1 and doc[start].is_punct:
        start += 1
    return doc[start:end].root
