"""The self-training corpus reader (parallax.train.silver_corpus): PTB-spaced text back to prose."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from parallax.train.silver_corpus import despace, silver_texts


def test_despace_joins_punctuation_quotes_and_clitics() -> None:
    spaced = "He said , “ it ’s over , ” and `` we do n't know '' ( yet ) .\nCosts rose 5 % to $ 3 ."
    assert despace(spaced) == "He said, “it’s over,” and “we don't know” (yet).\n\nCosts rose 5% to $3."


def test_despace_keeps_ordinary_prose() -> None:
    prose = "The minister's aides said: “We will not comment.” Officials didn't reply."
    assert despace(prose) == prose


def test_silver_texts_skips_counts_and_bounds_length(tmp_path: Path) -> None:
    rows = [{"text": f"Row {k} says , “ hello . ” " + "word " * 60} for k in range(6)]
    rows[3]["text"] = "too short ."
    path = tmp_path / "corpus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)
    texts = silver_texts(path, count=2, skip=2, max_chars=10_000)
    assert [t.split(" says")[0] for t in texts] == ["Row 2", "Row 4"]
    assert texts[0].startswith("Row 2 says, “hello.” word")
    assert silver_texts(path, count=5, skip=0, max_chars=100) == []
