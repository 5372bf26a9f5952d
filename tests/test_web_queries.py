"""The store queries behind the web views: FTS sanitising, date parsing, variants and word diffs."""

from __future__ import annotations

import sqlite3

import pytest

from parallax.errors import InputError
from parallax.api import parse_date
from parallax.remarks import group_variants, word_diff
from parallax.model import QuoteHit
from parallax.store.text import fts_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("flood", '"flood"'),
        ("river flood", '"river" "flood"'),
        ('"river flooded" today', '"river flooded" "today"'),
        ("evacuat*", '"evacuat"*'),
        ("a OR b", '"a" "OR" "b"'),
        ("title:x", '"title" "x"'),
        ("NEAR(a b)", '"NEAR" "a" "b"'),
        ('"', None),
        ("***", None),
        ("-x", '"x"'),
        ("O'Neil's", '"O Neil s"'),  # one word to the reader, a phrase to the tokenizer
    ],
)
def test_web_fts_query_quotes_every_term(text: str | None, expected: str | None) -> None:
    assert fts_query(text) == expected


@pytest.mark.parametrize("text", ['"', "a OR", "NEAR(", "x:y", "(((", "^a", "a NOT", '"unbalanced', "\x00", "é*ü"])
def test_web_fts_query_is_always_valid_fts5(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    conn.execute("INSERT INTO t VALUES ('some body text')")
    match = fts_query(text)
    if match is not None:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (match,)).fetchall()


def test_web_fts_query_caps_terms() -> None:
    assert fts_query(" ".join(f"w{i}" for i in range(100))).count('"') == 32  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("2025-03-04", "2025-03-04"),
                                                 ("2025-03-04T10:00:00Z", "2025-03-04")])
def test_web_parse_date(value: str | None, expected: str | None) -> None:
    assert parse_date(value, name="from") == expected


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "04/03/2025"])
def test_web_parse_date_refuses(value: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_date(value, name="from")


def _hit(i: int, outlet: str, content: str, date: str) -> QuoteHit:
    return QuoteHit(i, f"a{i}", outlet, date, "t", "direct", None, "X", "x", content, 0, len(content), None, None, None)


def test_web_group_variants_joins_rewordings_and_splits_remarks() -> None:
    quotes = [
        _hit(1, "A", "We will not negotiate under threats", "2025-01-01"),
        _hit(2, "B", "we will not negotiate under threats.", "2025-01-01"),
        _hit(3, "C", "We shall not negotiate under any threats", "2025-01-02"),
        _hit(4, "A", "The harvest was the best in ten years", "2025-02-01"),
    ]
    variants = group_variants(quotes)
    assert len(variants) == 2
    first = variants[0]
    assert set(first.outlets) == {"A", "B", "C"}
    assert len(first.wordings) == 2  # A and B word it identically once normalised
    assert first.wordings[1].diff and ("+", "shall") in first.wordings[1].diff


def test_web_word_diff() -> None:
    assert word_diff("a b c".split(), "a x c".split()) == (("=", "a"), ("-", "b"), ("+", "x"), ("=", "c"))
