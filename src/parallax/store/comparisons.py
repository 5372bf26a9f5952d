"""Comparisons: each story's findings as rows keyed by story, article and sentence (see :mod:`.findings`).

A comparison is read and written only through this repository. :meth:`save_comparison` keeps a small
header (the story, its article order, the timeline), one row per article (what its stored article and
analysis lack to give the comparison's copy: an outlet relabelled, the entity ids resolution gave its
mentions, a quote whose relay was the outlet itself) and one row per finding; the comparison's sentences,
mentions, quotes and source citations are not stored again but read from the analyses. Saving writes only
the rows that changed. :meth:`comparison_json` puts the whole JSON form back together;
:meth:`comparison_page` reads only what one story page shows.

Comparisons written before rows (one gzip-compressed JSON value, ``format`` 1) are read as they are until
:meth:`pack_comparison` cuts them (``parallax upgrade``, ``parallax serve`` and every analysis do).
"""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from parallax.model import Comparison, from_dict, to_dict

from .analyses import AnalysisRepository
from .findings import KINDS, SyncCount, decode_rows, encode_rows, sync_rows
from .stories import StoryRepository

__all__ = ["ComparisonRepository", "SyncCount"]

LOGGER = logging.getLogger(__name__)


# What a stored comparison was made with. Raise it when the comparison's rules change what it finds in
# analyses that did not change (a new analysis marks its stories changed by itself); the next analysis run
# then compares every story kept with an older version again.
# 1: account-name conflicts, one person's document under one name, no link to an article published before
#    the statement's date, quote groups joining a long quote, entity resolution fixes (Sasha and Malia Obama,
#    H.W. and W. Bush, F.B.I. / FBI, "Hillary" alone), framing terms without word pieces.
# 2: a block printed without quotation marks is reproduced whole, not cut at the quotes the tagger found
#    inside it.
# 3: two wordings of one speaker join on a short run of shared words only when the words are the speaker's
#    (inside the quotation marks, names left out), not the narrator's around them; a partial quote whose
#    marked words end its wording is found in the other outlet's wording again (its closing mark had been
#    stripped).
COMPARISON_VERSION = 3


class ComparisonRepository(AnalysisRepository, StoryRepository):
    """Each story's comparison, kept as rows of findings (see :mod:`.findings`)."""

    def mark_outdated_comparisons(self) -> int:
        """Mark as changed every story whose stored comparison was made with rules older than
        :data:`COMPARISON_VERSION`, so that the next comparison stage makes it again; returns how many."""
        with self.transaction() as conn:
            return conn.execute(
                "UPDATE stories SET dirty = 1 WHERE dirty = 0 AND id IN"
                " (SELECT story_id FROM comparisons WHERE rules < ?)", (COMPARISON_VERSION,)).rowcount

    def save_comparison(
        self,
        comparison: Comparison,
        *,
        entity_rows: Sequence[tuple[str, str, str, str, list[str], int]] = (),
        quote_keys: Sequence[tuple[str, int, str]] = (),
    ) -> SyncCount:
        """Store a story's comparison as rows, its entity index and the entity keys of its quotes' speakers;
        clears the story's dirty mark. Only rows that differ from those kept are written (returned: how many
        were kept, written and deleted)."""
        story = comparison.story
        data = to_dict(comparison)
        with self.transaction() as conn:
            count = self._write_rows(conn, story.id, len(story.article_ids), data)
            self._write_entity_index(conn, story.id, entity_rows, quote_keys)
            conn.execute("UPDATE stories SET dirty = 0 WHERE id = ?", (story.id,))
        return count

    def _write_rows(self, conn: sqlite3.Connection, story_id: str, n_articles: int, data: dict[str, Any]
                    ) -> SyncCount:
        patches, lists = self._patches(data)
        header, rows = encode_rows(data, patches)
        if lists:
            header["lists"] = lists
        conn.execute(
            "INSERT INTO comparisons(story_id, n_articles, data, format, rules) VALUES (?, ?, ?, 2, ?)"
            " ON CONFLICT(story_id) DO UPDATE SET n_articles = excluded.n_articles, data = excluded.data,"
            " format = 2, rules = excluded.rules, computed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            (story_id, n_articles, json.dumps(header, ensure_ascii=False, separators=(",", ":")), COMPARISON_VERSION),
        )
        conn.execute("DELETE FROM story_renders WHERE story_id = ?", (story_id,))  # made from what this replaces
        return sync_rows(conn, story_id, rows)

    @staticmethod
    def _write_entity_index(conn: sqlite3.Connection, story_id: str,
                            entity_rows: Sequence[tuple[str, str, str, str, list[str], int]],
                            quote_keys: Sequence[tuple[str, int, str]]) -> None:
        touched = {row[0] for row in conn.execute(
            "SELECT DISTINCT entity_key FROM entity_articles WHERE story_id = ?", (story_id,))}
        conn.execute("DELETE FROM entity_articles WHERE story_id = ?", (story_id,))
        for key, name, label, article_id, forms, count in entity_rows:
            touched.add(key)
            conn.execute(
                "INSERT INTO entities(key, name, label) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING",
                (key, name, label),
            )
            conn.execute(
                "INSERT OR REPLACE INTO entity_articles(entity_key, article_id, story_id, forms, count)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, article_id, story_id, json.dumps(forms, ensure_ascii=False), count),
            )
        conn.executemany(
            "UPDATE entities SET"
            " n_articles = (SELECT count(DISTINCT article_id) FROM entity_articles WHERE entity_key = ?),"
            " n_stories = (SELECT count(DISTINCT story_id) FROM entity_articles WHERE entity_key = ?)"
            " WHERE key = ?",
            [(key, key, key) for key in touched],
        )
        for article_id, idx, key in quote_keys:
            conn.execute("UPDATE quotes SET speaker_key = ? WHERE article_id = ? AND idx = ?", (key, article_id, idx))

    def _patches(self, data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """Per article, what its stored article and analysis lack to give the comparison's copies (its outlet
        as compared, mentions' entity ids, quotes and sources as compared); and the comparison's lists that
        are not the per-article concatenation they usually are (kept whole in the header)."""
        ids = [a["id"] for a in data.get("articles", [])]
        stored = self._article_dicts(ids)
        analyses = self._analysis_dicts(ids)
        patches: dict[str, dict[str, Any]] = {}
        whole: dict[str, Any] = {}
        split = {name: _by_article(data.get(name, []), ids) for name in _LISTS}
        for name, parts in split.items():
            if parts is None:
                whole[name] = data.get(name, [])
        for article in data.get("articles", []):
            aid = article["id"]
            patch: dict[str, Any] = {}
            mine = stored.get(aid)
            if mine != article:
                rest = None if mine is None else {**mine, "outlet": article["outlet"]}
                patch.update({"outlet": article["outlet"]} if rest == article else {"article": article})
            analysis = analyses.get(aid, {})
            for name, source in _LISTS.items():
                parts = split[name]
                if parts is not None:
                    patch.update(_list_patch(name, analysis.get(source, []), parts.get(aid, [])))
            if patch:
                patches[aid] = patch
        return patches, whole

    def _article_dicts(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for lo in range(0, len(ids), 500):
            chunk = list(ids[lo : lo + 500])
            sql = f"SELECT * FROM articles WHERE id IN ({','.join('?' * len(chunk))})"  # noqa: S608
            for row in self.conn.execute(sql, chunk):
                out[row["id"]] = to_dict(self._article_from_row(row))
        return out

    def _analysis_dicts(self, ids: Sequence[str], part: str | None = None) -> dict[str, dict[str, Any]]:
        """Article id -> its stored analysis as JSON (only ``part``, e.g. ``sentences``, when given)."""
        out: dict[str, dict[str, Any]] = {}
        column = "data" if part is None else f"json_extract(data, '$.{part}')"
        for lo in range(0, len(ids), 500):
            chunk = list(ids[lo : lo + 500])
            sql = f"SELECT article_id, {column} FROM analyses WHERE article_id IN ({','.join('?' * len(chunk))})"  # noqa: S608
            for aid, text in self.conn.execute(sql, chunk):
                value = json.loads(text) if text else ({} if part is None else [])
                out[aid] = value if part is None else {part: value}
        return out

    def comparison(self, story_id: str) -> Comparison | None:
        data = self.comparison_json(story_id)
        return None if data is None else from_dict(Comparison, data)

    def comparison_json(self, story_id: str) -> dict[str, Any] | None:
        """The stored comparison as its JSON form (``to_dict``); None when the story has not been compared."""
        story = self.story(story_id)
        row = self.conn.execute("SELECT data, format FROM comparisons WHERE story_id = ?", (story.id,)).fetchone()
        if row is None:
            return None
        if row["format"] != 2:
            return dict(json.loads(_blob_text(row["data"])))
        return self._assemble(story.id, json.loads(row["data"]))

    def _assemble(self, story_id: str, header: dict[str, Any]) -> dict[str, Any]:
        ids: list[str] = header["articles"]
        articles = self._compared_articles(story_id, ids)
        outlet_of = {a["id"]: a["outlet"] for a in articles}
        found = decode_rows(header, outlet_of, self._finding_rows(story_id))
        patches = self._patch_rows(story_id)
        analyses = self._analysis_dicts(ids)
        lists: dict[str, Any] = header.get("lists", {})
        parts = {name: lists[name] if name in lists else [
            item for aid in ids
            for item in _patched(name, analyses.get(aid, {}).get(source, []), patches.get(aid, {}))]
            for name, source in _LISTS.items()}
        return {
            "story": header["story"], "articles": articles, "entities": found["entities"], "quotes": parts["quotes"],
            "quote_groups": found["quote_groups"], "alignments": found["alignments"], "unique": found["unique"],
            "missing": found["missing"], "conflicts": found["conflicts"], "sources": found["sources"],
            "framing": found["framing"], "sentences": parts["sentences"], "mentions": parts["mentions"],
            "source_citations": parts["source_citations"], "timeline": header.get("timeline", []),
        }

    def _compared_articles(self, story_id: str, ids: Sequence[str], *, whole: Sequence[str] | None = None,
                           patches: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The comparison's articles (as compared: an unknown outlet relabelled), in its order; with
        ``whole``, only those articles whole and the others' id, outlet, title, date, url and byline;
        ``patches``: the story's patch rows, when the caller has read them already."""
        stored = self._article_dicts(ids if whole is None else whole)
        if whole is not None:
            stored = {**self._article_meta([aid for aid in ids if aid not in stored]), **stored}
        if patches is None:
            patches = self._patch_rows(story_id, ids)
        out = []
        for aid in ids:
            patch = patches.get(aid, {})
            article = patch.get("article") or stored[aid]
            out.append({**article, "outlet": patch["outlet"]} if "outlet" in patch else article)
        return out

    def _article_meta(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for lo in range(0, len(ids), 500):
            chunk = list(ids[lo : lo + 500])
            sql = ("SELECT id, outlet, title, date, url, byline FROM articles"
                   f" WHERE id IN ({','.join('?' * len(chunk))})")  # noqa: S608
            for row in self.conn.execute(sql, chunk):
                out[row["id"]] = dict(row)
        return out

    def _patch_rows(self, story_id: str, ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        sql = "SELECT article_id, patch FROM comparison_articles WHERE story_id = ? AND patch != '{}'"
        wanted = None if ids is None else set(ids)
        return {aid: json.loads(patch) for aid, patch in self.conn.execute(sql, (story_id,))
                if wanted is None or aid in wanted}

    def _finding_rows(self, story_id: str, kinds: Sequence[str] | None = None) -> dict[str, list[sqlite3.Row]]:
        return {name: self.conn.execute(f"SELECT * FROM {KINDS[name].table} WHERE story_id = ?",  # noqa: S608
                                        (story_id,)).fetchall()
                for name in kinds or [k for k in KINDS if k != "articles"]}

    def comparison_page(self, story_id: str, *, offset: int = 0, limit: int | None = None, nearest_of_first: int = 15,
                        framing_first: int | None = None) -> dict[str, Any] | None:
        """What one story page shows of a stored comparison, in its JSON form (see
        :func:`parallax.api.comparison_part`): ``summary`` (``story``, ``articles`` with their id, outlet,
        title, date, url and byline, ``conflicts``, ``quote_groups``, ``entities``, ``timeline``), ``columns``
        (the articles ``offset`` to ``offset + limit`` and what their columns show, see :meth:`_columns`) and
        ``n_columns``; None when the story has not been compared. The story, the header and the patch rows
        are read once for both parts."""
        story_key = self.story_key(story_id)
        header = self._header(story_key)
        if header is None:
            return None
        if "v" not in header:  # a comparison still kept whole: cut what is asked
            every_id = [a["id"] for a in header.get("articles", [])]
            stop = len(every_id) if limit is None else offset + max(0, limit)
            wanted = set(every_id[offset:stop])
            summary = {k: header[k] for k in ("story", "articles", "conflicts", "quote_groups", "entities", "timeline")
                       if k in header}
            columns = {**header, "articles": [a for a in header.get("articles", []) if a["id"] in wanted]}
            return {"summary": summary, "columns": columns, "n_columns": len(every_id)}
        ids: list[str] = header["articles"]
        stop = len(ids) if limit is None else offset + max(0, limit)
        shown = ids[offset:stop]
        patches = self._patch_rows(story_key)
        every = self._compared_articles(story_key, ids, whole=shown, patches=patches)
        outlet_of = {a["id"]: a["outlet"] for a in every}
        found = decode_rows(header, outlet_of, self._finding_rows(
            story_key, ("conflicts", "quote_groups", "wordings", "entities")))
        summary = {"story": header["story"], "articles": [{k: a[k] for k in _META if k in a} for a in every],
                   "conflicts": found["conflicts"], "quote_groups": found["quote_groups"],
                   "entities": found["entities"], "timeline": header.get("timeline", [])}
        columns = self._columns(story_key, header, every, shown, conflicts=found["conflicts"], patches=patches,
                                nearest_of_first=nearest_of_first, framing_first=framing_first)
        return {"summary": summary, "columns": columns, "n_columns": len(ids)}

    def _columns(self, story_id: str, header: dict[str, Any], every: Sequence[dict[str, Any]], shown: Sequence[str],
                 *, conflicts: list[dict[str, Any]], patches: dict[str, dict[str, Any]], nearest_of_first: int,
                 framing_first: int | None) -> dict[str, Any]:
        """What the columns of ``shown`` show: those ``articles`` and their ``sentences`` and ``alignments``
        (without ``nearest``: a page does not show them), every conflict, the ``unique`` and ``missing`` gaps
        and the ``framing`` and ``sources`` of their outlets (of the gaps, only the first ``nearest_of_first``
        of each outlet and side, with ``gap_counts``: side -> outlet -> how many there are), and the sentences
        those gaps name as nearest; with ``framing_first``, each outlet's first terms, labels and entities
        only."""
        wanted = set(shown)
        articles = [a for a in every if a["id"] in wanted]
        outlets = list(dict.fromkeys(a["outlet"] for a in articles))
        outlet_of = {a["id"]: a["outlet"] for a in every}
        ids, marks = [a["id"] for a in articles], ",".join("?" * len(outlets))
        rows: dict[str, list[sqlite3.Row]] = {}
        # A page shows which sentences of other outlets match each sentence, not the nearest ones that do not
        # (most of an alignment's row): those are left in the store.
        rows["alignments"] = self.conn.execute(
            "SELECT article_id, sentence, n, ord, status, json_remove(data, '$.nearest') AS data"
            f" FROM comparison_alignments WHERE story_id = ? AND article_id IN ({','.join('?' * len(ids))})",  # noqa: S608
            (story_id, *ids)).fetchall()
        rows["sources"] = self.conn.execute(
            f"SELECT * FROM comparison_sources WHERE story_id = ? AND outlet IN ({marks})", (story_id, *outlets)  # noqa: S608
        ).fetchall()
        rows["framing"] = self.conn.execute(
            f"SELECT * FROM comparison_framing WHERE story_id = ? AND outlet IN ({marks}) AND ord < ?",  # noqa: S608
            (story_id, *outlets, 1 << 62 if framing_first is None else framing_first)).fetchall()
        gaps, counts = self._first_gaps(story_id, outlets, header, nearest_of_first)
        rows["gaps"] = gaps
        found = decode_rows(header, outlet_of, rows)
        near = {r["article_id"] for side in ("unique", "missing") for gap in found[side] for r in gap["nearest"]}
        sentences = self._sentences(ids, sorted(near - wanted), header, patches)
        return {"articles": articles, "sentences": sentences, "alignments": found["alignments"],
                "unique": found["unique"], "missing": found["missing"], "conflicts": conflicts,
                "framing": found["framing"], "sources": found["sources"], "gap_counts": counts}

    def _first_gaps(self, story_id: str, outlets: Sequence[str], header: dict[str, Any], first: int
                    ) -> tuple[list[sqlite3.Row], dict[str, dict[str, int]]]:
        """The rows of the first ``first`` gaps of each of ``outlets`` and side, in the comparison's order, and
        how many gaps each outlet has per side (the rest are counted, not decoded)."""
        # One read of the outlets' rows: their ``data`` is left unparsed for all but the first ones (reading
        # the keys, then the first rows by an OR of their keys, took twice as long).
        marks = ",".join("?" * len(outlets))
        found = self.conn.execute(
            f"SELECT * FROM comparison_gaps WHERE story_id = ? AND outlet IN ({marks})", (story_id, *outlets)  # noqa: S608
        ).fetchall()
        place = {aid: k for k, aid in enumerate(header.get("articles", []))}
        explicit = set(header.get("explicit", []))
        groups: dict[tuple[str, str], list[tuple[Any, sqlite3.Row]]] = {}
        for row in found:
            side = row["side"]
            sort = row["ord"] if side in explicit else (place.get(row["article_id"], -1), row["sentence"], row["n"])
            groups.setdefault((side, row["outlet"]), []).append((sort, row))
        counts: dict[str, dict[str, int]] = {"unique": {}, "missing": {}}
        rows = []
        for (side, outlet), items in groups.items():
            counts[side][outlet] = len(items)
            rows += [row for _, row in sorted(items, key=lambda x: x[0])[:first]]
        return rows, counts

    def _sentences(self, ids: Sequence[str], others: Sequence[str], header: dict[str, Any],
                   patches: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """The comparison's sentences of ``ids`` then ``others`` (``patches``: the story's patch rows)."""
        every = [*ids, *others]
        if "sentences" in header.get("lists", {}):
            wanted = set(every)
            return [s for s in header["lists"]["sentences"] if s["article_id"] in wanted]
        analyses = self._analysis_dicts(every, "sentences")
        return [s for aid in every
                for s in _patched("sentences", analyses.get(aid, {}).get("sentences", []), patches.get(aid, {}))]

    def _header(self, story_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT data, format FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        return dict(json.loads(row["data"] if row["format"] == 2 else _blob_text(row["data"])))

    def comparison_size(self, story_id: str) -> dict[str, int]:
        """Bytes kept for one comparison: its header or blob, and each table's rows (keys and values)."""
        story = self.story(story_id)
        sizes = {"comparisons": int(self.conn.execute(
            "SELECT coalesce(sum(length(data) + length(story_id) + 40), 0) FROM comparisons WHERE story_id = ?",
            (story.id,)).fetchone()[0])}
        for kind in KINDS.values():
            cols = " + ".join(f"coalesce(length({c}), 0)" for c in ("story_id", *kind.keys, *kind.values))
            sizes[kind.table] = int(self.conn.execute(
                f"SELECT coalesce(sum({cols}), 0) FROM {kind.table} WHERE story_id = ?", (story.id,)  # noqa: S608
            ).fetchone()[0])
        return sizes

    def largest_compared_stories(self, limit: int) -> list[str]:
        """Ids of the ``limit`` compared stories with the most articles."""
        return [str(row[0]) for row in self.conn.execute(
            "SELECT story_id FROM comparisons ORDER BY n_articles DESC, story_id LIMIT ?", (limit,))]

    def comparison_stamp(self, story_id: str) -> str:
        """When the story's comparison was computed ("" if it was not): what a cached page was built from."""
        row = self.conn.execute("SELECT computed_at FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
        return str(row[0]) if row else ""

    def unpacked_comparisons(self) -> list[str]:
        """Stories whose comparison is still kept whole (one JSON value, as versions before rows wrote it)."""
        return [row[0] for row in self.conn.execute("SELECT story_id FROM comparisons WHERE format != 2")]

    def pack_comparison(self, story_id: str) -> bool:
        """Cut one comparison kept whole into rows, if reading them back gives the same JSON form; else it is
        kept whole (compressed), read as before and not tried again (False). Its ``computed_at`` stays."""
        row = self.conn.execute("SELECT data, format FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
        if row is None or row["format"] == 2:
            return True
        # Through the record and back: a value from before a field existed (``timeline``) gains its default.
        data = to_dict(from_dict(Comparison, json.loads(_blob_text(row["data"]))))
        try:
            with self.transaction() as conn:
                stamp, n_articles = conn.execute(
                    "SELECT computed_at, n_articles FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
                self._write_rows(conn, story_id, n_articles, data)
                conn.execute("UPDATE comparisons SET computed_at = ? WHERE story_id = ?", (stamp, story_id))
                if self.comparison_json(story_id) != data:
                    raise _NotTheSame(story_id)
        except _NotTheSame:
            LOGGER.warning("comparison of %s kept whole: its rows would not give it back unchanged", story_id)
            with self.transaction() as conn:
                conn.execute("UPDATE comparisons SET data = ?, format = 0 WHERE story_id = ?",
                             (_packed(json.dumps(data, ensure_ascii=False)), story_id))
            return False
        return True


_META = ("id", "outlet", "title", "date", "url", "byline")  # what a summary tells of each article


class _NotTheSame(Exception):
    """A comparison cut into rows does not read back as it was (rolls the cut back)."""


# The comparison's lists that repeat what the analyses of its articles hold, and the analysis field of each.
_LISTS = {"sentences": "sentences", "mentions": "mentions", "quotes": "quotes", "source_citations": "sources"}


def _by_article(items: Sequence[dict[str, Any]], ids: Sequence[str]) -> dict[str, list[dict[str, Any]]] | None:
    """``items`` split by article, or None when they are not the concatenation, in article order, of each
    article's items (then they are kept whole)."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        parts.setdefault(item.get("article_id", ""), []).append(item)
    again = [item for aid in ids for item in parts.get(aid, [])]
    return parts if again == list(items) else None


def _list_patch(name: str, stored: list[dict[str, Any]], compared: list[dict[str, Any]]) -> dict[str, Any]:
    """What turns an article's analysed items into the comparison's: nothing, the entity ids resolution
    gave its mentions, the items that differ by place, or the whole list."""
    if stored == compared:
        return {}
    if len(stored) != len(compared):
        return {name: compared}
    differ = {str(k): c for k, (s, c) in enumerate(zip(stored, compared)) if s != c}
    if name == "mentions" and all({**stored[int(k)], "entity_id": c.get("entity_id")} == c for k, c in differ.items()):
        return {"mention_ids": {k: c.get("entity_id") for k, c in differ.items()}}
    return {name: compared} if len(differ) * 2 > len(compared) else {f"{name}_at": differ}


def _patched(name: str, stored: list[dict[str, Any]], patch: dict[str, Any]) -> list[dict[str, Any]]:
    if name in patch:
        return list(patch[name])
    out = stored
    if name == "mentions" and "mention_ids" in patch:
        out = [{**m, "entity_id": patch["mention_ids"].get(str(k), m.get("entity_id"))} for k, m in enumerate(out)]
    if f"{name}_at" in patch:
        at = patch[f"{name}_at"]
        out = [at.get(str(k), item) for k, item in enumerate(out)]
    return out


def _blob_text(value: Any) -> str:
    """A comparison kept whole: gzip-compressed JSON, or JSON text (stores from before compression)."""
    if isinstance(value, bytes):
        return (gzip.decompress(value) if value[:2] == _GZIP_MAGIC else value).decode("utf-8")
    return str(value)


# Comparisons kept whole were gzip-compressed (older ones JSON text in the same column, SQLite keeping a
# value's own type); one whose rows would not read back unchanged stays so.
_GZIP_MAGIC = b"\x1f\x8b"


def _packed(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)
