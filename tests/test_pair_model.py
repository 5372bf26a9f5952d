"""The shipped "same fact" sentence-pair model and ``parallax eval pairs``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path

from parallax.cli import main
from parallax.compare.pair_model import PairModel, PairModelMissingError, pair_pieces
from parallax.errors import ParallaxError
from parallax.eval.pairs import cli, load_pairs, scores_of

# (sentence, its light rewording, an unrelated sentence)
CASES = [
    (
        "The company said its quarterly profit rose 12 percent to $1.2 billion.",
        "Quarterly profit at the company rose 12 percent to $1.2 billion, it said.",
        "Heavy rain flooded several roads in the north of the country on Sunday.",
    ),
    (
        "Police arrested two men on Tuesday in connection with the bombing.",
        "Two men were arrested by police on Tuesday over the bombing.",
        "The central bank left interest rates unchanged at its meeting.",
    ),
    (
        "The senator announced she would not seek re-election next year.",
        "The senator said she will not run for re-election next year.",
        "Shares of the carmaker fell sharply after the recall was announced.",
    ),
]
CLEAR = CASES[:2]  # the model puts these rewordings above its threshold
# A known miss (docs/pairs.md, weaknesses): this rewording ranks far above the unrelated sentence but scores
# about 0.1, below the threshold. Strict, so the test says so when a better model fixes it.
MISSED = CASES[2]


@pytest.fixture(scope="module")
def model() -> PairModel:
    return PairModel.load()


@pytest.mark.parametrize(("sentence", "rewording", "unrelated"), CASES)
def test_pair_model_rewording_scores_above_unrelated(model: PairModel, sentence: str, rewording: str,
                                                     unrelated: str) -> None:
    same, other = model.score([(sentence, rewording), (sentence, unrelated)])
    assert same > other + 0.05
    assert other < model.threshold


@pytest.mark.parametrize(("sentence", "rewording", "unrelated"), CLEAR)
def test_pair_model_rewording_is_the_same_fact(model: PairModel, sentence: str, rewording: str,
                                               unrelated: str) -> None:
    assert model.score([(sentence, rewording)])[0] >= model.threshold


@pytest.mark.xfail(strict=True, reason="a known miss of the shipped model (docs/pairs.md)")
def test_pair_model_rewording_of_not_seeking_re_election(model: PairModel) -> None:
    assert model.score([MISSED[:2]])[0] >= model.threshold


def test_pair_model_scores_are_probabilities(model: PairModel) -> None:
    probs = model.score([pair for case in CASES for pair in ((case[0], case[1]), (case[0], case[2]))])
    assert probs.shape == (2 * len(CASES),)
    assert probs.dtype == np.float32
    assert ((probs >= 0.0) & (probs <= 1.0)).all()


def test_pair_model_is_symmetric(model: PairModel) -> None:
    assert model.symmetric
    pairs = [(a, b) for a, b, _ in CASES] + [(a, c) for a, _, c in CASES]
    forward = model.score(pairs, batch_size=4)  # several batches: their make-up must not depend on the order
    backward = model.score([(b, a) for a, b in pairs], batch_size=4)
    np.testing.assert_array_equal(forward, backward)


def test_pair_model_batch_size_barely_changes_scores(model: PairModel) -> None:
    pairs = [(a, b) for a, b, _ in CASES] + [(a, c) for a, _, c in CASES]
    # int8 activations are scaled per batch, padding included, so scores move a little with the batching
    # (up to about 0.04 seen on these pairs; docs/pairs.md).
    np.testing.assert_allclose(model.score(pairs, batch_size=1), model.score(pairs, batch_size=64), atol=0.06)


def test_pair_model_empty_input(model: PairModel) -> None:
    assert model.score([]).shape == (0,)


def test_pair_model_missing_files_raise_a_parallax_error(tmp_path: Path) -> None:
    with pytest.raises(PairModelMissingError) as caught:
        PairModel.load(tmp_path)
    assert isinstance(caught.value, ParallaxError)
    assert "pairs.onnx" in str(caught.value) and "docs/pairs.md" in str(caught.value)


@pytest.mark.parametrize(
    ("first", "second", "max_length", "ids", "types"),
    [
        ([5, 6], [7], 10, [101, 5, 6, 102, 7, 102], [0, 0, 0, 0, 1, 1]),
        ([1, 2, 3, 4, 5], [8, 9], 7, [101, 1, 2, 102, 8, 9, 102], [0, 0, 0, 0, 1, 1, 1]),
        ([1], [2, 3, 4, 5, 6], 6, [101, 1, 102, 2, 3, 102], [0, 0, 0, 1, 1, 1]),
    ],
)
def test_pair_pieces_cut_the_longer_sentence_first(first: list[int], second: list[int], max_length: int,
                                                   ids: list[int], types: list[int]) -> None:
    assert pair_pieces(first, second, max_length) == (ids, types)


def test_scores_of_counts() -> None:
    s = scores_of("x", [True, True, False, False], [True, False, True, False])
    assert (s.pairs, s.positives, s.predicted, s.true_positives) == (4, 2, 2, 1)
    assert s.accuracy == s.precision == s.recall == s.f1 == 0.5


def test_load_pairs_reads_mrpc_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text('\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n1\t1\t2\tHe said "no".\tHe said no.\r\n'
                    "0\t3\t4\tA b.\tC d.\r\n", encoding="utf-8")
    pairs = load_pairs(path)
    assert [(p.first, p.second, p.same) for p in pairs] == [('He said "no".', "He said no.", True),
                                                            ("A b.", "C d.", False)]


def test_load_pairs_refuses_a_file_without_mrpc_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(ParallaxError, match="no column Quality"):
        load_pairs(path)


def test_eval_pairs_cli_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    val = shared_path("paraphrase", "msr-para-val.tsv")
    out = tmp_path / "pairs.json"
    assert cli([str(val), "--limit", "40", "--json", str(out)]) == 0
    scores = {s["method"].split(" (")[0]: s for s in json.loads(out.read_text(encoding="utf-8"))["scores"]}
    assert scores["pair model"]["pairs"] == scores["majority class"]["pairs"] == 40
    # A weak floor on 40 pairs: the model must beat guessing the majority class.
    assert scores["pair model"]["accuracy"] > scores["majority class"]["accuracy"]
    assert "pair model" in capsys.readouterr().out


def test_eval_pairs_through_parallax_main(tmp_path: Path) -> None:
    val = shared_path("paraphrase", "msr-para-val.tsv")
    out = tmp_path / "pairs.json"
    assert main(["eval", "pairs", str(val), "--limit", "8", "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["limit"] == 8


def test_eval_pairs_file_that_is_not_utf8_is_a_one_line_error(tmp_path: Path) -> None:
    from parallax.errors import InputError
    from parallax.eval.pairs import load_pairs

    path = tmp_path / "pairs.tsv"
    path.write_bytes(b"\xff\xfe\x00not text")
    with pytest.raises(InputError, match="is not UTF-8 text"):
        load_pairs(path)
