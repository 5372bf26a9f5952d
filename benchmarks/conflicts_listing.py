"""Every conflict the comparison reports on the multi-outlet stories of a store, to be read by a person.

    .venv/bin/python benchmarks/conflicts_listing.py STORE.db [--min-articles 2] [--max-articles 8] [--first N]

Built for checking conflicts on stories nobody tuned the rules on (docs/comparison.md): a store made with
``parallax ingest`` + ``parallax analyze --no-compare`` from Baly rows not read before, then this listing,
then a reading of each pair. Stories are compared as the pipeline compares them (entities resolved first);
prints one line per conflict (story, type, confidence, reason, both sentences) and the totals.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--min-articles", type=int, default=2)
    parser.add_argument("--max-articles", type=int, default=8)
    parser.add_argument("--first", type=int, help="only the first N qualifying stories (store order)")
    args = parser.parse_args(argv)
    from parallax.eval.compare import compare_gold_story
    from parallax.store import open_existing

    db = open_existing(args.store)
    stories = conflicts = 0
    for story in db.stories(limit=None):
        if len(set(story.outlets)) < 2 or not args.min_articles <= len(story.article_ids) <= args.max_articles:
            continue
        stories += 1
        if args.first is not None and stories > args.first:
            stories -= 1
            break
        members = [db.analysis(a) for a in story.article_ids]
        for c in compare_gold_story(story.id, [m for m in members if m is not None]).conflicts:
            conflicts += 1
            print(story.id, c.type, f"{c.confidence:.2f}", "|", c.reason, "|", " ".join(c.a_text.split()), "||",
                  " ".join(c.b_text.split()), flush=True)
    print(f"stories {stories} conflicts {conflicts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
