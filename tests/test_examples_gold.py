"""End to end on the examples corpus: what examples/gold.jsonc says each story's comparison must find.

The pipeline runs once (ingest, analyze, report through ``parallax.cli.main``) into a temporary database;
each gold conflict, quote group and relay is then checked against the JSON report of its story.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from parallax.cli import main

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GOLD = json.loads((EXAMPLES / "gold.jsonc").read_text(encoding="utf-8"))
COMPARED = [s for s in GOLD["stories"] if len(s["articles"]) > 1]


def _cli_json(*argv: str) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Gold story key -> the JSON report of the story holding its articles."""
    tmp = tmp_path_factory.mktemp("examples")
    db = str(tmp / "examples.db")
    assert main(["-q", "--db", db, "ingest", str(EXAMPLES)]) == 0
    assert main(["-q", "--db", db, "analyze"]) == 0
    stories = _cli_json("--db", db, "stories", "--format", "json")
    out: dict[str, dict[str, Any]] = {}
    for gold in COMPARED:
        ids = {a["id"] for a in gold["articles"] if a["id"]}
        story = next(s for s in stories if ids <= set(s["article_ids"]))
        path = tmp / f"{gold['key']}.json"
        assert main(["--db", db, "report", story["id"], "--format", "json", "-o", str(path)]) == 0
        out[gold["key"]] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _parse_value(text: str) -> tuple[float, bool]:
    """A gold value ("$1.2 billion", "14", "at least a dozen") as (value, is a lower bound)."""
    lower = text.lower()
    scale = 1e9 if "billion" in lower else 1e6 if "million" in lower else 1.0
    number = re.search(r"\d+(?:\.\d+)?", lower)
    value = float(number.group()) if number else 12.0 if "dozen" in lower else float("nan")
    return value * scale, lower.startswith("at least")


def _incompatible(a: str, b: str) -> bool:
    (x, x_min), (y, y_min) = _parse_value(a), _parse_value(b)
    if x_min and y_min:
        return False
    if x_min:
        return y < x
    if y_min:
        return x < y
    return abs(x - y) > 0.05 * max(x, y)


def _conflict_cases() -> list[tuple[str, str, str, str]]:
    """(story, type, outlet, outlet) for every pair of outlets gold says must conflict."""
    cases = []
    for story in COMPARED:
        for conflict in story.get("conflicts", []):
            if conflict["type"] == "number":
                values = conflict["values"]
                for a, b in itertools.combinations(sorted(values), 2):
                    if _incompatible(values[a], values[b]):
                        cases.append((story["key"], "number", a, b))
            else:
                cases.append((story["key"], conflict["type"], conflict["asserts"], conflict["hedges"]))
    return cases


@pytest.mark.parametrize(("story", "kind", "first", "second"), _conflict_cases())
def test_examples_gold_conflict(reports: dict[str, dict[str, Any]], story: str, kind: str, first: str,
                                second: str) -> None:
    found = {(c["type"], frozenset((c["a"]["outlet"], c["b"]["outlet"]))) for c in reports[story]["conflicts"]}
    assert (kind, frozenset((first, second))) in found, sorted(found, key=str)


def _compatible_pairs() -> list[tuple[str, str, str]]:
    """(story, outlet, outlet) whose gold numbers agree: no number conflict may join them."""
    cases = []
    for story in COMPARED:
        for conflict in story.get("conflicts", []):
            if conflict["type"] == "number":
                values = conflict["values"]
                cases += [(story["key"], a, b) for a, b in itertools.combinations(sorted(values), 2)
                          if not _incompatible(values[a], values[b])]
    return cases


@pytest.mark.parametrize(("story", "first", "second"), _compatible_pairs())
def test_examples_gold_agreeing_numbers_are_not_conflicts(reports: dict[str, dict[str, Any]], story: str,
                                                          first: str, second: str) -> None:
    pairs = [(c["a_text"], c["b_text"]) for c in reports[story]["conflicts"]
             if c["type"] == "number" and {c["a"]["outlet"], c["b"]["outlet"]} == {first, second}]
    assert not pairs


@pytest.mark.parametrize(("story", "speaker", "outlets"), [
    (s["key"], g["speaker"], sorted(g["wordings"])) for s in COMPARED for g in s.get("quote_groups", [])
])
def test_examples_gold_quote_group_spans_outlets(reports: dict[str, dict[str, Any]], story: str, speaker: str,
                                                 outlets: list[str]) -> None:
    surname = speaker.split()[-1]
    groups = [g for g in reports[story]["quote_groups"] if g["speaker"] and surname in g["speaker"]]
    spans = [sorted(w["outlet"] for w in g["wordings"]) for g in groups]
    assert outlets in spans, spans


def _same_source(found: str, wanted: str) -> bool:
    """One name is the other, or its start ("Tarrow Press" for "Tarrow Press Agency")."""
    a, b = found.lower().split(), wanted.lower().split()
    return a == b[: len(a)] or b == a[: len(b)]


def _relay_cases() -> list[Any]:
    cases = []
    for story in COMPARED:
        for outlet, names in story.get("relays", {}).items():
            for name in names:
                cases.append(pytest.param(story["key"], outlet, name))
    return cases


@pytest.mark.parametrize(("story", "outlet", "relay"), _relay_cases())
def test_examples_gold_relay(reports: dict[str, dict[str, Any]], story: str, outlet: str, relay: str) -> None:
    report = reports[story]
    ids = {a["id"] for a in report["articles"] if a["outlet"] == outlet}
    relays = {q["relay"]["name"] for q in report["quotes"] if q["article_id"] in ids and q.get("relay")}
    assert any(_same_source(name, relay) for name in relays), relays


def test_examples_gold_missing_from_needs_most_others(reports: dict[str, dict[str, Any]]) -> None:
    for report in reports.values():
        outlets = {a["outlet"] for a in report["articles"]}
        for gap in report["missing"]:
            others = len(outlets) - 1
            assert len(set(gap["reported_by"]) - {gap["outlet"]}) > others / 2, gap
