"""The quote stage's declared steps: the runner orders them by what they require and assign, and refuses
plans and runs that break the declarations."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from parallax.analyze.quotes import STEPS, QuoteConfig, QuoteState, StepError, extract_quotes, quotes_and_sources
from parallax.analyze.quotes.runner import Step, plan, run_steps, step
from parallax.analyze.quotes.state import INPUTS, state_keys

TEXT = (
    "The mayor, Ana Ruiz, said the levy would rise. “We have no choice,” she told reporters on Monday.\n\n"
    "The increase was first reported by the Harbor Courier, according to officials."
)


def _toy(name: str, requires: list[str], assigns: list[str]) -> Step:
    return step(name, requires=requires, assigns=assigns)(lambda state: None)


def _names(steps: list[Step]) -> list[str]:
    return [s.name for s in steps]


def test_quotes_steps_plan_runs_each_step_after_what_it_requires() -> None:
    shuffled = list(STEPS)
    random.Random(23).shuffle(shuffled)
    ordered = plan(shuffled)
    assert sorted(_names(ordered)) == sorted(_names(list(STEPS)))
    made = set(INPUTS)
    for s in ordered:
        assert set(s.requires) <= made, f"{s.name} runs before {set(s.requires) - made} is assigned"
        made |= set(s.assigns)


def test_quotes_steps_every_key_is_assigned_by_exactly_one_step() -> None:
    assigned = [key for s in STEPS for key in s.assigns]
    assert sorted(assigned) == sorted(state_keys())


def test_quotes_steps_plan_for_a_key_runs_only_the_steps_it_needs() -> None:
    assert _names(plan(STEPS, wants=["framed"])) == ["layout", "tag", "link", "frames"]
    assert _names(plan(STEPS, wants=["sources"], given=["quotes"])) == ["sources"]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([s for s in STEPS if s.name != "tag"], "no step assigns 'cue_rates' .*'tagged' \\(required by 'link'\\)"),
        ([*STEPS, _toy("kinds again", ["attributions"], ["kinds"])], "'kinds' is assigned by both"),
        ([_toy("a", ["relays"], ["kinds"]), _toy("b", ["kinds"], ["relays"])], "a cycle: a -> b -> a"),
        ([_toy("self", ["kinds"], ["kinds"])], "requires what it assigns"),
    ],
    ids=["missing requirement", "two writers", "cycle", "self-requirement"],
)
def test_quotes_steps_plan_refuses_a_broken_declaration(steps: list[Step], message: str) -> None:
    with pytest.raises(StepError, match=message):
        plan(steps)


def test_quotes_steps_declaring_an_unknown_key_is_refused() -> None:
    with pytest.raises(StepError, match="not keys it may use"):
        _toy("typo", ["layuot"], ["kinds"])


def test_quotes_steps_run_refuses_a_step_that_breaks_its_declaration(nlp) -> None:  # type: ignore[no-untyped-def]
    def writes_too_much(state: QuoteState) -> None:
        state.kinds = []
        state.relays = []

    state = QuoteState(nlp("He said so."), "a1", QuoteConfig())
    with pytest.raises(StepError, match=r"wrote undeclared \['relays'\]"):
        run_steps([step("kinds", assigns=["kinds"])(writes_too_much)], state)
    with pytest.raises(StepError, match=r"left \['speakers'\] unassigned"):
        run_steps([_toy("lazy", [], ["speakers"])], QuoteState(nlp("He said so."), "a1", QuoteConfig()))


def test_quotes_steps_one_run_fills_every_key_and_matches_extract_quotes(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(TEXT)
    config = QuoteConfig(mode="fast")
    state = run_steps(plan(STEPS), QuoteState(doc, "a1", config))
    assert state.filled() == frozenset(state_keys())
    quotes, sources = quotes_and_sources(doc, "a1", config)
    assert quotes == state.quotes == extract_quotes(doc, "a1", config=config)
    assert sources == state.sources
    assert any(q.speaker_name == "Ana Ruiz" for q in quotes)


def test_quotes_config_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown quote mode 'quick'"):
        QuoteConfig(mode="quick")


def test_quotes_steps_table_in_the_docs_matches_the_declarations() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "quotes.md"
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|", docs.read_text(encoding="utf-8"), re.M)

    def keys(cell: str) -> tuple[str, ...]:
        return tuple(re.findall(r"`(\w+)`", cell))

    assert [(name, keys(needs), keys(gives)) for name, needs, gives in rows] == [
        (s.name, s.requires, s.assigns) for s in STEPS
    ]
