"""Quote extraction and attribution (placeholder until the quotes work lands: finds nothing yet)."""

from __future__ import annotations

from spacy.tokens import Doc

from parallax.model import Quote


def extract_quotes(doc: Doc, article_id: str) -> list[Quote]:
    """Every attribution in ``doc`` as :class:`Quote` records."""
    return []
