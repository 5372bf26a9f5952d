"""Baseline: textacy's ``direct_quotations`` on a PolNeAR split, scored by parallax's own quote scorer.

Usage: .venv/bin/python benchmarks/quotes_textacy_baseline.py --polnear ../shared/data/polnear [--split dev]
       [--json FILE]
textacy is a dev extra; this script is for comparison only and is not part of the library.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from spacy.tokens import Doc
from textacy.extract.triples import direct_quotations

from parallax.eval.quotes import evaluate, format_scores
from parallax.model import Quote, Span
from provenance import recorded


def textacy_quotes(doc: Doc, article_id: str) -> list[Quote]:
    """textacy's triples as Quote records (speaker and cue token lists become their covering spans)."""
    quotes = []
    try:
        triples = list(direct_quotations(doc))
    except (ValueError, IndexError, RuntimeError):
        # textacy raises on unbalanced quotation marks; that document then counts as finding nothing.
        return []
    for triple in triples:
        quotes.append(
            Quote(
                article_id=article_id,
                kind="direct",
                content=_cover(doc, [triple.content.start, triple.content.end - 1]),
                cue=_cover(doc, [t.i for t in triple.cue]) if triple.cue else None,
                speaker=_cover(doc, [t.i for t in triple.speaker]) if triple.speaker else None,
            )
        )
    return quotes


def _cover(doc: Doc, indices: list[int]) -> Span:
    span = doc[min(indices) : max(indices) + 1]
    return Span(span.start_char, span.end_char, span.text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    scores = evaluate(args.polnear, args.split, extractor=textacy_quotes)
    sys.stdout.write("textacy direct_quotations\n" + format_scores(scores) + "\n")
    if args.json:
        args.json.write_text(json.dumps(recorded(scores.as_dict()), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
