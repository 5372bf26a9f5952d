"""Quote-attribution evaluation on PolNeAR: precision, recall and F1 for source, cue and content.

Three matchings per role: ``exact`` (character-identical spans after trimming whitespace), ``overlap`` (a
span counts when it shares a word with a gold span of the same role) and ``token`` (words in predicted
spans against words in gold spans). Predictions are the :class:`~parallax.model.Quote` records that
:func:`parallax.analyze.quotes.extract_quotes` returns: their speaker, cue and content spans.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from parallax.quote_mode import QUOTE_MODES, flag_mode, quote_mode, using_quote_mode
from parallax.model import Quote

from .polnear import ROLES, PolnearDoc, load_split, parse_split

__all__ = ["Counts", "QuoteScores", "cli", "evaluate", "predicted_spans", "score_documents"]

LOGGER = logging.getLogger(__name__)

WORD = re.compile(r"\w+|[^\w\s]")
MATCHINGS = ("exact", "overlap", "token")
DEFAULT_CACHE = Path("/tmp/parallax-quotes-cache")

SpanSet = set[tuple[int, int]]


@dataclass(slots=True)
class Counts:
    tp_pred: int = 0  # predicted units that match
    tp_gold: int = 0  # gold units that are matched
    pred: int = 0
    gold: int = 0

    def add(self, tp_pred: int, tp_gold: int, pred: int, gold: int) -> None:
        self.tp_pred += tp_pred
        self.tp_gold += tp_gold
        self.pred += pred
        self.gold += gold

    def prf(self) -> dict[str, float]:
        p = self.tp_pred / self.pred if self.pred else 0.0
        r = self.tp_gold / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass(slots=True)
class QuoteScores:
    counts: dict[str, dict[str, Counts]] = field(
        default_factory=lambda: {m: {r: Counts() for r in ROLES} for m in MATCHINGS}
    )
    documents: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            **{
                m: {r.lower(): c.prf() | {"pred": c.pred, "gold": c.gold} for r, c in roles.items()}
                for m, roles in self.counts.items()
            },
        }


def predicted_spans(quotes: Iterable[Quote]) -> dict[str, SpanSet]:
    """The distinct speaker, cue and content spans of a document's quotes, by PolNeAR role."""
    out: dict[str, SpanSet] = {r: set() for r in ROLES}
    for quote in quotes:
        out["Content"].add((quote.content.start, quote.content.end))
        if quote.cue is not None:
            out["Cue"].add((quote.cue.start, quote.cue.end))
        if quote.speaker is not None:
            out["Source"].add((quote.speaker.start, quote.speaker.end))
    return out


def score_documents(
    pairs: Iterable[tuple[PolnearDoc, dict[str, SpanSet]]], scores: QuoteScores | None = None
) -> QuoteScores:
    """Add each (gold document, predicted spans) pair to ``scores``."""
    scores = scores or QuoteScores()
    for gold, pred in pairs:
        scores.documents += 1
        words = [(m.start(), m.end()) for m in WORD.finditer(gold.text)]
        for role in ROLES:
            gold_spans = {(s.start, s.end) for s in gold.spans if s.role == role}
            _score_role(scores, role, gold_spans, pred[role], words)
    return scores


def _score_role(
    scores: QuoteScores, role: str, gold: SpanSet, pred: SpanSet, words: list[tuple[int, int]]
) -> None:
    hits = len(gold & pred)
    scores.counts["exact"][role].add(hits, hits, len(pred), len(gold))
    gold_words = [_words_in(span, words) for span in gold]
    pred_words = [_words_in(span, words) for span in pred]
    all_gold = set().union(*gold_words) if gold_words else set()
    all_pred = set().union(*pred_words) if pred_words else set()
    scores.counts["overlap"][role].add(
        sum(bool(w & all_gold) for w in pred_words),
        sum(bool(w & all_pred) for w in gold_words),
        len(pred),
        len(gold),
    )
    inter = len(all_gold & all_pred)
    scores.counts["token"][role].add(inter, inter, len(all_pred), len(all_gold))


def _words_in(span: tuple[int, int], words: list[tuple[int, int]]) -> set[int]:
    return {i for i, (a, b) in enumerate(words) if a >= span[0] and b <= span[1]}


def evaluate(
    root: Path,
    split: str,
    *,
    limit: int | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    extractor: Callable[[Doc, str], list[Quote]] | None = None,
) -> QuoteScores:
    """Parse a PolNeAR split (cached), extract quotes and score them against the gold relations."""
    from parallax.analyze.nlp import load_nlp
    from parallax.analyze.quotes import extract_quotes

    extract = extractor or extract_quotes
    golds = load_split(root, split)
    if limit is not None:
        golds = golds[:limit]
        cache_dir = None
    docs = parse_split(load_nlp(), golds, cache_dir=cache_dir)
    return score_documents((gold, predicted_spans(extract(doc, gold.name))) for gold, doc in zip(golds, docs))


def format_scores(scores: QuoteScores) -> str:
    """A plain-text table of every matching and role."""
    lines = [
        f"documents: {scores.documents}",
        f"{'matching':<9}{'role':<9}{'P':>8}{'R':>8}{'F1':>8}{'pred':>7}{'gold':>7}",
    ]
    for matching, roles in scores.counts.items():
        for role, counts in roles.items():
            prf = counts.prf()
            lines.append(
                f"{matching:<9}{role.lower():<9}{prf['precision']:>8.3f}{prf['recall']:>8.3f}"
                f"{prf['f1']:>8.3f}{counts.pred:>7}{counts.gold:>7}"
            )
    return "\n".join(lines)


def cli(argv: Sequence[str] | None = None) -> int:
    """``parallax eval quotes``: print the scores and optionally write them as JSON."""
    parser = argparse.ArgumentParser(prog="parallax eval quotes", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--polnear", type=Path, required=True, help="PolNeAR data folder (holds train/, dev/)"
    )
    parser.add_argument("--split", default="dev", help="split to score (default: dev)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--limit", type=int, help="score only the first N documents")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="folder for cached parses")
    parser.add_argument(
        "--quote-mode", choices=QUOTE_MODES, help="as parallax --quote-mode (default: $PARALLAX_QUOTE_MODE or default)"
    )
    parser.add_argument("--accurate-quotes", action="store_true", help="the same as --quote-mode accurate")
    args = parser.parse_args(list(argv) if argv is not None else None)
    mode = flag_mode(args.quote_mode, args.accurate_quotes) or quote_mode()
    started = time.perf_counter()
    with using_quote_mode(mode):
        scores = evaluate(args.polnear, args.split, limit=args.limit, cache_dir=args.cache)
    sys.stdout.write(format_scores(scores) + f"\nquote mode: {mode}\nseconds: {time.perf_counter() - started:.1f}\n")
    if args.json is not None:
        figures = {**scores.as_dict(), "quote_mode": mode}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
