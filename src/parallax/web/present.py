"""View models for the story and article pages, built from stored records.

Article text is untrusted: it only ever leaves this module as pieces passed through ``markupsafe.escape``
(``Markup.format`` escapes its arguments); no raw text is concatenated into HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as urlquote

from markupsafe import Markup, escape

from parallax.model import AnalyzedArticle

_e = html.escape  # plain-str escaping of & < > " ' (faster than markupsafe for bulk building)

__all__ = [
    "Annotation",
    "annotations_for",
    "column_html",
    "conflicts_html",
    "entities_html",
    "framing_html",
    "gaps_html",
    "highlight",
    "outlet_options",
    "quote_groups_html",
    "remarks_html",
    "sources_html",
]


@dataclass(frozen=True, slots=True)
class Annotation:
    start: int
    end: int
    css: str  # one class name: "ent", "quote", "speaker", "cue", "relay"
    title: str = ""
    entity: str | None = None  # entity key to link to


def annotations_for(analyzed: AnalyzedArticle, entity_keys: dict[str, str] | None = None) -> list[Annotation]:
    """Entity mentions (linked through ``entity_keys``: form -> key), quotes and cited sources of one article."""
    keys = entity_keys or {}
    notes: list[Annotation] = []
    for m in analyzed.mentions:
        notes.append(Annotation(m.start, m.end, "ent", f"{m.label}: {m.text}", keys.get(m.text)))
    for q in analyzed.quotes:
        who = q.speaker_name or (q.speaker.text if q.speaker else "unattributed")
        notes.append(Annotation(q.content.start, q.content.end, "quote", f"{q.kind} quote — {who}"))
        if q.speaker is not None:
            notes.append(Annotation(q.speaker.start, q.speaker.end, "speaker", f"speaker: {who}"))
        if q.cue is not None:
            notes.append(Annotation(q.cue.start, q.cue.end, "cue", "attribution cue"))
        if q.relay is not None:
            notes.append(Annotation(q.relay.span.start, q.relay.span.end, "relay", f"relay ({q.relay.kind})"))
    for s in analyzed.sources:
        notes.append(Annotation(s.span.start, s.span.end, "relay", f"source: {s.name} ({s.kind})"))
    return notes


def highlight(text: str, notes: Iterable[Annotation]) -> Markup:
    """``text`` as escaped HTML with each annotated stretch wrapped in a classed span (nesting flattened)."""
    size = len(text)
    valid = [n for n in notes if 0 <= n.start < n.end <= size]
    cuts = sorted({0, size, *(n.start for n in valid), *(n.end for n in valid)})
    pieces: list[Markup] = []
    for begin, end in zip(cuts, cuts[1:]):
        active = [n for n in valid if n.start <= begin and n.end >= end]
        piece = text[begin:end]
        if not active:
            pieces.append(escape(piece))
            continue
        classes = " ".join(sorted({"hl-" + n.css for n in active}))
        title = "; ".join(dict.fromkeys(n.title for n in active if n.title))
        span = Markup('<span class="{}" title="{}">{}</span>').format(classes, title, piece)
        entity = next((n.entity for n in active if n.entity), None)
        if entity:
            span = Markup('<a class="ent-link" href="/entities/{}">{}</a>').format(urlquote(entity, safe=""), span)
        pieces.append(span)
    return Markup("").join(pieces)


# -- story page -----------------------------------------------------------------------------------------


def column_html(outlet: str, paragraphs: Sequence[Sequence[dict[str, Any]]]) -> Markup:
    """The sentences of one column as HTML; built here rather than in Jinja because a long story has
    thousands of sentences and a template loop costs ~60 µs each. Every value goes through ``escape``."""
    out = _e(outlet)
    parts: list[str] = []
    for para in paragraphs:
        parts.append("<p>")
        for s in para:
            key = _e(s["key"])
            cls = f"sent st-{_e(s['status'])}" + (" has-conflict" if s["conflicts"] else "")
            title = f' title="also in: {_e(", ".join(s["also"]))}"' if s["also"] else ""
            parts.append(
                f'<span class="{cls}" id="s-{key}" tabindex="0" data-key="{key}" data-outlet="{out}"'
                f' data-matches="{_e(s["matches"])}" data-conflicts="{_e(s["conflicts"])}"{title}>'
                f'{_e(s["text"])}</span> '
            )
        parts.append("</p>\n")
    return Markup("".join(parts))


def _href(key: str, article_id: str, page_of: dict[str, int], page: int) -> str:
    """Link to one sentence of the story page; one on another page of columns opens that page."""
    target = page_of.get(article_id, 1)
    return (f"?page={target}" if target != page else "") + "#s-" + key


def _entity_href(name: str, links: Mapping[str, str]) -> str | None:
    """The entity page of ``name`` when the story's ``links`` (name -> key) know one, else None."""
    key = links.get(name)
    return None if key is None else "/entities/" + urlquote(key, safe="")


def conflicts_html(conflicts: Sequence[dict[str, Any]], page_of: dict[str, int], page: int) -> Markup:
    """The conflict list: each pair of contradicting sentences with the reason, linked to both sides."""
    parts = ['<ol class="conflict-list">\n']
    for k in conflicts:
        a, b = k["a"], k["b"]
        sides = "".join(
            f'<a class="side" href="{_e(_href(x["key"], x["article_id"], page_of, page))}">'
            f'<strong>{_e(x["outlet"])}</strong>: {_e(x["text"])}</a>'
            for x in (a, b)
        )
        parts.append(
            f'<li class="conflict-item" id="{_e(k["id"])}" data-a="{_e(a["key"])}" data-b="{_e(b["key"])}"'
            f' data-page="{page_of.get(a["article_id"], 1)}">'
            f'<div class="conflict-head"><span class="badge">{_e(k["type"])}</span> {_e(k["reason"])}'
            f' <span class="conf">({float(k["confidence"]) * 100:.0f}%)</span></div>'
            f'<div class="pair">{sides}</div></li>\n'
        )
    parts.append("</ol>")
    return Markup("".join(parts))


def gaps_html(gaps: Sequence[dict[str, Any]], page_of: dict[str, int], page: int) -> Markup:
    """Per outlet: what only it reports, and what it leaves out that others report."""

    def items(listed: Sequence[dict[str, Any]], total: int, *, who: bool) -> str:
        out = []
        for x in listed:
            link = _e(_href(x["key"], x["key"].rsplit(":", 1)[0], page_of, page))
            extra = f' <span class="meta">({_e(", ".join(x["reported_by"]))})</span>' if who and x["reported_by"] else ""
            near = "".join(
                f'<div class="near meta">closest in {_e(n["outlet"])} ({float(n["score"]):.2f}, not the same fact): '
                f'<a href="{_e(_href(n["key"], n["key"].rsplit(":", 1)[0], page_of, page))}">{_e(n["text"])}</a></div>'
                for n in x.get("nearest", [])[:2]
            )
            out.append(f'<li><a href="{link}">{_e(x["text"])}</a>{extra}{near}</li>')
        if total > len(listed):
            out.append(f'<li class="more">and {total - len(listed)} more</li>')
        return "<ul>" + "".join(out) + "</ul>"

    parts = []
    for g in gaps:
        parts.append(
            f'<div class="gap-col" data-outlet="{_e(g["outlet"])}"><h3>{_e(g["outlet"])}</h3>'
            f'<h4>Only here ({g["n_only"]})</h4>{items(g["only"], g["n_only"], who=False)}'
            f'<h4>Left out ({g["n_missing"]})</h4>{items(g["missing"], g["n_missing"], who=True)}</div>\n'
        )
    return Markup("".join(parts))


def entities_html(entities: Sequence[dict[str, Any]], links: Mapping[str, str]) -> Markup:
    """Entity chips, linked to their entity pages where one exists (``links``: name -> key); the title
    lists the spellings merged into each."""
    parts = []
    for e in entities:
        names = [str(e["name"]), *map(str, e.get("forms") or [])]
        href = next((h for h in (_entity_href(n, links) for n in names) if h), None)
        forms = ": " + ", ".join(e.get("forms") or []) if e.get("forms") else ""
        count = f' <span class="n">{int(e["mention_count"])}</span>' if e.get("mention_count") else ""
        tag, attr = ("a", f' href="{_e(href)}"') if href else ("span", "")
        parts.append(
            f'<li><{tag} class="chip"{attr} title="{_e(str(e["label"]) + forms)}">'
            f'{_e(str(e["name"]))}{count}</{tag}></li>'
        )
    return Markup("".join(parts) or '<li class="empty">None.</li>')


_DIFF_TAGS = {"-": "del", "+": "ins"}


def _diff_html(ops: Sequence[Sequence[str]]) -> str:
    """A word diff as HTML: removed words in ``del``, added in ``ins``, kept ones in ``span``."""
    return " ".join(f"<{_DIFF_TAGS.get(op, 'span')}>{_e(tok)}</{_DIFF_TAGS.get(op, 'span')}>" for op, tok in ops) + " "


def quote_groups_html(groups: Sequence[dict[str, Any]], links: Mapping[str, str]) -> Markup:
    """Table rows of the quote groups: who (linked to an entity page where ``links`` know one), how the
    outlets' wordings relate, each wording, and the word diff between the first two wordings."""
    rows = []
    for g in groups:
        speaker = g.get("speaker")
        href = _entity_href(str(speaker), links) if speaker else None
        who = _e(str(speaker)) if speaker else "unattributed"
        if href:
            who = f'<a href="{_e(href)}">{who}</a>'
        if g.get("attribution_conflict"):
            who += ' <span class="badge">attribution differs</span>'
        lines = []
        for w in g.get("wordings", []):
            named = w.get("speaker_name")
            aside = f" ({_e(named)})" if named and named != speaker else ""
            lines.append(f'<div class="wording-line"><strong>{_e(w["outlet"])}</strong>{aside}: '
                         f'“{_e(w["content"]["text"])}”</div>')
        if g.get("diff") and g.get("label") != "verbatim":
            lines.append(f'<div class="diff">{_diff_html(g["diff"])}</div>')
        css = ' class="attr-conflict"' if g.get("attribution_conflict") else ""
        rows.append(f'<tr{css}><td>{who}</td><td><span class="kind">{_e(str(g.get("label", "")))}</span></td>'
                    f'<td>{"".join(lines)}</td></tr>\n')
    return Markup("".join(rows))


def outlet_options(outlets: Sequence[tuple[str, int]], selected: str | None, *, counts: bool) -> Markup:
    """The ``<option>`` list of an outlet filter (a store of the baly corpus has ~300 outlets: a template
    loop over them was most of a search page's rendering)."""
    parts = []
    for name, n in outlets:
        mark = " selected" if name == selected else ""
        label = f"{_e(name)} ({n})" if counts else _e(name)
        parts.append(f'<option value="{_e(name)}"{mark}>{label}</option>')
    return Markup("".join(parts))


def sources_html(table: dict[str, Any]) -> Markup:
    """The sources-by-outlet table: one row per cited source, one column per outlet, counts in cells."""
    outlets = [_e(o) for o in table["outlets"]]
    head = "".join(f'<th data-outlet="{o}">{o}</th>' for o in outlets)
    rows = []
    for r in table["rows"]:
        cells = "".join(
            f'<td class="num{"" if n else " zero"}" data-outlet="{o}">{n or "–"}</td>' for o, n in zip(outlets, r["counts"])
        )
        rows.append(f"<tr><td>{_e(r['name'])}</td>{cells}</tr>")
    return Markup(f'<thead><tr><th>Source</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>')


def framing_html(framing: Sequence[dict[str, Any]]) -> Markup:
    """Per outlet: its distinctive terms (with their z-scores) and the labels it gives people."""
    parts = []
    for f in framing:
        terms = "".join(
            f'<span class="chip" title="z = {float(t["z"]):.1f}, ×{int(t["count"])}">{_e(t["term"])}</span>'
            for t in f.get("terms", [])
        )
        labels = "".join(f"<li>{_e(x['entity'])}: “{_e(x['label'])}”</li>" for x in f.get("labels", []))
        parts.append(
            f'<div class="gap-col" data-outlet="{_e(f["outlet"])}"><h3>{_e(f["outlet"])}</h3>'
            + (f"<p>{terms}</p>" if terms else "")
            + (f"<ul>{labels}</ul>" if labels else "")
            + "</div>\n"
        )
    return Markup("".join(parts))


CHIPS_PER_WORDING = 12


def remarks_html(variants: Sequence[dict[str, Any]], first: int) -> Markup:
    """An entity's remarks: each with its date, and every wording (a word diff against the first one
    where it differs) with the articles that carry it (the first dozen, then a count)."""
    parts = []
    for n, v in enumerate(variants, first):
        wordings, outlets = v.get("wordings", []), v.get("outlets", [])
        head = (f'<span class="dates">{_e(v.get("first_date") or "undated")}</span> · {len(wordings)} wording'
                f'{"" if len(wordings) == 1 else "s"} in {len(outlets)} outlet{"" if len(outlets) == 1 else "s"}')
        blocks = []
        for w in wordings:
            text = _diff_html(w["diff"]) if w.get("diff") else f"“{_e(w['text'])}”"
            quotes = w.get("quotes", [])
            chips = "".join(
                f'<a class="chip" href="/articles/{_e(urlquote(q["article_id"], safe=""))}#q{int(q["start"])}">'
                f'{_e(q["outlet"])}{", " + _e(q["date"][:10]) if q.get("date") else ""}</a>'
                for q in quotes[:CHIPS_PER_WORDING]
            )
            more = (f'<span class="more">and {len(quotes) - CHIPS_PER_WORDING} more articles</span>'
                    if len(quotes) > CHIPS_PER_WORDING else "")
            kind = f'<span class="kind">{_e(quotes[0]["kind"])}</span>' if quotes else ""
            blocks.append(f'<blockquote class="wording"><p>{text}</p><footer>{chips}{more}{kind}</footer></blockquote>')
        parts.append(f'<section class="variant" id="v{n}"><header class="variant-head">{head}</header>'
                     f'{"".join(blocks)}</section>\n')
    return Markup("".join(parts))
