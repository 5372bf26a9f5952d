"""Train the CRF attribution tagger (the earlier model; the shipped one is scripts/train_quote_net.py).

Data provenance: PolNeAR v1.0.0 (Newell, Margolin & Ruths, LREC 2018), github.com/networkdynamics/PolNeAR
at c3eee83, as copied to ../shared/data/polnear (see its FORMAT.md). Only ``train`` is learned from (all
annotators' files); ``dev`` is used to pick hyper-parameters. The corpus text is never copied into the
repository; the shipped files hold feature weights and lemma buckets only.

Usage: .venv/bin/python scripts/train_quotes.py --polnear ../shared/data/polnear [--out DIR]

``parallax.analyze.quote_model.load_tagger(DIR)`` loads the result; a folder that also holds the neural
tagger's files uses those instead. This module also holds the label and fold helpers both trainers share.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pycrfsuite
from spacy.language import Language
from spacy.tokens import Doc

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quote_features import FEATURE_VERSION, TokenArrays, paragraph_features, paragraphs
from parallax.analyze.quote_model import CUE_RATES_FILE, MODEL_FILE
from parallax.eval.polnear import GoldSpan, PolnearDoc, article_of, load_split, parse_split

LOGGER = logging.getLogger("train_quotes")
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


def sequences(  # type: ignore[no-untyped-def]
    docs: list[Doc], golds: list[PolnearDoc], rates: dict[str, str], version: int, scheme: str
):
    for doc, gold in zip(docs, golds):
        labels = token_labels(doc, gold.spans)
        arrays = TokenArrays.of(doc)
        for paragraph in paragraphs(doc, arrays):
            feats = paragraph_features(doc, paragraph, rates, arrays=arrays, version=version)
            tags = [labels[i] for i in paragraph.tokens]
            yield feats, bilou(tags) if scheme == "bilou" else tags


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


def train(args: argparse.Namespace) -> None:
    golds, docs = training_documents(load_nlp(), args.polnear, args.folds, args.hold_out)
    rates = cue_rates(docs, golds)
    LOGGER.info("%d cue lemmas (%d hi)", len(rates), sum(v == "hi" for v in rates.values()))
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for xseq, yseq in sequences(docs, golds, rates, args.features, args.scheme):
        trainer.append(xseq, yseq)
    trainer.set_params(
        {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations, "feature.minfreq": args.minfreq}
    )
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    trainer.train(str(args.out / MODEL_FILE))
    LOGGER.info("trained in %.0f s", time.perf_counter() - started)
    (args.out / CUE_RATES_FILE).write_text(json.dumps(rates, sort_keys=True, indent=0), encoding="utf-8")
    meta = {
        "data": "PolNeAR v1.0.0 train (all annotators), github.com/networkdynamics/PolNeAR c3eee83",
        "algorithm": "CRFsuite lbfgs",
        "c1": args.c1,
        "c2": args.c2,
        "iterations": args.iterations,
        "feature.minfreq": args.minfreq,
        "documents": len(golds),
        "feature_version": args.features,
        "labels": args.scheme,
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp/parallax-crf"))
    parser.add_argument("--c1", type=float, default=0.05)
    parser.add_argument("--c2", type=float, default=0.01)
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--minfreq", type=float, default=2)
    parser.add_argument("--features", type=int, default=FEATURE_VERSION, help="feature set version")
    parser.add_argument("--scheme", choices=("bio", "bilou"), default="bilou")
    return run_trainer(parser, argv, train)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
