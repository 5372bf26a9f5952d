"""The recipe: every step that rebuilds a shipped model file, in order, each runnable alone.

``--out`` (``build/`` by default) ends up laid out as the model packages are (``quotes/``, ``alignment/``,
``tokenizer/``, ``pairs/``, ``meta.json``), so ``parallax.weights.model_package(Path("build"))`` reads it;
intermediate models (teachers, fold taggers) go to ``--out/work``. A step reads what earlier steps left
there and says which step to run first when something is missing.

The quote tagger is the end of a chain (docs/quotes.md, Model): a two-member teacher trained on PolNeAR
train alone labels 1,000 unannotated articles; the shipped tagger learns from PolNeAR train and those
soft labels (self-training); the edge re-ranker learns from jackknifed taggers made the same way, each
without one half of train; the encoder is a four-layer MiniLM distilled from a six-layer one. Minutes are
measured or quoted from docs/quotes.md and docs/pairs.md on the 2-core CPU machine, idle.
"""

from __future__ import annotations

import importlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from parallax.errors import InputError

from . import SHARED_DATA

__all__ = ["STEPS", "Step", "run_steps"]

LOGGER = logging.getLogger(__name__)

# Shared settings of every BiLSTM of the chain (fourth to sixth rounds of docs/quotes.md).
TAGGER = ["--hidden", "64", "--seed", "13"]
TEACHER_EPOCHS = ["--epochs", "12"]  # the fifth round's teachers: PolNeAR train alone
STUDENT = ["--epochs", "10", "--wordpieces", "--silver-docs", "1000"]  # the shipped tagger's recipe
FOLDS = ["--folds", "2"]


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    makes: str
    minutes: int  # on the 2 idle cores (docs/training.md says where each figure comes from)
    run: Callable[[Path, Path], None]  # (out, shared data)


def _call(module: str, argv: Sequence[str]) -> None:
    """Run one training module's ``main(argv)``; a non-zero status stops the recipe."""
    LOGGER.info("python -m parallax.train.%s %s", module, " ".join(argv))
    status = importlib.import_module(f"parallax.train.{module}").main(list(argv))
    if status:
        raise SystemExit(f"parallax.train.{module} exited with status {status}")


def _need(path: Path, step: str) -> Path:
    if not path.exists():
        raise InputError(str(path), "missing", f"run `python -m parallax.train {step}` with the same --out first")
    return path


def _teacher(out: Path, folder: Path, extra: Sequence[str], data: Path) -> None:
    """The fifth round's ensemble: a plain tagger, and a WordPiece tagger as its member-1."""
    polnear = ["--polnear", str(data / "polnear")]
    _call("quote_net", [*polnear, *TAGGER, *TEACHER_EPOCHS, *extra, "--out", str(folder)])
    _call("quote_net", [*polnear, *TAGGER, *TEACHER_EPOCHS, "--wordpieces", *extra, "--out", str(folder / "member-1")])


def quote_teachers(out: Path, data: Path) -> None:
    _teacher(out, out / "work" / "teacher", [], data)


def quote_tagger(out: Path, data: Path) -> None:
    teacher = _need(out / "work" / "teacher" / "member-1", "quote-teachers").parent
    _call("quote_net", ["--polnear", str(data / "polnear"), *TAGGER, *STUDENT, "--teacher", str(teacher),
                        "--silver", str(data / "corpus" / "baly-10k.jsonl.gz"), "--out", str(out / "quotes")])


def quote_folds(out: Path, data: Path) -> None:
    for k in ("0", "1"):
        fold = ["--folds", "2", "--hold-out", k]
        teacher = out / "work" / f"fold{k}-teacher"
        _teacher(out, teacher, fold, data)
        _call("quote_net", ["--polnear", str(data / "polnear"), *TAGGER, *STUDENT, *fold, "--teacher", str(teacher),
                            "--silver", str(data / "corpus" / "baly-10k.jsonl.gz"),
                            "--out", str(out / "work" / f"fold{k}")])


def quote_bounds(out: Path, data: Path) -> None:
    folds = [str(_need(out / "work" / f"fold{k}" / "tagger.npz", "quote-folds").parent) for k in (0, 1)]
    _call("quote_bounds", ["--polnear", str(data / "polnear"), "--fold-models", *folds, "--l2", "3",
                           "--scorers", "end", "cue_end", "--out", str(out / "quotes")])


def quote_encoder(out: Path, data: Path) -> None:
    polnear = ["--polnear", str(data / "polnear")]
    silver = ["--silver", str(data / "corpus" / "baly-10k.jsonl.gz")]
    teacher, student = out / "work" / "minilm-teacher", out / "work" / "minilm-student"
    _call("quote_teacher", [*polnear, *silver, "--out", str(teacher)])
    _call("quote_teacher", [*polnear, *silver, "--out", str(student), "--layers", "4", "--epochs", "2",
                            "--init", str(teacher / "teacher.pt"), "--distil", str(teacher / "silver-probs.npz")])
    _call("export_quote_encoder", [*polnear, "--teacher", str(student), "--layers", "4", "--weight", "0.5",
                                   "--unsure-accurate", "0.06", "--unsure-default", "0.11", "--out", str(out / "quotes"),
                                   "--training", "parallax.train quote-encoder: MiniLM's first 4 layers, initialised "
                                   "from a six-layer teacher fine-tuned 3 epochs on PolNeAR train, trained 2 epochs "
                                   "(seed 13) on PolNeAR train and 1,000 baly-10k silver articles labelled by it"])


def same_fact(out: Path, data: Path) -> None:
    from .same_fact import main

    target = out / "alignment" / "same_fact.json"
    argv = [str(data / "comparison" / "gold-dev.jsonl"), str(data / "stories" / "basil-dev.jsonl"),
            str(data / "seeds"), "--c", "0.1", "0.3", "1.0", "--out", str(target)]
    LOGGER.info("python -m parallax.train.same_fact %s", " ".join(argv))
    main(argv)


def pairs(out: Path, data: Path) -> None:
    mrpc = ["--mrpc", str(data / "paraphrase")]
    first, second = out / "work" / "pairs-run1", out / "work" / "pairs-run2"
    _call("pair_model", [*mrpc, "--out", str(first), "--epochs", "3", "--stop-after", "1", "--lr", "5e-5",
                         "--freeze", "3"])
    _call("pair_model", [*mrpc, "--out", str(second), "--epochs", "2", "--lr", "1.5e-4", "--warmup", "0.05",
                         "--freeze", "3", "--init", str(first / "pairs.pt"), "--seed", "14"])
    _call("export_pair_model", ["--model", str(second), *mrpc, "--out", str(out / "pairs"),
                                "--training", "parallax.train pairs (two runs, docs/pairs.md)"])


def tokenizer(out: Path, data: Path) -> None:
    """Not trained: all-MiniLM-L6-v2's tokenizer and its licence, copied from the installed package."""
    from parallax.weights import model_package

    shutil.copytree(model_package().path("tokenizer"), out / "tokenizer", dirs_exist_ok=True)


STEPS: tuple[Step, ...] = (
    Step("tokenizer", "tokenizer/ (copied, not trained)", 0, tokenizer),
    Step("same-fact", "alignment/same_fact.json", 4, same_fact),
    Step("quote-teachers", "work/teacher (the ensemble that labels the silver articles)", 18, quote_teachers),
    Step("quote-tagger", "quotes/tagger.*, embeddings.npy, vocab.json, wordpieces.npy, cue_rates.json, net.json",
         18, quote_tagger),
    Step("quote-folds", "work/fold0, work/fold1 (jackknifed taggers for the re-ranker)", 35, quote_folds),
    Step("quote-bounds", "quotes/bounds.npz", 3, quote_bounds),
    Step("quote-encoder", "quotes/encoder.onnx, encoder.json", 50, quote_encoder),
    Step("pairs", "pairs/pairs.onnx, pairs.json (the optional package)", 35, pairs),
)


def run_steps(names: Sequence[str], out: Path, data: Path = SHARED_DATA) -> dict[str, float]:
    """Run the named steps in recipe order; returns each step's minutes."""
    if not data.is_dir():
        raise InputError(str(data), "no shared data here", "pass --data DIR (the folder holding polnear/, corpus/ ...)")
    out.mkdir(parents=True, exist_ok=True)
    took: dict[str, float] = {}
    for step in STEPS:
        if step.name not in names:
            continue
        LOGGER.info("step %s: makes %s (about %d min on 2 cores)", step.name, step.makes, step.minutes)
        started = time.perf_counter()
        step.run(out, data)
        took[step.name] = (time.perf_counter() - started) / 60
        _log_time(out, step.name, took[step.name])
    return took


def _log_time(out: Path, name: str, minutes: float) -> None:
    path = out / "work" / "timings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    timings = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    timings[name] = round(minutes, 1)
    path.write_text(json.dumps(timings, indent=1) + "\n", encoding="utf-8")
