"""``parallax eval stories FILE.jsonl...``: stream gold-labelled articles through the story clusterer.

Rows are read in date order (undated rows keep their file order after the dated ones' interleaving:
Python's stable sort puts them first), analysed, embedded and added one by one; the predicted stories
are scored against each row's ``story`` field with BCubed precision/recall/F1 and the adjusted Rand index.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import pickle
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from parallax.errors import InputError
from parallax.model import AnalyzedArticle, Article

__all__ = ["StoryScores", "bcubed", "adjusted_rand", "cli", "evaluate_stories", "read_rows"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoryScores:
    articles: int
    gold_stories: int
    predicted_stories: int
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    ari: float
    seconds: float


def read_rows(paths: Sequence[str | Path]) -> list[Article]:
    """Gold-labelled articles through the ingest readers (``story`` becomes ``Article.story_hint``).

    Raises:
        InputError: the first item that cannot be read (evaluation data must be whole).
    """
    from parallax.ingest import iter_inputs

    articles: list[Article] = []
    for item in iter_inputs([str(p) for p in paths]):
        if isinstance(item, InputError):
            raise item
        articles.append(item)
    return articles


def stream_order(articles: Iterable[Article]) -> list[Article]:
    """Articles sorted by date; undated ones keep their input order and come first."""
    return sorted(articles, key=lambda a: a.date or "")


def bcubed(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a predicted clustering against gold labels."""
    pairs = Counter(zip(gold, predicted))
    gold_size = Counter(gold)
    pred_size = Counter(predicted)
    n = len(gold)
    precision = sum(c * c / pred_size[p] for (g, p), c in pairs.items()) / n
    recall = sum(c * c / gold_size[g] for (g, p), c in pairs.items()) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def adjusted_rand(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Adjusted Rand index (Hubert & Arabie) from the contingency table."""
    def pairs(x: float) -> float:
        return x * (x - 1) / 2

    n = len(gold)
    index = sum(pairs(c) for c in Counter(zip(gold, predicted)).values())
    a = sum(pairs(c) for c in Counter(gold).values())
    b = sum(pairs(c) for c in Counter(predicted).values())
    expected = a * b / pairs(n) if n > 1 else 0.0
    maximum = (a + b) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def _analyse(articles: list[Article], cache: Path | None) -> list[AnalyzedArticle]:
    from parallax.analyze import analyze_articles

    if cache is None:
        return list(analyze_articles(articles))
    digest = hashlib.sha256()
    for article in articles:
        digest.update(f"{article.id}\0{article.title}\0{article.text}\0".encode())
    path = cache / f"analysed-{digest.hexdigest()[:16]}.pkl"
    if path.exists():
        with open(path, "rb") as handle:
            cached: list[AnalyzedArticle] = pickle.load(handle)
        return cached
    analysed = list(analyze_articles(articles))
    cache.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        pickle.dump(analysed, handle)
    return analysed


def evaluate_stories(articles: Sequence[Article], *, config_path: str | None = None,
                     cache: Path | None = None) -> tuple[StoryScores, dict[str, str]]:
    """Cluster ``articles`` as a date-ordered stream; scores against ``story_hint`` and the assignment."""
    from parallax.stories.cluster import StoryClusterer, cluster_items
    from parallax.stories.config import load_cluster_config
    from parallax.stories.embed import get_embedder
    from parallax.stories.vectors import article_vectors

    ordered = stream_order(a for a in articles if a.story_hint)
    started = time.perf_counter()
    analysed = _analyse(ordered, cache)
    # The story vectors as the pipeline's analysis makes and stores them, a batch of 64 articles at a time.
    leads = [v.lead for lo in range(0, len(analysed), 64)
             for v in article_vectors(analysed[lo : lo + 64], get_embedder(), rows=False)]
    items = cluster_items(analysed, leads)
    clusterer = StoryClusterer(load_cluster_config(config_path))
    assigned = {item.article_id: clusterer.add(item) for item in items}
    seconds = time.perf_counter() - started
    gold = [str(a.story_hint) for a in ordered]
    predicted = [assigned[a.id] for a in ordered]
    precision, recall, f1 = bcubed(gold, predicted)
    scores = StoryScores(len(ordered), len(set(gold)), len(set(predicted)), precision, recall, f1,
                         adjusted_rand(gold, predicted), seconds)
    return scores, assigned


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parallax eval stories", description=(
        "Cluster gold-labelled articles as a date-ordered stream and score the stories found against "
        "their `story` field (BCubed precision/recall/F1, adjusted Rand index)."))
    parser.add_argument("files", nargs="+", metavar="FILE.jsonl", help="rows with a `story` field")
    parser.add_argument("--json", metavar="OUT", help="also write the scores and assignments as JSON")
    parser.add_argument("--config", metavar="TOML", help="story-clustering settings ([cluster] table)")
    parser.add_argument("--cache", metavar="DIR", help="keep analyses here between runs (e.g. /tmp)")
    return parser


def cli(argv: list[str]) -> int:
    """Entry point of ``parallax eval stories``; returns the exit status."""
    args = _parser().parse_args(argv)
    articles = read_rows(args.files)
    scores, assigned = evaluate_stories(articles, config_path=args.config,
                                        cache=Path(args.cache) if args.cache else None)
    print(f"articles            {scores.articles}")
    print(f"gold stories        {scores.gold_stories}")
    print(f"predicted stories   {scores.predicted_stories}")
    print(f"BCubed precision    {scores.bcubed_precision:.4f}")
    print(f"BCubed recall       {scores.bcubed_recall:.4f}")
    print(f"BCubed F1           {scores.bcubed_f1:.4f}")
    print(f"ARI                 {scores.ari:.4f}")
    print(f"seconds             {scores.seconds:.1f}  (analysis, embedding and clustering)")
    if args.json:
        groups: dict[str, list[str]] = defaultdict(list)
        for article_id, story in assigned.items():
            groups[story].append(article_id)
        Path(args.json).write_text(json.dumps({"scores": asdict(scores), "stories": groups}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
