"""Memory of the process that drives the comparison stage (``parallax analyze`` with worker processes).

    .venv/bin/python benchmarks/compare_stage_memory.py STORE.db --stories 400 [--processes 2] [--json OUT]

Copies STORE (an analysed, grouped and compared store, e.g. the one ``benchmarks/full_corpus.py``
builds) to a temporary file, marks its first ``--stories`` multi-outlet stories (web order) as changed, and
runs ``analyze_store`` on the copy with ``--processes`` workers, as ``parallax analyze`` does: nothing is
left to analyse or group, so that is the comparison stage alone. It
prints the main process's resident memory (VmRSS) every 50 stories and, at the end, its peak (VmHWM),
the wall time and stories/s. The workers' memory is not counted: this measures what the driving process
keeps while it saves what the workers send back. The store given is never written.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from procmem import memory_mib
from provenance import recorded


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from parallax.pipeline import analyze_store
    from parallax.store import open_existing

    with tempfile.TemporaryDirectory(prefix="parallax-stage-memory-") as folder:
        copy = Path(folder) / "store.db"
        shutil.copyfile(args.store, copy)
        db = open_existing(copy)
        multi = [row.id for row in db.list_stories(limit=None).stories if row.n_outlets >= 2][: args.stories]
        db.mark_changed(multi)
        samples: list[dict[str, float]] = []
        start = time.perf_counter()
        before = memory_mib()

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage == "compare" and (done % 50 == 0 or done == total):
                memory = memory_mib()
                samples.append({"stories": done, "rss_mib": memory["VmRSS"],
                                "seconds": round(time.perf_counter() - start, 1)})
                print(f"{done}/{total} stories  VmRSS {memory['VmRSS']} MiB  {time.perf_counter() - start:.0f} s",
                      flush=True)

        compared = analyze_store(db, n_process=args.processes, on_progress=progress).compared
        seconds = time.perf_counter() - start
        after = memory_mib()
        db.close()
    result = recorded({
        "store": str(args.store), "stories": compared, "processes": args.processes,
        "seconds": round(seconds, 1), "stories_per_s": round(compared / seconds, 2) if seconds else None,
        "main_rss_before_mib": before["VmRSS"], "main_rss_after_mib": after["VmRSS"],
        "main_peak_mib": after["VmHWM"], "samples": samples,
    })
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
