"""The "same fact" decision: do two sentences from different outlets state the same fact?

A logistic model over features of the pair within its story: the embedding cosine and how the pair ranks
among each sentence's candidates in the other article, IDF-weighted overlaps of the entities, numbers,
days and content words both name, string similarity, and the sentences' lengths and places in their
articles. The weights are learned from the comparison gold (``parallax.train.same_fact``; cross-validated
by story) and shipped as JSON, so deciding costs a few numpy operations per story.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .cosines import PairGeometry
from .features import SentenceFacts, fact_units

__all__ = ["FEATURES", "SameFactModel", "pair_features"]

LOGGER = logging.getLogger(__name__)

FEATURES = (
    "cosine", "cosine_sq", "rank_best", "rank_worst", "margin_i", "margin_j", "dice_all", "dice_entities",
    "dice_words", "shared_words", "shared_rare_words", "numbers_shared", "numbers_clash", "dates_shared",
    "fuzz_set", "fuzz_sort", "short", "len_ratio", "position_gap", "lead_pair", "quoted_both",
    "cos_x_dice",
)


@dataclass(frozen=True, slots=True)
class StoryStats:
    """What pair features need to know about the whole story: unit weights and each sentence's article."""

    weight: dict[str, float]
    units: list[set[str]]
    article_sizes: dict[str, int]


def story_stats(facts: Sequence[SentenceFacts]) -> StoryStats:
    units = [fact_units(f) for f in facts]
    n = len(units)
    df = Counter(u for us in units for u in us)
    weight = {u: math.log((n + 1) / c) for u, c in df.items()}
    sizes = Counter(f.article_id for f in facts)
    return StoryStats(weight, units, dict(sizes))


def _dice(a: set[str], b: set[str], weight: dict[str, float]) -> float:
    total = sum(weight[u] for u in a) + sum(weight[u] for u in b)
    return 2 * sum(weight[u] for u in a & b) / total if total else 0.0


def pair_features(
    facts: Sequence[SentenceFacts], geometry: PairGeometry, pairs: np.ndarray | Sequence[tuple[int, int]]
) -> np.ndarray:
    """One row of :data:`FEATURES` per pair (i, j) of sentences from different outlets; ``geometry`` holds
    the pairs' cosines and ranks (:meth:`.cosines.StoryCosines.geometry` of the same pairs)."""
    from rapidfuzz import fuzz

    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(pairs), len(FEATURES)), dtype=np.float32)
    if not len(pairs):
        return out
    stats = story_stats(facts)
    overlap = _overlaps(stats, pairs)
    for row, (i, j) in enumerate(pairs.tolist()):
        a, b = facts[i], facts[j]
        cos = float(geometry.cosine[row])
        rank_ij, rank_ji = float(geometry.rank_ij[row]), float(geometry.rank_ji[row])
        numbers_a = {round(v, 3) for v, _ in a.numbers}
        numbers_b = {round(v, 3) for v, _ in b.numbers}
        dice_all = float(overlap["all"][row])
        len_a, len_b = max(len(a.tokens), 1), max(len(b.tokens), 1)
        out[row] = (
            cos, cos * cos,
            1.0 / min(rank_ij, rank_ji), 1.0 / max(rank_ij, rank_ji),
            cos - float(geometry.best_ij[row]), cos - float(geometry.best_ji[row]),
            dice_all, overlap["entities"][row], overlap["words"][row],
            min(overlap["shared_words"][row], 8) / 8,
            min(overlap["shared_rare_words"][row], 5) / 5,
            float(bool(numbers_a & numbers_b)), float(bool(numbers_a) and bool(numbers_b) and not numbers_a & numbers_b),
            float(bool(a.dates & b.dates)),
            fuzz.token_set_ratio(a.text, b.text) / 100, fuzz.token_sort_ratio(a.text, b.text) / 100,
            float(min(len_a, len_b) < 5), min(len_a, len_b) / max(len_a, len_b),
            abs(a.index / stats.article_sizes[a.article_id] - b.index / stats.article_sizes[b.article_id]),
            float(a.index < 2 and b.index < 2),
            float(_quoted(a.text) and _quoted(b.text)),
            cos * dice_all,
        )
    return out


def _overlaps(stats: StoryStats, pairs: np.ndarray) -> dict[str, np.ndarray]:
    """Per pair: IDF-weighted Dice overlaps of all units, of entities and of words, and the number of words
    (and of rare words, weight above 2) both sentences share; one sparse product per kind, not a loop."""
    from scipy.sparse import csr_matrix

    vocab = {unit: k for k, unit in enumerate(stats.weight)}
    weight = np.array([stats.weight[u] for u in vocab], dtype=np.float64)
    kind = np.array([u[:2] for u in vocab])
    rows = [i for i, units in enumerate(stats.units) for _ in units]
    cols = [vocab[u] for units in stats.units for u in units]
    present = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(stats.units), len(vocab)))
    first, second = pairs[:, 0], pairs[:, 1]
    left, right = present[first], present[second]

    def shared(values: np.ndarray) -> np.ndarray:
        return np.asarray(left.multiply(right).multiply(values[None, :]).sum(axis=1)).ravel()

    def dice(mask: np.ndarray) -> np.ndarray:
        weighted = weight * mask
        totals = present @ weighted
        denominator = totals[first] + totals[second]
        return np.where(denominator > 0, 2 * shared(weighted) / np.where(denominator > 0, denominator, 1.0), 0.0)

    words = (kind == "w:").astype(np.float64)
    return {
        "all": dice(np.ones_like(weight)),
        "entities": dice((kind == "e:").astype(np.float64)),
        "words": dice(words),
        "shared_words": np.rint(shared(words)),
        "shared_rare_words": np.rint(shared(words * (weight > 2.0))),
    }


def _quoted(text: str) -> bool:
    return any(mark in text for mark in ('"', "“", "”"))


@dataclass(frozen=True, slots=True)
class SameFactModel:
    """Standardised logistic regression over :data:`FEATURES`, with the decision thresholds."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    link: float  # probability at or above which two sentences state the same fact
    near: float  # below ``link`` but at or above this: shown as the closest near miss
    provenance: str = ""

    def probability(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0, dtype=np.float32)
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def to_json(self) -> str:
        return json.dumps({
            "features": list(FEATURES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept, "link": self.link, "near": self.near,
            "provenance": self.provenance,
        }, indent=1)

    @classmethod
    def from_json(cls, text: str) -> SameFactModel:
        data = json.loads(text)
        if tuple(data["features"]) != FEATURES:
            raise ValueError("same-fact model was trained on other features; retrain it")
        return cls(np.array(data["mean"], dtype=np.float32), np.array(data["scale"], dtype=np.float32),
                   np.array(data["coef"], dtype=np.float32), float(data["intercept"]), float(data["link"]),
                   float(data["near"]), str(data.get("provenance", "")))

    @staticmethod
    @lru_cache(maxsize=2)
    def load(models: Path | None = None) -> SameFactModel:
        """The shipped model (``alignment/same_fact.json`` of the model package ``parallax-models``, or of
        the model folder ``models``)."""
        from parallax.weights import model_package

        path = model_package(models).path("alignment", "same_fact.json")
        return SameFactModel.from_json(path.read_text(encoding="utf-8"))
