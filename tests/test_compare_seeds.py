"""Acceptance on the seed pair: the same Moscow meeting as told by two outlets (issue "Done when")."""

from __future__ import annotations

import pytest
from conftest import shared_path

from parallax.model import Comparison, Story

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_comparison(nlp) -> Comparison:  # type: ignore[no-untyped-def]
    from parallax.analyze import analyze_articles
    from parallax.compare import compare_story
    from parallax.ingest import iter_inputs
    from parallax.model import Article

    articles = [a for a in iter_inputs([str(shared_path("seeds"))]) if isinstance(a, Article)]
    assert len(articles) == 2
    analyzed = list(analyze_articles(articles))
    story = Story("seed", "seed", tuple(a.id for a in articles), outlets=tuple(a.outlet for a in articles))
    return compare_story(story, analyzed)


def _nyt(c: Comparison) -> str:
    return next(a.id for a in c.articles if "New York Times" in a.outlet)


def _text(c: Comparison, article_id: str, start: int, end: int) -> str:
    return next(a.text for a in c.articles if a.id == article_id)[start:end]


def test_compare_seeds_meeting_in_moscow_is_shared(seed_comparison: Comparison) -> None:
    c = seed_comparison
    lead = next(a for a in c.alignments if a.article_id == _nyt(c) and a.sentence == 0)
    assert "Moscow on Monday" in _text(c, lead.article_id, lead.start, lead.end)
    assert lead.status == "shared"
    assert any("meeting in Moscow" in _text(c, m.article_id, m.start, m.end) for m in lead.matches)


def test_compare_seeds_hedged_and_asserted_condemnation_conflict(seed_comparison: Comparison) -> None:
    pairs = [(k.a_text, k.b_text) for k in seed_comparison.conflicts]
    assert any(
        ("stopped short of directly calling out" in a and "condemned U.S. strikes" in b)
        or ("stopped short of directly calling out" in b and "condemned U.S. strikes" in a)
        for a, b in pairs
    )


def test_compare_seeds_only_in_nyt_iraq_call(seed_comparison: Comparison) -> None:
    nyt = _nyt(seed_comparison)
    assert any("Iraq" in g.text and "telephone" in g.text for g in seed_comparison.unique if g.article_id == nyt)


@pytest.mark.parametrize("needle", ["Bushehr", "Pahlavi", "Security Council", "Radiation"])
def test_compare_seeds_only_in_second_outlet(seed_comparison: Comparison, needle: str) -> None:
    nyt = _nyt(seed_comparison)
    assert any(needle in g.text for g in seed_comparison.unique if g.article_id != nyt)


def test_compare_seeds_iraq_call_not_in_second_outlet_unique(seed_comparison: Comparison) -> None:
    nyt = _nyt(seed_comparison)
    assert not any("telephone" in g.text for g in seed_comparison.unique if g.article_id != nyt)


def test_compare_seeds_spokesman_quote_group(seed_comparison: Comparison) -> None:
    groups = [g for g in seed_comparison.quote_groups
              if all("depend" in w.content.text.lower() for w in g.wordings) and len(g.wordings) == 2]
    assert groups, [[w.content.text for w in g.wordings] for g in seed_comparison.quote_groups]
    group = groups[0]
    assert {w.article_id for w in group.wordings} == {a.id for a in seed_comparison.articles}
    assert any(op != "=" for op, _ in group.diff)
    assert group.label in ("reworded", "shortened", "different-translation")


def test_compare_seeds_sources_side_by_side(seed_comparison: Comparison) -> None:
    nyt = next(a.outlet for a in seed_comparison.articles if a.id == _nyt(seed_comparison))
    other = next(a.outlet for a in seed_comparison.articles if a.id != _nyt(seed_comparison))
    nyt_sources = " ".join(seed_comparison.sources.get(nyt, {})).lower()
    other_sources = " ".join(seed_comparison.sources.get(other, {})).lower()
    assert "kremlin" in nyt_sources
    for name in ("reuters", "tass", "rbc", "newsweek"):
        assert name in other_sources, (name, other_sources)


def test_compare_seeds_label_of_exiled_son(seed_comparison: Comparison) -> None:
    labels = [lab.label for f in seed_comparison.framing for lab in f.labels]
    assert any("exiled son" in label for label in labels)


def test_compare_seeds_framing_terms_per_outlet(seed_comparison: Comparison) -> None:
    assert len(seed_comparison.framing) == 2
    assert all(f.terms and all(t.z > 0 for t in f.terms) for f in seed_comparison.framing)
