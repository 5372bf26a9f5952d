"""The JSON report: ``to_dict`` of the :class:`~parallax.model.Comparison` (schema in docs/comparison.md)."""

from __future__ import annotations

import json as _json
import logging

from parallax.model import Comparison, to_dict

__all__ = ["REPORT_KEYS", "render_json"]

LOGGER = logging.getLogger(__name__)

# The keys the issue promises readers; the record may carry more (sentences, mentions, source_citations).
REPORT_KEYS = ("story", "articles", "entities", "quotes", "quote_groups", "alignments", "unique", "missing",
               "conflicts", "sources", "framing")


def render_json(comparison: Comparison) -> str:
    """Pretty-printed UTF-8 JSON; ``from_dict(Comparison, json.loads(...))`` rebuilds the record."""
    return _json.dumps(to_dict(comparison), ensure_ascii=False, indent=2)
