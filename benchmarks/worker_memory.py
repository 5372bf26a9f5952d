"""Resident memory of one analysis worker over batches of Baly articles, as the pipeline's workers run them.

    .venv/bin/python benchmarks/worker_memory.py --count 320 --first 8000              # what parallax ships
    .venv/bin/python benchmarks/worker_memory.py --count 320 --first 8000 --arena on   # ONNX Runtime arena on

Reads ``--count`` articles of ``../shared/data/corpus/baly-10k.jsonl.gz`` from row ``--first`` and analyses
them in batches of 32 with ``parallax.pipeline.analyze_task`` (quote mode "default", one embedding thread),
printing after each batch the articles done, the resident set (VmRSS) and its peak so far (VmHWM) in MiB,
the longest text of the batch and the seconds so far; ``--json OUT`` also writes them with the commit.
``--arena on`` builds every ONNX Runtime session with its CPU memory arena, as parallax did before
3605f67 (the comparison that change rests on); ``--arena transformers`` only for the sentence embedder and
the quote encoder. Compare times only on a quiet machine.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from procmem import memory_mib

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "baly-10k.jsonl.gz"


def _with_arena(which: str) -> None:
    """Make ``parallax.weights.onnx_session`` build sessions with the arena on (all, or the transformers)."""
    import parallax.weights

    shipped = parallax.weights.onnx_session

    def session(path: Path, *, threads: int, arena: bool = False) -> Any:
        on = which == "on" or str(path).endswith(("model.onnx", "encoder.onnx"))
        return shipped(path, threads=threads, arena=on)

    parallax.weights.onnx_session = session


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--first", type=int, default=8000, help="first row of the corpus file")
    parser.add_argument("--arena", choices=("off", "on", "transformers"), default="off")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"{CORPUS}: not found (../shared/data/corpus is needed)", file=sys.stderr)
        return 1
    if args.arena != "off":
        _with_arena(args.arena)
    from parallax.model import Article
    from parallax.pipeline import AnalyzeTask, analyze_task

    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in itertools.islice(lines, args.first, args.first + args.count)]
    articles = [Article(id=r["id"], outlet=r["outlet"], title=r.get("title") or "", text=r["text"], date=r.get("date"))
                for r in rows]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent, check=False).stdout.strip()
    print(f"commit {commit} arena {args.arena} start {memory_mib()}", flush=True)
    steps = []
    started = time.perf_counter()
    for offset in range(0, len(articles), 32):
        batch = articles[offset : offset + 32]
        analyze_task(AnalyzeTask(batch, "default", 1))
        step = {"done": offset + len(batch), **memory_mib(), "longest_chars": max(len(a.text) for a in batch),
                "seconds": round(time.perf_counter() - started, 1)}
        steps.append(step)
        print(step, flush=True)
    if args.json:
        args.json.write_text(json.dumps({"commit": commit, "arena": args.arena, "first": args.first,
                                         "count": args.count, "steps": steps}, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
