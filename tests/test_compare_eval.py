"""Smoke tests of the ClaimDiff and BASIL evaluation commands on small slices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import shared_path

pytestmark = pytest.mark.slow


def test_eval_claims_cli_writes_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parallax.eval.claims import cli

    data = shared_path("claimdiff", "ClaimDiff-weak-train.json")
    out = tmp_path / "claims.json"
    assert cli([str(data), "--limit", "40", "--rules-only", "--json", str(out)]) == 0
    scores = json.loads(out.read_text())["scores"]
    assert scores[0]["method"] == "rules" and scores[0]["pairs"] == 40
    assert 0.0 <= scores[0]["f1"] <= 1.0
    assert "rules" in capsys.readouterr().out


def test_eval_basil_cli_one_story(tmp_path: Path) -> None:
    from parallax.eval.basil import cli

    out = tmp_path / "basil.json"
    assert cli([str(shared_path("stories", "basil-dev.jsonl")), str(shared_path("basil-annotations")),
                "--limit", "1", "--json", str(out)]) == 0
    scores = json.loads(out.read_text())
    assert scores["stories"] == 1 and scores["articles"] == 3
    assert scores["located"] > 0
    total = scores["sentences_unique"] + scores["sentences_partial"] + scores["sentences_shared"]
    assert abs(total - 1.0) < 0.01


def test_eval_basil_locates_span_in_article() -> None:
    from parallax.eval.basil import locate_spans
    from parallax.model import Article

    article = Article("a", "o", "t", "First sentence. The senator refused to comment. Last one.")
    [span] = locate_spans(article, [{"txt": "refused to comment", "start": 12}])
    assert article.text[span.start : span.end] == "refused to comment"
