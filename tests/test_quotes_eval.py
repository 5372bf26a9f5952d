"""The quote scorer, the PolNeAR reader, the eval CLI, and a loose quality gate on a few dev documents."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import shared_path

from parallax.eval.polnear import GoldSpan, PolnearDoc
from parallax.eval.quotes import cli, evaluate, score_documents

TEXT = "Smith said the plan failed. Jones disagreed."
GOLD = PolnearDoc(
    "x",
    TEXT,
    (
        GoldSpan("Source", 0, 5, "E1"),
        GoldSpan("Cue", 6, 10, "E1"),
        GoldSpan("Content", 11, 26, "E1"),
    ),
)


def test_score_exact_match_is_perfect() -> None:
    pred = {"Source": {(0, 5)}, "Cue": {(6, 10)}, "Content": {(11, 26)}}
    scores = score_documents([(GOLD, pred)]).as_dict()
    assert scores["exact"]["source"]["f1"] == 1.0  # type: ignore[index]
    assert scores["token"]["content"]["f1"] == 1.0  # type: ignore[index]


def test_score_boundary_miss_counts_only_in_overlap() -> None:
    pred = {"Source": set(), "Cue": {(6, 10)}, "Content": {(15, 26)}}
    scores = score_documents([(GOLD, pred)]).as_dict()
    assert scores["exact"]["content"]["f1"] == 0.0  # type: ignore[index]
    assert scores["overlap"]["content"]["f1"] == 1.0  # type: ignore[index]
    assert 0 < scores["token"]["content"]["recall"] < 1  # type: ignore[index]
    assert scores["exact"]["source"]["recall"] == 0.0  # type: ignore[index]


def test_eval_quality_gate_on_dev_sample() -> None:
    root = shared_path("polnear")
    scores = evaluate(root, "dev", limit=8).as_dict()
    # Loose floors: the full dev figures (docs/quotes.md) sit well above these.
    assert scores["exact"]["source"]["f1"] > 0.55  # type: ignore[index]
    assert scores["exact"]["cue"]["f1"] > 0.5  # type: ignore[index]
    assert scores["overlap"]["content"]["f1"] > 0.75  # type: ignore[index]


def test_eval_cli_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = shared_path("polnear")
    out = tmp_path / "scores.json"
    assert cli(["--polnear", str(root), "--split", "dev", "--limit", "2", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert set(data) >= {"exact", "overlap", "token", "documents"}
    assert "exact" in capsys.readouterr().out


def test_eval_cli_accurate_quotes_runs_the_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parallax.analyze.quotes.encoder import load_encoder
    from parallax.analyze.quotes.tagger import quote_model_dir
    from parallax.quote_mode import MODE_VARIABLE

    root = shared_path("polnear")
    out = tmp_path / "scores.json"
    monkeypatch.setenv(MODE_VARIABLE, "fast")  # restored when the test ends; --accurate-quotes wins
    encoder = load_encoder(quote_model_dir())
    assert encoder is not None
    before = encoder.counts["reread"]
    assert cli(["--polnear", str(root), "--split", "dev", "--limit", "2", "--accurate-quotes", "--json", str(out)]) == 0
    assert encoder.counts["reread"] > before
    assert json.loads(out.read_text())["quote_mode"] == "accurate"
    # The flag holds for the one run, in this process: nothing is left switched on.
    assert os.environ[MODE_VARIABLE] == "fast"


def test_eval_missing_polnear_folder_says_what_to_pass(tmp_path: Path) -> None:
    from parallax.errors import InputError

    with pytest.raises(InputError, match="--polnear"):
        evaluate(tmp_path, "dev")
