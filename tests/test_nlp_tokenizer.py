"""The English pipeline's tokenizer as parallax loads it: dashes never stay glued to words."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cares nothing about.”― Pamela Padilla", ["cares", "nothing", "about", ".", "”", "―", "Pamela", "Padilla"]),
        ("the bank—5,300 employees", ["the", "bank", "—", "5,300", "employees"]),
        ("word―word", ["word", "―", "word"]),
        ("–Ana said", ["–", "Ana", "said"]),
        ("a state-of-the-art plan", ["a", "state", "-", "of", "-", "the", "-", "art", "plan"]),
        ("1990–2000", ["1990–2000"]),
    ],
)
def test_dashes_come_off_words(nlp, text: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [t.text for t in nlp.tokenizer(text)] == expected
