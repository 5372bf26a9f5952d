"""Throughput of ingest and analyze on the 10k real-article corpus (../shared/data/corpus/baly-10k.jsonl.gz).

Usage: python benchmarks/ingest_analyze.py [--corpus FILE] [--analyze-limit N] [--processes P] [--json OUT]

Ingest runs over the whole corpus into a fresh store. Analysis is timed per stage (spaCy parse + quotes
and sources; embedding + clustering; comparison of the stories formed) on the first N articles of the
store (default 1000), since a full analysis of 10k articles takes tens of minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from parallax import api
from parallax.pipeline import ingest_articles, ingest_paths
from parallax.settings import Settings
from parallax.store import Database

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "baly-10k.jsonl.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--analyze-limit", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    figures: dict[str, object] = {"corpus": str(args.corpus)}
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.db")
        start = time.perf_counter()
        report = ingest_paths(db, [args.corpus])
        elapsed = time.perf_counter() - start
        figures["ingest"] = {"articles": report.added, "seconds": round(elapsed, 2),
                             "articles_per_s": round(report.added / elapsed, 1), "errors": len(report.errors)}
        print(f"ingest : {report.added} articles in {elapsed:.1f} s = {report.added / elapsed:.1f} articles/s")
        # The analysis stages run on a fixed sample: the first N stored articles, in a store of their own.
        sample = Database(Path(tmp) / "sample.db")
        ingest_articles(sample, islice(db.articles(), args.analyze_limit))
        db.close()
        db = sample
        words = sum(len(a.text.split()) for a in db.articles())
        seen: dict[str, list[float]] = {}  # stage -> [first progress call, last, items done]

        def clock(stage: str, done: int, total: int | None) -> None:
            now = time.perf_counter()
            seen.setdefault(stage, [now, now, 0])[1:] = [now, done]

        api.analyze(db, Settings(), n_process=args.processes, on_progress=clock)
        for stage in ("analyze", "cluster", "compare"):
            first, last, count = seen.get(stage, [0.0, 0.0, 0])
            elapsed = last - first
            rate = args.analyze_limit / elapsed if elapsed else float("inf")
            figures[stage] = {"items": count, "seconds": round(elapsed, 2), "articles_per_s": round(rate, 2)}
            print(f"{stage:7}: {count} items in {elapsed:.1f} s = {rate:.2f} articles/s (of {args.analyze_limit})")
        figures["analyze_words"] = words
        figures["stories"] = db.count("stories")
        db.close()
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"peak RSS {figures['peak_rss_mib']} MiB; {words} words analysed; {figures['stories']} stories")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
