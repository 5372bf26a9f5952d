"""A comparison cut the way the story page reads it: one compact summary and one column per article.

Everything here works on the JSON form (``to_dict``) of a :class:`~parallax.model.Comparison`, or on the
part of it one page needs (:func:`parallax.api.comparison_part` reads only those rows), and returns plain
JSON-ready values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ENTITIES_SHOWN",
    "GAPS_SHOWN",
    "LABELS_SHOWN",
    "TERMS_SHOWN",
    "page_sections",
    "ref_key",
    "story_columns",
    "story_summary",
]

GAPS_SHOWN = 15  # statements listed per outlet under "only here" and "left out"
TERMS_SHOWN = 20  # framing terms per outlet
LABELS_SHOWN = 20  # framing labels per outlet
ENTITIES_SHOWN = 300  # entity chips, most mentioned first

_META = ("id", "outlet", "title", "date", "url", "byline")

def ref_key(article_id: str, sentence: int) -> str:
    """The page-wide key of one sentence: ``article_id:index``."""
    return f"{article_id}:{sentence}"


def story_summary(data: dict[str, Any]) -> dict[str, Any]:
    """What the story page shows whatever page of columns is open: the story, its articles and outlets,
    the quote groups and the entity chips (long lists cut to what is shown), how many conflicts, and the
    timeline."""
    articles = [{k: a.get(k) for k in _META} for a in data.get("articles", [])]
    outlets = list(dict.fromkeys(a["outlet"] for a in articles))
    entities = sorted(data.get("entities", []), key=lambda e: -int(e.get("mention_count") or 0))
    return {
        "story": data.get("story", {}),
        "articles": articles,
        "outlets": outlets,
        "n_conflicts": len(data.get("conflicts", [])),
        "quote_groups": data.get("quote_groups", []),
        "entities": [
            {k: e.get(k) for k in ("name", "label", "mention_count")}
            | {"forms": [a["form"] for a in e.get("aliases", [])]}
            for e in entities[:ENTITIES_SHOWN]
        ],
        "n_entities": len(entities),
        "timeline": data.get("timeline", []),
    }


def story_columns(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One column per article, in the comparison's article order: its sentences in paragraphs, each with
    its alignment status, the outlets that also report it, its counterparts and its conflicts; the
    conflicts the article takes part in; and its outlet's gaps, sources and framing (repeated in each
    column of the same outlet), so that a page of columns carries everything shown beside it."""
    align = {(a["article_id"], a["sentence"]): a for a in data.get("alignments", [])}
    conflicts = _conflicts(data.get("conflicts", []))
    marks: dict[str, list[str]] = {}
    involved: dict[str, list[dict[str, Any]]] = {}
    for c in conflicts:
        for side in ("a", "b"):
            marks.setdefault(c[side]["key"], []).append(c["id"])
        for article_id in dict.fromkeys((c["a"]["article_id"], c["b"]["article_id"])):
            involved.setdefault(article_id, []).append(c)
    sentences: dict[str, list[dict[str, Any]]] = {}
    for s in data.get("sentences", []):
        sentences.setdefault(s["article_id"], []).append(s)
    outlets = list(dict.fromkeys(a.get("outlet", "") for a in data.get("articles", [])))
    texts = {ref_key(s["article_id"], s["index"]): s["text"] for s in data.get("sentences", [])}
    gaps = {g["outlet"]: g for g in _gaps(data.get("unique", []), data.get("missing", []), outlets, texts,
                                          data.get("gap_counts"))}
    framing = {
        f["outlet"]: {
            "outlet": f["outlet"],
            "terms": f.get("terms", [])[:TERMS_SHOWN],
            "labels": [{"entity": x["entity"], "label": x["label"]} for x in f.get("labels", [])[:LABELS_SHOWN]],
        }
        for f in data.get("framing", [])
    }
    sources: dict[str, dict[str, int]] = data.get("sources", {})
    columns = []
    for a in data.get("articles", []):
        column = _column(a, sentences.get(a["id"], []), align, marks)
        outlet = a.get("outlet", "")
        column["conflicts"] = involved.get(a["id"], [])
        column["outlet"] = {"gaps": gaps.get(outlet), "framing": framing.get(outlet), "sources": sources.get(outlet, {})}
        columns.append(column)
    return columns


def page_sections(columns: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The conflicts, gaps, sources table and framing of the articles and outlets in ``columns``."""
    conflicts: dict[str, dict[str, Any]] = {}
    per_outlet: dict[str, dict[str, Any]] = {}
    for column in columns:
        for c in column["conflicts"]:
            conflicts.setdefault(c["id"], c)
        per_outlet.setdefault(column["article"]["outlet"], column["outlet"])
    outlets = list(per_outlet)
    return {
        "conflicts": sorted(conflicts.values(), key=lambda c: int(c["id"][1:])),
        "gaps": [o["gaps"] for o in per_outlet.values() if o["gaps"]],
        "sources": _sources_table({o: per_outlet[o]["sources"] for o in outlets}, outlets),
        "framing": [o["framing"] for o in per_outlet.values() if o["framing"]],
    }


def _column(
    article: dict[str, Any],
    sentences: Sequence[dict[str, Any]],
    align: dict[tuple[str, int], dict[str, Any]],
    marks: dict[str, list[str]],
) -> dict[str, Any]:
    text = article.get("text", "")
    if not sentences:
        sentences = [{"article_id": article["id"], "index": 0, "start": 0, "end": len(text), "text": text}]
    paragraphs: list[list[dict[str, Any]]] = [[]]
    counts: dict[str, int] = {}
    previous_end = 0
    for s in sorted(sentences, key=lambda s: s["start"]):
        if "\n" in text[previous_end : s["start"]] and paragraphs[-1]:
            paragraphs.append([])
        previous_end = s["end"]
        a = align.get((article["id"], s["index"]), {})
        key = ref_key(article["id"], s["index"])
        status = a.get("status", "none")
        counts[status] = counts.get(status, 0) + 1
        paragraphs[-1].append(
            {
                "key": key,
                "text": s["text"],
                "status": status,
                "also": a.get("outlets", []),
                "matches": " ".join(ref_key(m["article_id"], m["sentence"]) for m in a.get("matches", [])),
                "conflicts": " ".join(marks.get(key, [])),
            }
        )
    return {"article": {k: article.get(k) for k in _META}, "paragraphs": paragraphs, "counts": counts}


def _conflicts(raw: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, c in enumerate(raw):
        sides = {}
        for side in ("a", "b"):
            ref = c[side]
            sides[side] = {
                "key": ref_key(ref["article_id"], ref["sentence"]),
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


def _gaps(unique: Sequence[dict[str, Any]], missing: Sequence[dict[str, Any]], outlets: Sequence[str],
          texts: dict[str, str] | None = None, counts: dict[str, dict[str, int]] | None = None
          ) -> list[dict[str, Any]]:
    """Each outlet's gaps as shown (``counts``: side -> outlet -> gaps in all, where only the first ones
    shown were read)."""
    counts = counts or {}
    by_outlet: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {o: ([], []) for o in outlets}
    for side, gaps in enumerate((unique, missing)):
        for g in gaps:
            by_outlet.setdefault(g["outlet"], ([], []))[side].append(g)
    out = []
    for outlet, (only, left) in by_outlet.items():
        out.append(
            {
                "outlet": outlet,
                "only": [_gap(g, texts or {}) for g in only[:GAPS_SHOWN]],
                "n_only": counts.get("unique", {}).get(outlet, len(only)),
                "missing": [_gap(g, texts or {}) for g in left[:GAPS_SHOWN]],
                "n_missing": counts.get("missing", {}).get(outlet, len(left)),
            }
        )
    return out


def _gap(g: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """One gap with the closest sentence of each outlet said to lack it (the evidence a reader checks)."""
    nearest = [{"outlet": r["outlet"], "key": ref_key(r["article_id"], r["sentence"]), "score": r["similarity"],
                "text": texts.get(ref_key(r["article_id"], r["sentence"]), "")} for r in g.get("nearest", [])]
    return {"key": ref_key(g["article_id"], g["sentence"]), "text": g["text"], "reported_by": g.get("reported_by", []),
            "nearest": nearest}


def _sources_table(sources: dict[str, dict[str, int]], outlets: Sequence[str]) -> dict[str, Any]:
    names = sorted(
        {name for per in sources.values() for name in per},
        # The name itself last: "the official" and "The official" would otherwise come in set order, which
        # changes with each process's string hashing, and a page rendered ahead would differ from one made now.
        key=lambda n: (-sum(per.get(n, 0) for per in sources.values()), n.casefold(), n),
    )
    rows = [{"name": n, "counts": [sources.get(o, {}).get(n, 0) for o in outlets]} for n in names]
    return {"outlets": list(outlets), "rows": rows}
