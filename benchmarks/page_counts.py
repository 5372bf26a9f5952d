"""Where the document-length conflict rule could fire in a store: per multi-outlet story and document noun,
the page counts each outlet gives ("the 48-page indictment"), and the stories where two outlets give one
length each and not the same one.

    .venv/bin/python benchmarks/page_counts.py STORE.db

Reads the analysed sentences through the store API and the rule's own pattern (``compare/conflicts.py``,
``_PAGES``); a round length (a multiple of ten from 100) is reported but the rule does not fire on it.
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
    from parallax.compare.conflicts import _PAGES
    from parallax.store import open_existing

    db = open_existing(args.store, readonly=True)
    seen = fires = 0
    for story in db.stories(limit=None):
        if len(set(story.outlets)) < 2:
            continue
        lengths: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for article_id in story.article_ids:
            analysis = db.analysis(article_id)
            if analysis is not None:
                for match in _PAGES.finditer(analysis.article.text):
                    lengths[match.group(2).lower()][analysis.article.outlet].add(int(match.group(1)))
        for noun, by_outlet in lengths.items():
            seen += 1
            single = {o: next(iter(v)) for o, v in by_outlet.items() if len(v) == 1}
            if len(set(single.values())) > 1:
                round_ = any(n >= 100 and n % 10 == 0 for n in single.values())
                fires += not round_
                print(story.id, noun, dict(single), "(round: the rule leaves it)" if round_ else "")
    print(f"(story, document) pairs with a page count {seen}, where the rule fires {fires}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
