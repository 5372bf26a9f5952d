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

__all__ = ["Annotation", "annotations_for", "highlight", "story_view"]


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


def _ref_key(article_id: str, sentence: int) -> str:
    return f"{article_id}:{sentence}"


def story_view(data: dict[str, Any]) -> dict[str, Any]:
    """Columns of sentences per article, with alignment status, counterparts and conflict marks."""
    align = {(a["article_id"], a["sentence"]): a for a in data.get("alignments", [])}
    conflicts = _conflicts(data.get("conflicts", []))
    conflict_marks: dict[str, list[str]] = {}
    for c in conflicts:
        for side in ("a", "b"):
            conflict_marks.setdefault(c[side]["key"], []).append(c["id"])
    sentences: dict[str, list[dict[str, Any]]] = {}
    for s in data.get("sentences", []):
        sentences.setdefault(s["article_id"], []).append(s)
    columns = [_column(a, sentences.get(a["id"], []), align, conflict_marks) for a in data.get("articles", [])]
    outlets = list(dict.fromkeys(c["article"]["outlet"] for c in columns))
    return {
        "columns": columns,
        "outlets": outlets,
        "conflicts": conflicts,
        "sources": _sources_table(data.get("sources", {}), outlets),
        "counts": _status_counts(columns),
    }


def _column(
    article: dict[str, Any],
    sentences: Sequence[dict[str, Any]],
    align: dict[tuple[str, int], dict[str, Any]],
    conflict_marks: dict[str, list[str]],
) -> dict[str, Any]:
    text = article.get("text", "")
    if not sentences:
        sentences = [{"article_id": article["id"], "index": 0, "start": 0, "end": len(text), "text": text}]
    paragraphs: list[list[dict[str, Any]]] = [[]]
    previous_end = 0
    for s in sorted(sentences, key=lambda s: s["start"]):
        if "\n" in text[previous_end : s["start"]] and paragraphs[-1]:
            paragraphs.append([])
        previous_end = s["end"]
        a = align.get((article["id"], s["index"]), {})
        key = _ref_key(article["id"], s["index"])
        paragraphs[-1].append(
            {
                "key": key,
                "text": s["text"],
                "status": a.get("status", "none"),
                "also": a.get("outlets", []),
                "matches": " ".join(_ref_key(m["article_id"], m["sentence"]) for m in a.get("matches", [])),
                "conflicts": " ".join(conflict_marks.get(key, [])),
            }
        )
    meta = {k: article.get(k) for k in ("id", "outlet", "title", "date", "url", "byline")}
    return {"article": meta, "paragraphs": paragraphs, "html": _column_html(article.get("outlet", ""), paragraphs)}


def _column_html(outlet: str, paragraphs: Sequence[Sequence[dict[str, Any]]]) -> Markup:
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


def _conflicts(raw: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, c in enumerate(raw):
        sides = {}
        for side in ("a", "b"):
            ref = c[side]
            sides[side] = {
                "key": _ref_key(ref["article_id"], ref["sentence"]),
                "outlet": ref["outlet"],
                "article_id": ref["article_id"],
                "text": c.get(f"{side}_text", ""),
            }
        out.append(
            {
                "id": f"c{i + 1}",
                "type": c.get("type", ""),
                "reason": c.get("reason", ""),
                "confidence": c.get("confidence", 0.0),
                **sides,
            }
        )
    return out


def _sources_table(sources: dict[str, dict[str, int]], outlets: Sequence[str]) -> dict[str, Any]:
    names = sorted({name for per in sources.values() for name in per}, key=lambda n: (-sum(
        per.get(n, 0) for per in sources.values()), n.casefold()))
    rows = [{"name": n, "counts": [sources.get(o, {}).get(n, 0) for o in outlets]} for n in names]
    return {"outlets": list(outlets), "rows": rows}


def _status_counts(columns: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for col in columns:
        per = counts.setdefault(col["article"]["id"], {})
        for para in col["paragraphs"]:
            for s in para:
                per[s["status"]] = per.get(s["status"], 0) + 1
    return counts
