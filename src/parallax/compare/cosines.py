"""Cosines among a story's sentences, read a block of rows at a time.

A story of 400 articles has about 18,000 sentences: one (n, n) float32 matrix of their cosines is 1.2 GiB,
and the steps that read it (the nearest sentences of other outlets, ranks within each article, the pairs'
probabilities) each made another. Here the matrix is never whole: each pass multiplies a block of rows
by all the vectors (at most :data:`BLOCK_CELLS` cells at a time) and keeps only what it needs, per pair
or per (sentence, outlet). Memory grows with the sentences times the pairs each one is scored against,
not with the square of the story.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .features import SentenceFacts

__all__ = ["BLOCK_CELLS", "PairGeometry", "StoryCosines"]

BLOCK_CELLS = 2_000_000  # cells of one block of the cosine matrix (8 MB of float32)


@dataclass(frozen=True, slots=True)
class PairGeometry:
    """Where each pair (i, j) of a list stands among the story's cosines, one entry per pair.

    ``cosine`` is read from i's row; ``rank_ij`` is 1 + how many sentences of j's article are closer to i
    than j is (ties counted for the sentences before j), ``best_ij`` i's highest cosine in j's article;
    ``rank_ji`` and ``best_ji`` the same from j's side.
    """

    cosine: np.ndarray
    rank_ij: np.ndarray
    rank_ji: np.ndarray
    best_ij: np.ndarray
    best_ji: np.ndarray

    def take(self, rows: np.ndarray) -> PairGeometry:
        """The entries of the pairs ``rows`` (indices into the list the geometry was made for)."""
        return PairGeometry(*(getattr(self, name)[rows] for name in self.__slots__))


class StoryCosines:
    """The cosine of every two sentences of a story, computed on demand in blocks of rows."""

    def __init__(self, facts: Sequence[SentenceFacts], vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.n = len(facts)
        names = [f.article_id for f in facts]
        number = {a: k for k, a in enumerate(dict.fromkeys(names))}
        self.article_of = np.array([number[a] for a in names], dtype=np.int64)
        self.article_rows = [np.nonzero(self.article_of == k)[0] for k in range(len(number))]
        self.block_rows = max(1, min(self.n, BLOCK_CELLS // max(self.n, 1)))

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, the rows' cosines with every sentence) for consecutive blocks of rows."""
        for start in range(0, self.n, self.block_rows):
            stop = min(self.n, start + self.block_rows)
            yield start, self.vectors[start:stop] @ self.vectors.T

    def geometry(self, pairs: np.ndarray) -> PairGeometry:
        """Cosine, ranks and best cosines in the other article of each pair (i, j) of ``pairs`` (m, 2)."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        m = len(pairs)
        out = {name: np.zeros(m, dtype=np.float32) for name in PairGeometry.__slots__}
        if not m:
            return PairGeometry(**out)
        # Each pair is read twice: from i's row (cosine, rank_ij, best_ij) and from j's (rank_ji, best_ji).
        rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
        order = np.argsort(rows, kind="stable")
        rows, cols, entry = rows[order], cols[order], order  # entry < m: i's side of pair entry; else j's side
        rank = np.zeros(2 * m, dtype=np.float32)
        best = np.zeros(2 * m, dtype=np.float32)
        value = np.zeros(2 * m, dtype=np.float32)
        for start, block in self.blocks():
            lo, hi = np.searchsorted(rows, [start, start + len(block)])
            if lo == hi:
                continue
            r, c = rows[lo:hi] - start, cols[lo:hi]
            value[lo:hi] = block[r, c]
            articles = self.article_of[c]
            for k in np.unique(articles).tolist():
                here = np.nonzero(articles == k)[0]
                members = self.article_rows[k]
                within = block[r[here][:, None], members[None, :]]  # (entries, sentences of the article)
                mine = value[lo:hi][here][:, None]
                before = members[None, :] < c[here][:, None]
                rank[lo + here] = 1 + np.sum(within > mine, axis=1) + np.sum((within == mine) & before, axis=1)
                best[lo + here] = within.max(axis=1)
        first = entry < m
        own = entry[first]
        out["cosine"][own], out["rank_ij"][own], out["best_ij"][own] = value[first], rank[first], best[first]
        other = entry[~first] - m
        out["rank_ji"][other], out["best_ji"][other] = rank[~first], best[~first]
        return PairGeometry(**out)
