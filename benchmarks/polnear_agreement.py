"""How far PolNeAR's own annotators agree on exact spans, and how the quote pipeline compares on the same text.

Usage: .venv/bin/python benchmarks/polnear_agreement.py [--polnear DIR] [--fold-models DIR0 DIR1] [--json OUT]

A few PolNeAR train articles were labelled by five or six annotators each. Every pair of annotators of
an article is scored like a prediction against gold (``parallax.eval.quotes.score_documents``: exact,
overlap and token F1 for source, cue and content), summed over all pairs: the agreement a system can
hope to reach against any single annotator. With ``--fold-models`` (the jackknife taggers of
``parallax.train.quote_bounds``, the k-th trained without fold k of train), each of those articles is
also tagged by the tagger that never saw it, with the tagger's own content edges (the shipped edge
re-ranker learned from these articles), and scored against every one of its annotators.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

from parallax.eval.polnear import ROLES, PolnearDoc, load_split, parse_split
from parallax.eval.quotes import QuoteScores, SpanSet, format_scores, predicted_spans, score_documents
from parallax.train.quote_data import CACHE, fold_of
from provenance import recorded

DEFAULT_POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"


def spans_of(doc: PolnearDoc) -> dict[str, SpanSet]:
    return {role: {(s.start, s.end) for s in doc.spans if s.role == role} for role in ROLES}


def multiply_annotated(polnear: Path) -> dict[str, list[PolnearDoc]]:
    """Train articles with two or more annotation files, each file a PolnearDoc."""
    by_article: dict[str, list[PolnearDoc]] = defaultdict(list)
    for doc in load_split(polnear, "train", all_annotators=True):
        by_article[doc.article].append(doc)
    return {article: docs for article, docs in sorted(by_article.items()) if len(docs) > 1}


def annotator_agreement(articles: dict[str, list[PolnearDoc]]) -> QuoteScores:
    """Every pair of annotators of an article, the first as gold and the second as prediction."""
    return score_documents((a, spans_of(b)) for docs in articles.values() for a, b in itertools.combinations(docs, 2))


def system_against_annotators(articles: dict[str, list[PolnearDoc]], fold_models: list[Path]) -> QuoteScores:
    """Each article tagged by the fold tagger that never saw it, scored against each of its annotators."""
    from parallax.analyze.nlp import load_nlp
    from parallax.analyze.quotes.tagger import load_tagger
    from parallax.analyze.quotes import extract_quotes

    groups = list(articles.values())
    parsed = parse_split(load_nlp(), [docs[0] for docs in groups], cache_dir=CACHE)
    taggers = [load_tagger(folder) for folder in fold_models]
    pairs = []
    for docs, doc in zip(groups, parsed):
        tagger = taggers[fold_of(docs[0].name, len(taggers))]
        pred = predicted_spans(extract_quotes(doc, docs[0].name, tagger=tagger, refine=False))
        pairs.extend((annotator, pred) for annotator in docs)
    return score_documents(pairs)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=DEFAULT_POLNEAR)
    parser.add_argument("--fold-models", type=Path, nargs="*", default=[])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not (args.polnear / "train").is_dir():
        print(f"{args.polnear}: no PolNeAR train split there (pass --polnear)", file=sys.stderr)
        return 2
    articles = multiply_annotated(args.polnear)
    files = sum(len(docs) for docs in articles.values())
    pairs = sum(len(docs) * (len(docs) - 1) // 2 for docs in articles.values())
    print(f"{len(articles)} train articles with several annotators: {files} annotation files, {pairs} pairs\n")
    human = annotator_agreement(articles)
    print("annotator against annotator (every pair):")
    print(format_scores(human))
    out = {"articles": len(articles), "annotation_files": files, "annotator_pairs": pairs, "annotators": human.as_dict()}
    if args.fold_models:
        system = system_against_annotators(articles, args.fold_models)
        print("\nfold tagger that never saw the article, against each annotator (tagger's own content edges):")
        print(format_scores(system))
        out["system"] = system.as_dict()
        out["fold_models"] = [str(p) for p in args.fold_models]
    if args.json:
        args.json.write_text(json.dumps(recorded(out), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
