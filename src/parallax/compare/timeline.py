"""The story timeline: when each outlet first reported a story and what each later article or new version
of an article added (facts, quotes, changed numbers), oldest first.

Built from a finished comparison (its alignments say which sentences an earlier article already stated,
its quote groups which remark was first carried where, its number conflicts which figure an outlet reports
against an earlier one), the times the articles were published (a watched feed's date, else the article's
own date) and, for watched pages, their earlier texts (``compare.edits.diff_versions`` between versions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from parallax.model import (
    Article,
    Comparison,
    TimelineEntry,
    TimelineFigure,
    TimelineQuote,
)

from .edits import diff_versions

__all__ = ["FACTS_SHOWN", "Published", "TextVersion", "figure_line", "story_timeline", "utc_text"]

FACTS_SHOWN = 5  # new facts kept per entry: the first report states everything, the reader wants its lead
_QUOTED = re.compile(r"[\"“]([^\"”]{8,})[\"”]")


class Published(Protocol):
    """When a watched article was first listed (``store.feeds.WatchedItem`` has this shape)."""

    @property
    def published(self) -> str | None: ...  # ISO 8601 UTC, from the feed
    @property
    def published_raw(self) -> str | None: ...  # the feed's date as the outlet wrote it
    @property
    def seen_at(self) -> str: ...  # when the watcher first saw the item (UTC)


class TextVersion(Protocol):
    """One stored text of an article (``store.feeds.ArticleVersion`` has this shape)."""

    @property
    def version(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def fetched_at(self) -> str: ...


@dataclass(slots=True)
class _Step:
    """An entry being built."""

    key: tuple[datetime, int, str]
    entry: TimelineEntry
    facts: list[str]
    quotes: list[TimelineQuote]
    figures: list[TimelineFigure]


def story_timeline(comparison: Comparison, *, published: Mapping[str, Published] | None = None,
                   versions: Mapping[str, Sequence[TextVersion]] | None = None) -> tuple[TimelineEntry, ...]:
    """The timeline of one compared story.

    Args:
        comparison: the story's comparison (its alignments, quote groups and conflicts are read).
        published: article id -> when a watched feed listed it; other articles use their own date.
        versions: article id -> its stored texts, oldest first (articles a watcher saw edited).

    Returns:
        Entries oldest first (entries without a time last): one per article (``first`` for an outlet's
        first article in the story, else ``article``) and one per later version (``version``).
    """
    published = published or {}
    versions = versions or {}
    position = {a.id: i for i, a in enumerate(comparison.articles)}  # the story's order breaks ties
    order = sorted(comparison.articles, key=lambda a: (_article_key(a, published.get(a.id)), position[a.id]))
    rank = {a.id: i for i, a in enumerate(order)}
    steps: list[_Step] = []
    seen_outlets: set[str] = set()
    by_article: dict[str, _Step] = {}
    for article in order:
        step = _article_step(article, published.get(article.id), first=article.outlet not in seen_outlets,
                             rank=rank[article.id])
        seen_outlets.add(article.outlet)
        by_article[article.id] = step
        steps.append(step)
    first_wording = _version_steps(comparison, versions, rank, steps)
    _new_facts(comparison, rank, by_article, first_wording)
    _new_quotes(comparison, rank, by_article, steps)
    _changed_numbers(comparison, rank, by_article)
    steps.sort(key=lambda s: s.key)
    return tuple(_finish(step) for step in steps)


def figure_line(figure: TimelineFigure, entry: TimelineEntry) -> str:
    """``death toll 14 → 17 in the Harbour Courier at 14:05 UTC`` (at the date alone when no time is known)."""
    when = entry.at or ""
    if "T" in when:
        day, clock = when.split("T", 1)
        when = f" at {clock[:5]} UTC on {day}"
    elif when:
        when = f" on {when}"
    return f"{figure.what} in {entry.outlet}{when}"


# -- times ------------------------------------------------------------------------------------------------

_NO_TIME = datetime.max.replace(tzinfo=UTC)


def utc_text(value: str | None) -> str | None:
    """An ISO 8601 time as UTC (``2026-03-09T14:05:00Z``); a bare date stays a date; a time with no zone
    is taken as UTC; anything unreadable is None."""
    if not value:
        return None
    text = value.strip()
    if len(text) == 10:
        try:
            return datetime.fromisoformat(text).date().isoformat()
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(utc: str | None) -> datetime:
    if not utc:
        return _NO_TIME
    if len(utc) == 10:
        return datetime.fromisoformat(utc).replace(tzinfo=UTC)
    return datetime.fromisoformat(utc.replace("Z", "+00:00"))


def _article_time(article: Article, seen: Published | None) -> tuple[str | None, str | None]:
    """(UTC time, the outlet's own writing of it) of an article's publication."""
    if seen is not None and seen.published:
        return utc_text(seen.published), seen.published_raw or article.date
    at = utc_text(article.date)
    if at is None and seen is not None:
        return utc_text(seen.seen_at), article.date
    return at, article.date


def _article_key(article: Article, seen: Published | None) -> datetime:
    return _moment(_article_time(article, seen)[0])


# -- steps ------------------------------------------------------------------------------------------------

def _article_step(article: Article, seen: Published | None, *, first: bool, rank: int) -> _Step:
    at, own = _article_time(article, seen)
    entry = TimelineEntry(at=at, outlet_time=own, outlet=article.outlet, article_id=article.id,
                          kind="first" if first else "article", version=None, title=article.title)
    return _Step((_moment(at), rank, ""), entry, [], [], [])


def _version_steps(comparison: Comparison, versions: Mapping[str, Sequence[TextVersion]], rank: dict[str, int],
                   steps: list[_Step]) -> dict[str, dict[str, str | None]]:
    """One step per later version, with the sentences it added and the figures it changed. Returns, per
    article, the latest text's sentences a later version wrote -> how the first text said it (None: the
    first text did not), so the article's own entry shows what it said when it was published."""
    first_wording: dict[str, dict[str, str | None]] = {}
    outlets = {a.id: a.outlet for a in comparison.articles}
    for article_id, texts in versions.items():
        if article_id not in rank or len(texts) < 2:
            continue
        origin = first_wording.setdefault(article_id, {})
        for before, after in zip(texts, texts[1:]):
            diff = diff_versions(before.text, after.text)
            at = utc_text(after.fetched_at)
            entry = TimelineEntry(at=at, outlet_time=None, outlet=outlets[article_id], article_id=article_id,
                                  kind="version", version=after.version, title=after.title)
            step = _Step((_moment(at), rank[article_id], f"{after.version:06d}"), entry, [], [], [])
            for edit in diff.edits:
                if edit.kind == "added" and edit.new:
                    step.facts.append(edit.new)
                    step.quotes.extend(TimelineQuote(None, q) for q in _QUOTED.findall(edit.new))
                if edit.new:
                    old = edit.old and origin.get(_norm(edit.old), edit.old)
                    origin[_norm(edit.new)] = old
                for figure in edit.figures:
                    step.figures.append(TimelineFigure(str(figure), figure.old, figure.new, article_id))
            steps.append(step)
    return first_wording


def _new_facts(comparison: Comparison, rank: dict[str, int], by_article: dict[str, _Step],
               first_wording: dict[str, dict[str, str | None]]) -> None:
    """An article's sentences that no earlier article states (none of their matches is older), as its
    first text worded them."""
    texts = {a.id: a.text for a in comparison.articles}
    for al in sorted(comparison.alignments, key=lambda a: (a.article_id, a.sentence)):
        step = by_article.get(al.article_id)
        if step is None:
            continue
        if any(rank.get(ref.article_id, len(rank)) < rank[al.article_id] for ref in al.matches):
            continue
        sentence = texts[al.article_id][al.start:al.end].strip()
        origin, key = first_wording.get(al.article_id, {}), _norm(sentence)
        if key in origin:
            sentence = origin[key]  # None: a later version added it, and its own entry shows it
        if sentence:
            step.facts.append(sentence)


def _new_quotes(comparison: Comparison, rank: dict[str, int], by_article: dict[str, _Step],
                steps: list[_Step]) -> None:
    """Each quote group is new in the earliest article carrying it, or in the version that added it there."""
    version_steps = [s for s in steps if s.entry.kind == "version"]
    for group in comparison.quote_groups:
        carried = [w for w in group.wordings if w.article_id in rank]
        if not carried:
            continue
        first = min(carried, key=lambda w: rank[w.article_id])
        words = _norm(first.content.text)
        if not words:
            continue
        quote = TimelineQuote(group.speaker or first.speaker_name, first.content.text)
        added_by = next((s for s in version_steps if s.entry.article_id == first.article_id
                         and any(words in _norm(fact) for fact in s.facts)), None)
        if added_by is None:
            by_article[first.article_id].quotes.append(quote)
            continue
        # The version's own reading of the sentence gave no speaker: the quote group names one.
        added_by.quotes[:] = [q for q in added_by.quotes
                              if not (_norm(q.text) in words or words in _norm(q.text))] + [quote]


def _changed_numbers(comparison: Comparison, rank: dict[str, int], by_article: dict[str, _Step]) -> None:
    """A number conflict is a changed figure of the later of its two articles."""
    for conflict in comparison.conflicts:
        if conflict.type != "number":
            continue
        a, b = conflict.a, conflict.b
        if a.article_id not in rank or b.article_id not in rank or a.article_id == b.article_id:
            continue
        early, late = (a, b) if rank[a.article_id] < rank[b.article_id] else (b, a)
        by_article[late.article_id].figures.append(TimelineFigure(conflict.reason, None, None, early.article_id))


def _finish(step: _Step) -> TimelineEntry:
    facts = list(dict.fromkeys(step.facts))
    return replace(step.entry, new_facts=tuple(facts[:FACTS_SHOWN]), n_new_facts=len(facts),
                   new_quotes=tuple(dict.fromkeys(step.quotes)), changed_numbers=tuple(step.figures))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
