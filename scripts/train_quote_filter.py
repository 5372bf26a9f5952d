"""Train the attribution filter shipped as src/parallax/models/quotes/filter.json.

Like the edge re-ranker, the filter must learn from the attributions the pipeline builds on text its
tagger has not seen, so it is trained on jackknifed output: the train articles are split into folds
(``train_quotes.fold_of``), the tagger (ensemble) trained without fold k runs the whole pipeline up to
the filter on fold k, and each attribution it produces is labelled by whether its content overlaps a
gold PolNeAR content of that annotation file. A logistic regression (L2, L-BFGS) fits the labels; the
threshold is the one that maximises the mean exact F1 of source, cue and content on ``dev``, run through
the shipped tagger. Data provenance as for the tagger: PolNeAR v1.0.0 train for the weights; dev picks
the threshold and the penalty.

Usage (fold folders as written by train_quote_net.py --folds 2 --hold-out k, with any further members
in member-N sub-folders):
    .venv/bin/python scripts/train_quote_filter.py --polnear ../shared/data/polnear --fold-models /tmp/fold0 /tmp/fold1
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from spacy.tokens import Doc

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quote_bounds import top_weights
from parallax.analyze.quote_filter import FILTER_FILE, AttributionFilter, filter_features
from parallax.analyze.quote_model import MODEL_DIR, load_tagger
from parallax.analyze.quotes import final_attributions
from parallax.eval.polnear import PolnearDoc, load_split, parse_split
from parallax.eval.quotes import QuoteScores, score_documents

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_quotes import CACHE, fold_of  # noqa: E402

LOGGER = logging.getLogger("train_quote_filter")

Sample = tuple[dict[str, float], bool]


def _overlaps_gold(doc: Doc, gold: PolnearDoc, start: int, end: int) -> bool:
    a, b = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    return any(s.role == "Content" and s.start < b and a < s.end for s in gold.spans)


def collect(docs: list[Doc], golds: list[PolnearDoc], models: list[Path]) -> list[Sample]:
    samples: list[Sample] = []
    for k, model_dir in enumerate(models):
        tagger = load_tagger(model_dir)
        for doc, gold in zip(docs, golds):
            if fold_of(gold.name, len(models)) != k or not len(doc):
                continue
            layout, attributions, marg = final_attributions(doc, tagger)
            for a in attributions:
                feats = filter_features(doc, layout, a.content, a.cue, a.source, marg, tagger.cue_rates)
                samples.append((feats, _overlaps_gold(doc, gold, a.content.start, a.content.end)))
        LOGGER.info("fold %d done: %d attributions so far", k, len(samples))
    return samples


def fit(samples: list[Sample], *, l2: float, min_count: int) -> dict[str, float]:
    """L2-penalised logistic regression over the samples' features (those seen at least ``min_count``
    times; the bias is never penalised)."""
    counts: Counter[str] = Counter(name for feats, _ in samples for name in feats)
    names = sorted(n for n, c in counts.items() if c >= min_count)
    column = {n: j for j, n in enumerate(names)}
    rows, cols, vals = [], [], []
    for i, (feats, _) in enumerate(samples):
        for name, value in feats.items():
            if name in column and value:
                rows.append(i)
                cols.append(column[name])
                vals.append(value)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(samples), len(names)))
    y = np.array([label for _, label in samples], dtype=np.float64)
    penalty = np.full(len(names), l2)
    penalty[column["bias"]] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        # log(1 + e^z) - y z, computed stably; its gradient is (sigmoid(z) - y) x.
        nll = np.logaddexp(0.0, z) - y * z
        grad = x.T @ (1.0 / (1.0 + np.exp(-z)) - y)
        return float(nll.sum() + 0.5 * (penalty * w * w).sum()), grad + penalty * w

    result = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    LOGGER.info("fitted %d weights on %d samples (%s)", len(names), len(samples), result.message)
    return dict(zip(names, result.x.tolist()))


def dev_scores(
    docs: list[Doc], golds: list[PolnearDoc], weights: dict[str, float], thresholds: list[float]
) -> dict[float, QuoteScores]:
    """Exact-span scores on dev through the shipped tagger, for every threshold (features computed once)."""
    tagger = load_tagger(MODEL_DIR)
    prepared = []
    for doc, gold in zip(docs, golds):
        layout, attributions, marg = final_attributions(doc, tagger)
        probe = AttributionFilter(weights, 0.0)
        prepared.append(
            [
                (a, probe.probability(filter_features(doc, layout, a.content, a.cue, a.source, marg, tagger.cue_rates)))
                for a in attributions
            ]
        )
    out = {}
    for threshold in thresholds:
        pairs = []
        for doc, gold, scored in zip(docs, golds, prepared):
            spans: dict[str, set[tuple[int, int]]] = {"Source": set(), "Cue": set(), "Content": set()}
            for a, p in scored:
                if p < threshold:
                    continue
                for role, span in (("Content", a.content), ("Cue", a.cue), ("Source", a.source)):
                    if span is not None:
                        chars = doc[span.start : span.end]
                        spans[role].add((chars.start_char, chars.end_char))
            pairs.append((gold, spans))
        out[threshold] = score_documents(pairs)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--fold-models", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    nlp = load_nlp()
    golds = load_split(args.polnear, "train", all_annotators=True)
    docs = parse_split(nlp, golds, cache_dir=CACHE)
    samples = collect(docs, golds, args.fold_models)
    LOGGER.info("labels: %s", dict(Counter(label for _, label in samples)))
    weights = fit(samples, l2=args.l2, min_count=args.min_count)
    dev_golds = load_split(args.polnear, "dev")
    dev_docs = parse_split(nlp, dev_golds, cache_dir=CACHE)
    results = dev_scores(dev_docs, dev_golds, weights, args.thresholds)
    best, best_mean = 0.0, -1.0
    for threshold, scores in results.items():
        exact = scores.as_dict()["exact"]
        f1 = [exact[role]["f1"] for role in ("source", "cue", "content")]  # type: ignore[index]
        mean = sum(f1) / 3
        LOGGER.info("threshold %.2f: dev exact F1 source %.4f cue %.4f content %.4f (mean %.4f)", threshold, *f1, mean)
        if mean > best_mean:
            best, best_mean = threshold, mean
    model = {
        "weights": top_weights(weights),
        "threshold": best,
        "meta": {
            "data": f"PolNeAR v1.0.0 train (all annotators), jackknifed over {len(args.fold_models)} article folds",
            "label": "the attribution's content overlaps a gold content",
            "l2": args.l2,
            "min_count": args.min_count,
            "samples": len(samples),
            "threshold_chosen_on": "dev, mean exact F1 of source, cue and content",
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / FILTER_FILE).write_text(json.dumps(model, indent=0, sort_keys=True), encoding="utf-8")
    LOGGER.info("threshold %.2f (dev mean exact F1 %.4f); wrote %s", best, best_mean, args.out / FILTER_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
