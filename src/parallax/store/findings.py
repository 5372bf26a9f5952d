"""A comparison as rows keyed by (story, article, sentence): how each kind of finding is cut into rows and
put back together, in the JSON form of :func:`parallax.model.to_dict`.

Each kind has its table (``comparison_<kind>``): ``story_id``, the columns that name the finding (an
article and sentence where it has one; ``n`` tells apart findings that share that key), ``ord`` (its place
in the comparison's list, 0 where the order follows from the key: alignments and gaps come in article and
sentence order; an article's row has none, the header keeps the articles' order) and what it says
(``data``, compact JSON: a reference to a sentence is ``[article_id, sentence, start, end, similarity]``,
its outlet being the article's). Saving compares the rows a comparison makes with the rows kept and
writes only those that differ (:func:`sync_rows`), so a story that gains one article keeps the rows of
every finding it did not change.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "Kind", "SyncCount", "decode_rows", "encode_rows", "sync_rows"]


@dataclass(frozen=True, slots=True)
class Kind:
    """One table of findings: the columns naming a row (after ``story_id``) and those it holds."""

    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...] = ("ord", "data")


KINDS: dict[str, Kind] = {
    "articles": Kind("comparison_articles", ("article_id",), ("patch",)),
    "alignments": Kind("comparison_alignments", ("article_id", "sentence", "n"), ("ord", "status", "data")),
    "gaps": Kind("comparison_gaps", ("side", "outlet", "article_id", "sentence", "n")),
    "conflicts": Kind("comparison_conflicts", ("a_article", "a_sentence", "b_article", "b_sentence", "n"),
                      ("ord", "type", "data")),
    "quote_groups": Kind("comparison_quote_groups", ("group_id", "n")),
    "wordings": Kind("comparison_quote_wordings", ("group_id", "n", "k"), ("article_id", "data")),
    "entities": Kind("comparison_entities", ("entity_id", "n")),
    "framing": Kind("comparison_framing", ("outlet", "part", "item", "n")),
    "sources": Kind("comparison_sources", ("outlet", "name"), ("ord", "count")),
}


@dataclass(slots=True)
class SyncCount:
    """Rows of one save: kept as they were, written (new or changed) and deleted."""

    kept: int = 0
    written: int = 0
    deleted: int = 0
    by_table: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def add(self, table: str, kept: int, written: int, deleted: int) -> None:
        self.kept += kept
        self.written += written
        self.deleted += deleted
        self.by_table[table] = (kept, written, deleted)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sync_rows(conn: sqlite3.Connection, story_id: str, rows: dict[str, list[tuple[Any, ...]]]) -> SyncCount:
    """Make the kept rows of ``story_id`` equal ``rows`` (kind -> rows, keys then values), writing only
    rows that are new or changed and deleting only rows no longer made."""
    count = SyncCount()
    for name, kind in KINDS.items():
        width = len(kind.keys)
        cols = ", ".join((*kind.keys, *kind.values))
        kept = {tuple(r[:width]): tuple(r[width:]) for r in conn.execute(
            f"SELECT {cols} FROM {kind.table} WHERE story_id = ?", (story_id,))}  # noqa: S608 - fixed names
        new = {tuple(r[:width]): tuple(r[width:]) for r in rows.get(name, [])}
        gone = [key for key in kept if key not in new]
        changed = [(*key, *value) for key, value in new.items() if kept.get(key) != value]
        where = " AND ".join(f"{c} = ?" for c in kind.keys)
        conn.executemany(f"DELETE FROM {kind.table} WHERE story_id = ? AND {where}",  # noqa: S608
                         [(story_id, *key) for key in gone])
        marks = ", ".join("?" * (1 + width + len(kind.values)))
        conn.executemany(f"INSERT OR REPLACE INTO {kind.table}(story_id, {cols}) VALUES ({marks})",  # noqa: S608
                         [(story_id, *row) for row in changed])
        count.add(kind.table, len(new) - len(changed), len(changed), len(gone))
    return count


# -- cutting a comparison (its to_dict form) into rows ---------------------------------------------------


class _Numbered:
    """``n`` for each key: 0 the first time a key is seen, then 1, 2, ..."""

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], int] = {}

    def __call__(self, *key: Any) -> int:
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        return n


def _ref(ref: dict[str, Any], outlet_of: dict[str, str]) -> list[Any]:
    out = [ref["article_id"], ref["sentence"], ref["start"], ref["end"], ref["similarity"]]
    if outlet_of.get(ref["article_id"]) != ref["outlet"]:
        out.append(ref["outlet"])
    return out


def _unref(ref: list[Any], outlet_of: dict[str, str]) -> dict[str, Any]:
    outlet = ref[5] if len(ref) > 5 else outlet_of.get(ref[0], "")
    return {"article_id": ref[0], "outlet": outlet, "sentence": ref[1], "start": ref[2], "end": ref[3],
            "similarity": ref[4]}


def _derived(items: Sequence[dict[str, Any]], key: Any) -> bool:
    """Whether ``items`` already stand in the order ``key`` gives them (then no ``ord`` is kept)."""
    keys = [key(item, k) for k, item in enumerate(items)]
    return all(a <= b for a, b in zip(keys, keys[1:]))


def encode_rows(data: dict[str, Any], patches: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, list[tuple[Any, ...]]]]:
    """The header (story, article order, timeline) and the rows of one comparison's JSON form; ``patches``:
    article id -> what its article and analysis lack to give the comparison's copy (see comparisons.py)."""
    articles = data.get("articles", [])
    ids = [a["id"] for a in articles]
    place = {aid: k for k, aid in enumerate(ids)}
    outlet_of = {a["id"]: a["outlet"] for a in articles}
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in KINDS}
    explicit: list[str] = []
    # The order of articles, entities and sources is the header's (rewritten with every save anyway), so a
    # row whose place alone moved (an article or entity added before it) is not written again; an article's
    # row has no ``ord`` at all (0011_comparison_articles_order).
    rows["articles"] = [(aid, _dumps(patches.get(aid, {}))) for aid in ids]

    aligned = data.get("alignments", [])
    by_sentence = _Numbered()
    numbered = [(a, by_sentence(a["article_id"], a["sentence"])) for a in aligned]
    in_order = _derived([{"a": a, "n": n} for a, n in numbered],
                        lambda x, k: (place.get(x["a"]["article_id"], -1), x["a"]["sentence"], x["n"]))
    if not in_order:
        explicit.append("alignments")
    for k, (a, n) in enumerate(numbered):
        body: dict[str, Any] = {"start": a["start"], "end": a["end"]}
        if outlet_of.get(a["article_id"]) != a["outlet"]:
            body["outlet"] = a["outlet"]
        for name in ("outlets", "possibly"):
            if a.get(name):
                body[name] = a[name]
        for name in ("matches", "nearest"):
            if a.get(name):
                body[name] = [_ref(r, outlet_of) for r in a[name]]
        rows["alignments"].append((a["article_id"], a["sentence"], n, 0 if in_order else k, a["status"], _dumps(body)))

    for side in ("unique", "missing"):
        gaps = data.get(side, [])
        numbered_gaps = _Numbered()
        keyed = [(g, numbered_gaps(g["outlet"], g["article_id"], g["sentence"])) for g in gaps]
        order = _gap_order(side, place)
        gaps_in_order = _derived([{"g": g, "n": n} for g, n in keyed], lambda x, k: order(x["g"], x["n"]))
        if not gaps_in_order:
            explicit.append(side)
        for k, (g, n) in enumerate(keyed):
            body = {"start": g["start"], "end": g["end"], "text": g["text"]}
            if g.get("reported_by"):
                body["reported_by"] = g["reported_by"]
            if g.get("nearest"):
                body["nearest"] = [_ref(r, outlet_of) for r in g["nearest"]]
            rows["gaps"].append((side, g["outlet"], g["article_id"], g["sentence"], n, 0 if gaps_in_order else k,
                                 _dumps(body)))

    by_pair = _Numbered()
    for k, c in enumerate(data.get("conflicts", [])):
        a, b = c["a"], c["b"]
        n = by_pair(a["article_id"], a["sentence"], b["article_id"], b["sentence"])
        body = {"a": _ref(a, outlet_of), "b": _ref(b, outlet_of), "a_text": c["a_text"], "b_text": c["b_text"],
                "reason": c["reason"], "confidence": c["confidence"]}
        rows["conflicts"].append((a["article_id"], a["sentence"], b["article_id"], b["sentence"], n, k, c["type"],
                                  _dumps(body)))

    by_group = _Numbered()
    for k, g in enumerate(data.get("quote_groups", [])):
        n = by_group(g["id"])
        body = {key: g[key] for key in ("speaker", "label", "diff", "attribution_conflict")}
        rows["quote_groups"].append((g["id"], n, k, _dumps(body)))
        for w_at, w in enumerate(g["wordings"]):
            wording: dict[str, Any] = {"speaker_name": w["speaker_name"], "content": w["content"]}
            if outlet_of.get(w["article_id"]) != w["outlet"]:
                wording["outlet"] = w["outlet"]
            rows["wordings"].append((g["id"], n, w_at, w["article_id"], _dumps(wording)))

    by_entity = _Numbered()
    for e in data.get("entities", []):
        rows["entities"].append((e["id"], by_entity(e["id"]), 0, _dumps({x: v for x, v in e.items() if x != "id"})))

    by_item = _Numbered()
    for k, f in enumerate(data.get("framing", [])):
        outlet = f["outlet"]
        rows["framing"].append((outlet, "o", "", by_item(outlet, "o", ""), k, "{}"))
        for at, t in enumerate(f.get("terms", [])):
            rows["framing"].append((outlet, "t", t["term"], by_item(outlet, "t", t["term"]), at,
                                    _dumps([t["z"], t["count"]])))
        for at, lab in enumerate(f.get("labels", [])):
            item = f"{lab['article_id']}:{lab['start']}"
            rows["framing"].append((outlet, "l", item, by_item(outlet, "l", item), at, _dumps(lab)))
        for at, p in enumerate(f.get("prominence", [])):
            rows["framing"].append((outlet, "p", p["entity"], by_item(outlet, "p", p["entity"]), at,
                                    _dumps([p["count"], p["first_sentence"], p["in_lead"]])))

    for outlet, names in data.get("sources", {}).items():
        if not names:
            rows["sources"].append((outlet, "", 0, -1))  # an outlet with no source still keeps its place
        for name, n_cited in names.items():
            rows["sources"].append((outlet, name, 0, n_cited))

    header = {"v": 2, "story": data.get("story"), "articles": ids, "timeline": data.get("timeline", []),
              "explicit": explicit, "entities": [e["id"] for e in data.get("entities", [])],
              "sources": [[outlet, name] for outlet, names in data.get("sources", {}).items() for name in names or [""]]}
    return header, rows


def _gap_order(side: str, place: dict[str, int]) -> Any:
    """The order gaps of ``side`` come in: unique ones as the story's sentences, missing ones by the outlet
    that leaves them out, then as the story's sentences."""
    if side == "unique":
        return lambda g, n: (place.get(g["article_id"], -1), g["sentence"], n)
    return lambda g, n: (g["outlet"], place.get(g["article_id"], -1), g["sentence"], n)


# -- putting rows back together ---------------------------------------------------------------------------


def decode_rows(header: dict[str, Any], outlet_of: dict[str, str], rows: dict[str, Iterable[sqlite3.Row]],
                ) -> dict[str, Any]:
    """The findings of the JSON form (``alignments``, ``unique``, ``missing``, ``conflicts``, ``quote_groups``,
    ``entities``, ``framing``, ``sources``) from whichever kinds of rows are given."""
    place = {aid: k for k, aid in enumerate(header.get("articles", []))}
    explicit = set(header.get("explicit", []))
    out: dict[str, Any] = {}
    if "alignments" in rows:
        found = []
        aligned = list(rows["alignments"])
        for r, body in zip(aligned, _bodies(aligned)):
            aid = r["article_id"]
            sort = r["ord"] if "alignments" in explicit else (place.get(aid, -1), r["sentence"], r["n"])
            found.append((sort, {
                "article_id": aid, "outlet": body.get("outlet", outlet_of.get(aid, "")), "sentence": r["sentence"],
                "start": body["start"], "end": body["end"], "status": r["status"],
                "outlets": body.get("outlets", []),
                "matches": [_unref(x, outlet_of) for x in body.get("matches", [])],
                "nearest": [_unref(x, outlet_of) for x in body.get("nearest", [])],
                "possibly": body.get("possibly", []),
            }))
        out["alignments"] = [a for _, a in sorted(found, key=lambda x: x[0])]
    if "gaps" in rows:
        sides: dict[str, list[tuple[Any, dict[str, Any]]]] = {"unique": [], "missing": []}
        gap_rows = list(rows["gaps"])
        for r, body in zip(gap_rows, _bodies(gap_rows)):
            gap = {"outlet": r["outlet"], "article_id": r["article_id"], "sentence": r["sentence"],
                   "start": body["start"], "end": body["end"], "text": body["text"],
                   "reported_by": body.get("reported_by", []),
                   "nearest": [_unref(x, outlet_of) for x in body.get("nearest", [])]}
            side = r["side"]
            sort = r["ord"] if side in explicit else _gap_order(side, place)(gap, r["n"])
            sides[side].append((sort, gap))
        for side, found_gaps in sides.items():
            out[side] = [g for _, g in sorted(found_gaps, key=lambda x: x[0])]
    if "conflicts" in rows:
        conflicts = []
        for r in sorted(rows["conflicts"], key=lambda r: r["ord"]):
            body = json.loads(r["data"])
            conflicts.append({"type": r["type"], "a": _unref(body["a"], outlet_of), "b": _unref(body["b"], outlet_of),
                              "a_text": body["a_text"], "b_text": body["b_text"], "reason": body["reason"],
                              "confidence": body["confidence"]})
        out["conflicts"] = conflicts
    if "quote_groups" in rows:
        wordings: dict[tuple[str, int], list[tuple[int, dict[str, Any]]]] = {}
        for r in rows.get("wordings", []):
            body = json.loads(r["data"])
            aid = r["article_id"]
            wordings.setdefault((r["group_id"], r["n"]), []).append((r["k"], {
                "outlet": body.get("outlet", outlet_of.get(aid, "")), "article_id": aid,
                "speaker_name": body["speaker_name"], "content": body["content"]}))
        groups = []
        for r in sorted(rows["quote_groups"], key=lambda r: r["ord"]):
            body = json.loads(r["data"])
            words = [w for _, w in sorted(wordings.get((r["group_id"], r["n"]), []), key=lambda x: x[0])]
            groups.append({"id": r["group_id"], "speaker": body["speaker"], "label": body["label"], "wordings": words,
                           "diff": body["diff"], "attribution_conflict": body["attribution_conflict"]})
        out["quote_groups"] = groups
    if "entities" in rows:
        entity_rows = (_in_order(rows["entities"], header["entities"], lambda r: (r["entity_id"], r["n"]))
                       if "entities" in header else sorted(rows["entities"], key=lambda r: r["ord"]))
        out["entities"] = [{"id": r["entity_id"], **body} for r, body in zip(entity_rows, _bodies(entity_rows))]
    if "framing" in rows:
        out["framing"] = _framing(list(rows["framing"]))
    if "sources" in rows:
        sources: dict[str, dict[str, int]] = {}
        ordered = (_in_order(rows["sources"], [tuple(x) for x in header["sources"]], lambda r: (r["outlet"], r["name"]),
                             numbered=False) if "sources" in header else sorted(rows["sources"], key=lambda r: r["ord"]))
        for r in ordered:
            names = sources.setdefault(r["outlet"], {})
            if r["count"] >= 0:
                names[r["name"]] = r["count"]
        out["sources"] = sources
    return out


def _in_order(rows: Iterable[sqlite3.Row], order: Sequence[Any], key: Any, *, numbered: bool = True
              ) -> list[sqlite3.Row]:
    """``rows`` in the header's ``order`` of their keys (with ``numbered``, the n-th repeat of a key is the
    n-th time it appears there)."""
    place: dict[Any, int] = {}
    seen: dict[Any, int] = {}
    for k, item in enumerate(order):
        n = seen.get(item, 0)
        seen[item] = n + 1
        place.setdefault((item, n) if numbered else item, k)
    return sorted(rows, key=lambda r: place.get(key(r), len(place)))


def _bodies(rows: Sequence[sqlite3.Row]) -> list[Any]:
    """The ``data`` of each row, parsed in one call (one JSON array): much faster than a call per row."""
    return list(json.loads("[" + ",".join(r["data"] for r in rows) + "]")) if rows else []


def _framing(rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    parts: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    items = [r for r in rows if r["part"] != "o"]
    outlets = [(r["ord"], r["outlet"]) for r in rows if r["part"] == "o"]
    for r, body in zip(items, _bodies(items)):
        if r["part"] == "t":
            item: Any = {"term": r["item"], "z": body[0], "count": body[1]}
        elif r["part"] == "p":
            item = {"entity": r["item"], "outlet": r["outlet"], "count": body[0], "first_sentence": body[1],
                    "in_lead": body[2]}
        else:
            item = body
        parts.setdefault((r["outlet"], r["part"]), []).append((r["ord"], item))

    def part(outlet: str, name: str) -> list[Any]:
        return [x for _, x in sorted(parts.get((outlet, name), []), key=lambda x: x[0])]

    return [{"outlet": o, "terms": part(o, "t"), "labels": part(o, "l"), "prominence": part(o, "p")}
            for _, o in sorted(outlets)]
