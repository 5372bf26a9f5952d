"""Does the MRPC cross-encoder help the same-fact decision on the comparison gold? (an experiment, not shipped)

    .venv/bin/python -m parallax.train.experiment_pair_feature ../shared/data/comparison/gold-dev.jsonl \\
        ../shared/data/stories/basil-dev.jsonl ../shared/data/seeds [--shortlist 0.03]

For every story left out in turn, the same-fact logistic model is fitted on the other stories; the pairs it
gives at least ``--shortlist`` are scored by the cross-encoder (``PairModel``), and a second logistic
regression over the two log-odds is fitted, again leaving the story out. Prints the out-of-fold average
precision of the same-fact model, of the cross-encoder alone on the shortlist, and of the two together,
and the cross-encoder's throughput on these pairs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from .same_fact import fit, prepare

from parallax.compare.pair_model import PairModel
from parallax.eval.compare import DEFAULT_CACHE, analyse, load_articles, load_gold


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("articles", type=Path, nargs="+")
    parser.add_argument("--shortlist", type=float, default=0.03)
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    outlets = {aid: o for g in gold for aid, o in g["articles"].items()}  # type: ignore[attr-defined]
    analysed = {a.article.id: a for a in analyse(list(load_articles(args.articles, outlets).values()), DEFAULT_CACHE)}
    stories = [prepare(g, [analysed[a] for a in g["articles"] if a in analysed]) for g in gold]  # type: ignore[attr-defined]
    model = PairModel.load()
    rows = []
    scored, seconds = 0, 0.0
    for k, held in enumerate(stories):
        rest = [s for i, s in enumerate(stories) if i != k]
        p = fit(np.vstack([s.x for s in rest]), np.concatenate([s.y for s in rest]), 0.3).probability(held.x)
        keep = np.nonzero(p >= args.shortlist)[0]
        ce = np.zeros(len(p))
        started = time.perf_counter()
        if len(keep):
            ce[keep] = model.score([(held.facts[held.pairs[q][0]].text, held.facts[held.pairs[q][1]].text)
                                    for q in keep])
        seconds += time.perf_counter() - started
        scored += len(keep)
        rows.append((p, ce, held.y))
    y = np.concatenate([r[2] for r in rows])
    p = np.concatenate([r[0] for r in rows])
    ce = np.concatenate([r[1] for r in rows])
    short = p >= args.shortlist
    combined = []
    for k, (pk, ck, _) in enumerate(rows):
        train = [r for i, r in enumerate(rows) if i != k]
        x = np.vstack([np.c_[_logit(a), _logit(b) * (a >= args.shortlist)] for a, b, _ in train])
        lr = LogisticRegression().fit(x, np.concatenate([r[2] for r in train]))
        combined.append(lr.predict_proba(np.c_[_logit(pk), _logit(ck) * (pk >= args.shortlist)])[:, 1])
    print(f"{len(y)} pairs, {int(y.sum())} same-fact; shortlist {int(short.sum())} pairs holding "
          f"{int(y[short].sum())} same-fact")
    print(f"same-fact model, out of fold AP       {average_precision_score(y, p):.3f}")
    print(f"  on the shortlist                   {average_precision_score(y[short], p[short]):.3f}")
    print(f"cross-encoder alone on the shortlist {average_precision_score(y[short], ce[short]):.3f}")
    print(f"both (stacked, out of fold)          {average_precision_score(y, np.concatenate(combined)):.3f}")
    print(f"cross-encoder: {scored} pairs in {seconds:.1f} s ({scored / max(seconds, 1e-9):.0f} pairs/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
