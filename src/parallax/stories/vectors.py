"""Each article's embeddings, made once and stored with its analysis: what grouping and comparing read.

Per article: the story vector of its title and lead (:func:`parallax.stories.cluster.item_text`, kept at
float32 so grouping is unchanged), made at analysis; and one row per sentence and per quote (the quote's
content), kept at float16 (half the bytes; cosines move by about 1e-3, below what any threshold of the
comparison resolves), made the first time the article's story is compared across outlets — most articles
of a large store stay alone in their story and never need them — and stored then. One encoder call embeds
a whole batch of articles (sorted by length, so padding stays small).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from parallax.model import AnalyzedArticle

from .cluster import item_text
from .embed import DIM, Embedder

__all__ = ["ArticleVectors", "article_vectors"]

_LEAD = np.dtype("<f4")
_ROWS = np.dtype("<f2")


@dataclass(frozen=True, slots=True, eq=False)
class ArticleVectors:
    """Unit embeddings of one analysed article: ``lead`` (384,) float32, ``sentences`` (n, 384) and
    ``quotes`` (m, 384) float16, rows in the order of the analysis' sentences and quotes."""

    lead: np.ndarray
    sentences: np.ndarray
    quotes: np.ndarray

    def fits(self, analyzed: AnalyzedArticle) -> bool:
        """Whether these rows are of this analysis (an article re-analysed since has other sentences)."""
        return len(self.sentences) == len(analyzed.sentences) and len(self.quotes) == len(analyzed.quotes)

    @property
    def has_rows(self) -> bool:
        return len(self.sentences) + len(self.quotes) > 0

    def to_bytes(self) -> bytes:
        """The lead, then the sentence rows, then the quote rows; :meth:`from_bytes` needs the two counts."""
        return (np.asarray(self.lead, _LEAD).tobytes() + np.asarray(self.sentences, _ROWS).tobytes()
                + np.asarray(self.quotes, _ROWS).tobytes())

    @classmethod
    def from_bytes(cls, blob: bytes, *, sentences: int, quotes: int) -> ArticleVectors | None:
        """The vectors packed by :meth:`to_bytes`, or None when ``blob`` does not hold these counts (a
        blob of the lead alone reads as vectors without rows)."""
        lead_size = DIM * _LEAD.itemsize
        if len(blob) == lead_size:
            sentences = quotes = 0
        if len(blob) != lead_size + (sentences + quotes) * DIM * _ROWS.itemsize:
            return None
        rows = np.frombuffer(blob, _ROWS, offset=lead_size).reshape(sentences + quotes, DIM)
        return cls(np.frombuffer(blob, _LEAD, count=DIM), rows[:sentences], rows[sentences:])


def article_vectors(analyzed: Sequence[AnalyzedArticle], embedder: Embedder, *, rows: bool = True,
                    leads: Sequence[np.ndarray | None] | None = None) -> list[ArticleVectors]:
    """The vectors of every article of ``analyzed``, from one batched encoder call.

    Args:
        rows: also the sentence and quote rows (False: the story vectors alone, as analysis makes them).
        leads: story vectors made already (None where not), which are kept instead of made again.
    """
    known = list(leads) if leads is not None else [None] * len(analyzed)
    texts: list[str] = []
    spans: list[tuple[int, int]] = []  # where each article's lead (-1: known) and rows start
    for item, lead in zip(analyzed, known, strict=True):
        at = -1
        if lead is None:
            at = len(texts)
            texts.append(item_text(item))
        spans.append((at, len(texts)))
        if rows:
            texts.extend(s.text for s in item.sentences)
            texts.extend(q.content.text for q in item.quotes)
    vectors = embedder.embed(texts)
    empty = np.zeros((0, DIM), dtype=_ROWS)
    out = []
    for item, lead, (at, first) in zip(analyzed, known, spans):
        middle, stop = first + len(item.sentences), first + len(item.sentences) + len(item.quotes)
        out.append(ArticleVectors(
            np.asarray(lead if lead is not None else vectors[at], _LEAD),
            vectors[first:middle].astype(_ROWS) if rows else empty,
            vectors[middle:stop].astype(_ROWS) if rows else empty,
        ))
    return out
