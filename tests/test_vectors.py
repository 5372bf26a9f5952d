"""Embeddings made once at analysis: packed compactly, stored with the analysis and read by comparisons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from parallax.ingest.dedup import content_hash
from parallax.model import AnalyzedArticle, Article, Sentence
from parallax.pipeline import ingest_articles
from parallax.stories.embed import DIM
from parallax.stories.vectors import ArticleVectors
from parallax.store import Database


def _vectors(sentences: int, quotes: int) -> ArticleVectors:
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(1 + sentences + quotes, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return ArticleVectors(rows[0], rows[1 : 1 + sentences], rows[1 + sentences :])


def test_vectors_pack_and_read_back_at_float16() -> None:
    made = _vectors(3, 2)
    blob = made.to_bytes()
    assert len(blob) == DIM * 4 + 5 * DIM * 2
    back = ArticleVectors.from_bytes(blob, sentences=3, quotes=2)
    assert back is not None
    assert np.array_equal(back.lead, made.lead)  # the story vector keeps float32: grouping is unchanged
    assert back.sentences.dtype == np.float16
    assert np.abs(back.sentences.astype(np.float32) - made.sentences).max() < 1e-3
    assert np.abs(back.quotes.astype(np.float32) - made.quotes).max() < 1e-3


@pytest.mark.parametrize(("sentences", "quotes"), [(4, 2), (3, 1), (0, 0)])
def test_vectors_of_another_analysis_are_refused(sentences: int, quotes: int) -> None:
    assert ArticleVectors.from_bytes(_vectors(3, 2).to_bytes(), sentences=sentences, quotes=quotes) is None


def _analysis(article_id: str) -> AnalyzedArticle:
    text = f"One sentence {article_id}. Another one there. A third."
    article = Article(article_id, "Outlet", "Title", text, "2024-01-01", content_hash=content_hash(text))
    cut = text.index("Another")
    sentences = (Sentence(article_id, 0, 0, cut - 1, text[: cut - 1]),
                 Sentence(article_id, 1, cut, cut + 18, text[cut : cut + 18]),
                 Sentence(article_id, 2, cut + 19, len(text), text[cut + 19 :]))
    return AnalyzedArticle(article, sentences, labels=())


def test_vectors_stored_with_the_analysis_and_its_models(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.db")
    ingest_articles(db, [_analysis("a").article, _analysis("b").article])
    assert db.pending_analysis(models="m 1") == ["a", "b"]
    db.save_analyses([_analysis("a"), _analysis("b")], models="m 1",
                     vectors=[_vectors(3, 0).to_bytes(), None])
    assert db.pending_analysis(models="m 1") == []
    assert db.pending_analysis(models="m 2") == ["a", "b"]  # new models: analysed again
    stored = db.analysis_vectors(["a", "b"])
    assert set(stored) == {"a"}
    blob, sentences, quotes = stored["a"]
    assert (sentences, quotes) == (3, 0)
    assert ArticleVectors.from_bytes(blob, sentences=sentences, quotes=quotes) is not None
    assert db.analysis("a").labels == ()


def test_vectors_analysis_without_models_stamp_is_kept(tmp_path: Path) -> None:
    db = Database(tmp_path / "p.db")
    ingest_articles(db, [_analysis("a").article])
    db.save_analyses([_analysis("a")])  # as stored before the stamp was kept
    assert db.pending_analysis(models="m 1") == []


def test_vectors_lead_alone_reads_back_without_rows() -> None:
    made = _vectors(0, 0)
    back = ArticleVectors.from_bytes(made.to_bytes(), sentences=3, quotes=2)  # rows not made yet
    assert back is not None and not back.has_rows
    assert np.array_equal(back.lead, made.lead)
    assert not back.fits(_analysis("a"))  # a comparison makes the rows of this article's three sentences
