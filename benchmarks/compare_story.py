"""Time to compare one three-outlet story: the 12 BASIL stories of the comparison gold (dev).

    .venv/bin/python benchmarks/compare_story.py [--repeat 3] [--json benchmarks/results/compare_story.json]

The articles are analysed once (not timed; with their embeddings, as the pipeline's analysis makes
them, where the code stores them); then each story is compared ``--repeat`` times as a stored story
is (entities resolved, then ``compare_story`` with the packaged sentence encoder, loaded before the clock
starts) and the fastest round of each story counts. Prints the median and total over the stories.
``--large N`` times instead one large, loosely related story: the first N articles of
``corpus/baly-10k.jsonl.gz`` whose opening (first 400 characters) names Trump, each cut to 8,000
characters (60 give about 2,500 sentences from 27 outlets), compared once, with the process's RSS before
the comparison and its peak during it (VmHWM, reset just before; and with ``--trace-memory`` the peak the comparison allocated, by tracemalloc, which counts numpy's
arrays but slows Python's allocations: its time is not the one to report).
``--cache FILE`` keeps the analysed articles of ``--large`` (pickled) so that two commits compare the
same analyses without analysing twice; a cache of more articles serves a smaller N (its first N).
To compare two commits, run it from a worktree of each with ``PYTHONPATH=<worktree>/src``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from provenance import recorded

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "comparison" / "gold-dev.jsonl")
    parser.add_argument("--articles", type=Path, default=SHARED / "stories" / "basil-dev.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--large", type=int, metavar="N", help="time one story of N baly-10k articles instead")
    parser.add_argument("--cache", type=Path, help="with --large: pickle of the analysed articles (made if absent)")
    parser.add_argument("--trace-memory", action="store_true", help="with --large: tracemalloc's peak too")
    args = parser.parse_args(argv)
    if args.large:
        return _large(args.large, args.cache, args.json, trace=args.trace_memory)

    from parallax.analyze import analyze_articles
    from parallax.compare import compare_story
    from parallax.model import Article, Story
    from parallax.stories.embed import get_embedder
    from parallax.stories.resolve import resolve_entities

    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {aid for g in gold if len(g["articles"]) == 3 for aid in g["articles"]}
    rows = [json.loads(line) for line in args.articles.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [Article(r["id"], r["outlet"], r.get("title", ""), r["text"], r.get("date")) for r in rows
                if r["id"] in wanted]
    analysed = {a.article.id: a for a in analyze_articles(articles)}
    embedder = get_embedder()
    embedder.embed(["warm up the encoder"])
    stored = _stored(list(analysed.values()))
    timings: dict[str, float] = {}
    for entry in gold:
        members = [analysed[aid] for aid in entry["articles"] if aid in analysed]
        if len(members) != 3:
            continue
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            entities, ids = resolve_entities(members)
            linked = [replace(a, mentions=tuple(replace(m, entity_id=ids.get((m.article_id, m.start, m.end),
                                                                            m.entity_id))
                                                for m in a.mentions)) for a in members]
            compare_story(Story(entry["story"], entry["story"], tuple(a.article.id for a in members)), linked,
                          entities=entities, embedder=embedder, **stored)
            best = min(best, time.perf_counter() - started)
        timings[entry["story"]] = best
    result = recorded({"stories": len(timings), "repeat": args.repeat,
              "median_s": round(statistics.median(timings.values()), 3),
              "total_s": round(sum(timings.values()), 3),
              "per_story_s": {k: round(v, 3) for k, v in timings.items()}})
    print(f"{len(timings)} three-outlet stories, best of {args.repeat}: median {result['median_s']} s, "
          f"total {result['total_s']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def _stored(analysed: list) -> dict:  # type: ignore[type-arg]
    """``vectors=`` as a stored story passes them: made at analysis (not timed), read back at float16; empty
    for code from before vectors were stored (it embeds inside compare_story)."""
    try:
        from parallax.eval.compare import stored_vectors
    except ImportError:
        return {}
    return {"vectors": stored_vectors(analysed)}


def _rss_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss() -> None:
    """Start VmHWM again from the current RSS, so that the peak read afterwards is the comparison's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _large(n: int, cache: Path | None, out: Path | None, *, trace: bool = False) -> int:
    import gzip
    import pickle
    import tracemalloc

    from parallax.analyze import analyze_articles
    from parallax.compare import compare_story
    from parallax.model import Article, Story
    from parallax.stories.embed import get_embedder
    from parallax.stories.resolve import resolve_entities

    if cache is not None and cache.exists():
        analysed = pickle.loads(cache.read_bytes())[:n]  # a larger cache serves smaller stories too
    else:
        rows = []
        with gzip.open(SHARED / "corpus" / "baly-10k.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if "trump" in row["text"][:400].lower():
                    rows.append(row)
                if len(rows) >= n:
                    break
        articles = [Article(r["id"], r["outlet"], r.get("title", ""), r["text"][:8000], r.get("date")) for r in rows]
        analysed = list(analyze_articles(articles))
        if cache is not None:
            cache.write_bytes(pickle.dumps(analysed))
    embedder = get_embedder()
    embedder.embed(["warm up the encoder"])
    stored = _stored(analysed)
    rss_before = _rss_mib("VmRSS")
    _reset_peak_rss()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    entities, ids = resolve_entities(analysed)
    linked = [replace(a, mentions=tuple(replace(m, entity_id=ids.get((m.article_id, m.start, m.end), m.entity_id))
                                        for m in a.mentions)) for a in analysed]
    comparison = compare_story(Story("large", "large", tuple(a.article.id for a in linked)), linked,
                               entities=entities, embedder=embedder, **stored)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    rss = _rss_mib("VmHWM")
    sentences = sum(len(a.sentences) for a in linked)
    result = recorded({"articles": len(linked), "sentences": sentences,
                       "outlets": len({a.article.outlet for a in linked}), "seconds": round(seconds, 1),
                       "allocated_peak_mib": round(peak / 2**20) if peak else None, "rss_peak_mib": round(rss),
                       "rss_before_compare_mib": round(rss_before),
                       "findings": {"shared": sum(a.status == "shared" for a in comparison.alignments),
                                    "unique": len(comparison.unique), "missing": len(comparison.missing),
                                    "conflicts": len(comparison.conflicts),
                                    "quote_groups": len(comparison.quote_groups)}})
    print(f"one story of {len(linked)} articles, {sentences} sentences, {result['outlets']} outlets: "
          f"{seconds:.1f} s, peak RSS {result['rss_peak_mib']} MiB ({result['rss_before_compare_mib']} MiB before "
          f"comparing, comparison allocated at most {result['allocated_peak_mib']} MiB); "
          f"{result['findings']}")
    if out:
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
