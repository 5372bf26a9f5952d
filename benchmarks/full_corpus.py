"""All 37,554 Baly articles end to end: ingest → analyze → group → compare, resumable, progress in a log.

    nohup .venv/bin/python benchmarks/full_corpus.py --store /var/tmp/baly-full.db \\
        --log /var/tmp/baly-full.log --json benchmarks/results/full_corpus.json &
    tail -f /var/tmp/baly-full.log
    # afterwards, the web on that store:
    .venv/bin/python benchmarks/web_latency.py --db /var/tmp/baly-full.db

It takes hours on two cores. Every stage commits as it goes, so a run that is stopped (Ctrl-C, kill, a
session's end) is continued by the same command: ingest skips what is stored, analysis takes the articles
without an analysis, grouping the articles without a story, comparison the stories still marked changed.
Each run appends a session to the results JSON (stage, items done in that session, wall seconds,
articles/s, peak RSS of this process and of its children, store size), and the totals say how many
sessions the figures span. The session in progress is written there every minute too (``"ended":
false``), so a run killed outright still leaves what it had done; SIGTERM and Ctrl-C record it as
``"ended": "interrupted"``. ``--engine dask [--workers N | --scheduler ADDR]`` runs the analysis and
comparison tasks on dask workers instead of ``--processes`` local processes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from provenance import recorded

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus"
FILES = ("baly-10k.jsonl.gz", "baly-rest.jsonl.gz")


class _Progress:
    """on_progress for the pipeline: a line in the log every ``every`` items (and at each stage's end), and
    ``on_minute`` (the session snapshot) at most once a minute."""

    def __init__(self, log: logging.Logger, every: int = 200, on_minute: Any = None) -> None:
        self.log, self.every, self.on_minute = log, every, on_minute
        self.stages: dict[str, dict[str, float]] = {}
        self.snapshot_at = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        entry = self.stages.setdefault(stage, {"first": now, "last": now, "done": 0, "logged": -1})
        entry["last"], entry["done"] = now, done
        if done - entry["logged"] >= self.every or done == total:
            entry["logged"] = done
            rate = done / (now - entry["first"]) if now > entry["first"] else 0.0
            self.log.info("%s %s/%s (%.2f/s)", stage, f"{done:,}", f"{total:,}" if total else "?", rate)
        if self.on_minute is not None and now - self.snapshot_at >= 60:
            self.snapshot_at = now
            self.on_minute()

    def stage_figures(self) -> dict[str, dict[str, Any]]:
        figures = {}
        for stage, entry in self.stages.items():
            seconds = entry["last"] - entry["first"]
            figures[stage] = {"done": int(entry["done"]), "seconds": round(seconds, 1),
                              "per_s": round(entry["done"] / seconds, 2) if seconds else None}
        return figures


_PEAK_LIVE: dict[int, float] = {}  # pid -> the highest VmHWM seen of each worker process still running


def _live_children_hwm() -> dict[int, float]:
    """Peak resident MiB (VmHWM) of every descendant process now running (Linux /proc; {} elsewhere)."""
    out: dict[int, float] = {}
    todo = [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            kids = [int(k) for t in Path(f"/proc/{pid}/task").iterdir()
                    for k in (t / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            todo.append(kid)
            try:
                line = next(x for x in Path(f"/proc/{kid}/status").read_text().splitlines() if x.startswith("VmHWM:"))
                out[kid] = int(line.split()[1]) / 1024
            except (OSError, StopIteration, ValueError):
                pass
    return out


def _rss_mib() -> dict[str, float]:
    """Peak RSS of this process, and of the largest worker: those that ended (getrusage) and those still
    running (their VmHWM, sampled at every snapshot)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ended = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for pid, peak in _live_children_hwm().items():
        _PEAK_LIVE[pid] = max(peak, _PEAK_LIVE.get(pid, 0.0))
    live = sorted(_PEAK_LIVE.values(), reverse=True)
    return {"self": round(own, 1), "largest_child": round(max([ended, *live]), 1),
            "children_sum": round(sum(live), 1)}


def _store_mib(store: Path) -> float:
    """The store's size with its write-ahead log."""
    files = [store, store.with_name(store.name + "-wal")]
    return round(sum(f.stat().st_size for f in files if f.exists()) / 2**20, 1)


def run(args: argparse.Namespace, log: logging.Logger, session: dict[str, Any], save: Any) -> None:
    """One session: every stage continued from where the store stands; ``session`` is filled in as it goes
    and ``save()`` writes it."""
    from parallax.pipeline import analyze_store, ingest_paths
    from parallax.settings import Settings
    from parallax.store import Database

    db = Database(args.store)
    started = time.perf_counter()

    def snapshot() -> None:
        session.update(progress.stage_figures())
        session["wall_s"] = round(time.perf_counter() - started, 1)
        session["peak_rss_mib"] = _rss_mib()
        session["store_mib"] = _store_mib(args.store)
        save()

    progress = _Progress(log, on_minute=snapshot)
    session["snapshot"] = snapshot
    report = ingest_paths(db, [args.corpus / name for name in args.files], on_progress=progress)
    session["ingest_report"] = {"added": report.added, "already_stored": report.existing + report.duplicates,
                         "errors": len(report.errors), "seconds": round(time.perf_counter() - started, 1)}
    log.info("ingest: %s", session["ingest_report"])
    settings = Settings(db_path=args.store)
    if args.engine == "dask":
        from parallax.engine import make_engine

        with make_engine("dask", workers=args.workers, scheduler=args.scheduler,
                         embed_threads=settings.embed_threads) as engine:
            result = analyze_store(db, settings=settings, on_progress=progress, engine=engine)
    else:
        result = analyze_store(db, settings=settings, n_process=args.processes, on_progress=progress)
    session.update(progress.stage_figures())
    session["analysis_report"] = {"analyzed": result.analyzed, "clustered": result.clustered,
                                  "compared": result.compared, "stories": result.stories}
    session["wall_s"] = round(time.perf_counter() - started, 1)
    session["peak_rss_mib"] = _rss_mib()
    session["articles_in_store"] = db.count("articles")
    session["complete"] = not db.pending_analysis() and not db.unclustered() and not db.dirty_stories()
    db.close()
    session["store_mib"] = _store_mib(args.store)
    session["ended"] = "complete" if session["complete"] else "finished"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder holding the two Baly files")
    parser.add_argument("--store", type=Path, required=True, help="the store to build or continue")
    parser.add_argument("--log", type=Path, required=True, help="progress lines go here")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/full_corpus.json"))
    parser.add_argument("--files", nargs="+", default=list(FILES),
                        help="which corpus files (default both; baly-10k.jsonl.gz alone builds the 10k store)")
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--processes", type=int, default=2, help="local engine: worker processes")
    parser.add_argument("--workers", type=int, help="dask: local worker processes (default one per core)")
    parser.add_argument("--scheduler", help="dask: a running scheduler's address")
    args = parser.parse_args(argv)
    missing = [name for name in args.files if not (args.corpus / name).exists()]
    if missing:
        print(f"corpus files not found under {args.corpus}: {', '.join(missing)}", file=sys.stderr)
        return 2
    logging.basicConfig(filename=args.log, level=logging.INFO, format="%(asctime)s %(message)s")
    log = logging.getLogger("full_corpus")
    logging.getLogger("parallax").setLevel(logging.WARNING)
    previous: dict[str, Any] = json.loads(args.json.read_text()) if args.json.exists() else {}
    sessions = list(previous.get("sessions", []))
    session: dict[str, Any] = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "engine": args.engine, "processes": args.processes, "ended": False}
    info = recorded({})

    def save() -> None:
        shown = {key: value for key, value in session.items() if key != "snapshot"}
        done = [*sessions, {**info, **shown}]
        result = {"store": str(args.store), "sessions": done, "n_sessions": len(done),
                  "complete": bool(shown.get("complete")),
                  "total_wall_s": round(sum(s.get("wall_s", 0.0) for s in done), 1)}
        partial = args.json.with_suffix(".json.part")
        partial.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, args.json)

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        run(args, log, session, save)
    except KeyboardInterrupt:
        if "snapshot" in session:
            session["ended"] = "interrupted"
            session["snapshot"]()
        log.info("interrupted; run the same command to continue")
        return 130
    save()
    log.info("session done: %s", json.dumps({k: v for k, v in session.items() if k != "snapshot"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
