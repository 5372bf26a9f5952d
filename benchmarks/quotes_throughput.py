"""Throughput of the quote stage (extraction, attribution, relays, sources) against the bare spaCy parse.

Usage: .venv/bin/python benchmarks/quotes_throughput.py [--corpus FILE] [--sample 500] [--json OUT]
    [--quote-mode MODE] [--repeat N]

Parses a sample of ../shared/data/corpus/baly-10k.jsonl.gz (timed: the bare parse), then runs the quote
stage on the parsed Docs (timed separately), one process each, and prints articles/s for both and the
quote stage's cost as a share of the parse (and, with the attribution encoder, the share of tokens it
re-read). With ``--repeat N`` the parse and the stage alternate N times and the fastest round of each
counts (every round's time is in the JSON).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quotes.bounds import load_bounds
from parallax.analyze.quotes.tagger import load_tagger
from parallax.analyze.quotes import extract_quotes
from parallax.analyze.quotes.sources import sources_relied_on
from parallax.quote_mode import QUOTE_MODES, flag_mode, quote_mode, using_quote_mode
from provenance import recorded

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "baly-10k.jsonl.gz"


def sample_texts(path: Path, n: int) -> list[str]:
    """The first ``n`` article texts of the corpus (deterministic, no shuffling)."""
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for line in rows:
            texts.append(json.loads(line)["text"])
            if len(texts) >= n:
                break
    return texts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of parse and stage; the fastest of each counts")
    parser.add_argument("--quote-mode", choices=QUOTE_MODES, help="as parallax --quote-mode")
    parser.add_argument("--accurate-quotes", action="store_true", help="the same as --quote-mode accurate")
    args = parser.parse_args(argv)
    mode = flag_mode(args.quote_mode, args.accurate_quotes) or quote_mode()
    with using_quote_mode(mode):
        return run(args, mode)


def run(args: argparse.Namespace, mode: str) -> int:
    texts = sample_texts(args.corpus, args.sample)
    nlp = load_nlp()
    tagger = load_tagger()
    load_bounds()
    if tagger.net is not None:
        tagger.net.encoder  # noqa: B018 - loads the attribution encoder (when the mode runs it) before the clock starts
    nlp("warm up")
    # Parse and stage alternate, and each keeps its fastest round: this machine's speed drifts by
    # 10-20 % over minutes, and a slow spell during one phase alone would skew the share.
    parse_runs: list[tuple[float, float]] = []
    stage_runs: list[tuple[float, float]] = []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        docs = list(nlp.pipe(texts, batch_size=32))
        parse_runs.append((time.perf_counter() - started, time.process_time() - cpu))
        started, cpu = time.perf_counter(), time.process_time()
        quotes = 0
        for number, doc in enumerate(docs):
            found = extract_quotes(doc, str(number))
            sources_relied_on(doc, found, str(number))
            quotes += len(found)
        stage_runs.append((time.perf_counter() - started, time.process_time() - cpu))
    parse_s, parse_cpu = min(parse_runs)
    quote_s, quote_cpu = min(stage_runs)
    words = sum(len(doc) for doc in docs)
    result = {
        "quote_mode": mode,
        "articles": len(docs),
        "tokens": words,
        "parse_seconds": round(parse_s, 2),
        "parse_articles_per_s": round(len(docs) / parse_s, 1),
        "quote_stage_seconds": round(quote_s, 2),
        "quote_stage_articles_per_s": round(len(docs) / quote_s, 1),
        "quote_stage_share_of_parse_pct": round(100 * quote_s / parse_s, 1),
        # CPU seconds of this process: steadier than wall time on a machine shared with other jobs.
        "parse_cpu_seconds": round(parse_cpu, 2),
        "quote_stage_cpu_seconds": round(quote_cpu, 2),
        "quote_stage_share_of_parse_cpu_pct": round(100 * quote_cpu / parse_cpu, 1),
        "quotes_found": quotes,
        "rounds": args.repeat,
        "parse_seconds_each_round": [round(w, 2) for w, _ in parse_runs],
        "quote_stage_seconds_each_round": [round(w, 2) for w, _ in stage_runs],
    }
    encoder = tagger.net.encoder if tagger.net is not None else None
    if encoder is not None:
        # The share of paragraph tokens the tagger was unsure enough of to have the encoder re-read.
        result["encoder_reread_tokens_pct"] = round(100 * encoder.counts["reread"] / max(encoder.counts["tokens"], 1), 1)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if args.json:
        args.json.write_text(json.dumps(recorded(result), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
