"""The analysis stage under each engine: local (one process), dask with 1 worker, dask with 2 workers.

    .venv/bin/python benchmarks/engine_scaling.py [--articles 120] [--rounds 1] [--json benchmarks/results/engine_scaling.json]

The first ``--articles`` rows of ``corpus/baly-10k.jsonl.gz`` are ingested into a fresh store per run and
analysed (parse, quotes, sources, labels, embeddings; no grouping or comparing), timed from the stage's
first progress call to its last. Models are loaded before the clock starts in every configuration (the
local process loads them itself; dask workers through their WarmModels plugin when the cluster starts).
``--rounds`` repeats the three configurations in turn, so that a change of machine load hits each alike;
the fastest round of each counts. Targets (issue 24): dask 2 workers / dask 1 worker >= 1.7x;
dask 1 worker at most 10 % slower than local.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from baly import CORPUS, first_lines
from provenance import recorded

CONFIGS = (("local", 1), ("dask", 1), ("dask", 2))


def analysis_seconds(source: Path, engine_name: str, workers: int) -> float:
    """Seconds of the analysis stage over ``source`` in a fresh store."""
    from parallax.pipeline import analyze_store, ingest_paths
    from parallax.settings import Settings
    from parallax.store import Database

    seen: list[float] = []

    def clock(stage: str, done: int, total: int | None) -> None:
        if stage == "analyze":
            seen.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.db")
        ingest_paths(db, [source])
        settings = Settings(db_path=Path(tmp) / "bench.db")
        if engine_name == "local":
            from parallax.analyze.nlp import load_nlp
            from parallax.stories.embed import get_embedder

            load_nlp()
            get_embedder(settings.embed_threads)
            analyze_store(db, settings=settings, compare=False, on_progress=clock)
        else:
            from parallax.engine import make_engine

            with make_engine("dask", workers=workers, embed_threads=settings.embed_threads) as engine:
                analyze_store(db, settings=settings, compare=False, on_progress=clock, engine=engine)
        db.close()
    return seen[-1] - seen[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}; it is part of ../shared/data", file=sys.stderr)
        return 2
    best: dict[str, float] = {}
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "sample.jsonl"
        source.write_text("".join(first_lines(args.corpus, args.articles)), encoding="utf-8")
        for _ in range(args.rounds):
            this: dict[str, float] = {}
            for name, workers in CONFIGS:
                key = f"{name}-{workers}"
                this[key] = round(analysis_seconds(source, name, workers), 2)
                best[key] = min(best.get(key, float("inf")), this[key])
                print(f"{key:8}: analysis of {args.articles} articles {this[key]:.1f} s", flush=True)
            rounds.append(this)
    result = {
        "articles": args.articles, "rounds": rounds, "best_s": best,
        "dask2_over_dask1": round(best["dask-1"] / best["dask-2"], 3),
        "dask1_overhead_vs_local": round(best["dask-1"] / best["local-1"] - 1, 3),
    }
    print(f"speed-up of 2 dask workers over 1: {result['dask2_over_dask1']}x (target >= 1.7); dask 1 worker vs"
          f" local: {result['dask1_overhead_vs_local']:+.1%} (target <= +10 %)")
    if args.json:
        args.json.write_text(json.dumps(recorded(result), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
