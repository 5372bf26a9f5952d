"""Alignment: which statements of each article other outlets also report.

Every sentence is embedded once per story. Candidate pairs across outlets come from cosine similarity; each
candidate gets the probability that both sentences state the same fact (:mod:`.same_fact`, a model learned
from the comparison gold). A sentence is linked to every sentence of another outlet whose probability
reaches the model's ``link`` threshold and that ranks among its two best in that article (a sentence often
states two facts, so two links are allowed); a sentence with no link keeps its closest near miss, with the
score, as evidence for "only in".
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from parallax.model import AlignedRef, Alignment, OutletGap

from .features import SentenceFacts, fact_units
from .same_fact import SameFactModel, pair_features

__all__ = ["AlignConfig", "AlignResult", "align", "candidate_pairs", "score_pairs", "scored_pairs"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Which pairs are scored and how many links one sentence may make into one article.

    The probability thresholds live with the learned model (``SameFactModel.link`` / ``near``).
    """

    # Below this cosine no pair of the comparison gold's 768 same-fact pairs fell but 2 %, and pairs that
    # low never reached the link threshold: not scored.
    candidate_cosine: float = 0.15
    links_per_article: int = 2  # a sentence stating two facts may align with two sentences of one article
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
    scores: np.ndarray  # (n, n) same-fact probabilities, 0 for pairs within one outlet or not scored
    cosine: np.ndarray  # (n, n) raw cosine similarities
    pairs: list[tuple[int, int]]  # the candidate pairs (i < j) that were scored
    links: frozenset[tuple[int, int]] = frozenset()  # linked pairs (i < j): the same fact in both


Features = Callable[[Sequence[SentenceFacts], np.ndarray, Sequence[tuple[int, int]]], np.ndarray]


def score_pairs(
    facts: Sequence[SentenceFacts], vectors: np.ndarray, *, config: AlignConfig = AlignConfig(),
    model: SameFactModel | None = None, features: Features = pair_features,
) -> AlignResult:
    """The same-fact probability of every scored pair of the story, without alignment records yet: what
    :func:`detect_conflicts` reads and :func:`align` links from (``align(..., scored=...)``). ``features``
    makes the feature rows (a story's pair memo passes its own, which reuses rows it has seen)."""
    model = model or SameFactModel.load()
    n = len(facts)
    cosine = vectors @ vectors.T if n else np.zeros((0, 0), dtype=np.float32)
    pairs = scored_pairs(facts, cosine, config)
    scores = np.zeros((n, n), dtype=np.float32)
    if pairs:
        rows, cols = np.array(pairs).T
        scores[rows, cols] = scores[cols, rows] = model.probability(features(facts, cosine, pairs))
    return AlignResult((), (), (), scores, cosine, pairs)


def align(
    facts: Sequence[SentenceFacts], vectors: np.ndarray, *, config: AlignConfig = AlignConfig(),
    model: SameFactModel | None = None, exclude: frozenset[tuple[int, int]] = frozenset(),
    include: frozenset[tuple[int, int]] = frozenset(), scored: AlignResult | None = None,
) -> AlignResult:
    """Align every sentence of a story against the sentences of the other outlets.

    Args:
        facts: the story's sentences with their facts (see :func:`features.sentence_facts`).
        vectors: unit-length sentence embeddings, one row per entry of ``facts``.
        config: candidate and link limits.
        model: the same-fact model (default: the shipped one).
        exclude: pairs (i < j) never to link (statements found to conflict: not "agreed on").
        include: pairs (i < j) always linked (two outlets' wordings of one remark).
        scored: an earlier result for the same sentences whose pair scores are reused.

    Returns:
        One :class:`Alignment` per sentence, the "only in" and "missing from" gaps, and the pair scores.
    """
    model = model or SameFactModel.load()
    n = len(facts)
    scored = scored or score_pairs(facts, vectors, config=config, model=model)
    cosine, pairs, scores = scored.cosine, scored.pairs, scored.scores
    linkable = scores.copy()
    if include:
        scores = scores.copy()
    for i, j in include:
        scores[i, j] = scores[j, i] = max(float(scores[i, j]), model.link)
        linkable[i, j] = linkable[j, i] = 1.0
    for i, j in exclude:
        linkable[i, j] = linkable[j, i] = 0.0
    links = _links(facts, linkable, model.link, config.links_per_article)
    # A statement another outlet contradicts is told there, differently: not an omission.
    disputed: dict[int, set[str]] = {}
    for i, j in exclude:
        disputed.setdefault(i, set()).add(facts[j].outlet)
        disputed.setdefault(j, set()).add(facts[i].outlet)
    alignments = tuple(_alignment(i, facts, scores, links, model, disputed.get(i, set())) for i in range(n))
    units = [fact_units(f) for f in facts]
    unique = tuple(
        _gap(facts[i], (), a) for i, a in enumerate(alignments)
        if a.status == "unique" and len(units[i]) >= config.min_units and not facts[i].headline
    )
    missing = tuple(_missing(facts, alignments, units, config))
    LOGGER.info("aligned %d sentences: %s", n, Counter(a.status for a in alignments))
    return AlignResult(alignments, unique, missing, scores, cosine, pairs,
                       frozenset((min(i, j), max(i, j)) for i, js in links.items() for j in js))


def candidate_pairs(
    facts: Sequence[SentenceFacts], cosine: np.ndarray, min_cosine: float, max_neighbours: int
) -> list[tuple[int, int]]:
    """Pairs (i < j) of sentences from different outlets with cosine at least ``min_cosine``, where j is
    among i's ``max_neighbours`` nearest sentences of other outlets or i among j's."""
    n = len(facts)
    if n < 2:
        return []
    outlets = np.array([f.outlet for f in facts])
    # A headline repeated as the text's first line states nothing the article does not: never paired.
    stated = ~np.array([f.headline for f in facts])
    other = (outlets[:, None] != outlets[None, :]) & stated[:, None] & stated[None, :]
    keep = other & (cosine >= min_cosine)
    if n > max_neighbours + 1:
        masked = np.where(other, cosine, -np.inf)
        nearest = np.argpartition(-masked, max_neighbours, axis=1)[:, :max_neighbours]
        near = np.zeros((n, n), dtype=bool)
        near[np.arange(n)[:, None], nearest] = True
        keep &= near | near.T
    rows, cols = np.nonzero(np.triu(keep, k=1))
    return list(zip(rows.tolist(), cols.tolist()))


def scored_pairs(facts: Sequence[SentenceFacts], cosine: np.ndarray, config: AlignConfig) -> list[tuple[int, int]]:
    """The pairs the model scores: candidates by cosine, plus each sentence's closest in every other outlet."""
    pairs = candidate_pairs(facts, cosine, config.candidate_cosine, config.max_neighbours)
    return pairs + _closest_pairs(facts, cosine, pairs)


def _closest_pairs(facts: Sequence[SentenceFacts], cosine: np.ndarray,
                   pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each sentence and other outlet with no candidate pair, the pair with its closest sentence there:
    scored too, so that every "only in" item can show the near miss it was judged against."""
    outlet_of = [f.outlet for f in facts]
    covered = {(i, outlet_of[j]) for i, j in pairs} | {(j, outlet_of[i]) for i, j in pairs}
    members: dict[str, np.ndarray] = {o: np.array([k for k, f in enumerate(facts) if f.outlet == o and not f.headline])
                                      for o in dict.fromkeys(outlet_of)}
    extra: set[tuple[int, int]] = set()
    for i, me in enumerate(outlet_of):
        if facts[i].headline:
            continue  # never a fact, never another sentence's near miss
        for outlet, rows in members.items():
            if outlet != me and len(rows) and (i, outlet) not in covered:
                j = int(rows[np.argmax(cosine[i, rows])])
                extra.add((min(i, j), max(i, j)))
    return sorted(extra - set(pairs))


def _links(facts: Sequence[SentenceFacts], scores: np.ndarray, threshold: float, per_article: int) -> dict[int, set[int]]:
    """i -> the sentences it is linked to: probability at least ``threshold`` and among the ``per_article``
    best of one side in the other's article (so both sides agree the pair is worth showing)."""
    links: dict[int, set[int]] = {}
    for i in range(len(facts)):
        above = np.nonzero(scores[i] >= threshold)[0]
        ranked = above[np.argsort(-scores[i, above], kind="stable")]
        taken: dict[str, int] = {}
        for j in ranked.tolist():
            article = facts[j].article_id
            if taken.get(article, 0) < per_article:
                taken[article] = taken.get(article, 0) + 1
                links.setdefault(i, set()).add(j)
                links.setdefault(j, set()).add(i)
    return links


def _ref(f: SentenceFacts, score: float) -> AlignedRef:
    return AlignedRef(f.article_id, f.outlet, f.index, f.start, f.end, round(score, 3))


def _alignment(i: int, facts: Sequence[SentenceFacts], scores: np.ndarray, links: dict[int, set[int]],
               model: SameFactModel, disputed: set[str] | None = None) -> Alignment:
    """Sentence ``i`` with its links (the same fact elsewhere) or, per other outlet, its closest near miss."""
    me = facts[i]
    linked = sorted(links.get(i, ()), key=lambda j: -scores[i, j])
    matches = tuple(_ref(facts[j], float(scores[i, j])) for j in linked)
    outlets = {facts[j].outlet for j in linked}
    nearest: dict[str, int] = {}
    for j in np.nonzero(scores[i] > 0)[0]:
        outlet = facts[j].outlet
        if outlet in outlets or outlet == me.outlet:
            continue
        if outlet not in nearest or scores[i, j] > scores[i, nearest[outlet]]:
            nearest[outlet] = int(j)
    near = tuple(_ref(facts[j], float(scores[i, j])) for j in sorted(nearest.values(), key=lambda j: -scores[i, j]))
    possibly = tuple(sorted({r.outlet for r in near if r.similarity >= model.near} | ((disputed or set()) - outlets)))
    status = "shared" if matches else "partial" if possibly else "unique"
    return Alignment(me.article_id, me.outlet, me.index, me.start, me.end, status,
                     tuple(sorted(outlets)), matches, near, possibly)


def _gap(f: SentenceFacts, reported_by: tuple[str, ...], alignment: Alignment, *,
         outlet: str | None = None) -> OutletGap:
    nearest = tuple(r for r in alignment.nearest if outlet is None or r.outlet == outlet)
    return OutletGap(outlet or f.outlet, f.article_id, f.index, f.start, f.end, f.text, reported_by, nearest)


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
            if absent in reporters or absent in a.possibly or (a.article_id, a.sentence) in covered:
                continue
            if len(reporters & set(others)) < need or len(units[i]) < config.min_units or facts[i].headline:
                continue
            covered.update((m.article_id, m.sentence) for m in a.matches)
            gaps.append(_gap(facts[i], tuple(sorted(reporters)), a, outlet=absent))
    return gaps
