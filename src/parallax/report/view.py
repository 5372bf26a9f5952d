"""What the Markdown and HTML writers show, derived once from a comparison: who reports what."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from parallax.compare.timeline import figure_line
from parallax.model import AlignedRef, Alignment, Article, Comparison, Conflict, OutletGap, TimelineEntry

# Shown above every list of conflicts (docs/comparison.md: roughly one in eight to ten is right on unseen stories).
CONFLICTS_CAVEAT = (
    "Statements the rules read as two values for one thing. On stories they were not tuned on, most are not "
    "errors (figures of different things, moments or people): read both sentences before concluding that an "
    "outlet got it wrong."
)

__all__ = ["CONFLICTS_CAVEAT", "CoverageRow", "Evidence", "Finding", "NameVariants", "SentenceView", "agreed_findings", "coverage_rows",
           "entity_names", "gap_findings", "name_variants", "outlet_articles", "quoted", "sentence_views", "snippet",
           "TimelineRow", "timeline_rows"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SentenceView:
    """One sentence as a report shows it: its text, status and whether it is in a conflict."""

    article_id: str
    outlet: str
    index: int
    text: str
    status: str  # shared | partial | unique | conflict
    with_outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One part of the story (a group of aligned sentences) and which outlets cover it."""

    label: str
    outlets: tuple[str, ...]


def snippet(text: str, limit: int = 90) -> str:
    """``text`` on one line, cut at a word boundary."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit].rsplit(" ", 1)[0] + "…"


def outlet_articles(comparison: Comparison) -> list[tuple[str, list[Article]]]:
    """Outlets in story order with their articles."""
    out: dict[str, list[Article]] = {}
    for article in comparison.articles:
        out.setdefault(article.outlet, []).append(article)
    return list(out.items())


def _conflicted(conflicts: Sequence[Conflict]) -> set[tuple[str, int]]:
    return {(ref.article_id, ref.sentence) for c in conflicts for ref in (c.a, c.b)}


def sentence_views(comparison: Comparison) -> dict[str, list[SentenceView]]:
    """article id -> its sentences with their status (conflict overrides the alignment status)."""
    texts = {a.id: a.text for a in comparison.articles}
    conflicted = _conflicted(comparison.conflicts)
    out: dict[str, list[SentenceView]] = {}
    for a in comparison.alignments:
        status = "conflict" if (a.article_id, a.sentence) in conflicted else a.status
        text = texts.get(a.article_id, "")[a.start : a.end]
        out.setdefault(a.article_id, []).append(
            SentenceView(a.article_id, a.outlet, a.sentence, text, status, a.outlets))
    return out


def coverage_rows(comparison: Comparison, *, limit: int = 60) -> list[CoverageRow]:
    """Parts of the story in reading order: each aligned group once, each unique statement alone."""
    texts = {a.id: a.text for a in comparison.articles}
    key = {(a.article_id, a.sentence): i for i, a in enumerate(comparison.alignments)}
    parent = list(range(len(comparison.alignments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(comparison.alignments):
        for m in a.matches:
            j = key.get((m.article_id, m.sentence))
            if j is not None:
                parent[find(j)] = find(i)
    groups: dict[int, list[Alignment]] = {}
    for i, a in enumerate(comparison.alignments):
        groups.setdefault(find(i), []).append(a)
    rows = []
    for members in sorted(groups.values(), key=lambda g: min(key[(a.article_id, a.sentence)] for a in g)):
        first = members[0]
        label = snippet(texts.get(first.article_id, "")[first.start : first.end], 80)
        rows.append(CoverageRow(label, tuple(sorted({a.outlet for a in members}))))
    shared_first = sorted(rows, key=lambda r: -len(r.outlets))
    return shared_first[:limit]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence of another outlet shown beside a finding: its counterpart, or the closest near miss."""

    outlet: str
    article_id: str
    sentence: int
    text: str
    score: float  # the same-fact probability of the pair


@dataclass(frozen=True, slots=True)
class Finding:
    """One "agree", "only in" or "missing from" item with the sentences that support it."""

    outlet: str  # the outlet whose sentence it is ("agree", "only in") or that leaves it out ("missing")
    article_id: str
    sentence: int
    text: str
    others: tuple[str, ...]  # outlets that report it too
    counterparts: tuple[Evidence, ...]  # the same fact in other outlets
    near_misses: tuple[Evidence, ...]  # the closest sentence of each outlet said not to report it


@dataclass(frozen=True, slots=True)
class NameVariants:
    """How the outlets spell one entity, and spellings that look like slips."""

    entity: str
    forms: tuple[tuple[str, tuple[str, ...]], ...]  # (spelling, outlets using it)
    misspellings: tuple[str, ...]


def _sentence_texts(comparison: Comparison) -> dict[tuple[str, int], str]:
    return {(s.article_id, s.index): s.text for s in comparison.sentences}


def _evidence(refs: Sequence[AlignedRef], texts: dict[tuple[str, int], str]) -> tuple[Evidence, ...]:
    return tuple(Evidence(r.outlet, r.article_id, r.sentence, texts.get((r.article_id, r.sentence), ""),
                          r.similarity) for r in refs)


def agreed_findings(comparison: Comparison) -> list[Finding]:
    """Statements of the first outlet that others report too, each with its counterparts, in reading order."""
    texts = _sentence_texts(comparison)
    first = comparison.articles[0].outlet if comparison.articles else ""
    return [Finding(a.outlet, a.article_id, a.sentence, texts.get((a.article_id, a.sentence), ""), a.outlets,
                    _evidence(a.matches, texts), ())
            for a in comparison.alignments if a.status == "shared" and a.outlet == first]


def gap_findings(comparison: Comparison, gaps: Sequence[OutletGap]) -> list[Finding]:
    """"Only in" or "missing from" items with the closest sentence of each outlet said to lack them."""
    texts = _sentence_texts(comparison)
    return [Finding(g.outlet, g.article_id, g.sentence, g.text, g.reported_by, (), _evidence(g.nearest, texts))
            for g in gaps]


def name_variants(comparison: Comparison) -> list[NameVariants]:
    """Entities spelled more than one way across the story (or with a likely misspelling), most mentioned first."""
    out = []
    for entity in sorted(comparison.entities, key=lambda e: -e.mention_count):
        forms = _distinct_forms([(alias.form, alias.outlets) for alias in entity.aliases])
        if len(forms) > 1 or entity.possible_misspellings:
            out.append(NameVariants(entity.name, tuple(forms), entity.possible_misspellings))
    return out


def _distinct_forms(forms: Sequence[tuple[str, tuple[str, ...]]]) -> list[tuple[str, tuple[str, ...]]]:
    """Spellings that differ for a reader: a bare surname inside a full name ("Ostrova" in "Lena Ostrova")
    and differences of case or full stops alone ("St Petersburg" / "St. Petersburg") are one form."""
    def words(form: str) -> tuple[str, ...]:
        return tuple(form.replace(".", " ").casefold().split())

    kept: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
    for form, outlets in forms:
        key = words(form)
        if key and key not in kept:
            kept[key] = (form, outlets)
    return [(form, outlets) for key, (form, outlets) in kept.items()
            if not (len(key) == 1 and any(len(other) > 1 and key[0] in other for other in kept))]


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One timeline entry in words: when (UTC and as the outlet wrote it), what happened, what it added."""

    when: str  # "2026-03-09 14:05 UTC" or a bare date
    outlet_time: str | None
    outlet: str
    event: str  # "first reported it", "a new article", "edited the article (version 2)"
    title: str
    facts: tuple[str, ...]
    more_facts: int  # new facts not listed
    quotes: tuple[str, ...]  # "Ada Renn: “We grieve with every family.”"
    numbers: tuple[str, ...]  # "death toll 14 → 17 in the Harbour Courier at 14:05 UTC on 2026-03-09"


_MARKS = " \"'“”‘’«»"  # a quote's own marks: the reports put theirs around it
_DOUBLE = "“”\"«»"


def quoted(text: str) -> str:
    """A quote as a report prints it: a direct quote in the report's marks (its own taken off); a wording
    that mixes the writer's words with marked ones (partial, mixed) as written, so that the marks still
    say which words are the speaker's ('social media sites of “closing down the opinions …”'); reported
    speech, which the article prints without marks and which starts in lower case, without them ("that the
    deal had come too late"): marks would pass the writer's words off as the speaker's."""
    inner = text.strip(_MARKS)
    marked = any(mark in text for mark in _DOUBLE)
    if any(mark in inner for mark in _DOUBLE) or (not marked and text.strip()[:1].islower()):
        return " ".join(text.split())
    return f"“{inner}”"


def timeline_rows(timeline: Sequence[TimelineEntry]) -> list[TimelineRow]:
    """The story timeline as the reports print it, oldest first."""
    rows = []
    for e in timeline:
        when = (e.at or "time unknown").replace("T", " ").replace("Z", " UTC")
        event = {"first": "first reported it", "article": "a new article",
                 "version": f"edited the article (version {e.version})"}[e.kind]
        quotes = tuple(f"{q.speaker}: {quoted(q.text)}" if q.speaker else quoted(q.text) for q in e.new_quotes)
        rows.append(TimelineRow(when, e.outlet_time, e.outlet, event, e.title, e.new_facts,
                                e.n_new_facts - len(e.new_facts), quotes,
                                tuple(figure_line(f, e) for f in e.changed_numbers)))
    return rows


def entity_names(comparison: Comparison) -> dict[str, str]:
    """The name a reader sees for each key the entity table and the framing labels are kept under
    ("bloomberg" -> "Michael Bloomberg"): the canonical entity's name, else the form the outlets write most
    often (the longest of equally frequent ones), else the key itself."""
    from collections import Counter

    from parallax.keys import mention_key
    from parallax.model import Mention

    names: dict[str, str] = {}
    for entity in comparison.entities:
        names.setdefault(mention_key(Mention("", 0, 0, entity.name, entity.label, 0)), entity.name)
    forms: dict[str, Counter[str]] = {}
    for mention in comparison.mentions:
        key = mention_key(mention)
        if key not in names:
            text = " ".join(mention.text.split()).removesuffix("’s").removesuffix("'s")
            forms.setdefault(key, Counter())[text] += 1
    for key, counter in forms.items():
        names[key] = max(counter, key=lambda form: (counter[form], len(form)))
    return names
