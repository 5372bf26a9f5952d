"""The labels each outlet attaches to the story's entities, named as the comparison names them.

Labels are read from the parse at analysis (:func:`parallax.analyze.labels.doc_labels`) and stored with
it, so a comparison never parses; only an analysis stored before that is re-parsed here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from parallax.analyze.labels import DESIGNATORS, is_description, nameable, parse_labels
from parallax.keys import mention_key
from parallax.model import AnalyzedArticle, Label, Mention

__all__ = ["DESIGNATORS", "entity_labels", "is_description"]

LOGGER = logging.getLogger(__name__)


def entity_labels(analyzed: Sequence[AnalyzedArticle], *, canonical: Mapping[str, str] | None = None) -> list[Label]:
    """Every label attached to a named entity in the story's articles, deduplicated per outlet."""
    canonical = canonical or {}
    seen: set[tuple[str, str, str]] = set()
    labels: list[Label] = []
    for item in analyzed:
        found = item.labels if item.labels is not None else parse_labels(item)
        by_start: dict[int, Mention] = {m.start: m for m in item.mentions}
        for label in found:
            mention = by_start.get(label.mention_start)
            if mention is None:
                continue
            name = canonical.get(mention.entity_id or "", "") or mention_key(mention)
            if not nameable(name):
                continue
            key = (item.article.outlet, name, label.text.lower())
            if key not in seen:
                seen.add(key)
                labels.append(Label(name, item.article.outlet, label.text, item.article.id, label.start, label.end))
    LOGGER.info("%d entity labels from %d articles", len(labels), len(analyzed))
    return labels

