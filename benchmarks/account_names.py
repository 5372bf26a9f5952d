"""Where the account-name conflict rule could fire in a store: every sentence that names an account on a
platform, and the multi-outlet stories holding such sentences from two outlets.

    .venv/bin/python benchmarks/account_names.py STORE.db

The rule (``compare/conflicts.py``, ``_account_conflict``) needs two outlets of one story each naming an
account on the same platform; this counts how often a store offers that, and prints each sentence so a
person can read what the name extractor takes for an account name.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    args = parser.parse_args(argv)
    from parallax.compare.conflicts import _accounts
    from parallax.store import open_existing

    db = open_existing(args.store)
    sentences = 0
    outlets_of: dict[str, set[str]] = defaultdict(set)
    for story in db.stories(limit=None):
        for article_id in story.article_ids:
            analysis = db.analysis(article_id)
            if analysis is None:
                continue
            for sentence in analysis.sentences:
                text = analysis.article.text[sentence.start:sentence.end]
                platforms, names = _accounts(text)
                if platforms and names:
                    sentences += 1
                    outlets_of[story.id].add(analysis.article.outlet)
                    print(story.id, sorted(names), "|", " ".join(text.split())[:200])
    paired = sum(1 for outlets in outlets_of.values() if len(outlets) >= 2)
    print(f"sentences naming an account {sentences}, stories with them {len(outlets_of)}, "
          f"stories with them from two outlets {paired}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
