"""Alignment: which statements of each article other outlets also report.

Every sentence is embedded once per story; candidate pairs across outlets come from cosine similarity,
and each candidate is scored by mixing the cosine with an IDF-weighted overlap of the facts both sentences
name (entities, numbers, dates, content words), so that two sentences about the same meeting align while
two sentences that merely share the story's vocabulary do not.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from parallax.model import AlignedRef, Alignment, OutletGap

from .features import SentenceFacts

__all__ = ["AlignConfig", "AlignResult", "align", "candidate_pairs", "fact_units"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Thresholds on the pair score ``cosine_weight * cosine + (1 - cosine_weight) * weighted_overlap``.

    Set by hand on the seed pair (all-MiniLM-L6-v2 int8 cosines): sentences reporting the same fact
    scored 0.45-0.57, sentences sharing only the story's common entities and day 0.30-0.40. Checked on
    BASIL dev (docs/comparison.md has the figures): lowering ``partial`` to 0.38 marks 20 % more
    sentences partial for little gain in informational-span coverage.
    """

    cosine_weight: float = 0.6
    shared: float = 0.45
    partial: float = 0.41
    candidate_cosine: float = 0.30  # below this no pair can reach ``partial`` in practice
    min_units: int = 3  # sentences naming fewer facts ("This is concrete.") are never gaps
    # Each sentence is scored against at most this many nearest sentences of other outlets: a large story
    # (150 articles, 6,000 sentences) would otherwise score millions of pairs. Stories of up to this many
    # sentences are scored in full.
    max_neighbours: int = 64


@dataclass(frozen=True, slots=True)
class AlignResult:
    """Alignment records plus the pair scores the other comparison steps reuse."""

    alignments: tuple[Alignment, ...]
    unique: tuple[OutletGap, ...]
    missing: tuple[OutletGap, ...]
    scores: np.ndarray  # (n, n) pair scores, 0 for pairs within one outlet or below the candidate cosine
    cosine: np.ndarray  # (n, n) raw cosine similarities
    pairs: list[tuple[int, int]]  # the candidate pairs (i < j) that were scored


def fact_units(facts: SentenceFacts) -> set[str]:
    """The comparable facts of a sentence as one set of prefixed keys."""
    units = {f"e:{key}" for key in facts.entities} | {f"w:{tok}" for tok in facts.tokens}
    units |= {f"n:{value:g}" for value, _ in facts.numbers}
    units |= {f"d:{date}" for date in facts.dates}
    return units


def align(facts: Sequence[SentenceFacts], vectors: np.ndarray, *, config: AlignConfig = AlignConfig()) -> AlignResult:
    """Align every sentence of a story against the sentences of the other outlets.

    Args:
        facts: the story's sentences with their facts (see :func:`features.sentence_facts`).
        vectors: unit-length sentence embeddings, one row per entry of ``facts``.
        config: thresholds.

    Returns:
        One :class:`Alignment` per sentence, the "only in" and "missing from" gaps, and the pair scores.
    """
    cosine = vectors @ vectors.T if len(facts) else np.zeros((0, 0), dtype=np.float32)
    units = [fact_units(f) for f in facts]
    pairs = candidate_pairs(facts, cosine, config.candidate_cosine, config.max_neighbours)
    scores = _pair_scores(units, cosine, pairs, config)
    alignments = tuple(_alignment(i, facts, scores, config) for i in range(len(facts)))
    unique = tuple(
        _gap(facts[a.sentence_pos], ()) for a in _positions(alignments)
        if a.record.status == "unique" and len(units[a.sentence_pos]) >= config.min_units
    )
    missing = tuple(_missing(facts, alignments, units, config))
    LOGGER.info("aligned %d sentences: %s", len(facts), Counter(a.status for a in alignments))
    return AlignResult(alignments, unique, missing, scores, cosine, pairs)


def _pair_scores(
    units: Sequence[set[str]], cosine: np.ndarray, pairs: Sequence[tuple[int, int]], config: AlignConfig
) -> np.ndarray:
    n = len(units)
    scores = np.zeros((n, n), dtype=np.float32)
    if n == 0:
        return scores
    df = Counter(u for us in units for u in us)
    weight = {u: math.log((n + 1) / c) for u, c in df.items()}
    for i, j in pairs:
        overlap = _weighted_dice(units[i], units[j], weight)
        score = config.cosine_weight * float(cosine[i, j]) + (1 - config.cosine_weight) * overlap
        scores[i, j] = scores[j, i] = score
    return scores


def candidate_pairs(
    facts: Sequence[SentenceFacts], cosine: np.ndarray, min_cosine: float, max_neighbours: int
) -> list[tuple[int, int]]:
    """Pairs (i < j) of sentences from different outlets with cosine at least ``min_cosine``, where j is
    among i's ``max_neighbours`` nearest sentences of other outlets or i among j's."""
    n = len(facts)
    if n < 2:
        return []
    outlets = np.array([f.outlet for f in facts])
    other = outlets[:, None] != outlets[None, :]
    keep = other & (cosine >= min_cosine)
    if n > max_neighbours + 1:
        masked = np.where(other, cosine, -np.inf)
        nearest = np.argpartition(-masked, max_neighbours, axis=1)[:, :max_neighbours]
        near = np.zeros((n, n), dtype=bool)
        near[np.arange(n)[:, None], nearest] = True
        keep &= near | near.T
    rows, cols = np.nonzero(np.triu(keep, k=1))
    return list(zip(rows.tolist(), cols.tolist()))


def _weighted_dice(a: set[str], b: set[str], weight: dict[str, float]) -> float:
    total = sum(weight[u] for u in a) + sum(weight[u] for u in b)
    return 2 * sum(weight[u] for u in a & b) / total if total else 0.0


def _alignment(i: int, facts: Sequence[SentenceFacts], scores: np.ndarray, config: AlignConfig) -> Alignment:
    """The status of sentence ``i``: its best match in each other outlet decides."""
    me = facts[i]
    best: dict[str, int] = {}
    for j in np.nonzero(scores[i] >= config.partial)[0]:
        outlet = facts[j].outlet
        if outlet not in best or scores[i, j] > scores[i, best[outlet]]:
            best[outlet] = int(j)
    matches = tuple(
        AlignedRef(facts[j].article_id, facts[j].outlet, facts[j].index, facts[j].start, facts[j].end,
                   round(float(scores[i, j]), 3))
        for j in sorted(best.values(), key=lambda j: -scores[i, j])
    )
    if any(scores[i, j] >= config.shared for j in best.values()):
        status = "shared"
    elif best:
        status = "partial"
    else:
        status = "unique"
    return Alignment(me.article_id, me.outlet, me.index, me.start, me.end, status,
                     tuple(sorted(best)), matches)


@dataclass(frozen=True, slots=True)
class _Positioned:
    sentence_pos: int
    record: Alignment


def _positions(alignments: Sequence[Alignment]) -> list[_Positioned]:
    return [_Positioned(i, a) for i, a in enumerate(alignments)]


def _gap(f: SentenceFacts, reported_by: tuple[str, ...], *, outlet: str | None = None) -> OutletGap:
    return OutletGap(outlet or f.outlet, f.article_id, f.index, f.start, f.end, f.text, reported_by)


def _missing(
    facts: Sequence[SentenceFacts], alignments: Sequence[Alignment], units: Sequence[set[str]],
    config: AlignConfig,
) -> list[OutletGap]:
    """Statements most (more than half) of the other outlets report and one outlet leaves out (one gap per fact)."""
    outlets = sorted({f.outlet for f in facts})
    gaps: list[OutletGap] = []
    for absent in outlets:
        others = [o for o in outlets if o != absent]
        need = len(others) // 2 + 1  # strictly more than half of the other outlets
        covered: set[tuple[str, int]] = set()
        for i, a in enumerate(alignments):
            reporters = {a.outlet, *a.outlets}
            if absent in reporters or (a.article_id, a.sentence) in covered:
                continue
            if len(reporters & set(others)) < need or len(units[i]) < config.min_units:
                continue
            covered.update((m.article_id, m.sentence) for m in a.matches)
            gaps.append(_gap(facts[i], tuple(sorted(reporters)), outlet=absent))
    return gaps
