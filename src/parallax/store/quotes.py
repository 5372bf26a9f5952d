"""Quotes as rows: search by words, speaker, outlet and date, and every quote a speaker's keys name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from parallax.model import QuoteHit

from .base import StoreBase, clamp
from .text import fts_query

__all__ = ["QUOTE_COLUMNS", "QuoteRepository", "quote_from_row"]

QUOTE_COLUMNS = (
    "q.id, q.article_id, a.outlet, a.date, a.title, q.kind, q.speaker, q.speaker_name, q.speaker_key,"
    " q.content, q.start, q.end, q.cue, q.relay, q.relay_kind"
)


def quote_from_row(row: Any) -> QuoteHit:
    return QuoteHit(*(row[i] for i in range(15)))


class QuoteRepository(StoreBase):
    """Quote rows (written with their analysis, see :class:`~parallax.store.analyses.AnalysisRepository`)."""

    def search_quotes(
        self,
        *,
        q: str | None = None,
        speaker: str | None = None,
        outlet: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[QuoteHit], int]:
        """Quotes whose words match ``q`` and speaker name matches ``speaker``; newest first, with the total."""
        limit, offset = clamp(limit, offset)
        clauses: list[str] = ["1"]
        params: list[Any] = []
        content_match, speaker_match = fts_query(q), fts_query(speaker)
        parts = []
        if content_match:
            parts.append(f"content : ({content_match})")
        if speaker_match:
            parts.append(f"speaker_name : ({speaker_match})")
        if parts:
            clauses.append("q.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)")
            params.append(" AND ".join(parts))
        if outlet:
            clauses.append("a.outlet = ?")
            params.append(outlet)
        if date_from:
            clauses.append("coalesce(a.date, '') >= ?")
            params.append(date_from)
        if date_to:
            clauses.append("coalesce(a.date, '') < date(?, '+1 day')")
            params.append(date_to)
        where = " AND ".join(clauses)
        # Every column the filters and the order need is in a covering index of migration 0006, named here
        # because without table statistics SQLite prefers the wide rows' primary keys (2-10x slower).
        order = "a.date DESC, q.id"  # dates are ISO text or NULL; NULL sorts last
        inner = order
        if parts and len(clauses) == 2:  # words only: the full-text hits sort by the date each quote carries
            base = f"FROM quotes q INDEXED BY quotes_id_date WHERE {where}"  # noqa: S608
            inner = "q.date DESC, q.id"
        elif parts:  # words and filters: join each hit to its article's date and outlet
            base = (
                "FROM quotes q INDEXED BY quotes_id_article JOIN articles a INDEXED BY articles_id_date_outlet"
                f" ON a.id = q.article_id WHERE {where}"  # noqa: S608
            )
        else:  # no words: walk the articles newest first, which stops as soon as the page is full
            base = (
                "FROM articles a INDEXED BY articles_date_outlet JOIN quotes q ON q.article_id = a.id"
                f" WHERE {where}"  # noqa: S608
            )
        # Choose the page from the indexes alone, then read the wide rows of just that page. With words and
        # other filters the total comes from a window count, so the full-text query runs once.
        counted = parts and len(clauses) > 2
        rows = self.conn.execute(
            f"SELECT {QUOTE_COLUMNS}, p.total FROM (SELECT q.id AS id,"  # noqa: S608
            f" {'count(*) OVER ()' if counted else 'NULL'} AS total {base} ORDER BY {inner} LIMIT ? OFFSET ?) p"
            f" JOIN quotes q ON q.id = p.id JOIN articles a ON a.id = q.article_id ORDER BY {order}",
            [*params, limit, offset],
        ).fetchall()
        if counted and rows:
            total = int(rows[0]["total"])
        elif len(clauses) == 1:
            total = int(self.conn.execute("SELECT count(*) FROM quotes").fetchone()[0])
        elif parts and len(clauses) == 2:  # words only: the full-text index counts its hits without the join
            total = int(self.conn.execute("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?", params).fetchone()[0])
        else:
            total = int(self.conn.execute(f"SELECT count(*) {base}", params).fetchone()[0])
        return [quote_from_row(row) for row in rows], total

    def speaker_quotes(self, keys: Sequence[str], *, limit: int) -> list[QuoteHit]:
        """The newest ``limit`` quotes whose speaker key is one of ``keys``, oldest first."""
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT {QUOTE_COLUMNS} FROM quotes q JOIN articles a ON a.id = q.article_id"  # noqa: S608
            f" WHERE q.speaker_key IN ({marks}) ORDER BY coalesce(a.date, '') DESC, q.id DESC LIMIT ?",
            [*keys, limit],
        )
        return [quote_from_row(row) for row in rows][::-1]

    def speaker_quote_count(self, keys: Sequence[str]) -> tuple[int, int | None]:
        """How many quotes carry one of the speaker ``keys``, and the newest quote id among them."""
        marks = ",".join("?" * len(keys))
        count, newest = self.conn.execute(
            f"SELECT count(*), max(id) FROM quotes WHERE speaker_key IN ({marks})", list(keys)  # noqa: S608
        ).fetchone()
        return int(count), newest

    def quotes_stamp(self) -> str:
        """Changes whenever a quote is added or a comparison recomputed: what a cached entity page was built from."""
        row = self.conn.execute(
            "SELECT (SELECT max(id) FROM quotes), (SELECT max(computed_at) FROM comparisons)").fetchone()
        return str(tuple(row))
