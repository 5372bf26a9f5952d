"""Sources each outlet relies on, counted per outlet for a side-by-side view."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from parallax.model import AnalyzedArticle

__all__ = ["sources_by_outlet"]

LOGGER = logging.getLogger(__name__)


def sources_by_outlet(analyzed: Sequence[AnalyzedArticle]) -> dict[str, dict[str, int]]:
    """outlet -> source name -> number of citations, from source citations and quote relays.

    A relay already cited as a source at the same offsets is counted once.
    """
    out: dict[str, Counter[str]] = {}
    for item in analyzed:
        counts = out.setdefault(item.article.outlet, Counter())
        seen: set[tuple[int, int]] = set()
        for citation in item.sources:
            counts[_display(citation.name)] += 1
            seen.add((citation.span.start, citation.span.end))
        for quote in item.quotes:
            relay = quote.relay
            if relay is not None and (relay.span.start, relay.span.end) not in seen:
                counts[_display(relay.name)] += 1
                seen.add((relay.span.start, relay.span.end))
    return {outlet: dict(counts.most_common()) for outlet, counts in sorted(out.items())}


def _display(name: str) -> str:
    """One spelling per source: "Tass" and "TASS" are the same agency."""
    name = " ".join(name.split())
    return name.upper() if name.isalpha() and len(name) <= 5 else name
