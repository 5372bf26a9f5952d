"""Peak memory of ingesting one large plain-text article (issue 22, defect 3).

Usage: python benchmarks/ingest_memory.py [--sizes 1,10,20] [--json OUT]

For each size (in MB) a fresh process writes a text file of that many bytes (English-like words, one
paragraph per ~600 characters), measures its own resident memory after importing parallax, then runs
``ingest_paths`` into a new store and reports its peak RSS (``ru_maxrss``). "Added" is the peak minus the
memory after the imports: what ingesting the text itself cost, as a multiple of the text's size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from provenance import recorded

WORDS = (
    "the council said on Tuesday that a new ferry would run between harbour and island from next spring "
    "officials added residents protested against higher fares while the mayor promised a review of the "
    "budget before elections in May according to documents seen by reporters"
).split()


def write_text(path: Path, size: int) -> None:
    """About ``size`` bytes of words, paragraphs of ~100 words, no two paragraphs alike."""
    rng = random.Random(size)
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < size:
            paragraph = " ".join(rng.choice(WORDS) for _ in range(100)).capitalize() + ".\n"
            handle.write(paragraph)
            written += len(paragraph)


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(size_mb: float) -> dict[str, float]:
    """Run in a child process: ingest one ``size_mb`` MB text and report memory figures."""
    import parallax.ingest.dedup  # noqa: F401 - imported before the baseline: numpy, datasketch
    from parallax.pipeline import ingest_paths
    from parallax.store import Database

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        size = int(size_mb * 1_000_000)
        write_text(path, size)
        baseline = _rss_kb()
        with Database(Path(tmp) / "bench.db") as db:
            report = ingest_paths(db, [path], max_bytes=size + 1_000_000)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    added_mb = (peak - baseline) / 1024
    return {
        "text_mb": size_mb,
        "articles": report.added,
        "baseline_rss_mb": round(baseline / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "added_mb": round(added_mb, 1),
        "added_per_text_byte": round(added_mb / (size / 1_048_576), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,20", help="text sizes in MB, comma-separated")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure(args.child)))
        return 0
    rows = []
    for size in (float(s) for s in args.sizes.split(",")):
        # One process per size: ru_maxrss is a high-water mark that never comes down.
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], check=True,
                             capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['text_mb']:5.0f} MB text: peak RSS {row['peak_rss_mb']:7.1f} MB"
              f" (after imports {row['baseline_rss_mb']:.1f} MB; ingest added {row['added_mb']:.1f} MB"
              f" = {row['added_per_text_byte']:.1f}x the text)")
    if args.json:
        args.json.write_text(json.dumps(recorded(rows), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
