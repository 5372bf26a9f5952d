"""Story-clustering scale benchmark: the real 10k corpus and synthetic streams of 10k, 100k and 1M.

Usage:
  python benchmarks/cluster_scale.py synthetic --n 1000000 [--json OUT]   one stream size, this process
  python benchmarks/cluster_scale.py sizes [--sizes 10000,100000,1000000]  each size in a fresh process
  python benchmarks/cluster_scale.py real [--corpus FILE] [--lead-chars 2000] [--cache DIR]
  python benchmarks/cluster_scale.py embed [--n 2000]                      embedder sentences/s

Synthetic streams: ``--per-day`` articles a day (default 1,000, so 1M articles span 1,000 days); each
day ``--per-day / 4`` new events start and last 1–4 days; an article's vector is its event's random
unit centre plus Gaussian noise (cosine to the centre ≈ 0.65), with two or three event names drawn
from a 300,000-key vocabulary, two common keys and one random key. Only ``StoryClusterer.add`` is
timed, in wall-clock and in process CPU time (the CPU figure is the one to compare across sizes on
a shared machine); peak memory is the process's maximum resident set (``getrusage``), so each size runs in its
own process. The real run analyses the title and the first ``--lead-chars`` characters of each
article with spaCy (sentences + NER), embeds title + lead with the ONNX MiniLM, and clusters the
date-ordered stream; each stage is timed separately and the items are cached for re-runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from parallax.stories.cluster import ClusterItem, StoryClusterer
from parallax.stories.embed import DIM
from provenance import recorded

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "baly-10k.jsonl.gz"
VOCABULARY = 300_000


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_stream(n: int, *, per_day: int = 1000, seed: int = 0):  # type: ignore[no-untyped-def]
    """Yield ``(item, event id)`` for a date-ordered synthetic stream of ``n`` articles."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, VOCABULARY + 1)
    cdf = np.cumsum(1 / ranks)
    cdf /= cdf[-1]
    active: list[tuple[int, np.ndarray, frozenset[str], int]] = []  # (event, centre, names, last day)
    event = produced = 0
    day = 738_000  # an ordinal day in 2021
    while produced < n:
        active = [e for e in active if e[3] >= day]
        for _ in range(per_day // 4):
            centre = rng.normal(size=DIM).astype(np.float32)
            centre /= np.linalg.norm(centre)
            draws = np.searchsorted(cdf, rng.random(int(rng.integers(2, 4))))  # Zipf-distributed key ranks
            names = frozenset(f"k{k}" for k in draws)
            active.append((event, centre, names, day + int(rng.integers(0, 4))))
            event += 1
        date = time.strftime("%Y-%m-%d", time.gmtime((day - 719_163) * 86_400))
        picks = rng.integers(len(active), size=min(per_day, n - produced))
        vectors = np.stack([active[p][1] for p in picks])
        vectors += rng.normal(scale=0.06, size=vectors.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        randoms = rng.integers(VOCABULARY, size=len(picks))
        for row, pick in enumerate(picks):
            ev, _, names, _ = active[pick]
            vector = vectors[row]
            extra = {"common-a", "common-b", f"k{randoms[row]}"}
            lead = {"^" + name for name in names}
            item = ClusterItem(f"s{produced}", vector, names | extra | lead, date, f"o{produced % 20}")
            yield item, ev
            produced += 1
        day += 1


def run_synthetic(n: int, *, per_day: int) -> dict[str, float]:
    """Stream ``n`` synthetic articles through a clusterer; time only ``add``."""
    clusterer = StoryClusterer()
    spent = cpu = 0.0
    gold: list[int] = []
    predicted: list[str] = []
    for item, event in synthetic_stream(n, per_day=per_day):
        start, start_cpu = time.perf_counter(), time.process_time()
        predicted.append(clusterer.add(item))
        spent += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        gold.append(event)
        if len(gold) % 100_000 == 0:  # progress on stderr: a long run can be judged before it ends
            print(json.dumps({"articles": len(gold), "cpu_s_in_add": round(cpu, 1), "wall_s_in_add": round(spent, 1),
                              "peak_rss_mib": round(_peak_mib(), 1)}), file=sys.stderr, flush=True)
    from parallax.eval.stories import bcubed

    precision, recall, f1 = bcubed([str(g) for g in gold], predicted)
    return {"articles": n, "wall_s_in_add": round(spent, 2), "articles_per_s_wall": round(n / spent, 1),
            "cpu_s_in_add": round(cpu, 2), "articles_per_cpu_s": round(n / cpu, 1),
            "cpu_us_per_article": round(1e6 * cpu / n, 1), "peak_rss_mib": round(_peak_mib(), 1),
            "stories": clusterer.story_count, "events": len(set(gold)),
            "bcubed_p": round(precision, 4), "bcubed_r": round(recall, 4), "bcubed_f1": round(f1, 4)}


def _real_items(corpus: Path, lead_chars: int, cache: Path) -> tuple[list[ClusterItem], dict[str, float]]:
    path = cache / f"baly-items-{lead_chars}.pkl"
    if path.exists():
        with open(path, "rb") as handle:
            cached: tuple[list[ClusterItem], dict[str, float]] = pickle.load(handle)
        return cached
    from parallax.analyze import ENTITY_LABELS, _sentence_index
    from parallax.analyze.nlp import load_nlp
    from parallax.model import AnalyzedArticle, Article, Mention, Sentence
    from parallax.stories.cluster import article_items
    from parallax.stories.embed import get_embedder

    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    articles = [Article(id=str(r["id"]), outlet=str(r.get("outlet") or "unknown"), title=str(r.get("title") or ""),
                        text=str(r.get("text") or "")[:lead_chars], date=r.get("date") or None) for r in rows]
    nlp = load_nlp(disable=("lemmatizer",))
    start = time.perf_counter()
    analysed = []
    for doc, article in nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=64):
        sentence_of = _sentence_index(doc)
        analysed.append(AnalyzedArticle(
            article,
            tuple(Sentence(article.id, i, s.start_char, s.end_char, s.text) for i, s in enumerate(doc.sents)),
            tuple(Mention(article.id, e.start_char, e.end_char, e.text, e.label_, sentence_of[e.start])
                  for e in doc.ents if e.label_ in ENTITY_LABELS)))
    parse_s = time.perf_counter() - start
    embedder = get_embedder()
    start = time.perf_counter()
    items = article_items(analysed, embedder)
    embed_s = time.perf_counter() - start
    stages = {"articles": len(items), "parse_s": round(parse_s, 1), "parse_articles_per_s": round(len(items) / parse_s, 1),
              "embed_s": round(embed_s, 1), "embed_articles_per_s": round(len(items) / embed_s, 1)}
    cache.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        pickle.dump((items, stages), handle)
    return items, stages


def run_real(corpus: Path, *, lead_chars: int, cache: Path) -> dict[str, object]:
    items, stages = _real_items(corpus, lead_chars, cache)
    items.sort(key=lambda item: item.date or "")
    clusterer = StoryClusterer()
    start, start_cpu = time.perf_counter(), time.process_time()
    assigned = [clusterer.add(item) for item in items]
    spent, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    sizes = Counter(Counter(assigned).values())
    return {**stages, "cluster_wall_s": round(spent, 2), "cluster_cpu_s": round(cpu, 2),
            "cluster_articles_per_s_wall": round(len(items) / spent, 1),
            "cluster_articles_per_cpu_s": round(len(items) / cpu, 1), "cpu_us_per_article": round(1e6 * cpu / len(items), 1),
            "stories": clusterer.story_count, "stories_with_2_or_more": sum(n for s, n in sizes.items() if s >= 2),
            "largest_story": max(Counter(assigned).values()), "peak_rss_mib": round(_peak_mib(), 1)}


def run_embed(corpus: Path, *, n: int) -> dict[str, float]:
    """Sentences per second of the ONNX embedder on ``n`` sentences of the corpus (batch 64)."""
    import re

    from parallax.stories.embed import get_embedder

    sentences: list[str] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line).get("text") or ""
            sentences += [s for s in re.split(r"(?<=[.!?]) ", text) if 40 <= len(s) <= 400]
            if len(sentences) >= n:
                break
    sentences = sentences[:n]
    embedder = get_embedder()
    embedder.embed(sentences[:64])
    start, start_cpu = time.perf_counter(), time.process_time()
    embedder.embed(sentences)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return {"sentences": len(sentences), "mean_chars": round(sum(map(len, sentences)) / len(sentences), 1),
            "wall_s": round(wall, 2), "sentences_per_s_wall": round(len(sentences) / wall, 1),
            "cpu_s_all_threads": round(cpu, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("synthetic")
    one.add_argument("--n", type=int, required=True)
    one.add_argument("--per-day", type=int, default=1000)
    many = sub.add_parser("sizes")
    many.add_argument("--sizes", default="10000,100000,1000000")
    many.add_argument("--per-day", type=int, default=1000)
    real = sub.add_parser("real")
    real.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    real.add_argument("--lead-chars", type=int, default=2000)
    real.add_argument("--cache", type=Path, default=Path("/tmp/parallax-bench"))
    embed = sub.add_parser("embed")
    embed.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    embed.add_argument("--n", type=int, default=2000)
    for p in (one, many, real, embed):
        p.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "synthetic":
        result: object = run_synthetic(args.n, per_day=args.per_day)
    elif args.command == "embed":
        result = run_embed(args.corpus, n=args.n)
    elif args.command == "real":
        if not args.corpus.exists():
            print(f"corpus not found: {args.corpus}", file=sys.stderr)
            return 2
        result = run_real(args.corpus, lead_chars=args.lead_chars, cache=args.cache)
    else:
        result = []
        for n in (int(x) for x in args.sizes.split(",")):
            out = subprocess.run([sys.executable, __file__, "synthetic", "--n", str(n), "--per-day",
                                  str(args.per_day)], check=True, capture_output=True, text=True).stdout
            result.append(json.loads(out))
            print(out.strip(), file=sys.stderr, flush=True)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(recorded(result), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
