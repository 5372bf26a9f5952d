"""BASIL evaluation: do informational-bias spans fall in sentences the comparison marks unique or partial?

    python -m parallax.eval.basil ../shared/data/stories/basil-dev.jsonl ../shared/data/basil-annotations

An informational-bias span is content one outlet chose to include; if the comparison finds what each outlet
alone reports, those spans should sit in sentences marked ``unique`` (or ``partial``) for their outlet more
often than sentences in general do. The share of all sentences marked unique is reported beside it so the
figure cannot be won by marking everything unique.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from parallax.model import Alignment, Article, Comparison, Story

from .cache import analyse

__all__ = ["BasilScores", "cli", "evaluate", "locate_spans"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BasilScores:
    stories: int
    articles: int
    sentences: int
    spans: int
    located: int
    spans_unique: float  # share of located inf spans in a sentence marked unique
    spans_unique_or_partial: float
    sentences_unique: float  # share of all sentences marked unique
    sentences_partial: float
    sentences_shared: float
    # Threshold-free check: probability that a sentence holding a span is less well matched in the other
    # outlets (lower best pair score) than one holding none; 0.5 = alignment carries no signal for spans.
    auc_span_sentences_less_matched: float = 0.5


@dataclass(frozen=True, slots=True)
class LocatedSpan:
    article_id: str
    start: int
    end: int
    text: str


def _load_rows(path: Path, limit: int | None) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        keep = sorted({r["story"] for r in rows})[:limit]
        rows = [r for r in rows if r["story"] in keep]
    return rows


def _annotations(folder: Path) -> dict[str, list[dict[str, object]]]:
    """article uuid -> its informational-bias spans."""
    out: dict[str, list[dict[str, object]]] = {}
    for path in sorted(folder.glob("*_ann.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        spans = [s for s in data.get("phrase-level-annotations", []) if s.get("bias") == "inf"]
        out[str(data["uuid"])] = spans
    return out


def locate_spans(article: Article, spans: Sequence[dict[str, object]]) -> list[LocatedSpan]:
    """Character offsets of each span in the article text (BASIL stores offsets inside one sentence only).

    The text of a span is searched in the article; when it occurs more than once, the occurrence whose
    in-sentence offset matches the annotation's ``start`` is preferred.
    """
    located = []
    for span in spans:
        needle = str(span.get("txt", "")).strip()
        if not needle:
            continue
        hits = []
        at = article.text.find(needle)
        while at >= 0:
            hits.append(at)
            at = article.text.find(needle, at + 1)
        if not hits:
            continue
        offset = int(str(span.get("start", 0)) or 0)
        best = min(hits, key=lambda h: abs(_sentence_offset(article.text, h) - offset))
        located.append(LocatedSpan(article.id, best, best + len(needle), needle))
    return located


def _sentence_offset(text: str, at: int) -> int:
    """Distance from the last sentence boundary before ``at`` (approximate, for tie-breaking only)."""
    cut = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at), text.rfind("? ", 0, at), text.rfind("! ", 0, at))
    return at - (cut + 2 if cut >= 0 else 0)


def _holds_span(a: Alignment, spans: Sequence[LocatedSpan]) -> bool:
    return any(s.article_id == a.article_id and s.start < a.end and s.end > a.start for s in spans)


def _auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Mann-Whitney AUC: chance that a positive scores above a negative (ties count half)."""
    if not positive or not negative:
        return 0.5
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def _status_at(alignments: Sequence[Alignment], span: LocatedSpan) -> str | None:
    """Status of the sentence holding most of the span."""
    best, overlap = None, 0
    for a in alignments:
        if a.article_id != span.article_id:
            continue
        size = min(a.end, span.end) - max(a.start, span.start)
        if size > overlap:
            best, overlap = a.status, size
    return best


def evaluate(stories_file: Path, annotations: Path, *, limit: int | None = None,
             cache: Path | None = None) -> BasilScores:
    """Compare every BASIL story and score the spans against the sentence statuses."""
    from parallax.compare import compare_story

    rows = _load_rows(stories_file, limit)
    articles = [Article(r["id"], r["outlet"], r.get("title", ""), r["text"], r.get("date"), r.get("url"))
                for r in rows]
    story_of = {r["id"]: r["story"] for r in rows}
    analysed = analyse(articles, cache, prefix="basil")
    spans_by_uuid = _annotations(annotations)
    statuses: Counter[str] = Counter()
    span_status: Counter[str] = Counter()
    total_spans = located_spans = 0
    with_span: list[float] = []
    without_span: list[float] = []
    for story_id in sorted(set(story_of.values())):
        members = [a for a in analysed if story_of[a.article.id] == story_id]
        comparison: Comparison = compare_story(Story(story_id, story_id, tuple(a.article.id for a in members)),
                                               members)
        statuses.update(a.status for a in comparison.alignments)
        story_spans: list[LocatedSpan] = []
        for item in members:
            spans = spans_by_uuid.get(item.article.id.removeprefix("basil-"), [])
            total_spans += len(spans)
            for span in locate_spans(item.article, spans):
                located_spans += 1
                story_spans.append(span)
                span_status[_status_at(comparison.alignments, span) or "none"] += 1
        for a in comparison.alignments:
            unmatched = -max((m.similarity for m in a.matches), default=0.0)
            (with_span if _holds_span(a, story_spans) else without_span).append(unmatched)
    n_sent = sum(statuses.values()) or 1
    n_span = located_spans or 1
    return BasilScores(
        stories=len(set(story_of.values())), articles=len(articles), sentences=sum(statuses.values()),
        spans=total_spans, located=located_spans,
        spans_unique=round(span_status["unique"] / n_span, 4),
        spans_unique_or_partial=round((span_status["unique"] + span_status["partial"]) / n_span, 4),
        sentences_unique=round(statuses["unique"] / n_sent, 4),
        sentences_partial=round(statuses["partial"] / n_sent, 4),
        sentences_shared=round(statuses["shared"] / n_sent, 4),
        auc_span_sentences_less_matched=round(_auc(with_span, without_span), 4),
    )


def cli(argv: list[str]) -> int:
    """``parallax eval basil STORIES ANNOTATIONS [--json OUT]``."""
    parser = argparse.ArgumentParser(prog="parallax eval basil", description=__doc__.split("\n\n")[0])
    parser.add_argument("stories", type=Path, help="BASIL stories JSONL (rows with id, outlet, text, story)")
    parser.add_argument("annotations", type=Path, help="folder of BASIL *_ann.json files")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the scores as JSON to OUT")
    parser.add_argument("--limit", type=int, help="only the first N stories (smoke tests)")
    parser.add_argument("--cache", type=Path, help="folder to keep analysed articles in between runs")
    args = parser.parse_args(argv)
    for path in (args.stories, args.annotations):
        if not path.exists():
            parser.error(f"{path} does not exist")
    scores = evaluate(args.stories, args.annotations, limit=args.limit, cache=args.cache)
    for name, value in asdict(scores).items():
        sys.stdout.write(f"{name:<26} {value}\n")
    if args.json:
        args.json.write_text(json.dumps(asdict(scores), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli(sys.argv[1:]))
