"""The comparison scorer (parallax eval compare): locating snippets, each measure on a hand-made story, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import shared_path
from test_compare_helpers import BagEmbedder, analyzed, story_of

from parallax.compare import compare_story
from parallax.eval.compare import locate, score_story, source_key, sources_match
from parallax.model import AlignedRef, Conflict


def test_eval_compare_locates_snippets_exactly_then_loosely() -> None:
    text = "He said “we will\n  rebuild” on Monday."
    assert locate(text, "on Monday") == (text.index("on Monday"), text.index("on Monday") + 9)
    start, end = locate(text, 'said "we will rebuild"')  # type: ignore[misc]
    assert text[start:end] == "said “we will\n  rebuild”"
    assert locate(text, "not there") is None


@pytest.mark.parametrize(("predicted", "gold", "match"), [
    ("The Washington Post", "Washington Post", True),
    ("Politico", "Politico", True),
    ("a Justice Department statement", "Justice Department statement", True),
    ("Reuters", "The Associated Press", False),
    ("", "Reuters", False),
])
def test_eval_compare_source_names_match_loosely(predicted: str, gold: str, match: bool) -> None:
    assert sources_match(predicted, gold) is match


def test_eval_compare_source_key_drops_articles_and_case() -> None:
    assert source_key("The  Kremlin's statement") == "kremlin statement"


def _gold() -> dict[str, object]:
    return {
        "story": "s", "articles": {"a": "Outlet A", "b": "Outlet B"},
        "facts": [
            {"id": "F1", "fact": "flood", "kind": "event",
             "in": {"a": "The river flooded the town of Brel", "b": "The river flooded the town of Brel"}},
            {"id": "F2", "fact": "bakery", "kind": "event", "in": {"a": "A local bakery gave away bread"}},
        ],
        "conflicts": [{"id": "C1", "kind": "number", "a": {"article": "a", "snippet": "Ten shelters opened"},
                       "b": {"article": "b", "snippet": "Three shelters opened"}, "why": "count"}],
        "quotes": [],
        "sources": {"a": ["Reuters"], "b": []},
    }


def test_eval_compare_scores_each_measure_on_a_made_up_story() -> None:
    a = analyzed("a", "Outlet A", "The river flooded the town of Brel on Friday. "
                 "A local bakery gave away bread to families. Ten shelters opened in Brel.", [("Brel", "GPE")])
    b = analyzed("b", "Outlet B", "The river flooded the town of Brel on Friday, residents said. "
                 "Three shelters opened in Brel.", [("Brel", "GPE")])
    comparison = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    scores = score_story(_gold(), comparison, [a, b])
    shared, omission, sources = (scores.counts[m] for m in ("shared", "omission", "sources"))
    assert (shared.gold, shared.tp_gold) == (2, 2)  # F1 both ways, linked
    assert omission.gold == 1 and omission.tp_gold == 1  # the bakery is not linked into b
    assert (sources.gold, sources.tp_gold, sources.pred) == (1, 0, 0)
    conflicts = scores.counts["conflicts"]
    assert conflicts.gold == 1 and conflicts.tp_gold == conflicts.tp_pred


def test_eval_compare_counts_a_conflict_on_the_gold_snippets() -> None:
    a = analyzed("a", "Outlet A", "Ten shelters opened in Brel.")
    b = analyzed("b", "Outlet B", "Three shelters opened in Brel.")
    comparison = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    ref_a = AlignedRef("a", "Outlet A", 0, 0, 28, 0.9)
    ref_b = AlignedRef("b", "Outlet B", 0, 0, 30, 0.9)
    made = comparison.__class__(**{**{f: getattr(comparison, f) for f in comparison.__dataclass_fields__},
                                   "conflicts": (Conflict("number", ref_b, ref_a, "", "", "", 0.9),)})
    counts = score_story(_gold(), made, [a, b]).counts["conflicts"]
    assert (counts.tp_pred, counts.pred, counts.tp_gold, counts.gold) == (1, 1, 1, 1)


@pytest.mark.slow
def test_eval_compare_cli_on_the_seed_pair(tmp_path: Path) -> None:
    from parallax.eval.compare import cli

    out = tmp_path / "compare.json"
    assert cli([str(shared_path("comparison", "gold-dev.jsonl")), str(shared_path("seeds")),
                "--story", "seed-pair", "--no-cache", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert [s["story"] for s in data["stories"]] == ["seed-pair"]
    totals = data["totals"]
    assert set(totals) == {"shared", "omission", "conflicts", "quotes", "sources", "sources-strict"}
    assert totals["shared"]["gold"] > 0 and 0.0 <= totals["shared"]["f1"] <= 1.0


def test_eval_compare_strict_sources_refuse_generic_names() -> None:
    assert sources_match("a statement", "Etheridge's written statement")
    assert not sources_match("a statement", "Etheridge's written statement", strict=True)
    assert sources_match("Reuters", "Reuters news agency", strict=True)


@pytest.mark.parametrize(("line", "problem"), [
    ('{"story": "s", "articles": {"a": "X"}', "is not valid JSON"),
    ('{"articles": {"a": "X"}}', "is not a gold story"),
    ('["s"]', "is not a gold story"),
])
def test_eval_compare_bad_gold_is_a_one_line_error(tmp_path: Path, line: str, problem: str) -> None:
    from parallax.errors import InputError
    from parallax.eval.compare import load_gold

    path = tmp_path / "gold.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=problem) as caught:
        load_gold(path)
    assert str(caught.value).startswith(f"{path}:1: ")


def test_eval_compare_gold_lists_default_to_empty(tmp_path: Path) -> None:
    from parallax.eval.compare import load_gold

    path = tmp_path / "gold.jsonl"
    path.write_text('{"story": "s", "articles": {"a": "X", "b": "Y"}}\n', encoding="utf-8")
    [entry] = load_gold(path)
    assert entry["facts"] == [] and entry["conflicts"] == [] and entry["quotes"] == [] and entry["sources"] == {}
