"""Small builders for comparison tests: articles split into sentences by hand, a lexical embedder."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from parallax.model import AnalyzedArticle, Article, Mention, Sentence, Story


def analyzed(article_id: str, outlet: str, text: str, mentions: Sequence[tuple[str, str]] = ()) -> AnalyzedArticle:
    """An analysed article with one sentence per ``. ``-separated piece and the named mentions found by search."""
    article = Article(id=article_id, outlet=outlet, title=f"{outlet} story", text=text, date="2025-06-23")
    sentences = []
    for index, match in enumerate(re.finditer(r"[^.!?]+[.!?]?", text)):
        start = match.start() + len(match.group()) - len(match.group().lstrip())
        sentences.append(Sentence(article_id, index, start, match.end(), text[start : match.end()]))
    found = []
    for surface, label in mentions:
        for m in re.finditer(re.escape(surface), text):
            sentence = next(s.index for s in sentences if s.start <= m.start() < s.end)
            found.append(Mention(article_id, m.start(), m.end(), surface, label, sentence))
    return AnalyzedArticle(article, tuple(sentences), tuple(sorted(found, key=lambda m: m.start)))


def story_of(items: Sequence[AnalyzedArticle]) -> Story:
    return Story("story-1", "A test story", tuple(a.article.id for a in items),
                 outlets=tuple(a.article.outlet for a in items))


class BagEmbedder:
    """Deterministic stand-in for the sentence encoder: hashed bag of lower-cased words."""

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        from parallax.compare import _hashed_vectors

        return _hashed_vectors(list(texts))
