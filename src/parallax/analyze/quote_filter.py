"""Attribution filter: a learned check on each attribution the tagger and the rules put together.

About one predicted attribution in eight on PolNeAR dev overlaps no gold attribution at all: a verb of
saying used in passing ("the ad features images of …"), an attitude PolNeAR leaves out, a quotation
that is a title. A logistic model scores every finished attribution from the tagger's own confidence
(mean and weakest label probability over the content, cue and source, the content's edge
probabilities), the cue word and how often it heads a gold cue, what kind of word the speaker is, the
layout (quoted share, length, cue before or after the content) and which parts are missing; an
attribution scoring below the threshold is dropped.

Weights: ``models/quotes/filter.json`` (feature → weight, and the threshold), trained by
``scripts/train_quote_filter.py`` on jackknifed output over PolNeAR train (taggers trained on one half of
the articles produce the attributions of the other half, so the filter learns from the mistakes made on
unseen text); the threshold was chosen on dev.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from .quote_bounds import Marginals
from .quote_features import Layout
from .quote_model import MODEL_DIR, RoleSpan

__all__ = ["FILTER_FILE", "AttributionFilter", "filter_features", "load_filter"]

LOGGER = logging.getLogger(__name__)

FILTER_FILE = "filter.json"
PRONOUNS = frozenset({"he", "she", "they", "it", "i", "we", "you", "who", "which", "that"})


def _bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21-40" if n <= 40 else "41+"


def _probabilities(values: np.ndarray) -> tuple[float, float]:
    return (float(values.mean()), float(values.min())) if len(values) else (0.0, 0.0)


def filter_features(
    doc: Doc,
    layout: Layout,
    content: RoleSpan,
    cue: RoleSpan | None,
    source: RoleSpan | None,
    marg: Marginals,
    cue_rates: Mapping[str, str],
) -> dict[str, float]:
    """The features of one finished attribution (token spans into ``doc``)."""
    f: dict[str, float] = {"bias": 1.0}
    mean, low = _probabilities(marg.inside[content.start : content.end])
    f["content_p_mean"], f["content_p_min"] = mean, low
    f["content_p_begin"] = float(marg.begin[content.start])
    f["content_p_end"] = float(marg.end[content.end - 1])
    words = [i for i in range(content.start, content.end) if not doc[i].is_punct]
    f[f"content_len={_bucket(len(words))}"] = 1.0
    quoted = sum(1 for i in words if layout.depth[i]) / len(words) if words else 0.0
    f["quoted_share"] = quoted
    f["quoted_all"] = float(quoted >= 0.95)
    paragraph = layout.paragraphs[content.paragraph].tokens
    f["paragraph_tagged"] = float(marg.inside[paragraph[0] : paragraph[-1] + 1].max() > 0)
    if cue is None:
        f["cue=none"] = 1.0
    else:
        mean, low = _probabilities(marg.cue_inside[cue.start : cue.end])
        f["cue_p_mean"], f["cue_p_min"] = mean, low
        root = doc[cue.start : cue.end].root
        lemma = root.lemma_.lower()
        f[f"cue_lemma={lemma}"] = 1.0
        f[f"cue_rate={cue_rates.get(lemma, 'no')}"] = 1.0
        f[f"cue_pos={root.pos_}"] = 1.0
        f["cue_after"] = float(cue.start >= content.end)
        f[f"cue_len={_bucket(cue.end - cue.start)}"] = 1.0
    if source is None:
        f["source=none"] = 1.0
    else:
        mean, low = _probabilities(marg.source_inside[source.start : source.end])
        f["source_p_mean"], f["source_p_min"] = mean, low
        root = doc[source.start : source.end].root
        f[f"source_pos={root.pos_}"] = 1.0
        f[f"source_ent={root.ent_type_ or 'none'}"] = 1.0
        f["source_pronoun"] = float(source.end - source.start == 1 and root.lower_ in PRONOUNS)
    return f


@dataclass(frozen=True, slots=True)
class AttributionFilter:
    weights: dict[str, float]
    threshold: float

    def probability(self, features: Mapping[str, float]) -> float:
        """P(the attribution is one PolNeAR would mark) under the logistic model."""
        z = sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def keep(self, features: Mapping[str, float]) -> bool:
        return self.probability(features) >= self.threshold


@functools.lru_cache(maxsize=2)
def load_filter(model_dir: Path = MODEL_DIR) -> AttributionFilter | None:
    """The shipped attribution filter, or None (every attribution is kept) when the folder has none."""
    path = model_dir / FILTER_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return AttributionFilter(dict(data["weights"]), float(data["threshold"]))
