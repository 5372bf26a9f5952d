"""The story-clustering evaluation: BCubed, ARI and the `parallax eval stories` entry point."""

from __future__ import annotations

import json

import pytest
from stories_helpers import parsed

from parallax.eval import stories as eval_stories
from parallax.eval.stories import adjusted_rand, bcubed


@pytest.mark.parametrize(("gold", "predicted", "expected"), [
    (["a", "a", "b", "b"], ["x", "x", "y", "y"], (1.0, 1.0, 1.0)),
    (["a", "a", "b", "b"], ["x", "x", "x", "x"], (0.5, 1.0, 2 / 3)),
    (["a", "a", "b", "b"], ["w", "x", "y", "z"], (1.0, 0.5, 2 / 3)),
])
def test_stories_eval_bcubed_table(gold, predicted, expected) -> None:  # type: ignore[no-untyped-def]
    assert bcubed(gold, predicted) == pytest.approx(expected)


def test_stories_eval_ari_perfect_and_chance() -> None:
    assert adjusted_rand(["a", "a", "b", "b"], ["y", "y", "x", "x"]) == pytest.approx(1.0)
    assert adjusted_rand(["a", "a", "b", "b"], ["x", "y", "x", "y"]) < 0


ROWS = [
    ("q1", "2024-05-01", "Earthquake of magnitude 6.1 hits Papua",
     "A magnitude 6.1 earthquake struck Indonesia's Papua province on Wednesday, killing two people. "
     "The quake hit near Manokwari, officials said.", "quake"),
    ("q2", "2024-05-01", "Strong quake rattles Indonesia's Papua",
     "A strong earthquake of magnitude 6.1 rattled Papua in Indonesia on Wednesday. "
     "Two people died near Manokwari, the disaster agency said.", "quake"),
    ("v1", "2024-05-02", "Senate passes farm bill",
     "The Senate passed the farm bill on Thursday after Senator Maria Lopez ended her objection. "
     "The bill now goes to the House.", "farm"),
    ("v2", "2024-05-02", "Farm bill clears the Senate",
     "The farm bill cleared the Senate on Thursday once Senator Maria Lopez dropped her objection, "
     "sending it to the House.", "farm"),
]


def test_stories_eval_cli_prints_scores(tmp_path, nlp, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(
        json.dumps({"id": i, "outlet": f"o{n}", "title": t, "date": d, "text": x, "story": s}) + "\n"
        for n, (i, d, t, x, s) in enumerate(ROWS)))
    monkeypatch.setattr(eval_stories, "_analyse", lambda articles, cache: [parsed(nlp, a) for a in articles])
    out = tmp_path / "scores.json"
    assert eval_stories.cli([str(path), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "BCubed F1" in printed and "ARI" in printed and "predicted stories" in printed
    scores = json.loads(out.read_text())["scores"]
    assert scores["articles"] == 4 and scores["bcubed_f1"] == pytest.approx(1.0)
