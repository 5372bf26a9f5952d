"""The Markdown report: a brief a journalist could forward."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from parallax.model import Comparison, QuoteGroup

from .view import (
    CONFLICTS_CAVEAT,
    Finding,
    agreed_findings,
    entity_names,
    gap_findings,
    name_variants,
    outlet_articles,
    quoted,
    snippet,
    timeline_rows,
)

__all__ = ["render_markdown"]

LOGGER = logging.getLogger(__name__)

MAX_ITEMS = 8  # per list, so the brief stays a brief; the JSON report has everything


def render_markdown(comparison: Comparison) -> str:
    """The brief, section by section; empty sections say so in one line."""
    names = entity_names(comparison)  # one pass over the mentions for the entity table and the labels
    parts = [*_header(comparison), *_timeline(comparison), *_agreed(comparison), *_gaps(comparison), *_conflicts(comparison),
             *_quotes(comparison), *_sources(comparison), *_entities(comparison, names), *_framing(comparison, names)]
    return "\n".join(parts).rstrip() + "\n"


def _md(text: str) -> str:
    """Text safe inside Markdown: no raw HTML, no accidental emphasis or links."""
    out = " ".join(text.split())
    for char in "\\`*_[]<>|#":
        out = out.replace(char, "\\" + char)
    return out


def _header(c: Comparison) -> Iterator[str]:
    yield f"# {_md(c.story.title or c.story.id)}"
    yield ""
    counts = {}
    for a in c.alignments:
        counts.setdefault(a.outlet, {"shared": 0, "partial": 0, "unique": 0})[a.status] += 1
    for outlet, articles in outlet_articles(c):
        for article in articles:
            date = f", {article.date[:10]}" if article.date else ""
            n = counts.get(outlet, {})
            yield (f"- **{_md(outlet)}**{date}: “{_md(article.title)}” — {sum(n.values())} sentences, "
                   f"{n.get('shared', 0)} shared, {n.get('partial', 0)} partly shared, {n.get('unique', 0)} its own")
    yield ""


def _timeline(c: Comparison) -> Iterator[str]:
    """When each outlet reported the story and what later articles and versions added (UTC)."""
    if len(c.timeline) < 2:
        return
    yield "## How the story developed (UTC)"
    yield ""
    for row in timeline_rows(c.timeline):
        own = f" (outlet's time: {_md(row.outlet_time)})" if row.outlet_time and row.outlet_time != row.when else ""
        yield f"- {_md(row.when)}{own}: **{_md(row.outlet)}** {row.event}: “{_md(snippet(row.title, 120))}”"
        for number in row.numbers:
            yield f"  - changed: {_md(number)}"
        for quote in row.quotes[:3]:
            yield f"  - new quote: {_md(snippet(quote, 200))}"
        for fact in row.facts[:3]:
            yield f"  - new: {_md(snippet(fact, 200))}"
        more = row.more_facts + max(0, len(row.facts) - 3)
        if more:
            yield f"  - … and {more} more new statement{'s' if more > 1 else ''}"
    yield ""


def _agreed(c: Comparison) -> Iterator[str]:
    yield "## What the outlets agree on"
    yield ""
    shared = agreed_findings(c)
    if not shared:
        yield "No statement is reported by more than one outlet."
    for item in shared[:MAX_ITEMS]:
        yield f"- {_md(snippet(item.text, 200))} ({_md(', '.join([item.outlet, *item.others]))})"
        for e in item.counterparts:
            yield f"  - {_md(e.outlet)}: “{_md(snippet(e.text, 160))}” (same fact, {e.score:.2f})"
    if len(shared) > MAX_ITEMS:
        yield f"- … and {len(shared) - MAX_ITEMS} more (see the JSON report)"
    yield ""


def _gap_lines(items: list[Finding], outlet: str, *, reporters: bool = False) -> Iterator[str]:
    mine = [g for g in items if g.outlet == outlet]
    for g in mine[:MAX_ITEMS]:
        who = f" ({_md(', '.join(g.others))})" if reporters and g.others else ""
        yield f"  - {_md(snippet(g.text, 200))}{who}"
        for e in g.near_misses[:2]:
            yield f"    - closest in {_md(e.outlet)} ({e.score:.2f}, not the same fact): “{_md(snippet(e.text, 140))}”"
    if len(mine) > MAX_ITEMS:
        yield f"  - … and {len(mine) - MAX_ITEMS} more (see the JSON report)"


def _gaps(c: Comparison) -> Iterator[str]:
    outlets = [o for o, _ in outlet_articles(c)]
    unique, missing = gap_findings(c, c.unique), gap_findings(c, c.missing)
    yield "## Only in one outlet"
    yield ""
    for outlet in outlets:
        if any(g.outlet == outlet for g in unique):
            yield f"- **Only in {_md(outlet)}:**"
            yield from _gap_lines(unique, outlet)
    if not unique:
        yield "Nothing: every substantive statement is reported by another outlet too."
    yield ""
    if len(outlets) > 2:  # with two outlets "missing from A" is exactly "only in B"
        yield "## Left out"
        yield ""
        for outlet in outlets:
            if any(g.outlet == outlet for g in missing):
                yield f"- **Missing from {_md(outlet)}** (reported by most others):"
                yield from _gap_lines(missing, outlet, reporters=True)
        yield ""


def _conflicts(c: Comparison) -> Iterator[str]:
    yield "## Where they disagree"
    yield ""
    if c.conflicts:
        yield f"_{CONFLICTS_CAVEAT}_"
        yield ""
    if not c.conflicts:
        yield "No conflicting statements found."
    for k in c.conflicts[:MAX_ITEMS]:
        yield f"- **{_md(k.type)}** ({k.confidence:.2f}): {_md(k.reason)}"
        yield f"  - {_md(k.a.outlet)}: “{_md(snippet(k.a_text, 220))}”"
        yield f"  - {_md(k.b.outlet)}: “{_md(snippet(k.b_text, 220))}”"
    yield ""


def _diff_md(group: QuoteGroup) -> str:
    words = []
    for op, word in group.diff:
        words.append(_md(word) if op == "=" else f"~~{_md(word)}~~" if op == "-" else f"**{_md(word)}**")
    return " ".join(words)


def _quotes(c: Comparison) -> Iterator[str]:
    yield "## The same words, reported differently"
    yield ""
    if not c.quote_groups:
        yield "No remark is quoted by more than one outlet."
    for g in c.quote_groups[:MAX_ITEMS]:
        flag = " — **attributed to different speakers**" if g.attribution_conflict else ""
        yield f"- **{_md(g.speaker or 'unknown speaker')}** ({g.label}){flag}"
        for w in g.wordings:
            yield f"  - {_md(w.outlet)}: {_md(quoted(w.content.text))}"
        if g.diff:
            yield f"  - difference: {_diff_md(g)}"
    yield ""


def _sources(c: Comparison) -> Iterator[str]:
    yield "## Sources relied on"
    yield ""
    if not any(c.sources.values()):
        yield "No source attributions found."
    for outlet, names in c.sources.items():
        if names:
            listed = ", ".join(f"{_md(name)} ({count})" for name, count in names.items())
            yield f"- **{_md(outlet)}:** {listed}"
    yield ""


def _entities(c: Comparison, names: dict[str, str]) -> Iterator[str]:
    yield "## Who is in the story"
    yield ""
    outlets = [f.outlet for f in c.framing]
    table: dict[str, dict[str, str]] = {}
    totals: dict[str, int] = {}
    for f in c.framing:
        for p in f.prominence:
            cell = f"{p.count}{' (lead)' if p.in_lead else ''}"
            table.setdefault(p.entity, {})[f.outlet] = cell
            totals[p.entity] = totals.get(p.entity, 0) + p.count
    if not table:
        yield "No named entities found."
        yield ""
        return
    yield "| entity | " + " | ".join(_md(o) for o in outlets) + " |"
    yield "|---|" + "---|" * len(outlets)
    for entity in sorted(table, key=lambda e: -totals[e])[:15]:
        yield f"| {_md(names.get(entity, entity))} | " + " | ".join(table[entity].get(o, "—") for o in outlets) + " |"
    yield ""
    variants = name_variants(c)
    if variants:
        yield "Spelled differently:"
        yield ""
        for v in variants[:15]:
            forms = "; ".join(f"“{_md(form)}” ({_md(', '.join(outlets))})" for form, outlets in v.forms)
            slips = f" — possible misspelling: {_md('; '.join(v.misspellings))}" if v.misspellings else ""
            yield f"- **{_md(v.entity)}**: {forms}{slips}"
        yield ""


def _framing(c: Comparison, names: dict[str, str]) -> Iterator[str]:
    yield "## How each outlet frames it"
    yield ""
    for f in c.framing:
        terms = ", ".join(_md(t.term) for t in f.terms[:10]) or "—"
        yield f"- **{_md(f.outlet)}** — most distinctive words: {terms}"
        for label in f.labels[:MAX_ITEMS]:
            yield f"  - {_md(names.get(label.entity, label.entity))}: “{_md(label.label)}”"
    yield ""
