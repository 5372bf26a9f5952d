"""Alignment: which statements of each article other outlets also report.

Every sentence is embedded once, at analysis. Candidate pairs across outlets come from cosine similarity
(computed a block of rows at a time, :mod:`.cosines`: never the whole matrix of a large story); each
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
from scipy.sparse import csr_matrix

from parallax.model import AlignedRef, Alignment, OutletGap

from .cosines import PairGeometry, StoryCosines
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
    """Alignment records plus the pair scores the other comparison steps reuse, one entry per scored pair
    (never an (n, n) matrix: a story of 18,000 sentences could not hold one)."""

    alignments: tuple[Alignment, ...]
    unique: tuple[OutletGap, ...]
    missing: tuple[OutletGap, ...]
    pairs: np.ndarray  # (m, 2) the pairs (i < j) that were scored, candidates first
    cosine: np.ndarray  # (m,) each scored pair's cosine
    probability: np.ndarray  # (m,) each scored pair's same-fact probability
    links: frozenset[tuple[int, int]] = frozenset()  # linked pairs (i < j): the same fact in both


Features = Callable[[Sequence[SentenceFacts], PairGeometry, np.ndarray], np.ndarray]


def score_pairs(
    facts: Sequence[SentenceFacts], vectors: np.ndarray, *, config: AlignConfig = AlignConfig(),
    model: SameFactModel | None = None, features: Features = pair_features,
) -> AlignResult:
    """The same-fact probability of every scored pair of the story, without alignment records yet: what
    :func:`detect_conflicts` reads and :func:`align` links from (``align(..., scored=...)``). ``features``
    makes the feature rows (a story's pair memo passes its own, which reuses rows it has seen)."""
    model = model or SameFactModel.load()
    cosines = StoryCosines(facts, vectors)
    pairs = scored_pairs(facts, cosines, config)
    geometry = cosines.geometry(pairs)
    probability = model.probability(features(facts, geometry, pairs)) if len(pairs) else np.zeros(0, np.float32)
    return AlignResult((), (), (), pairs, geometry.cosine, probability)


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
    pairs, shown, linkable = scored.pairs, scored.probability.copy(), scored.probability.copy()
    at = _pair_index(pairs, n)
    added = sorted(p for p in include if at(*p) < 0)
    for i, j in include:
        if (k := at(i, j)) >= 0:
            shown[k], linkable[k] = max(float(shown[k]), model.link), 1.0
    for i, j in exclude:
        if (k := at(i, j)) >= 0:
            linkable[k] = 0.0
    # A statement dated after the other article was published cannot be what that article says.
    for k in np.nonzero(linkable >= model.link)[0].tolist():
        i, j = int(pairs[k, 0]), int(pairs[k, 1])
        if _after_publication(facts[i], facts[j]) or _after_publication(facts[j], facts[i]):
            linkable[k] = 0.0
    if added:
        pairs = np.concatenate([pairs, np.array(added, dtype=np.int64)])
        shown = np.concatenate([shown, np.full(len(added), model.link, dtype=np.float32)])
        linkable = np.concatenate([linkable, np.ones(len(added), dtype=np.float32)])
    scores = _symmetric(n, pairs, shown)
    links = _links(facts, _symmetric(n, pairs, linkable), model.link, config.links_per_article)
    # A statement another outlet contradicts is told there, differently: not an omission.
    disputed: dict[int, set[str]] = {}
    for i, j in exclude:
        disputed.setdefault(i, set()).add(facts[j].outlet)
        disputed.setdefault(j, set()).add(facts[i].outlet)
    alignments = tuple(_alignment(i, facts, _row(scores, i), links, model, disputed.get(i, set())) for i in range(n))
    units = [fact_units(f) for f in facts]
    unique = tuple(
        _gap(facts[i], (), a) for i, a in enumerate(alignments)
        if a.status == "unique" and len(units[i]) >= config.min_units and not facts[i].headline
    )
    missing = tuple(_missing(facts, alignments, units, config))
    LOGGER.info("aligned %d sentences: %s", n, Counter(a.status for a in alignments))
    return AlignResult(alignments, unique, missing, scored.pairs, scored.cosine, scored.probability,
                       frozenset((min(i, j), max(i, j)) for i, js in links.items() for j in js))


def _pair_index(pairs: np.ndarray, n: int) -> Callable[[int, int], int]:
    """(i, j) -> the row of ``pairs`` holding the pair (either order), or -1."""
    codes = pairs[:, 0] * max(n, 1) + pairs[:, 1]
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]

    def at(i: int, j: int) -> int:
        code = min(i, j) * max(n, 1) + max(i, j)
        k = int(np.searchsorted(ordered, code))
        return int(order[k]) if k < len(ordered) and ordered[k] == code else -1

    return at


def _symmetric(n: int, pairs: np.ndarray, values: np.ndarray) -> csr_matrix:
    """The (n, n) sparse symmetric matrix with ``values`` at each pair and its mirror (column indices sorted)."""
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    matrix = csr_matrix((np.concatenate([values, values]).astype(np.float32), (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return matrix


def _row(matrix: csr_matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i's stored columns (ascending) and values."""
    lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
    return matrix.indices[lo:hi], matrix.data[lo:hi]


def candidate_pairs(
    facts: Sequence[SentenceFacts], cosines: StoryCosines, min_cosine: float, max_neighbours: int
) -> np.ndarray:
    """Pairs (i < j), as an (m, 2) array in row order, of sentences from different outlets with cosine at
    least ``min_cosine``, where j is among i's ``max_neighbours`` nearest sentences of other outlets or i
    among j's."""
    return _scan(facts, cosines, min_cosine, max_neighbours)[0]


def scored_pairs(facts: Sequence[SentenceFacts], cosines: StoryCosines, config: AlignConfig) -> np.ndarray:
    """The pairs the model scores: candidates by cosine, then each sentence's closest in every other outlet
    where it has no candidate (so that every "only in" item can show the near miss it was judged against)."""
    pairs, nearest, outlet, stated = _scan(facts, cosines, config.candidate_cosine, config.max_neighbours)
    n = len(facts)
    covered = np.zeros(nearest.shape, dtype=bool)
    covered[pairs[:, 0], outlet[pairs[:, 1]]] = True
    covered[pairs[:, 1], outlet[pairs[:, 0]]] = True
    # A headline is never a fact, never another sentence's near miss.
    wanted = ~covered & (nearest >= 0) & stated[:, None] & (outlet[:, None] != np.arange(nearest.shape[1])[None, :])
    rows, which = np.nonzero(wanted)
    if not len(rows):
        return pairs
    other = nearest[rows, which]
    codes = np.unique(np.minimum(rows, other) * n + np.maximum(rows, other))
    codes = np.setdiff1d(codes, pairs[:, 0] * n + pairs[:, 1], assume_unique=True)
    return np.concatenate([pairs, np.stack([codes // n, codes % n], axis=1)])


def _scan(facts: Sequence[SentenceFacts], cosines: StoryCosines, min_cosine: float,
          max_neighbours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the cosines in blocks of rows: the candidate pairs; per sentence and outlet, its closest
    sentence there that is not a headline (-1 where there is none); each sentence's outlet number; and
    which sentences state something (not a headline repeated as the first line, which is never paired)."""
    n = len(facts)
    names = [f.outlet for f in facts]
    number = {o: k for k, o in enumerate(dict.fromkeys(names))}
    outlet = np.array([number[o] for o in names], dtype=np.int64)
    stated = ~np.array([f.headline for f in facts], dtype=bool)
    nearest = np.full((n, len(number)), -1, dtype=np.int64)
    members = [np.nonzero((outlet == k) & stated)[0] for k in range(len(number))]
    capped = n > max_neighbours + 1
    codes: list[np.ndarray] = []
    for start, block in cosines.blocks() if n >= 2 else ():
        rows = np.arange(start, start + len(block))
        other = (outlet[rows, None] != outlet[None, :]) & stated[rows, None] & stated[None, :]
        keep = other & (block >= min_cosine)
        if capped:
            near = np.argpartition(-np.where(other, block, -np.inf), max_neighbours, axis=1)[:, :max_neighbours]
            local = np.repeat(np.arange(len(block)), max_neighbours)
            col = near.ravel()
            chosen = keep[local, col]
            first, second = rows[local[chosen]], col[chosen]
        else:
            local, second = np.nonzero(keep)
            first = rows[local]
        codes.append(np.minimum(first, second) * n + np.maximum(first, second))
        for k, cols in enumerate(members):
            if len(cols):
                nearest[rows, k] = cols[np.argmax(block[:, cols], axis=1)]
    unique = np.unique(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
    return np.stack([unique // max(n, 1), unique % max(n, 1)], axis=1), nearest, outlet, stated


def _links(facts: Sequence[SentenceFacts], scores: csr_matrix, threshold: float, per_article: int) -> dict[int, set[int]]:
    """i -> the sentences it is linked to: probability at least ``threshold`` and among the ``per_article``
    best of one side in the other's article (so both sides agree the pair is worth showing)."""
    links: dict[int, set[int]] = {}
    for i in range(len(facts)):
        cols, values = _row(scores, i)
        above = values >= threshold
        ranked = cols[above][np.argsort(-values[above], kind="stable")]
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


def _alignment(i: int, facts: Sequence[SentenceFacts], row: tuple[np.ndarray, np.ndarray],
               links: dict[int, set[int]], model: SameFactModel, disputed: set[str] | None = None) -> Alignment:
    """Sentence ``i`` with its links (the same fact elsewhere) or, per other outlet, its closest near miss;
    ``row`` holds i's scored pairs (columns ascending, probabilities)."""
    me = facts[i]
    score = dict(zip(row[0].tolist(), row[1].tolist()))
    linked = sorted(links.get(i, ()), key=lambda j: -score.get(j, 0.0))
    matches = tuple(_ref(facts[j], score.get(j, 0.0)) for j in linked)
    outlets = {facts[j].outlet for j in linked}
    nearest: dict[str, int] = {}
    for j, value in score.items():
        outlet = facts[j].outlet
        if value <= 0 or outlet in outlets or outlet == me.outlet:
            continue
        if outlet not in nearest or value > score[nearest[outlet]]:
            nearest[outlet] = j
    near = tuple(_ref(facts[j], score[j]) for j in sorted(nearest.values(), key=lambda j: -score[j]))
    possibly = tuple(sorted({r.outlet for r in near if r.similarity >= model.near} | ((disputed or set()) - outlets)))
    status = "shared" if matches else "partial" if possibly else "unique"
    return Alignment(me.article_id, me.outlet, me.index, me.start, me.end, status,
                     tuple(sorted(outlets)), matches, near, possibly)


def _gap(f: SentenceFacts, reported_by: tuple[str, ...], alignment: Alignment, *,
         outlet: str | None = None) -> OutletGap:
    nearest = tuple(r for r in alignment.nearest if outlet is None or r.outlet == outlet)
    return OutletGap(outlet or f.outlet, f.article_id, f.index, f.start, f.end, f.text, reported_by, nearest)


def _after_publication(a: SentenceFacts, b: SentenceFacts) -> bool:
    """Every full date ``a`` gives falls after the day ``b``'s article was published: ``b`` cannot state it
    ("By Monday, Ms. Lauten had resigned" is in no article of the day before)."""
    if not b.published:
        return False
    days = [d for d in a.dates if len(d) == 10 and d[4] == "-"]
    return bool(days) and all(d > b.published[:10] for d in days)


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
