"""Sources an article relies on: wire services, state media, official statements, other outlets and
anonymous sources, one :class:`SourceCitation` per mention (count them by ``name`` for totals)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Doc

from parallax.model import Quote, SourceCitation, Span

from .relays import ANONYMOUS_HEADS, anonymous_name, find_relays

__all__ = ["source_counts", "sources_relied_on"]

LOGGER = logging.getLogger(__name__)


def sources_relied_on(doc: Doc, quotes: Sequence[Quote], article_id: str) -> list[SourceCitation]:
    """Every mention of a source the article relies on, in text order.

    Args:
        doc: the parsed article.
        quotes: the article's quotes from :func:`parallax.analyze.quotes.extract_quotes`.
        article_id: the id written into every record.

    Returns:
        Relay mentions anywhere in the text, quote relays, and anonymous speakers ("officials said").
        Names of one source are unified case-insensitively to their first spelling.
    """
    found: dict[tuple[int, int], SourceCitation] = {}
    for mention in find_relays(doc):
        span = Span(mention.span.start_char, mention.span.end_char, mention.span.text)
        found[(span.start, span.end)] = SourceCitation(article_id, mention.name, mention.kind, span)
    for quote in quotes:
        if quote.relay is not None:
            key = (quote.relay.span.start, quote.relay.span.end)
            found.setdefault(
                key, SourceCitation(article_id, quote.relay.name, quote.relay.kind, quote.relay.span)
            )
        anonymous = _anonymous_speaker(doc, quote)
        if anonymous is not None:
            found.setdefault((anonymous.span.start, anonymous.span.end), anonymous)
    return _unify_names(sorted(found.values(), key=lambda c: c.span.start))


def _anonymous_speaker(doc: Doc, quote: Quote) -> SourceCitation | None:
    """A speaker that is an unnamed source ("officials", "a person familiar with the talks")."""
    if quote.speaker is None or quote.speaker_name is not None:
        return None
    span = doc.char_span(quote.speaker.start, quote.speaker.end, alignment_mode="expand")
    if span is None or not len(span) or any(t.pos_ == "PROPN" for t in span):
        return None
    if span.root.lemma_.lower() not in ANONYMOUS_HEADS:
        return None
    return SourceCitation(quote.article_id, anonymous_name(span), "anonymous", quote.speaker)


def _unify_names(citations: list[SourceCitation]) -> list[SourceCitation]:
    first: dict[str, str] = {}
    out = []
    for citation in citations:
        name = first.setdefault(citation.name.lower(), citation.name)
        out.append(SourceCitation(citation.article_id, name, citation.kind, citation.span))
    return out


def source_counts(citations: Sequence[SourceCitation]) -> dict[str, int]:
    """How many times the article relies on each named source."""
    return dict(Counter(c.name for c in citations))
