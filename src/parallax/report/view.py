"""What the Markdown and HTML writers show, derived once from a comparison: who reports what."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from parallax.model import Alignment, Article, Comparison, Conflict

__all__ = ["CoverageRow", "SentenceView", "coverage_rows", "outlet_articles", "sentence_views", "snippet"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SentenceView:
    """One sentence as a report shows it: its text, status and whether it is in a conflict."""

    article_id: str
    outlet: str
    index: int
    text: str
    status: str  # shared | partial | unique | conflict
    with_outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One part of the story (a group of aligned sentences) and which outlets cover it."""

    label: str
    outlets: tuple[str, ...]


def snippet(text: str, limit: int = 90) -> str:
    """``text`` on one line, cut at a word boundary."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit].rsplit(" ", 1)[0] + "…"


def outlet_articles(comparison: Comparison) -> list[tuple[str, list[Article]]]:
    """Outlets in story order with their articles."""
    out: dict[str, list[Article]] = {}
    for article in comparison.articles:
        out.setdefault(article.outlet, []).append(article)
    return list(out.items())


def _conflicted(conflicts: Sequence[Conflict]) -> set[tuple[str, int]]:
    return {(ref.article_id, ref.sentence) for c in conflicts for ref in (c.a, c.b)}


def sentence_views(comparison: Comparison) -> dict[str, list[SentenceView]]:
    """article id -> its sentences with their status (conflict overrides the alignment status)."""
    texts = {a.id: a.text for a in comparison.articles}
    conflicted = _conflicted(comparison.conflicts)
    out: dict[str, list[SentenceView]] = {}
    for a in comparison.alignments:
        status = "conflict" if (a.article_id, a.sentence) in conflicted else a.status
        text = texts.get(a.article_id, "")[a.start : a.end]
        out.setdefault(a.article_id, []).append(
            SentenceView(a.article_id, a.outlet, a.sentence, text, status, a.outlets))
    return out


def coverage_rows(comparison: Comparison, *, limit: int = 60) -> list[CoverageRow]:
    """Parts of the story in reading order: each aligned group once, each unique statement alone."""
    texts = {a.id: a.text for a in comparison.articles}
    key = {(a.article_id, a.sentence): i for i, a in enumerate(comparison.alignments)}
    parent = list(range(len(comparison.alignments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(comparison.alignments):
        for m in a.matches:
            j = key.get((m.article_id, m.sentence))
            if j is not None:
                parent[find(j)] = find(i)
    groups: dict[int, list[Alignment]] = {}
    for i, a in enumerate(comparison.alignments):
        groups.setdefault(find(i), []).append(a)
    rows = []
    for members in sorted(groups.values(), key=lambda g: min(key[(a.article_id, a.sentence)] for a in g)):
        first = members[0]
        label = snippet(texts.get(first.article_id, "")[first.start : first.end], 80)
        rows.append(CoverageRow(label, tuple(sorted({a.outlet for a in members}))))
    shared_first = sorted(rows, key=lambda r: -len(r.outlets))
    return shared_first[:limit]
