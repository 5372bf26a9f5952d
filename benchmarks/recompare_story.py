"""Recomparing a story that gained one article: the time it takes, the rows it writes, and what a comparison
weighs in the store.

    .venv/bin/python benchmarks/recompare_story.py [--articles 50] [--repeat 2] [--json benchmarks/results/recompare_story.json]
    .venv/bin/python benchmarks/recompare_story.py --sizes /tmp/rows-1500.db --top 5    # sizes in a built store

The story: the first N+1 articles of ``corpus/baly-10k.jsonl.gz`` whose opening (first 400 characters) names
Trump, each cut to 8,000 characters (as ``compare_story.py --large``), stored in a fresh store and analysed
(not timed). The first N are put in one story and compared and saved; then the next article joins it and the
story is compared and saved again (timed: ``compare_stored_story(..., save=True)``, the step ``parallax
analyze`` runs per changed story). Each round restores the N-article comparison first; the fastest counts.
In one process the story's pair memo (``parallax.compare.pair_memo``) holds the pair columns of the
N-article comparison, so only the pairs of the new article are scored; each round also compares the N+1
articles once more with the memos cleared (``cold_compare_s``: as a new process would, the whole story's
pairs scored) and records whether that comparison equals the one made with the memo. Times are wall
seconds, and ``*_cpu_s`` the CPU seconds of this process (which a loaded machine disturbs less).
The stored size of the comparison is read back after each save. To compare two commits, run it from a
worktree of each with ``PYTHONPATH=<worktree>/src`` (code from before comparisons were rows is measured
through the API it had: the kept JSON value and its page pieces).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from provenance import recorded

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STORY = "bench-recompare"


def _articles(n: int) -> list[Any]:
    from parallax.ingest.jsonl import row_article

    out = []
    with gzip.open(SHARED / "corpus" / "baly-10k.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            row = json.loads(line)
            if "Trump" not in row["text"][:400]:
                continue
            row["text"] = row["text"][:8000]
            out.append(row_article(row, source=f"baly[{i}]"))
            if len(out) == n:
                break
    return out


def stored_size(db: Any, story_id: str) -> dict[str, int]:
    """Bytes the store keeps for one comparison (rows, or the JSON value and its page pieces before rows)."""
    if hasattr(db, "comparison_size"):
        return {k: v for k, v in db.comparison_size(story_id).items() if v}
    body, _ = db.comparison_bytes(story_id)
    sizes = {"comparisons (gzip JSON)": len(body)}
    from parallax.web.pages import PAGES_VERSION

    pieces = db.story_page_text(story_id, version=PAGES_VERSION)
    if pieces is not None:
        sizes["story_pages + story_columns"] = len(pieces.summary) + sum(len(c) for c in pieces.columns)
    return sizes


def _json_size(db: Any, story_id: str) -> int:
    return len(json.dumps(db.comparison_json(story_id), ensure_ascii=False).encode("utf-8"))


def _since(started: tuple[float, float]) -> tuple[float, float]:
    """Wall and CPU seconds (this process, all its threads) since ``started`` (a :func:`_now`)."""
    wall, cpu = _now()
    return wall - started[0], cpu - started[1]


def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _layout() -> dict[str, Any]:
    """``layout=`` for commits that cut story-page pieces as each comparison was saved (before rows)."""
    try:
        from parallax.web.pages import layout  # type: ignore[attr-defined]
    except ImportError:
        return {}
    return {"layout": layout}


def _save(db: Any, story_id: str) -> tuple[float, float]:
    """Compare and save: wall and CPU seconds."""
    from parallax.pipeline import compare_stored_story

    started = _now()
    compare_stored_story(db, story_id, save=True, **_layout())
    return _since(started)


def _counted_save(db: Any, story_id: str) -> tuple[tuple[float, float], float, dict[str, Any], Any]:
    """Compare (timed alone: wall and CPU), then save (timed alone); the rows the save wrote where the store
    counts them."""
    from parallax.pipeline import compare_stored_story

    started = _now()
    comparison = compare_stored_story(db, story_id)
    compared = _since(started)
    started = time.perf_counter()
    count = db.save_comparison(comparison, **_layout())
    saved = time.perf_counter() - started
    rows = {} if count is None else {"kept": count.kept, "written": count.written, "deleted": count.deleted,
                                     "by_table": {t: list(v) for t, v in count.by_table.items()}}
    return compared, saved, rows, comparison


def _memo(story_id: str) -> dict[str, int] | None:
    """Pairs the story's last comparison reused from its memo and computed (None before pair memos)."""
    try:
        from parallax.compare.pair_memo import PAIR_MEMOS
    except ImportError:
        return None
    memo = PAIR_MEMOS.get(story_id)
    return {"reused": memo.reused, "computed": memo.computed}


def _cold(db: Any, story_id: str, warm: Any) -> dict[str, Any]:
    """Compare again with the pair memos cleared: the time, and whether it equals the comparison ``warm``."""
    try:
        from parallax.compare.pair_memo import PAIR_MEMOS
    except ImportError:
        return {}
    from parallax.model import to_dict
    from parallax.pipeline import compare_stored_story

    PAIR_MEMOS.clear()
    started = _now()
    cold = compare_stored_story(db, story_id)
    wall, cpu = _since(started)
    return {"cold_compare_s": round(wall, 3), "cold_compare_cpu_s": round(cpu, 3),
            "equal_to_cold": to_dict(cold) == to_dict(warm)}


def run(n: int, repeat: int, db_path: Path) -> dict[str, Any]:
    from parallax import api
    from parallax.pipeline import ingest_articles
    from parallax.settings import Settings
    from parallax.store import Database

    articles = _articles(n + 1)
    with Database(db_path) as db:
        ingest_articles(db, iter(articles))
        api.analyze(db, Settings(db_path=db_path), compare=False)
        ids = [a.id for a in articles]
        db.assign_stories([(aid, STORY) for aid in ids[:n]])
        _save(db, STORY)  # warm: models loaded, caches filled
        rounds = []
        for _ in range(repeat):
            _reset(db, ids, n)
            before = stored_size(db, STORY)
            db.assign_stories([(ids[n], STORY)])
            total, total_cpu = _save(db, STORY)
            _reset(db, ids, n)
            db.assign_stories([(ids[n], STORY)])
            compared, saved, rows, warm = _counted_save(db, STORY)
            pairs = _memo(STORY)
            after = stored_size(db, STORY)
            rounds.append({"recompare_s": round(total, 3), "recompare_cpu_s": round(total_cpu, 3),
                           "compare_s": round(compared[0], 3), "compare_cpu_s": round(compared[1], 3),
                           "save_s": round(saved, 4),
                           **({"pairs": pairs} if pairs else {}), **_cold(db, STORY, warm),
                           "rows": rows, "size_before": before, "size_after": after})
        best = min(rounds, key=lambda r: r["recompare_s"])
        n_sentences = len((db.comparison_json(STORY) or {}).get("sentences", []))
        return {"articles": n, "sentences": n_sentences, "json_bytes": _json_size(db, STORY), "repeat": repeat,
                "best": best, "rounds": rounds}


def _reset(db: Any, ids: list[str], n: int) -> None:
    """The story back to its first ``n`` articles, compared and saved."""
    db.assign_stories([(aid, STORY) for aid in ids[:n]])
    db.assign_stories([(ids[n], f"{STORY}-aside")])
    _save(db, STORY)


def sizes(db_path: Path, top: int) -> dict[str, Any]:
    from parallax.store import Database

    with Database(db_path, readonly=True) as db:
        out = {}
        for story_id in db.largest_compared_stories(top):
            out[story_id] = {"articles": len(db.story(story_id).article_ids), "json_bytes": _json_size(db, story_id),
                             "stored": stored_size(db, story_id)}
    return {"store": str(db_path), "stories": out}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50, help="articles in the story before one more joins")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--db", type=Path, help="where to build the store (default: a temporary file)")
    parser.add_argument("--sizes", type=Path, metavar="DB", help="only report stored sizes of DB's largest stories")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.sizes:
        result = recorded(sizes(args.sizes, args.top))
    else:
        db_path = args.db or Path(tempfile.mkdtemp(prefix="parallax-recompare-")) / "parallax.db"
        result = recorded(run(args.articles, args.repeat, db_path))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
