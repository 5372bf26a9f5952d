"""Story page and its JSON twin, rendered in one process: what each first render costs the server.

benchmarks/web_latency.py measures over loopback with several server processes and the load generator on
the same cores, so on a shared machine its p95 mostly measures the queue. This one asks the web app
(``create_app``, through Starlette's in-process test client, one request at a time) for the story page
and the ``?view=page`` JSON of the largest stories, each once (a first render: nothing cached), and
prints p50/p95/max per format with the commit it ran on.

    .venv/bin/python benchmarks/story_page_cpu.py --db /tmp/baly-1500.db --stories 200 --rounds 3

The store is opened as the web app opens it (migrated if it is behind), so measure a copy. To compare
commits, run this file with ``PYTHONPATH`` naming each commit's ``src`` (a ``git worktree`` of it).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _commit() -> str:
    """The commit of the parallax imported (its checkout's HEAD), with "+" when that checkout has changes."""
    import parallax

    where = Path(parallax.__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(where), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def one_round(db_path: Path, stories: int) -> dict[str, list[float]]:
    """Milliseconds of each first render, per format, in a fresh app (empty page caches)."""
    with warnings.catch_warnings():  # Starlette's notice that its test client will move to httpx2
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from parallax.store import Database
    from parallax.web.app import create_app

    with Database(db_path, readonly=True) as db:
        ranked = db.largest_compared_stories(stories + 5)
    top, warm = ranked[:stories], ranked[stories:] or ranked[:1]
    formats = {"story page": ("/stories/{}", {"Accept": "text/html"}),
               "story page json": ("/stories/{}.json?view=page", {"Accept": "application/json"})}
    out: dict[str, list[float]] = {name: [] for name in formats}
    with TestClient(create_app(db_path), base_url="http://127.0.0.1") as client:
        for name, (path, headers) in formats.items():
            for story_id in warm:  # imports, templates, pooled connections
                client.get(path.format(story_id), headers=headers)
            for story_id in top:
                started = time.perf_counter()
                response = client.get(path.format(story_id), headers=headers)
                out[name].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path.format(story_id)} answered {response.status_code}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a compared store (benchmarks/web_latency.py builds one)")
    ap.add_argument("--stories", type=int, default=200, help="the largest N compared stories, each asked for once")
    ap.add_argument("--rounds", type=int, default=3, help="fresh apps, one after the other")
    args = ap.parse_args(argv)
    if not args.db.exists():
        ap.error(f"{args.db} does not exist; build a store with benchmarks/web_latency.py --db {args.db}")
    print(f"commit {_commit()}; store {args.db}; {args.stories} stories, {args.rounds} round(s)")
    print(f"{'endpoint':<18} {'round':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for n in range(1, args.rounds + 1):
        for name, ms in one_round(args.db, args.stories).items():
            print(f"{name:<18} {n:>5} {_pct(ms, 50):8.2f} {_pct(ms, 95):8.2f} {max(ms):8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
