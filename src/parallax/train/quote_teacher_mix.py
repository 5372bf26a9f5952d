"""Dev tagger-span F1 of the MiniLM teacher, an LSTM teacher, and their product of experts at a few weights.

Chooses ``train_quote_net.py --teacher-probs-weight`` on PolNeAR dev (training only; needs torch, as the
trainers do). Decoding as in the package (``likely_spans``), scored against the gold BILOU spans of each
paragraph.

Usage:
    .venv/bin/python -m parallax.train.quote_teacher_mix --polnear ../shared/data/polnear \\
        --teacher-probs /tmp/minilm-teacher/dev-probs.npz --teacher DIR_OF_LSTM_TEACHER
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from .quote_net import read_teacher_probs
from .quote_teacher import paragraphs, span_f1
from .quote_data import CACHE

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quotes.encoder import product_of_experts
from parallax.analyze.quotes.features import Layout
from parallax.analyze.quotes.net import load_net
from parallax.eval.polnear import load_split, parse_split


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument(
        "--teacher-probs", type=Path, required=True, help="dev-probs.npz of train_quote_teacher.py"
    )
    parser.add_argument("--teacher", type=Path, required=True, help="the LSTM teacher's folder")
    parser.add_argument("--weights", type=float, nargs="*", default=[0.3, 0.5, 0.7])
    args = parser.parse_args(argv)
    nlp = load_nlp()
    golds = load_split(args.polnear, "dev")
    docs = parse_split(nlp, golds, cache_dir=CACHE)
    net = load_net(args.teacher)
    if net is None:
        raise SystemExit(f"{args.teacher}: no neural tagger")
    lstm, labels = [], []
    for doc, gold in zip(docs, golds):
        lstm.extend(
            probs.astype(np.float32)
            for _, probs in net.tag_paragraphs(doc, Layout.of(doc))
        )
        labels.extend(tags for _, tags in paragraphs(doc, gold))
    minilm = read_teacher_probs(args.teacher_probs)
    if [len(p) for p in minilm] != [len(p) for p in lstm]:
        raise SystemExit(f"{args.teacher_probs}: its paragraphs do not match PolNeAR dev")

    def show(name: str, probs: list[np.ndarray]) -> None:
        scores = span_f1(probs, labels)
        print(
            f"{name:<22} {scores['Source']:.4f} {scores['Cue']:.4f} {scores['Content']:.4f}  mean {sum(scores.values()) / 3:.4f}"
        )

    print(f"{'teacher':<22} source cue    content")
    show("MiniLM", minilm)
    show("LSTM", lstm)
    for weight in args.weights:
        show(f"product, weight {weight}", [product_of_experts(a, b, weight) for a, b in zip(lstm, minilm)])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
