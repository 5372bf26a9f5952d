"""Sentence-pair evaluation: does the shipped pair model tell two sentences stating the same fact?

    parallax eval pairs ../shared/data/paraphrase/msr-para-val.tsv [--json OUT] [--limit N]
    python -m parallax.eval.pairs FILE.tsv [--json OUT] [--limit N]

FILE is a Microsoft Research Paraphrase Corpus file (tab-separated, optionally with a BOM; columns
``Quality``, ``#1 ID``, ``#2 ID``, ``#1 String``, ``#2 String``; ``Quality`` is the gold label, 1 = same
meaning). Reports accuracy, precision, recall and F1 of :class:`parallax.compare.pair_model.PairModel` at
its shipped threshold, with the counts, the majority-class baseline on the same pairs, and the model's
throughput (pairs scored per second, the model already loaded).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from parallax.errors import InputError

__all__ = ["LabelledPair", "PairEvaluation", "PairScores", "cli", "evaluate", "load_pairs", "scores_of"]

LOGGER = logging.getLogger(__name__)

COLUMNS = ("Quality", "#1 String", "#2 String")


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """One MRPC pair: two sentences and whether they state the same thing."""

    first: str
    second: str
    same: bool


@dataclass(frozen=True, slots=True)
class PairScores:
    """A decision's quality on labelled pairs (positive class: same meaning)."""

    method: str
    pairs: int
    positives: int
    predicted: int
    true_positives: int
    accuracy: float
    precision: float
    recall: float
    f1: float


def load_pairs(path: Path, *, limit: int | None = None) -> list[LabelledPair]:
    """The pairs of an MRPC TSV file (the first ``limit`` of them when given).

    Raises:
        InputError: the file lacks MRPC's columns or holds a malformed row.
    """
    try:
        return _read_pairs(path, limit)
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"is not UTF-8 text (byte {error.start})", "convert it to UTF-8") from None


def _read_pairs(path: Path, limit: int | None) -> list[LabelledPair]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        # MRPC's sentences hold bare double quotes: no CSV quoting.
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(str(path), f"no column {', '.join(missing)}", "pass an MRPC file (msr-para-*.tsv)")
        out = []
        for row in reader:
            if limit is not None and len(out) >= limit:
                break
            label = (row["Quality"] or "").strip()
            if label not in ("0", "1") or row["#1 String"] is None or row["#2 String"] is None:
                raise InputError(str(path), f"line {reader.line_num} is not a labelled pair", "check the file")
            out.append(LabelledPair(row["#1 String"].strip(), row["#2 String"].strip(), label == "1"))
    return out


def scores_of(method: str, gold: Sequence[bool], predicted: Sequence[bool]) -> PairScores:
    """Accuracy, precision, recall and F1 of ``predicted`` against ``gold``."""
    g, p = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    tp = int((g & p).sum())
    precision = tp / int(p.sum()) if p.any() else 0.0
    recall = tp / int(g.sum()) if g.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = float((g == p).mean()) if len(g) else 0.0
    return PairScores(method, len(g), int(g.sum()), int(p.sum()), tp, accuracy, precision, recall, f1)


@dataclass(frozen=True, slots=True)
class PairEvaluation:
    """The scores of the shipped model and of the majority baseline, and how fast the model scored."""

    scores: list[PairScores]
    seconds: float  # scoring the pairs, the model already loaded

    @property
    def pairs_per_second(self) -> float:
        return self.scores[0].pairs / self.seconds if self.seconds > 0 else 0.0


def evaluate(path: Path, *, limit: int | None = None, model_dir: Path | None = None) -> PairEvaluation:
    """The shipped pair model and the majority baseline, scored on the pairs of ``path``."""
    from parallax.compare.pair_model import PairModel

    pairs = load_pairs(path, limit=limit)
    gold = [p.same for p in pairs]
    model = PairModel.load(model_dir)
    started = time.perf_counter()
    probs = model.score([(p.first, p.second) for p in pairs])
    seconds = time.perf_counter() - started
    majority = sum(gold) * 2 >= len(gold)
    return PairEvaluation([
        scores_of(f"pair model (threshold {model.threshold:.3f})", gold, list(probs >= model.threshold)),
        scores_of(f"majority class ({int(majority)})", gold, [majority] * len(gold)),
    ], seconds)


def cli(argv: list[str]) -> int:
    """``parallax eval pairs FILE [--json OUT] [--limit N]``."""
    parser = argparse.ArgumentParser(prog="parallax eval pairs", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="an MRPC file (msr-para-*.tsv: Quality, #1/#2 ID, #1/#2 String)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the scores as JSON to OUT")
    parser.add_argument("--limit", type=int, help="only the first N pairs (smoke tests)")
    args = parser.parse_args(argv)
    if not args.file.exists():
        parser.error(f"{args.file} does not exist; pass an MRPC TSV file")
    result = evaluate(args.file, limit=args.limit)
    results = result.scores
    header = f"{'method':<30} {'pairs':>6} {'gold+':>6} {'pred+':>6} {'acc':>7} {'P':>7} {'R':>7} {'F1':>7}\n"
    sys.stdout.write(header)
    for s in results:
        sys.stdout.write(f"{s.method:<30} {s.pairs:>6} {s.positives:>6} {s.predicted:>6} {s.accuracy:>7.3f} "
                         f"{s.precision:>7.3f} {s.recall:>7.3f} {s.f1:>7.3f}\n")
    sys.stdout.write(f"scored in {result.seconds:.1f} s: {result.pairs_per_second:.1f} pairs/s\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"file": str(args.file), "limit": args.limit,
                                         "scores": [asdict(s) for s in results],
                                         "seconds": round(result.seconds, 3),
                                         "pairs_per_second": round(result.pairs_per_second, 2)}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli(sys.argv[1:]))
