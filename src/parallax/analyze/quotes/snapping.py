"""Snapping: content, cue and source edges moved onto PolNeAR's conventions (counts read off train)."""

from __future__ import annotations

from spacy.tokens import Doc

from .features import OPEN_QUOTES, STRAIGHT_QUOTES, Layout
from .linking import DASHES
from .runner import step
from .state import Attribution, QuoteState
from .tagger import RoleSpan

__all__ = ["snap", "snap_content", "snap_cue", "snap_source"]

# Punctuation that PolNeAR leaves outside a content span when no quotation mark closes it.
TRAILING_PUNCT = frozenset({".", ",", ";", ":"})


@step("snap", requires=["layout", "refined"], assigns=["snapped"])
def snap(state: QuoteState) -> None:
    """Every attribution's content, cue and source with their edges on the convention."""
    assert state.layout is not None and state.refined is not None
    doc, layout = state.doc, state.layout
    state.snapped = [
        Attribution(_snap_content(doc, layout, a.content), _snap_cue(doc, a.cue), snap_source(doc, layout, a.source))
        for a in state.refined
    ]


def snap_cue(doc: Doc, start: int, end: int, paragraph: int) -> tuple[int, int]:
    """The token edges a cue spanning ``start:end`` ends up with after snapping."""
    snapped = _snap_cue(doc, RoleSpan("Cue", start, end, paragraph))
    assert snapped is not None
    return snapped.start, snapped.end


def snap_content(doc: Doc, layout: Layout, start: int, end: int, paragraph: int) -> tuple[int, int]:
    """The token edges a content spanning ``start:end`` ends up with after snapping to the convention."""
    snapped = _snap_content(doc, layout, RoleSpan("Content", start, end, paragraph))
    return snapped.start, snapped.end


def _snap_content(doc: Doc, layout: Layout, content: RoleSpan) -> RoleSpan:
    """Move a content span's edges onto PolNeAR's convention, read off train (counts over 27k gold
    contents): a leading complementiser is inside (2,323 begin with "that", 30 follow it), an opening
    quotation mark is inside (4,567 vs 25), and a trailing period, comma, semicolon or colon outside a
    quotation is not (8,460 words before a period vs 424 contents ending on one; commas 3,252 vs 119).
    A parenthesis whose partner lies outside the content is outside too (no train content ends on an
    unmatched ")" or starts on an unmatched "(")."""
    start, end = content.start, content.end

    def surplus(paren: str, other: str) -> bool:
        words = [t.text for t in doc[start:end]]
        return words.count(paren) > words.count(other)

    while end - start > 1 and (
        (doc[end - 1].text in TRAILING_PUNCT and not layout.depth[end - 1])
        or (doc[end - 1].text == ")" and surplus(")", "("))
    ):
        end -= 1
    while end - start > 1 and doc[start].text == "(" and surplus("(", ")"):
        start += 1
    sent_start = layout.sentence_bounds(start)[0]
    before = start - 1
    if (
        before >= sent_start
        and layout.depth[before] == 2
        and doc[before].text in OPEN_QUOTES | STRAIGHT_QUOTES
    ):
        start = before
    elif before >= sent_start and doc[before].lower_ == "that" and doc[before].dep_ == "mark":
        start = before
    end = _to_closing_mark(doc, layout, start, end)
    if (start, end) == (content.start, content.end):
        return content
    return RoleSpan("Content", start, end, content.paragraph)


def snap_source(doc: Doc, layout: Layout, source: RoleSpan | None) -> RoleSpan | None:
    """A source with its appositive's closing comma, and without the dateline that opens its paragraph
    ("WASHINGTON -- President Obama" → "President Obama"): upper-case place words and a dash are the
    story's origin, not part of who spoke. An acronym inside a paragraph ("… NATO — the alliance —") is
    left alone."""
    if source is None:
        return None
    if source.end < len(doc) and doc[source.end].text == "," and any(t.text == "," for t in doc[source.start : source.end]):
        # An appositive's closing comma belongs to the source ("Ana Ruiz, a spokeswoman for the envoy,"):
        # PolNeAR train ends 864 sources holding an appositive on it and leaves it out 100 times.
        source = RoleSpan("Source", source.start, source.end + 1, source.paragraph)
    if layout.paragraphs[source.paragraph].tokens[0] != source.start:
        return source
    k = source.start
    while k < source.end and doc[k].is_alpha and doc[k].is_upper and len(doc[k]) > 1:
        k += 1
    if k == source.start or k >= source.end - 1 or doc[k].text not in DASHES | {"-"}:
        return source
    return RoleSpan("Source", k + 1, source.end, source.paragraph)


def _snap_cue(doc: Doc, cue: RoleSpan | None) -> RoleSpan | None:
    """A cue holds a colon that follows it (PolNeAR train: 368 cues end on one, 18 are followed by one)
    and starts on a word, not on a possessive ending or punctuation."""
    if cue is None:
        return None
    start, end = cue.start, cue.end
    while end - start > 1 and (doc[start].is_punct or doc[start].tag_ == "POS"):
        start += 1
    if end < len(doc) and doc[end].text == ":" and not doc[end - 1].is_punct:
        end += 1
    return cue if (start, end) == (cue.start, cue.end) else RoleSpan("Cue", start, end, cue.paragraph)


def _to_closing_mark(doc: Doc, layout: Layout, start: int, end: int) -> int:
    """A content that opens a quotation the tagger stopped short of closing runs to the closing mark,
    when the mark is in the same paragraph and nothing quoted stands between."""
    if layout.depth[start] != 2 or doc[start].text not in OPEN_QUOTES | STRAIGHT_QUOTES:
        return end
    if any(layout.depth[i] == 2 for i in range(start + 1, end)):
        return end
    k = end
    while k < len(doc) and layout.depth[k] == 1 and "\n" not in doc[k].text:
        k += 1
    return k + 1 if k < len(doc) and layout.depth[k] == 2 else end
