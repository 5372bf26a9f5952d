"""View models for the story and article pages, built from stored records.

Article text is untrusted: it only ever leaves this module as pieces passed through ``markupsafe.escape``
(``Markup.format`` escapes its arguments); no raw text is concatenated into HTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote as urlquote

from markupsafe import Markup, escape

from parallax.model import AnalyzedArticle

_e = html.escape  # plain-str escaping of & < > " ' (faster than markupsafe for bulk building)

__all__ = ["Annotation", "annotations_for", "column_html", "highlight"]


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
