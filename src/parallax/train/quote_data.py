"""PolNeAR training data for the quote models: labels, folds, cue rates and the parse cache they share.

Data provenance: PolNeAR v1.0.0 (Newell, Margolin & Ruths, LREC 2018), github.com/networkdynamics/PolNeAR
at c3eee83, as copied to ../shared/data/polnear (see its FORMAT.md). Only ``train`` is learned from (all
annotators' files); ``dev`` is used to pick hyper-parameters. The corpus text is never copied into the
repository; the shipped files hold feature weights and lemma buckets only.
"""

from __future__ import annotations

import argparse
import logging
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from parallax.eval.polnear import GoldSpan, PolnearDoc, article_of, load_split, parse_split

LOGGER = logging.getLogger(__name__)
CACHE = Path("/tmp/parallax-quotes-cache")


def fold_of(name: str, folds: int) -> int:
    """The jackknife fold of an annotation file, by its article (stable across runs and annotators)."""
    return zlib.crc32(article_of(name).encode("utf-8")) % folds


def token_labels(doc: Doc, spans: tuple[GoldSpan, ...]) -> list[str]:
    """BIO label of every token from the gold character spans (a token belongs where it starts)."""
    labels = ["O"] * len(doc)
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        first = True
        for token in doc.char_span(span.start, span.end, alignment_mode="expand") or ():
            if token.is_space or labels[token.i] != "O":
                continue
            labels[token.i] = ("B-" if first else "I-") + span.role
            first = False
    return labels


def cue_rates(docs: list[Doc], golds: list[PolnearDoc]) -> dict[str, str]:
    """Bucket every lemma by how often it is the head of a gold cue among its occurrences."""
    total: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    seen_texts = set()
    for doc, gold in zip(docs, golds):
        if gold.text not in seen_texts:
            seen_texts.add(gold.text)
            total.update(t.lemma_.lower() for t in doc)
        for span in gold.spans:
            if span.role == "Cue":
                chunk = doc.char_span(span.start, span.end, alignment_mode="expand")
                if chunk is not None and len(chunk):
                    cue[chunk.root.lemma_.lower()] += 1
    rates = {}
    for lemma, count in cue.items():
        rate = count / max(total[lemma], count)
        # Buckets picked on polnear/dev; "lo" keeps rare cues visible without promising much.
        if count >= 3 and rate >= 0.3:
            rates[lemma] = "hi"
        elif count >= 3 and rate >= 0.08:
            rates[lemma] = "mid"
        elif count >= 2:
            rates[lemma] = "lo"
    return rates


def bilou(tags: list[str]) -> list[str]:
    """BIO to BILOU: the last token of a span becomes L-, a one-token span U-."""
    out = list(tags)
    for k, tag in enumerate(tags):
        nxt = tags[k + 1] if k + 1 < len(tags) else "O"
        if tag == "O" or nxt == "I-" + tag[2:]:
            continue
        out[k] = ("U-" if tag.startswith("B-") else "L-") + tag[2:]
    return out


def training_documents(
    nlp: Language, polnear: Path, folds: int = 0, hold_out: int = 0
) -> tuple[list[PolnearDoc], list[Doc]]:
    """PolNeAR train (every annotator's file) and its parses; with ``folds``, without fold ``hold_out``."""
    golds = load_split(polnear, "train", all_annotators=True)
    docs = parse_split(nlp, golds, cache_dir=CACHE)
    if folds:
        # Jackknife: leave one fold of articles out (all annotators of an article fall in one fold), so that
        # a model trained on the rest tags the held-out fold as it would tag unseen text.
        keep = [fold_of(g.name, folds) != hold_out for g in golds]
        golds = [g for g, k in zip(golds, keep) if k]
        docs = [d for d, k in zip(docs, keep) if k]
        LOGGER.info("fold %d of %d held out: training on %d files", hold_out, folds, len(golds))
    return golds, docs


def run_trainer(
    parser: argparse.ArgumentParser, argv: list[str], train: Callable[[argparse.Namespace], None]
) -> int:
    """Add the jackknife options both trainers share, parse ``argv`` and train."""
    parser.add_argument("--folds", type=int, default=0, help="jackknife: number of article folds")
    parser.add_argument("--hold-out", type=int, default=0, help="jackknife: the fold left out of training")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    train(args)
    return 0
