"""What a MiniLM tagger would give at run time: the whole quote pipeline on PolNeAR dev with its label
probabilities (a dev-probs.npz of train_quote_teacher.py or export_quote_encoder.py) mixed into the
shipped BiLSTM tagger's (product of experts) before decoding; the shipped encoder itself is switched off.

It chooses the encoder's mix weight and unsure threshold without exporting anything. ``--unsure P``
mixes only into the paragraphs the package would re-read (tokens' mean 1 - top probability above P) and
reports the share of tokens that would need the encoder.

Usage:
    .venv/bin/python -m parallax.train.quote_teacher_oracle --polnear ../shared/data/polnear \\
        --teacher-probs /tmp/minilm-teacher/dev-probs.npz [--weight 0.5] [--unsure 0.5]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
from .quote_net import read_teacher_probs

from parallax.analyze.quotes.encoder import QuoteEncoder, product_of_experts
from parallax.quote_mode import MODE_VARIABLE

import parallax.analyze.quotes.net as quote_net
from parallax.eval.quotes import evaluate, format_scores


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument(
        "--teacher-probs", type=Path, required=True, help="dev-probs.npz of train_quote_teacher.py"
    )
    parser.add_argument(
        "--weight", type=float, default=0.5, help="exponent of the teacher in the mix (1: teacher alone)"
    )
    parser.add_argument(
        "--unsure",
        type=float,
        default=-1.0,
        help="mix only into paragraphs whose tokens' mean (1 - top probability) exceeds this, as the package does",
    )
    args = parser.parse_args(argv)
    os.environ[MODE_VARIABLE] = "fast"  # the BiLSTM alone; this script mixes the other opinion in
    teacher = read_teacher_probs(args.teacher_probs)
    chooser = QuoteEncoder(None, None, args.weight, {})  # only its choice of paragraphs is used
    state = {"next": 0, "mixed": 0, "tokens": 0}
    own_tagging = quote_net.NetEnsemble._tag_paragraphs

    def mixed_tagging(self, doc, layout, arrays):  # type: ignore[no-untyped-def]
        own = own_tagging(self, doc, layout, arrays)
        theirs = teacher[state["next"] : state["next"] + len(own)]
        state["next"] += len(own)
        if [len(p) for p in theirs] != [len(p) for _, p in own]:
            raise SystemExit(f"{args.teacher_probs}: its paragraphs do not match PolNeAR dev")
        probs = [mine.astype(np.float32) for _, mine in own]
        state["tokens"] += sum(len(p) for p in probs)
        for k in chooser.unsure_paragraphs(probs, args.unsure):
            state["mixed"] += len(probs[k])
            probs[k] = product_of_experts(probs[k], theirs[k], args.weight)
        flat = np.concatenate(probs)
        return quote_net._decode(np.log(np.maximum(flat, 1e-30)), flat, [len(p) for p in probs], None)

    quote_net.NetEnsemble._tag_paragraphs = mixed_tagging  # type: ignore[method-assign]
    print(format_scores(evaluate(args.polnear, "dev")))
    print(f"teacher mixed into {state['mixed'] / max(state['tokens'], 1):.1%} of the tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
