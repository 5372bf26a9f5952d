"""Train the "same fact" pair decision of the alignment on the comparison gold (dev), cross-validated by story.

    .venv/bin/python -m parallax.train.same_fact ../shared/data/comparison/gold-dev.jsonl \\
        ../shared/data/stories/basil-dev.jsonl ../shared/data/seeds [--out build/alignment/same_fact.json]

Every cross-outlet pair of sentences a story's alignment scores (cosine at least the candidate floor) is an
example: positive when one gold fact has its snippets in both sentences. A standardised logistic
regression over ``parallax.compare.same_fact.FEATURES`` is fitted leaving one story out at a time; the
held-out story is aligned with that fold's model and scored as ``parallax eval compare`` scores it (shared
and omission), for a grid of link thresholds. The threshold with the best mean of shared F1 and omission F1
out of fold is kept, and the model refitted on every story is written to ``--out``
with its provenance (shipped: ``alignment/same_fact.json`` of the model package).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from parallax.compare import _canonical_name, _own_unknown_outlets, embed_or_fallback
from parallax.compare.align import AlignConfig, AlignResult, align, scored_pairs
from parallax.compare.cosines import StoryCosines
from parallax.compare.features import SentenceFacts, sentence_facts
from parallax.compare.same_fact import FEATURES, SameFactModel, pair_features
from parallax.eval.compare import (
    DEFAULT_CACHE, StoryScores, _Located, _score_alignment, analyse, load_articles, load_gold,
)
from parallax.model import AnalyzedArticle, Sentence
from parallax.stories.embed import get_embedder
from parallax.stories.resolve import linked_entities

CONFIG = AlignConfig()
THRESHOLDS = np.round(np.arange(0.15, 0.61, 0.05), 2)
NEAR = np.round(np.arange(0.05, 0.61, 0.05), 2)


@dataclass
class StoryData:
    gold: dict[str, object]
    members: list[AnalyzedArticle]
    facts: list[SentenceFacts]
    vectors: np.ndarray
    pairs: np.ndarray  # (m, 2) scored pairs i < j
    x: np.ndarray
    y: np.ndarray


def prepare(gold: dict[str, object], members: list[AnalyzedArticle]) -> StoryData:
    entities, members = linked_entities(members)
    members = _own_unknown_outlets(members)
    facts = sentence_facts(members, canonical={e.id: _canonical_name(e) for e in entities})
    vectors = embed_or_fallback(get_embedder(), [f.text for f in facts])
    config = AlignConfig()
    cosines = StoryCosines(facts, vectors)
    pairs = scored_pairs(facts, cosines, config)
    x = pair_features(facts, cosines.geometry(pairs), pairs)
    where = _Located(members)
    position = {(f.article_id, f.index): k for k, f in enumerate(facts)}
    positive = {(min(position[(a, s)], position[(b, t)]), max(position[(a, s)], position[(b, t)]))
                for fact in gold["facts"] for a, s, b, t in where.sentence_pairs(fact["in"])}  # type: ignore[attr-defined]
    y = np.array([1 if (i, j) in positive else 0 for i, j in pairs.tolist()], dtype=np.int8)
    return StoryData(gold, members, facts, vectors, pairs, x, y)


# Signs the weights are held to, so the model cannot extrapolate against sense outside the gold's range
# (two identical sentences must score at least as high as any paraphrase): more similarity never lowers
# the probability, a clash of figures or a distance in the articles never raises it.
NON_NEGATIVE = {"cosine", "cosine_sq", "rank_best", "rank_worst", "margin_i", "margin_j", "dice_all",
                "dice_entities", "dice_words", "shared_words", "shared_rare_words", "numbers_shared",
                "dates_shared", "fuzz_set", "fuzz_sort", "lead_pair", "cos_x_dice"}
NON_POSITIVE = {"numbers_clash", "position_gap"}


def fit(x: np.ndarray, y: np.ndarray, c: float) -> SameFactModel:
    """L2-regularised logistic regression (strength 1/c per example, as scikit-learn's C) with sign bounds."""
    from scipy.optimize import minimize

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    target = y.astype(np.float64)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        logits = z @ w[:-1] + w[-1]
        p = 1.0 / (1.0 + np.exp(-logits))
        value = np.sum(np.logaddexp(0.0, logits) - target * logits) + 0.5 / c * np.sum(w[:-1] ** 2)
        grad = np.concatenate([z.T @ (p - target) + w[:-1] / c, [np.sum(p - target)]])
        return float(value), grad

    bounds = [(0.0, None) if f in NON_NEGATIVE else (None, 0.0) if f in NON_POSITIVE else (None, None)
              for f in FEATURES] + [(None, None)]
    result = minimize(loss, np.zeros(len(FEATURES) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    w = result.x
    return SameFactModel(mean.astype(np.float32), scale.astype(np.float32), w[:-1].astype(np.float32),
                         float(w[-1]), link=0.5, near=0.2)


def scored(story: StoryData, model: SameFactModel) -> AlignResult:
    """The story's pair probabilities under ``model`` in the form ``align`` reuses."""
    return AlignResult((), (), (), story.pairs, story.x[:, FEATURES.index("cosine")], model.probability(story.x))


def score_alignment(story: StoryData, model: SameFactModel, result: AlignResult | None = None) -> StoryScores:
    aligned = align(story.facts, story.vectors, model=model, scored=result, config=CONFIG)
    sentences = tuple(Sentence(f.article_id, f.index, f.start, f.end, f.text) for f in story.facts)
    comparison = SimpleNamespace(alignments=aligned.alignments, sentences=sentences,
                                 articles=tuple(a.article for a in story.members))
    scores = StoryScores(str(story.gold["story"]))
    present = {a.article.id for a in story.members}
    outlet_of = {a.article.id: a.article.outlet for a in story.members}
    _score_alignment(story.gold, comparison, _Located(story.members), present, outlet_of, scores)  # type: ignore[arg-type]
    return scores


def prf(tp_pred: int, pred: int, tp_gold: int, gold: int) -> tuple[float, float, float]:
    p = tp_pred / pred if pred else 0.0
    r = tp_gold / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


Grid = dict[tuple[float, float], dict[str, tuple[float, float, float]]]


def cross_validate(stories: list[StoryData], c: float) -> Grid:
    """Out-of-fold shared and omission P/R/F1 for every (link, near) threshold pair."""
    grid = [(float(t), float(u)) for t in THRESHOLDS for u in NEAR if u <= t]
    totals = {key: {m: [0, 0, 0, 0] for m in ("shared", "omission")} for key in grid}
    for k, held in enumerate(stories):
        rest = [s for i, s in enumerate(stories) if i != k]
        model = fit(np.vstack([s.x for s in rest]), np.concatenate([s.y for s in rest]), c)
        result = scored(held, model)
        for link, near in grid:
            scores = score_alignment(held, replace(model, link=link, near=near), result)
            for m in ("shared", "omission"):
                counts = scores.counts[m]
                for slot, value in enumerate((counts.tp_pred, counts.pred, counts.tp_gold, counts.gold)):
                    totals[(link, near)][m][slot] += value
    return {key: {m: prf(*v) for m, v in ms.items()} for key, ms in totals.items()}  # type: ignore[misc]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("articles", type=Path, nargs="+")
    parser.add_argument("--c", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--out", type=Path, help="write the model refitted on every story to this file")
    parser.add_argument("--links-per-article", type=int, default=AlignConfig().links_per_article,
                        help="links one sentence may make into one article (AlignConfig.links_per_article)")
    args = parser.parse_args(argv)
    model, _ = train(args)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def train(args: argparse.Namespace) -> tuple[SameFactModel, float]:
    """The model refitted on every story, and its out-of-fold mean of shared and omission F1."""
    global CONFIG
    CONFIG = replace(CONFIG, links_per_article=args.links_per_article)
    gold = load_gold(args.gold)
    outlets = {aid: o for g in gold for aid, o in g["articles"].items()}  # type: ignore[attr-defined]
    articles = load_articles(args.articles, outlets)
    analysed = {a.article.id: a for a in analyse(list(articles.values()), DEFAULT_CACHE)}
    stories = []
    for entry in gold:
        members = [analysed[aid] for aid in entry["articles"] if aid in analysed]  # type: ignore[attr-defined]
        if len(members) >= 2:
            stories.append(prepare(entry, members))
    n_pos = sum(int(s.y.sum()) for s in stories)
    n_all = sum(len(s.y) for s in stories)
    print(f"{len(stories)} stories, {n_all} candidate pairs, {n_pos} positive")
    best: tuple[float, float, float, float] = (-1.0, 0.0, 0.0, 0.0)
    for c in args.c:
        table = cross_validate(stories, c)
        for (link, near), ms in table.items():
            sh, om = ms["shared"], ms["omission"]
            mean = (sh[2] + om[2]) / 2
            print(f"C={c:<5} link={link:.2f} near={near:.2f}  shared P/R/F1 {sh[0]:.3f}/{sh[1]:.3f}/{sh[2]:.3f}  "
                  f"omission {om[0]:.3f}/{om[1]:.3f}/{om[2]:.3f}  mean {mean:.3f}")
            if mean > best[0]:
                best = (mean, c, link, near)
    _, c, link, near = best
    print(f"best out of fold: C={c} link={link} near={near} (mean F1 {best[0]:.3f})")
    model = fit(np.vstack([s.x for s in stories]), np.concatenate([s.y for s in stories]), c)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    model = replace(model, link=link, near=near, provenance=(
        f"logistic regression (C={c}) over {len(FEATURES)} pair features, fitted on {n_all} candidate pairs "
        f"({n_pos} same-fact) of the {len(stories)} stories of comparison/gold-dev.jsonl; link threshold "
        f"{link} and near-miss threshold {near} chosen by leave-one-story-out cross-validation (mean of shared and omission F1 "
        f"{best[0]:.3f} out of fold); parallax.train.same_fact at {commit}"))
    for name, weight in sorted(zip(FEATURES, model.coef), key=lambda kv: -abs(kv[1])):
        print(f"  {name:<18} {weight:+.3f}")
    return model, best[0]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
