"""What the MiniLM teacher would give at run time: the whole quote pipeline on PolNeAR dev with its label
probabilities mixed into the shipped tagger's (product of experts) before decoding.

Not something the package can do within the quote stage's budget (the encoder costs several times the
parse on CPU); this measures how much a contextual encoder would add. ``--unsure P`` mixes only in
paragraphs where some token's top label probability under the shipped tagger is below P, and reports
the share of tokens that would need the encoder.

Usage:
    .venv/bin/python scripts/quote_teacher_oracle.py --polnear ../shared/data/polnear \\
        --teacher-probs /tmp/minilm-teacher/dev-probs.npz [--weight 0.5] [--unsure 0.5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from train_quote_net import product_of_experts, read_teacher_probs

import parallax.analyze.quote_net as quote_net
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
        "--unsure", type=float, default=1.01, help="mix only where a token's top probability is below this"
    )
    args = parser.parse_args(argv)
    teacher = read_teacher_probs(args.teacher_probs)
    state = {"next": 0, "mixed": 0, "tokens": 0}
    own_tagging = quote_net.NetEnsemble._tag_paragraphs

    def mixed_tagging(self, doc, layout, arrays):  # type: ignore[no-untyped-def]
        own = own_tagging(self, doc, layout, arrays)
        theirs = teacher[state["next"] : state["next"] + len(own)]
        state["next"] += len(own)
        if [len(p) for p in theirs] != [len(p) for _, p in own]:
            raise SystemExit(f"{args.teacher_probs}: its paragraphs do not match PolNeAR dev")
        probs = []
        for (_, mine), other in zip(own, theirs):
            mine = mine.astype(np.float32)
            state["tokens"] += len(mine)
            if mine.max(axis=1).min() < args.unsure:
                state["mixed"] += len(mine)
                mine = product_of_experts(mine, other, args.weight)
            probs.append(mine)
        flat = np.concatenate(probs)
        return quote_net._decode(np.log(np.maximum(flat, 1e-30)), flat, [len(p) for p in probs], None)

    quote_net.NetEnsemble._tag_paragraphs = mixed_tagging  # type: ignore[method-assign]
    print(format_scores(evaluate(args.polnear, "dev")))
    print(f"teacher mixed into {state['mixed'] / max(state['tokens'], 1):.1%} of the tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
