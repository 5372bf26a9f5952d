"""An article longer than spaCy's max_length is analysed in pieces; the rest of the store is analysed too."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parallax.analyze as analyze
from parallax.analyze.nlp import split_long_text
from parallax.pipeline import analyze_store, ingest_paths
from parallax.store import Database

PARAGRAPH = (
    "The harbour council said on Tuesday that the new ferry would run between the pier and the island"
    " from next spring. \u201cWe have waited long enough,\u201d said Mayor Elena Ruiz, who chairs the council."
)


@given(
    text=st.text(alphabet=st.sampled_from("ab .\n"), max_size=400),
    limit=st.integers(min_value=1, max_value=60),
)
@settings(max_examples=200, deadline=None)
def test_split_long_text_pieces_rebuild_the_text_within_the_limit(text: str, limit: int) -> None:
    pieces = split_long_text(text, limit=limit)
    assert "".join(pieces) == text
    assert all(len(piece) <= limit for piece in pieces)
    assert all(pieces[:-1])


def test_split_long_text_cuts_after_a_paragraph() -> None:
    text = "\n".join(["x" * 40] * 5)
    assert split_long_text(text, limit=100) == ["x" * 40 + "\n" + "x" * 40 + "\n"] * 2 + ["x" * 40]


@pytest.fixture()
def small_limits(nlp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """spaCy refuses texts over 2,000 characters, and analysis cuts pieces of 600."""
    monkeypatch.setattr(nlp, "max_length", 2_000)
    monkeypatch.setattr(analyze, "MAX_DOC_CHARS", 600)


def _write(folder: Path, name: str, paragraphs: int) -> Path:
    path = folder / name
    path.write_text("\n".join([PARAGRAPH] * paragraphs) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.usefixtures("small_limits")
def test_analyze_store_analyses_an_article_over_spacy_max_length_in_pieces(tmp_path: Path) -> None:
    long_path = _write(tmp_path, "long.txt", 20)  # 20 x 215 characters: over max_length (E088 before)
    short_path = _write(tmp_path, "short.txt", 2)
    with Database(tmp_path / "store.db") as db:
        assert ingest_paths(db, [long_path, short_path]).added == 2
        report = analyze_store(db, compare=False)
        assert report.analyzed == 2
        long = db.analysis("long")
    text = long.article.text
    assert len(text) > 2_000
    assert all(text[s.start : s.end] == s.text for s in long.sentences)
    assert long.sentences[-1].end == len(text)
    assert len(long.sentences) == 40
    assert sum(q.speaker_name == "Elena Ruiz" for q in long.quotes) >= 10


@pytest.mark.usefixtures("small_limits")
def test_analyze_articles_past_the_piece_limit_analyses_the_start_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(analyze, "MAX_DOC_PIECES", 2)
    path = _write(tmp_path, "long.txt", 20)
    with Database(tmp_path / "store.db") as db:
        ingest_paths(db, [path])
        analyze_store(db, compare=False)
        long = db.analysis("long")
    assert 0 < long.sentences[-1].end <= 1_200
    assert "only the first" in caplog.text and "long.txt" in caplog.text
