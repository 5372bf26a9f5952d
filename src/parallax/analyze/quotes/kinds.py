"""Quote kinds: direct, partial, mixed or indirect, from how much of a content quotation marks enclose."""

from __future__ import annotations

from spacy.tokens import Doc

from parallax.model import QuoteKind

from .features import Layout
from .runner import step
from .state import QuoteState
from .tagger import RoleSpan

__all__ = ["PARTIAL_SHARE", "classify", "quote_kind"]

# A partial quote quotes less than this share of its content's words (calibrated by eye on the seeds;
# PolNeAR does not label quote kinds).
PARTIAL_SHARE = 0.5


@step("kinds", requires=["layout", "attributions"], assigns=["kinds"])
def classify(state: QuoteState) -> None:
    """The kind of every attribution's content."""
    assert state.layout is not None and state.attributions is not None
    state.kinds = [quote_kind(state.doc, state.layout, a.content) for a in state.attributions]


def quote_kind(doc: Doc, layout: Layout, content: RoleSpan) -> QuoteKind:
    """Direct when quotation marks enclose the content, partial or mixed when they enclose part of it."""
    depths = layout.depth[content.start : content.end]
    words = [d for i, d in zip(range(content.start, content.end), depths) if not doc[i].is_punct]
    if not any(words):
        return "indirect"
    share = sum(d == 1 for d in words) / len(words)
    if share >= 0.95:
        return "direct"
    return "partial" if share < PARTIAL_SHARE else "mixed"
