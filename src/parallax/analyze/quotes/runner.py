"""Declared steps and the runner that orders them.

A step names the state keys it reads (``requires``) and the ones it writes (``assigns``), as a spaCy
component declares ``requires``/``assigns``. The runner orders steps by those declarations, not by the
order they are listed in (which only breaks ties), so a step added anywhere runs after what it needs, and
it refuses a plan in which a key is required but never assigned, assigned twice, or steps need each
other's output. While running it checks that each step wrote what it declared and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from parallax.errors import ParallaxError

from .state import INPUTS, QuoteState, state_keys

__all__ = ["Step", "StepError", "plan", "run_steps", "step"]

LOGGER = logging.getLogger(__name__)


class StepError(ParallaxError):
    """The quote steps' declarations do not make a plan, or a step broke its declaration."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"quote steps: {problem}")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the quote stage: a function over :class:`QuoteState` and what it reads and writes."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    run: Callable[[QuoteState], None]

    def __call__(self, state: QuoteState) -> None:
        self.run(state)


def step(name: str, *, requires: Iterable[str] = (), assigns: Iterable[str]) -> Callable[[Callable[[QuoteState], None]], Step]:
    """Declare a function as a step: ``@step("kinds", requires=["attributions"], assigns=["kinds"])``."""
    needs, gives = tuple(requires), tuple(assigns)
    known = set(state_keys())
    unknown = [k for k in (*needs, *gives) if k not in known | INPUTS]
    if unknown or not gives or set(gives) & INPUTS:
        raise StepError(f"step {name!r} declares {', '.join(unknown or gives)}, not keys it may use")

    def make(function: Callable[[QuoteState], None]) -> Step:
        return Step(name, needs, gives, function)

    return make


def plan(steps: Sequence[Step], *, wants: Collection[str] | None = None, given: Collection[str] = ()) -> list[Step]:
    """The steps that make ``wants`` (default: every key the steps assign), each after the steps that
    assign what it requires; ties keep the listed order.

    Raises:
        StepError: two steps assign one key, a required key has no step assigning it, or steps require
            each other's output (a cycle).
    """
    have = set(INPUTS) | set(given)
    maker: dict[str, Step] = {}
    for s in steps:
        for key in s.assigns:
            if key in maker:
                raise StepError(f"{key!r} is assigned by both {maker[key].name!r} and {s.name!r}")
            maker[key] = s
    needed = _needed(maker, have, wants if wants is not None else list(maker))
    return _ordered([s for s in steps if s.name in needed], maker, have)


def _needed(maker: dict[str, Step], have: set[str], wants: Iterable[str]) -> set[str]:
    """Names of the steps that must run to make ``wants`` from ``have``."""
    needed: set[str] = set()
    missing: dict[str, set[str]] = {}  # key no step assigns -> the steps (or the caller) that want it
    todo = [(k, "the caller") for k in wants if k not in have]
    while todo:
        key, user = todo.pop()
        if key not in maker:
            missing.setdefault(key, set()).add(user)
            continue
        s = maker[key]
        if s.name not in needed:
            needed.add(s.name)
            todo.extend((k, repr(s.name)) for k in s.requires if k not in have)
    if missing:
        raise StepError(
            "no step assigns "
            + "; ".join(f"{key!r} (required by {', '.join(sorted(users))})" for key, users in sorted(missing.items()))
        )
    return needed


def _ordered(steps: list[Step], maker: dict[str, Step], have: set[str]) -> list[Step]:
    """``steps`` so that each comes after the makers of its requirements (Kahn's algorithm, stable)."""
    after = {s.name: {maker[k].name for k in s.requires if k not in have} - {s.name} for s in steps}
    for s in steps:
        if set(s.requires) & set(s.assigns):
            raise StepError(f"{s.name!r} requires what it assigns ({', '.join(set(s.requires) & set(s.assigns))})")
    out: list[Step] = []
    done: set[str] = set()
    while len(out) < len(steps):
        ready = next((s for s in steps if s.name not in done and after[s.name] <= done), None)
        if ready is None:
            raise StepError(f"a cycle: {_cycle(after, done)}")
        out.append(ready)
        done.add(ready.name)
    return out


def _cycle(after: dict[str, set[str]], done: set[str]) -> str:
    """One cycle among the steps not done, as ``a -> b -> a`` (a step -> a step it waits for)."""
    path = [next(name for name in after if name not in done)]
    while path.count(path[-1]) < 2:
        path.append(sorted(after[path[-1]] - done)[0])
    return " -> ".join(path[path.index(path[-1]) :])


def run_steps(steps: Sequence[Step], state: QuoteState) -> QuoteState:
    """Run ``steps`` in order over ``state``, checking that each writes what it declares and nothing else.

    Raises:
        StepError: a step left a declared key empty or wrote one it did not declare.
    """
    for s in steps:
        before = state.filled()
        s(state)
        written = state.filled() - before
        missing = [k for k in s.assigns if getattr(state, k) is None]
        stray = sorted(written - set(s.assigns))
        if missing or stray:
            raise StepError(f"step {s.name!r} left {missing} unassigned and wrote undeclared {stray}")
    return state
