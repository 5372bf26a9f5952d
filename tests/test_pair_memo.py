"""A story compared again with its pair memo (the pair columns of its last comparison) gives the comparison
a comparison from scratch gives: the same pair scores bit for bit, the same records field by field."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from parallax.cli import main
from parallax.compare import compare_story
from parallax.compare.align import score_pairs
from parallax.compare.features import SentenceFacts, sentence_facts
from parallax.compare.pair_memo import PairMemo, PairMemos
from parallax.model import AnalyzedArticle, Entity, Story, to_dict
from parallax.stories.resolve import linked_entities
from parallax.store import Database

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def analyses(tmp_path_factory: pytest.TempPathFactory) -> list[AnalyzedArticle]:
    """Every article of the examples corpus, analysed by the real pipeline, in the store's order."""
    db_path = tmp_path_factory.mktemp("memo") / "examples.db"
    assert main(["-q", "--db", str(db_path), "ingest", str(EXAMPLES)]) == 0
    assert main(["-q", "--db", str(db_path), "analyze"]) == 0
    with Database(db_path) as db:
        ids = [a for s in db.stories() for a in s.article_ids]
        return [db.analysis(a) for a in ids]


def _story(analyzed: list[AnalyzedArticle]) -> tuple[Story, list[AnalyzedArticle], list[Entity]]:
    entities, linked = linked_entities(analyzed)
    return Story("memo-story", "memo story", tuple(a.article.id for a in analyzed)), linked, entities


def _compared(analyzed: list[AnalyzedArticle], memo: PairMemo | None) -> dict[str, object]:
    story, linked, entities = _story(analyzed)
    return to_dict(compare_story(story, linked, entities=entities, memo=memo))


def _facts(analyzed: list[AnalyzedArticle]) -> tuple[list[SentenceFacts], np.ndarray]:
    _, linked, _ = _story(analyzed)
    facts = sentence_facts(linked)
    rng = np.random.default_rng(7)  # any unit vectors: the scores must match for every cosine
    vectors = rng.normal(size=(len(facts), 16)).astype(np.float32)
    return facts, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


# (articles compared before, articles compared now), as positions in the examples' store order.
CHANGES = {
    "one more article": (slice(0, 6), slice(0, 7)),
    "one article fewer": (slice(0, 7), slice(0, 6)),
    "the first article gone": (slice(0, 7), slice(1, 7)),
    "compared again unchanged": (slice(0, 7), slice(0, 7)),
}


@pytest.mark.parametrize("change", CHANGES)
def test_pair_memo_recompare_equals_comparison_from_scratch(analyses: list[AnalyzedArticle], change: str) -> None:
    before, now = CHANGES[change]
    memo = PairMemo()
    _compared(analyses[before], memo)
    assert memo.size > 0
    assert _compared(analyses[now], memo) == _compared(analyses[now], None)
    assert memo.reused > 0


@pytest.mark.parametrize("change", CHANGES)
def test_pair_memo_scores_equal_score_pairs_bit_for_bit(analyses: list[AnalyzedArticle], change: str) -> None:
    before, now = CHANGES[change]
    memo = PairMemo()
    memo.score_pairs(*_facts(analyses[before]))
    facts, vectors = _facts(analyses[now])
    reused, scratch = memo.score_pairs(facts, vectors), score_pairs(facts, vectors)
    assert np.array_equal(reused.pairs, scratch.pairs)
    assert np.array_equal(reused.probability, scratch.probability) and np.array_equal(reused.cosine, scratch.cosine)
    assert memo.reused > 0 and memo.reused + memo.computed == len(scratch.pairs)


def test_pair_memo_scores_only_pairs_not_scored_before(analyses: list[AnalyzedArticle]) -> None:
    """Only the pairs the last comparison did not score (with the new article, or newly nearest) are made."""
    memo = PairMemo()
    old_facts, old_vectors = _facts(analyses[:6])
    memo.score_pairs(old_facts, old_vectors)
    facts, vectors = _facts(analyses[:7])
    memo.score_pairs(facts, vectors)

    def keys(facts: list[SentenceFacts], pairs: np.ndarray) -> set[tuple[str, int, str, int]]:
        return {(facts[i].article_id, facts[i].index, facts[j].article_id, facts[j].index) for i, j in pairs.tolist()}

    now = keys(facts, score_pairs(facts, vectors).pairs)
    unseen = now - keys(old_facts, score_pairs(old_facts, old_vectors).pairs)
    new = analyses[6].article.id
    assert any(new in (key[0], key[2]) for key in unseen)
    assert memo.computed == len(unseen) and memo.reused == len(now) - len(unseen)


def test_pair_memo_falls_back_when_reused_columns_differ(analyses: list[AnalyzedArticle],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    memo = PairMemo()
    memo.score_pairs(*_facts(analyses[:6]))
    memo._rows += 0.5  # what a column changed in same_fact.pair_features but not in the memo would look like
    facts, vectors = _facts(analyses[:7])
    with caplog.at_level(logging.WARNING, logger="parallax.compare.pair_memo"):
        reused = memo.score_pairs(facts, vectors)
    assert np.array_equal(reused.probability, score_pairs(facts, vectors).probability)
    assert memo.reused == 0 and "scoring every pair again" in caplog.text


def test_pair_memos_drop_the_least_recently_used(analyses: list[AnalyzedArticle]) -> None:
    memos = PairMemos(max_pairs=1)
    first = memos.get("a")
    first.score_pairs(*_facts(analyses[:3]))
    assert memos.get("a") is first
    memos.get("b")
    assert memos.get("a") is not first
