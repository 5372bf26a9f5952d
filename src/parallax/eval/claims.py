"""ClaimDiff evaluation: does the conflict detector flag claim_b as weakening claim_a?

    python -m parallax.eval.claims ../shared/data/claimdiff/ClaimDiff-weak-train.json [--json OUT]

Reports precision, recall and F1 of (1) the rule-based conflict detector used in comparisons, (2) a
logistic regression over lexical pair features (overlap, the rules' verdict, negation / hedge / contrast /
dispute / attribution cues of each claim) and (3) the same with the MiniLM embeddings of both claims
(|a-b| and a*b). Learned variants are scored out of fold by 5-fold cross-validation grouped by topic, the
decision threshold chosen by an inner grouped cross-validation on each training fold: the train file is
our only labelled data (our dev set), so no pair is scored by a model or threshold fitted on it.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from parallax.model import AnalyzedArticle, Article, Mention, Sentence

__all__ = ["Scores", "cli", "evaluate", "load_pairs", "pair_features"]

LOGGER = logging.getLogger(__name__)

CONTRAST = re.compile(r"\b(but|however|although|though|despite|yet|while|instead|nevertheless|whereas)\b", re.I)
ATTRIBUTION = re.compile(r"\b(said|says|claimed|claims|alleged|according|argued|insisted|told)\b", re.I)
DISPUTE = re.compile(r"\b(den(y|ied|ies)|disput\w*|reject\w*|critic\w*|false\w*|wrong|dismiss\w*|"
                     r"question\w*|doubt\w*|refus\w*|oppos\w*|blam\w*|attack\w*|accus\w*)\b", re.I)
# Cues counted in each claim (claim-level, not pair-level): ClaimDiff's "weakens" is nearly symmetric
# (of 1,482 pairs seen both ways, 148 are positive both ways and 26 one way only), so both claims count.
_CUES = (
    re.compile(r"\b(not|no|never|none|nothing|neither|nor|without)\b|n[’']t\b", re.I),
    ATTRIBUTION,
    re.compile(r"[\"“”]"),
    CONTRAST,
    DISPUTE,
    re.compile(r"\b(critic\w*|opponent\w*|skeptic\w*|detractor\w*|lawyers?|attorneys?|advocates?)\b", re.I),
    re.compile(r"\b(study|studies|data|evidence|poll\w*|report\w*|found|research|show\w*)\b", re.I),
)


@dataclass(frozen=True, slots=True)
class Pair:
    topic: str
    claim_a: str
    claim_b: str
    relation: int


@dataclass(frozen=True, slots=True)
class Scores:
    method: str
    pairs: int
    positives: int
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f1: float


def load_pairs(path: Path) -> list[Pair]:
    """Pairs of a ClaimDiff file (``{"data": [{"claim_a", "claim_b", "relation", "topic"}, ...]}``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["data"] if isinstance(data, dict) else data
    return [Pair(str(i.get("topic", "")), i["claim_a"], i["claim_b"], int(i["relation"])) for i in items]


def _claim_records(texts: Sequence[str]) -> list[AnalyzedArticle]:
    """Each claim as a one-sentence analysed article with its NER mentions (parsed once)."""
    from parallax.analyze import ENTITY_LABELS
    from parallax.analyze.nlp import load_nlp

    nlp = load_nlp(disable=("parser", "lemmatizer"))
    out = []
    for index, doc in enumerate(nlp.pipe(texts, batch_size=128)):
        article_id = f"claim-{index}"
        mentions = tuple(Mention(article_id, e.start_char, e.end_char, e.text, e.label_, 0)
                         for e in doc.ents if e.label_ in ENTITY_LABELS)
        article = Article(article_id, f"outlet-{index}", "", doc.text)
        out.append(AnalyzedArticle(article, (Sentence(article_id, 0, 0, len(doc.text), doc.text),), mentions))
    return out


def pair_features(a: object, b: object, cosine: float) -> list[float]:
    """Features of one (claim_a, claim_b) pair for the learned variant; ``a``/``b`` are SentenceFacts."""
    from parallax.compare.conflicts import act_polarity, pair_conflict
    from parallax.compare.features import SentenceFacts

    assert isinstance(a, SentenceFacts) and isinstance(b, SentenceFacts)
    union = a.entities | b.entities
    jaccard = len(a.entities & b.entities) / len(union) if union else 0.0
    tokens = len(a.tokens & b.tokens) / max(1, min(len(a.tokens), len(b.tokens)))
    hits_a, hits_b = act_polarity(a.text), act_polarity(b.text)
    weak_b = sum(h.polarity in ("negate", "hedge") for h in hits_b)
    weak_a = sum(h.polarity in ("negate", "hedge") for h in hits_a)
    verdict = pair_conflict(a, b, cosine)
    return [*_cue_counts(a.text), *_cue_counts(b.text), float(bool(a.persons and b.persons and
                                                                  not a.persons & b.persons)),
        cosine, jaccard, tokens, float(len(a.entities & b.entities)),
        float(weak_b), float(weak_a), float(weak_b > weak_a),
        float(bool(CONTRAST.search(b.text))), float(bool(ATTRIBUTION.search(b.text))),
        float(len(DISPUTE.findall(b.text))), float(len(DISPUTE.findall(a.text))),
        float("“" in b.text or '"' in b.text), float(bool(b.numbers)), float(bool(a.numbers and b.numbers)),
        float(np.log1p(len(b.tokens)) - np.log1p(len(a.tokens))),
        float(verdict is not None), verdict.confidence if verdict else 0.0,
    ]


def _cue_counts(text: str) -> list[float]:
    from parallax.compare.conflicts import hedge_cue

    return [float(len(p.findall(text))) for p in _CUES] + [float(hedge_cue(text) is not None)]


def _scores(method: str, gold: np.ndarray, predicted: np.ndarray) -> Scores:
    tp = int((gold & predicted).sum())
    precision = tp / predicted.sum() if predicted.sum() else 0.0
    recall = tp / gold.sum() if gold.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(method, len(gold), int(gold.sum()), int(predicted.sum()), tp,
                  round(precision, 4), round(recall, 4), round(f1, 4))


def _cross_validated(features: np.ndarray, gold: np.ndarray, groups: Sequence[str], folds: int, *,
                     c: float = 1.0) -> np.ndarray:
    """Out-of-fold predictions of a balanced logistic regression; threshold by inner grouped CV."""
    from sklearn.model_selection import GroupKFold

    groups_ = np.asarray(groups)
    predicted = np.zeros(len(gold), dtype=bool)
    for train, test in GroupKFold(n_splits=folds).split(features, gold, groups_):
        inner = np.zeros(len(train))
        for fit, held in GroupKFold(n_splits=folds - 1).split(train, gold[train], groups_[train]):
            model = _model(c).fit(features[train][fit], gold[train][fit])
            inner[held] = model.predict_proba(features[train][held])[:, 1]
        candidates = np.quantile(inner, np.linspace(0.3, 0.99, 70))
        threshold = max(candidates, key=lambda t: _scores("", gold[train], inner >= t).f1)
        model = _model(c).fit(features[train], gold[train])
        predicted[test] = model.predict_proba(features[test])[:, 1] >= threshold
    return predicted


def _model(c: float):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=3000))


def evaluate(path: Path, *, folds: int = 5, limit: int | None = None, learned: bool = True) -> list[Scores]:
    """Scores of the rule detector (and, with ``learned``, of the cross-validated model) on ``path``."""
    from parallax.compare import embed_or_fallback
    from parallax.compare.conflicts import pair_conflict
    from parallax.compare.features import sentence_facts

    pairs = load_pairs(path)[:limit]
    texts = sorted({t for p in pairs for t in (p.claim_a, p.claim_b)})
    index = {t: i for i, t in enumerate(texts)}
    facts = sentence_facts(_claim_records(texts))
    vectors = embed_or_fallback(None, texts)
    gold = np.array([p.relation == 1 for p in pairs])
    rows, rules, embedded = [], [], []
    for p in pairs:
        a, b = facts[index[p.claim_a]], facts[index[p.claim_b]]
        va, vb = vectors[index[p.claim_a]], vectors[index[p.claim_b]]
        cosine = float(va @ vb)
        rules.append(pair_conflict(a, b, cosine) is not None)
        if learned:
            rows.append(pair_features(a, b, cosine))
            embedded.append(np.concatenate([np.abs(va - vb), va * vb]))
    results = [_scores("rules", gold, np.array(rules, dtype=bool))]
    groups = [p.topic for p in pairs]
    if learned and len(set(groups)) >= folds:
        lexical = np.array(rows)
        results.append(_scores(f"logreg-cv{folds}", gold, _cross_validated(lexical, gold, groups, folds, c=0.1)))
        both = np.hstack([lexical, np.array(embedded)])
        results.append(_scores(f"logreg+minilm-cv{folds}", gold,
                               _cross_validated(both, gold, groups, folds, c=0.01)))
    results.append(_scores("all-positive baseline", gold, np.ones(len(gold), dtype=bool)))
    return results


def cli(argv: list[str]) -> int:
    """``parallax eval claims FILE [--json OUT]``."""
    parser = argparse.ArgumentParser(prog="parallax eval claims", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="a ClaimDiff file ({'data': [{claim_a, claim_b, relation}]})")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the scores as JSON to OUT")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds, grouped by topic (default 5)")
    parser.add_argument("--limit", type=int, help="only the first N pairs (smoke tests)")
    parser.add_argument("--rules-only", action="store_true", help="skip the cross-validated model")
    args = parser.parse_args(argv)
    if not args.file.exists():
        parser.error(f"{args.file} does not exist; pass a ClaimDiff JSON file")
    results = evaluate(args.file, folds=args.folds, limit=args.limit, learned=not args.rules_only)
    sys.stdout.write(f"{'method':<24} {'pairs':>6} {'gold+':>6} {'pred+':>6} {'P':>7} {'R':>7} {'F1':>7}\n")
    for s in results:
        sys.stdout.write(f"{s.method:<24} {s.pairs:>6} {s.positives:>6} {s.predicted:>6} "
                         f"{s.precision:>7.3f} {s.recall:>7.3f} {s.f1:>7.3f}\n")
    if args.json:
        args.json.write_text(json.dumps({"file": str(args.file), "scores": [asdict(s) for s in results]},
                                        indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli(sys.argv[1:]))
