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

__all__ = ["FEATURES", "SameFactModel", "pair_features", "story_columns"]

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


def story_columns(geometry: PairGeometry, overlap: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The columns of :data:`FEATURES` that read the whole story (cosines, ranks in the article, IDF-weighted
    overlaps from :func:`_overlaps`), in float64, for the pairs ``geometry`` and ``overlap`` were made for."""
    cos = geometry.cosine.astype(np.float64)
    rank_ij, rank_ji = geometry.rank_ij.astype(np.float64), geometry.rank_ji.astype(np.float64)
    return {
        "cosine": cos, "cosine_sq": cos * cos,
        "rank_best": 1.0 / np.minimum(rank_ij, rank_ji), "rank_worst": 1.0 / np.maximum(rank_ij, rank_ji),
        "margin_i": cos - geometry.best_ij.astype(np.float64), "margin_j": cos - geometry.best_ji.astype(np.float64),
        "dice_all": overlap["all"], "dice_entities": overlap["entities"], "dice_words": overlap["words"],
        "shared_words": np.minimum(overlap["shared_words"], 8) / 8,
        "shared_rare_words": np.minimum(overlap["shared_rare_words"], 5) / 5,
        "cos_x_dice": cos * overlap["all"],
    }


def pair_features(
    facts: Sequence[SentenceFacts], geometry: PairGeometry, pairs: np.ndarray | Sequence[tuple[int, int]], *,
    stats: StoryStats | None = None,
) -> np.ndarray:
    """One row of :data:`FEATURES` per pair (i, j) of sentences from different outlets; ``geometry`` holds
    the pairs' cosines and ranks (:meth:`.cosines.StoryCosines.geometry` of the same pairs), ``stats`` the
    story's :func:`story_stats` when the caller has them. Each column is made for all pairs at once (float64,
    stored as float32)."""
    from rapidfuzz import fuzz, process

    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.zeros((len(pairs), len(FEATURES)), dtype=np.float32)
    if not len(pairs):
        return out
    first, second = pairs[:, 0], pairs[:, 1]
    stats = story_stats(facts) if stats is None else stats
    listed = pairs.tolist()
    numbers = [frozenset(round(v, 3) for v, _ in f.numbers) for f in facts]
    numbers_shared = np.fromiter((bool(numbers[i] & numbers[j]) for i, j in listed), dtype=bool, count=len(pairs))
    has_numbers = np.array([bool(n) for n in numbers])
    dates_shared = np.fromiter((bool(facts[i].dates & facts[j].dates) for i, j in listed), dtype=bool,
                               count=len(pairs))
    texts = [f.text for f in facts]
    left, right = [texts[i] for i, _ in listed], [texts[j] for _, j in listed]

    def ratio(scorer: object) -> np.ndarray:
        return process.cpdist(left, right, scorer=scorer, dtype=np.float64, workers=1) / 100

    lengths = np.array([max(len(f.tokens), 1) for f in facts], dtype=np.float64)
    shorter, longer = np.minimum(lengths[first], lengths[second]), np.maximum(lengths[first], lengths[second])
    place = np.array([f.index / stats.article_sizes[f.article_id] for f in facts], dtype=np.float64)
    lead = np.array([f.index < 2 for f in facts])
    quoted = np.array([_quoted(f.text) for f in facts])
    columns = {
        **story_columns(geometry, _overlaps(stats, pairs)),
        "numbers_shared": numbers_shared.astype(np.float64),
        "numbers_clash": (has_numbers[first] & has_numbers[second] & ~numbers_shared).astype(np.float64),
        "dates_shared": dates_shared.astype(np.float64),
        "fuzz_set": ratio(fuzz.token_set_ratio), "fuzz_sort": ratio(fuzz.token_sort_ratio),
        "short": (shorter < 5).astype(np.float64), "len_ratio": shorter / longer,
        "position_gap": np.abs(place[first] - place[second]),
        "lead_pair": (lead[first] & lead[second]).astype(np.float64),
        "quoted_both": (quoted[first] & quoted[second]).astype(np.float64),
    }
    for name, values in columns.items():
        out[:, FEATURES.index(name)] = values
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
