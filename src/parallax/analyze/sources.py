"""Sources an article relies on (placeholder until the quotes work lands: finds nothing yet)."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from parallax.model import Quote, SourceCitation


def sources_relied_on(doc: Doc, quotes: Sequence[Quote], article_id: str) -> list[SourceCitation]:
    """Every mention of a source (wire service, state media, official statement, outlet, anonymous)."""
    return []
