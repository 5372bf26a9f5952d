"""Train the content-edge re-ranker shipped as bounds.npz in the model package's quotes folder.

The re-ranker must learn from the errors the tagger makes on text it has not seen, so it is trained on
jackknifed output: the train articles are split into folds (``train_quotes.fold_of``), a tagger trained
without fold k tags fold k, and every content it proposes becomes two choice problems (which candidate
start, which candidate end) labelled by PolNeAR's gold content with the largest overlap. Each scorer is
a conditional log-linear model (softmax over one content's candidates) fitted with L-BFGS and an L2
penalty. Data provenance as for the tagger: PolNeAR v1.0.0 train only; dev picks the penalty.

Usage:
    .venv/bin/python -m parallax.train.quote_net --polnear ../shared/data/polnear --hidden 64 --epochs 10 --folds 2 --hold-out 0 --out /tmp/n3fold0
    .venv/bin/python -m parallax.train.quote_net --polnear ../shared/data/polnear --hidden 64 --epochs 10 --folds 2 --hold-out 1 --out /tmp/n3fold1
    .venv/bin/python -m parallax.train.quote_bounds --polnear ../shared/data/polnear --fold-models /tmp/n3fold0 /tmp/n3fold1 --l2 3 --scorers end cue_end
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from spacy.tokens import Doc

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quotes.bounds import (
    BOUNDS_FILE,
    cue_end_candidates,
    cue_end_features,
    end_candidates,
    end_features,
    start_candidates,
    start_features,
    save_bounds,
    top_weights,
)
from parallax.analyze.quotes.tagger import load_tagger
from parallax.analyze.quotes import link_attributions, snap_content, snap_cue
from parallax.eval.polnear import PolnearDoc, load_split, parse_split


from .quote_data import CACHE, fold_of

LOGGER = logging.getLogger(__name__)


@dataclass
class Groups:
    """Choice problems: the candidates' features and which candidates are right, one group per content."""

    feats: list[list[dict[str, float]]] = field(default_factory=list)
    gold: list[list[bool]] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)

    def add(self, feats: list[dict[str, float]], gold: list[bool], kept: bool) -> None:
        self.stats["contents"] += 1
        if not any(gold):
            self.stats["gold outside window"] += 1
            return
        self.stats["proposed edge right" if kept else "proposed edge wrong"] += 1
        self.feats.append(feats)
        self.gold.append(gold)


def _gold_edges(doc: Doc, gold: PolnearDoc, start: int, end: int, role: str = "Content") -> tuple[int, int] | None:
    """Character edges of the gold span of ``role`` that overlaps token span ``start:end`` most."""
    a, b = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    best, best_overlap = None, 0
    for span in gold.spans:
        if span.role != role:
            continue
        overlap = min(b, span.end) - max(a, span.start)
        if overlap > best_overlap:
            best, best_overlap = (span.start, span.end), overlap
    return best


def collect(docs: list[Doc], golds: list[PolnearDoc], models: list[Path]) -> tuple[Groups, Groups, Groups]:
    starts, ends, cue_ends = Groups(), Groups(), Groups()
    for k, model_dir in enumerate(models):
        tagger = load_tagger(model_dir)
        for doc, gold in zip(docs, golds):
            if fold_of(gold.name, len(models)) != k or not len(doc):
                continue
            layout, attributions, marg = link_attributions(doc, tagger)
            for a in attributions:
                if a.cue is not None:
                    _add_cue_end(doc, layout, gold, a.cue, a.content, marg, cue_ends)
                c = a.content
                edges = _gold_edges(doc, gold, c.start, c.end)
                if edges is None:
                    continue
                g_start, g_end = edges
                cands = start_candidates(doc, layout, c)
                right = [doc[snap_content(doc, layout, t, c.end, c.paragraph)[0]].idx == g_start for t in cands]
                kept = doc[snap_content(doc, layout, c.start, c.end, c.paragraph)[0]].idx == g_start
                starts.add([start_features(doc, layout, t, c, a.cue, marg) for t in cands], right, kept)
                cands = end_candidates(doc, layout, c)
                right = []
                for e in cands:
                    last = doc[snap_content(doc, layout, c.start, e, c.paragraph)[1] - 1]
                    right.append(last.idx + len(last) == g_end)
                last = doc[snap_content(doc, layout, c.start, c.end, c.paragraph)[1] - 1]
                kept = last.idx + len(last) == g_end
                ends.add([end_features(doc, layout, e, c, a.cue, marg) for e in cands], right, kept)
        LOGGER.info("fold %d tagged: %d start groups, %d end groups", k, len(starts.gold), len(ends.gold))
    return starts, ends, cue_ends


def _add_cue_end(doc, layout, gold, cue, content, marg, groups: Groups) -> None:  # type: ignore[no-untyped-def]
    edges = _gold_edges(doc, gold, cue.start, cue.end, role="Cue")
    if edges is None:
        return

    def right(end: int) -> bool:
        last = doc[snap_cue(doc, cue.start, end, cue.paragraph)[1] - 1]
        return last.idx + len(last) == edges[1]

    cands = cue_end_candidates(doc, layout, cue)
    groups.add([cue_end_features(doc, layout, e, cue, content, marg) for e in cands], [right(e) for e in cands],
               right(cue.end))


def fit(groups: Groups, *, l2: float, min_count: int) -> dict[str, float]:
    """Conditional log-linear weights: maximise log P(a right candidate | the group's candidates)."""
    counts: Counter[str] = Counter(name for group in groups.feats for f in group for name in f)
    names = sorted(name for name, n in counts.items() if n >= min_count)
    index = {name: i for i, name in enumerate(names)}
    rows, cols, vals, right, offsets = [], [], [], [], [0]
    r = 0
    for group, gold in zip(groups.feats, groups.gold):
        for f, ok in zip(group, gold):
            for name, value in f.items():
                if name in index:
                    rows.append(r)
                    cols.append(index[name])
                    vals.append(value)
            right.append(ok)
            r += 1
        offsets.append(r)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(r, len(names)), dtype=np.float64)
    pos = np.array(right, dtype=bool)
    starts = np.array(offsets[:-1])
    group_of = np.repeat(np.arange(len(starts)), np.diff(offsets))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w
        top = np.maximum.reduceat(s, starts)[group_of]
        e = np.exp(s - top)
        z_all = np.add.reduceat(e, starts)
        z_pos = np.add.reduceat(np.where(pos, e, 0.0), starts)
        value = float(np.sum(np.log(z_all) - np.log(z_pos))) + 0.5 * l2 * float(w @ w)
        p_all = e / z_all[group_of]
        p_pos = np.where(pos, e, 0.0) / z_pos[group_of]
        grad = x.T @ (p_all - p_pos) + l2 * w
        return value, grad

    started = time.perf_counter()
    result = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 400})
    w = result.x
    s = x @ w
    chosen = [int(np.argmax(s[a:b])) + a for a, b in zip(offsets[:-1], offsets[1:])]
    train_acc = float(np.mean(pos[chosen]))
    LOGGER.info(
        "%d groups, %d features, loss %.1f, train accuracy %.3f, %.0f s",
        len(starts), len(names), result.fun, train_acc, time.perf_counter() - started,
    )
    return dict(zip(names, (float(v) for v in w)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--fold-models", type=Path, nargs="+", required=True,
                        help="tagger folders, the k-th trained without fold k (train_quote_net.py --hold-out k)")
    parser.add_argument("--out", type=Path, required=True, help="folder for bounds.npz")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--scorers", nargs="+", choices=("start", "end", "cue_end"), default=["start", "end", "cue_end"],
                        help="edges to learn; the others keep the tagger's edge")
    parser.add_argument("--limit", type=int, help="use only the first N annotation files (for a quick check)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    golds = load_split(args.polnear, "train", all_annotators=True)
    docs = parse_split(load_nlp(), golds, cache_dir=CACHE)
    if args.limit:
        golds, docs = golds[: args.limit], docs[: args.limit]
    starts, ends, cue_ends = collect(docs, golds, args.fold_models)
    LOGGER.info("start groups: %s", dict(starts.stats))
    LOGGER.info("end groups: %s", dict(ends.stats))
    LOGGER.info("cue end groups: %s", dict(cue_ends.stats))
    groups = {"start": starts, "end": ends, "cue_end": cue_ends}
    # A scorer left out is written empty: that edge stays the tagger's.
    model = {
        **{
            name: top_weights(fit(group, l2=args.l2, min_count=args.min_count)) if name in args.scorers else {}
            for name, group in groups.items()
        },
        "meta": {
            "data": "PolNeAR v1.0.0 train (all annotators), jackknifed over "
                    f"{len(args.fold_models)} article folds",
            "objective": "softmax over each content's candidate edges, L2",
            "l2": args.l2,
            "min_count": args.min_count,
            "scorers": list(args.scorers),
            "start_groups": dict(starts.stats),
            "end_groups": dict(ends.stats),
            "cue_end_groups": dict(cue_ends.stats),
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    meta = model.pop("meta")
    save_bounds(args.out / BOUNDS_FILE, model, meta)
    LOGGER.info("wrote %s (%d bytes)", args.out / BOUNDS_FILE, (args.out / BOUNDS_FILE).stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
