"""Records: each attribution with its speaker, kind and relay as a :class:`parallax.model.Quote`."""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan

from parallax.model import Quote, Span

from .runner import step
from .state import QuoteState

__all__ = ["make_records"]


@step("records", requires=["layout", "attributions", "speakers", "kinds", "relays"], assigns=["quotes"])
def make_records(state: QuoteState) -> None:
    """One :class:`Quote` per attribution, with character offsets, in content order; two routes to the
    same record (the tagger's own fragment and a frame rule's) make one, the first."""
    layout, attributions = state.layout, state.attributions
    assert layout is not None and attributions is not None
    assert state.speakers is not None and state.kinds is not None and state.relays is not None
    doc = state.doc
    unique: dict[tuple[Span, Span | None, Span | None], Quote] = {}
    for a, resolved, kind, relay in zip(attributions, state.speakers, state.kinds, state.relays, strict=True):
        speaker = doc[a.source.start : a.source.end] if a.source else None
        cue = doc[a.cue.start : a.cue.end] if a.cue else None
        quote = Quote(
            article_id=state.article_id,
            kind=kind,
            content=_span(doc[a.content.start : a.content.end]),
            cue=_span(cue) if cue is not None else None,
            speaker=_span(speaker) if speaker is not None else None,
            speaker_name=resolved.name if resolved else None,
            speaker_role=resolved.role if resolved else None,
            relay=relay,
            sentence=layout.sentence[a.content.start],
        )
        unique.setdefault((quote.content, quote.cue, quote.speaker), quote)
    state.quotes = sorted(unique.values(), key=lambda q: (q.content.start, q.content.end))


def _span(span: SpacySpan) -> Span:
    """The character span of ``span`` without whitespace at its edges (a no-break space is a token)."""
    text = span.text
    stripped = text.strip()
    if not stripped:
        return Span(span.start_char, span.end_char, text)
    start = span.start_char + text.index(stripped)
    return Span(start, start + len(stripped), stripped)
