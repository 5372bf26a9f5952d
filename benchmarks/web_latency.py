"""Web latency: p50/p95 of the stories list, a story page and searches, from a load generator on loopback.

Builds (or reuses, with ``--db``) a store from ../shared/data/corpus/baly-10k.jsonl.gz, starts
``parallax serve`` in a subprocess on a free loopback port, fires a bounded number of requests per
endpoint over a few concurrent keep-alive connections (http.client), prints a table and stops the server.

    .venv/bin/python benchmarks/web_latency.py --limit 2000 --db /tmp/baly-2k.db
    .venv/bin/python benchmarks/web_latency.py --db /tmp/baly-10k.db          # whole corpus (slow to build)

Building runs the real pipeline (ingest + analyze + cluster + compare). ``--stand-in`` (or a pipeline that
cannot run) builds stories without the analysis models instead: articles in groups of three by date, with
naive sentences and regex quotes, so page sizes are realistic but comparisons are empty. The output says
which was used.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "corpus" / "baly-10k.jsonl.gz"
SEARCH_WORDS = ["president", "police", "election", "trump", "health", "court", "war", "tax", "school", "climate"]


def _rows(corpus: Path, limit: int | None) -> list[dict[str, object]]:
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in islice(fh, limit)]


def build_real(db_path: Path, rows: list[dict[str, object]]) -> str:
    from parallax import api
    from parallax.ingest.jsonl import row_article
    from parallax.pipeline import ingest_articles
    from parallax.settings import Settings
    from parallax.store import Database

    with Database(db_path) as db:
        ingest_articles(db, (row_article(r, source=f"baly[{i}]") for i, r in enumerate(rows)))
        api.analyze(db, Settings(db_path=db_path), **_layout())
    return "real pipeline"


def _layout() -> dict[str, object]:
    """``layout=`` for commits that cut story-page pieces as each comparison was saved (before rows)."""
    try:
        from parallax.web.pages import layout  # type: ignore[attr-defined]
    except ImportError:
        return {}
    return {"layout": layout}


def build_stand_in(db_path: Path, rows: list[dict[str, object]]) -> str:
    """Stories without the analysis models: groups of three same-day articles, naive sentences and quotes."""
    from parallax.ingest.jsonl import row_article
    from parallax.model import AnalyzedArticle, Article, Comparison, Quote, Sentence, Span
    from parallax.pipeline import ingest_articles
    from parallax.store import Database

    with Database(db_path) as db:
        ingest_articles(db, (row_article(r, source=f"baly[{i}]") for i, r in enumerate(rows)))
        articles = sorted(db.articles(), key=lambda a: (a.date or "", a.id))
        analyzed: list[AnalyzedArticle] = []
        for a in articles:
            sents = tuple(Sentence(a.id, i, m.start(), m.end(), m.group())
                          for i, m in enumerate(re.finditer(r"[^.!?]+[.!?]", a.text)))
            quotes = tuple(Quote(a.id, "direct", Span(m.start(1), m.end(1), m.group(1)))
                           for m in re.finditer(r"[\"“]([^\"”]{10,300})[\"”]", a.text))
            analyzed.append(AnalyzedArticle(a, sents, (), quotes, ()))
        db.save_analyses(analyzed)
        groups = [analyzed[i:i + 3] for i in range(0, len(analyzed), 3)]
        db.assign_stories([(x.article.id, f"s{n:05d}") for n, g in enumerate(groups) for x in g])
        for n, g in enumerate(groups):
            story = db.story(f"s{n:05d}")
            members: tuple[Article, ...] = tuple(x.article for x in g)
            db.save_comparison(Comparison(story=story, articles=members,
                                          sentences=tuple(s for x in g for s in x.sentences),
                                          quotes=tuple(q for x in g for q in x.quotes)))
    return "stand-in stories (no analysis models)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: object, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    code = (f"from parallax.settings import Settings; from parallax.web.server import serve; "
            f"serve(Settings.from_json({settings.to_json()!r}), host='127.0.0.1', port={port},"  # type: ignore[attr-defined]
            f" workers={workers})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start within 60 s")


def measure(base: str, paths: Callable[[int], str], *, n: int, concurrency: int) -> list[float]:
    """Latencies in ms of ``n`` GETs spread over ``concurrency`` keep-alive connections, each response
    read in full. The client is the standard library's ``http.client`` (its parsing runs mostly in C):
    the load generator shares the machine's cores with the server, and a heavier client would be
    measured as server latency. Bodies are read as sent (``Accept-Encoding: gzip``), not decompressed."""
    host, port = urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                conn.request("GET", paths(i), headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status != 200:
                    raise RuntimeError(f"GET {paths(i)} answered {response.status}")
                with lock:
                    latencies.append(elapsed)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--db", type=Path, help="store to reuse (built here first if it does not exist)")
    ap.add_argument("--limit", type=int, help="take only the first N articles of the corpus when building")
    ap.add_argument("--stand-in", action="store_true", help="build stand-in stories without the analysis models")
    ap.add_argument("--requests", type=int, default=300, help="requests per endpoint")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--workers", type=int, help="server processes (default: as `parallax serve`, one per CPU)")
    args = ap.parse_args(argv)

    db_path = args.db or Path(tempfile.mkdtemp(prefix="parallax-bench-")) / "parallax.db"
    how = "reused"
    if not db_path.exists():
        rows = _rows(args.corpus, args.limit)
        t0 = time.perf_counter()
        if args.stand_in:
            how = build_stand_in(db_path, rows)
        else:
            try:
                how = build_real(db_path, rows)
            except Exception as exc:  # noqa: BLE001 - any pipeline failure falls back, and says so
                print(f"real pipeline failed ({exc!r}); building stand-in stories", file=sys.stderr)
                db_path.unlink(missing_ok=True)
                how = build_stand_in(db_path, rows)
        print(f"built {db_path} with {how} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    from parallax.settings import Settings
    from parallax.store import Database
    from parallax.web.server import prepare_store

    settings = Settings(db_path=db_path)
    t0 = time.perf_counter()
    prepare_store(settings)  # as `parallax serve` does: migrate, pack comparisons, cut page pieces
    print(f"store up to date ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    with Database(db_path, readonly=True) as db:
        sizes = {t: db.count(t) for t in ("articles", "stories", "quotes")}
        ranked = db.largest_compared_stories(args.requests + 20)
        people = [e.key for offset in range(0, args.requests + 20, 200)
                  for e in db.list_entities(limit=200, offset=offset)][: args.requests + 20]
    # Story and entity pages: the largest stories and most-mentioned entities, each requested once, so
    # every measured page is a first (uncached) render; the warm-ups use the next 20, not these.
    top, warm = ranked[: args.requests], ranked[args.requests :] or ranked
    who, who_warm = people[: args.requests], people[args.requests :] or people
    from parallax.web.server import default_workers

    workers = args.workers or default_workers()
    proc, base = start_server(settings, workers)
    rng = random.Random(7)
    endpoints: dict[str, Callable[[int], str]] = {
        "stories list": lambda i: "/stories" if i % 2 else f"/stories?offset={rng.randrange(0, 200)}",
        "story page": lambda i: f"/stories/{top[i % len(top)]}",
        "story page json": lambda i: f"/stories/{top[i % len(top)]}.json?view=page",
        "story search": lambda i: f"/stories?q={SEARCH_WORDS[i % len(SEARCH_WORDS)]}",
        "quote search": lambda i: f"/quotes?q={SEARCH_WORDS[i % len(SEARCH_WORDS)]}",
        "whole comparison json": lambda i: f"/stories/{top[i % 50]}.json",
        "entity page": lambda i: f"/entities/{who[i % len(who)]}",
    }
    warmups: dict[str, Callable[[int], str]] = {
        "story page": lambda i: f"/stories/{warm[i % len(warm)]}",
        "story page json": lambda i: f"/stories/{warm[i % len(warm)]}.json?view=page",
        "entity page": lambda i: f"/entities/{who_warm[i % len(who_warm)]}",
    }
    digest = hashlib.sha256(str(sizes).encode()).hexdigest()[:8]
    print(f"store: {db_path} ({how}); {sizes} [{digest}]")
    print(f"{args.requests} requests per endpoint, {args.concurrency} concurrent keep-alive clients, loopback;"
          f" {workers} server process(es)")
    print(f"{'endpoint':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    if not who:  # a store without entities (stand-in stories): no entity pages to ask for
        del endpoints["entity page"]
    try:
        for name, paths in endpoints.items():
            measure(base, warmups.get(name, paths), n=20, concurrency=1)  # warm the connection pool
            lat = measure(base, paths, n=args.requests, concurrency=args.concurrency)
            print(f"{name:<22} {_pct(lat, 50):8.1f} {_pct(lat, 95):8.1f} {max(lat):8.1f}", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
