"""Each article's embeddings, made once at analysis and stored with it: what grouping and comparing read.

One encoder call embeds a whole batch of articles (the encoder sorts the texts by length, so articles
share batches and padding stays small). Per article: the story vector of its title and lead
(:func:`parallax.stories.cluster.item_text`, kept at float32 so grouping is unchanged), and one row per
sentence and per quote (the quote's content), kept at float16: half the bytes, and cosines move by about
1e-3, below what any threshold of the comparison resolves.
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

    def to_bytes(self) -> bytes:
        """The lead, then the sentence rows, then the quote rows; :meth:`from_bytes` needs the two counts."""
        return (np.asarray(self.lead, _LEAD).tobytes() + np.asarray(self.sentences, _ROWS).tobytes()
                + np.asarray(self.quotes, _ROWS).tobytes())

    @classmethod
    def from_bytes(cls, blob: bytes, *, sentences: int, quotes: int) -> ArticleVectors | None:
        """The vectors packed by :meth:`to_bytes`, or None when ``blob`` does not hold these counts."""
        lead_size = DIM * _LEAD.itemsize
        if len(blob) != lead_size + (sentences + quotes) * DIM * _ROWS.itemsize:
            return None
        rows = np.frombuffer(blob, _ROWS, offset=lead_size).reshape(sentences + quotes, DIM)
        return cls(np.frombuffer(blob, _LEAD, count=DIM), rows[:sentences], rows[sentences:])


def article_vectors(analyzed: Sequence[AnalyzedArticle], embedder: Embedder) -> list[ArticleVectors]:
    """The vectors of every article of ``analyzed``, from one batched encoder call."""
    texts: list[str] = []
    spans: list[tuple[int, int, int]] = []  # where each article's lead, sentences and quotes start
    for item in analyzed:
        spans.append((len(texts), len(texts) + 1, len(texts) + 1 + len(item.sentences)))
        texts.append(item_text(item))
        texts.extend(s.text for s in item.sentences)
        texts.extend(q.content.text for q in item.quotes)
    vectors = embedder.embed(texts)
    out = []
    for item, (lead, first, quotes) in zip(analyzed, spans):
        out.append(ArticleVectors(
            vectors[lead].astype(_LEAD),
            vectors[first:quotes].astype(_ROWS),
            vectors[quotes : quotes + len(item.quotes)].astype(_ROWS),
        ))
    return out
