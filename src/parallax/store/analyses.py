"""Analyses: each article's sentences, mentions, quotes and sources, its vector, and its quote rows."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from parallax.keys import name_key
from parallax.model import (
    AnalyzedArticle, EntityLabel, Mention, Quote, Sentence, SourceCitation, from_dict, to_dict,
)

from .articles import ArticleRepository

__all__ = ["ANALYSIS_VERSION", "AnalysisRepository"]

# 2: the tokenizer splits dashes off words; quotes come from the tagger ensemble.
# 3: quotes come from one self-trained tagger.
# 4: quote spans never start or end on whitespace; mixed-quote tails, two-step parse links, datelines,
#    appositive commas, unmatched parentheses and coordination arcs change which speakers, cues and
#    contents quotes get.
# 5: raising and passive frames drop their subject as speaker, quoted titles are no quotes, nesting
#    frames, colon lines and signed quotations with a reversed opening mark add quotes; "X was quoted
#    by Y as saying" gives X as speaker and Y as relay.
# 6: the quote tagger keeps the spans more likely right than wrong (minimum Bayes risk decoding).
# 7: speakers among relatives sharing a surname and pronouns agreeing with courtesy titles, sources named
#    as media a statement was made in or to, sentences keeping their closing quotation mark, labels made
#    at analysis without appositives a comma does not introduce.
# 8: no sentence ends between two words of one line (headlines stay one sentence).
# 9: a speaker is not a person named inside a clause that describes the speaker ("the aide, X, who has
#    followers on Twitter": not "Twitter"); a reporting clause after a quoted "?" or "!" stays in its
#    sentence ("“You want to pet him?” Mr. Obama asked his daughters."); entity labels: an appositive
#    must follow the name set off by punctuation and, if a verb follows, have the name as its subject;
#    a title before a name stops at a participle after a noun ("Trump fired | Secretary of State");
#    "Strzok's attorney" is not Strzok (a role's holder is looked up; a document speaks for its owner),
#    and "he" after such a speaker points back to the speaker, not to the name inside its mention; a
#    capitalised surname the tagger reads as a common noun ("Summers replied") is the person named so;
#    a source named with a possessive inside ("the U.S. Attorney’s Office") keeps its whole name, and an
#    outlet's name ends at its last capitalised word ("The San Diego Union-Tribune | days after").
# 10: a post named by its platform keeps its author ("said in a Twitter post" -> "Warner's Twitter post"); a
#    role noun with the person's name beside it names that person as a document's issuer ("the aide, X,
#    said in a statement" -> "X's statement") and is not an unnamed source; a body named after a person is
#    a source ("the Obama campaign said"); a document after "according to" is a relay ("according to
#    excerpts provided by the Justice Department"); an unnamed group's name loses a lead the parse hung on
#    it ("As such, | independent fact-checkers") and a dangling "and"; broadcasters named without a
#    medium word are media ("telling CNN"), so is a medium named with its kind ("Forbes magazine
#    estimated"); a document released, sent or posted ("after releasing a written statement") is relied
#    on; a document's name stops before what it says ("a statement | that X was fired", "| in which he
#    said") and its issuer is named without an appositive ("X, Y's attorney, said in a statement" -> "X's
#    statement", also as the quote's relay when the tagger took X for an organisation).
ANALYSIS_VERSION = 10
_VECTOR_DTYPE = np.float32

class AnalysisRepository(ArticleRepository):
    """Analyses, the quote and source rows cut from them, and the story vectors made from them."""

    def pending_analysis(self, *, models: str = "", limit: int | None = None) -> list[str]:
        """Ids of articles with no analysis of the current version, in ingest order; with ``models`` (the
        stamp of the model package, :func:`parallax.weights.models_stamp`), also those analysed with other
        models (an analysis stored before stamps were kept counts as current)."""
        sql = (
            "SELECT a.id FROM articles a LEFT JOIN analyses n ON n.article_id = a.id"
            " WHERE n.article_id IS NULL OR n.version < ? OR (? != '' AND n.models NOT IN ('', ?))"
            " ORDER BY a.rowid"
        )
        params: tuple[Any, ...] = (ANALYSIS_VERSION, models, models)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        return [row[0] for row in self.conn.execute(sql, params)]

    def save_analyses(self, batch: Sequence[AnalyzedArticle], *, models: str = "",
                      vectors: Sequence[bytes | None] | None = None) -> None:
        """Store analyses with their quotes and sources in one transaction; ``models``: the stamp of the
        models that made them; ``vectors``: each one's packed embeddings (``ArticleVectors.to_bytes``)."""
        packed = list(vectors) if vectors is not None else [None] * len(batch)
        with self.transaction() as conn:
            for analyzed, blob in zip(batch, packed, strict=True):
                self._save_analysis(conn, analyzed, models, blob)

    @staticmethod
    def _save_analysis(conn: sqlite3.Connection, analyzed: AnalyzedArticle, models: str, vectors: bytes | None
                       ) -> None:
        article_id = analyzed.article.id
        data: dict[str, Any] = {
            "sentences": to_dict(analyzed.sentences),
            "mentions": to_dict(analyzed.mentions),
            "quotes": to_dict(analyzed.quotes),
            "sources": to_dict(analyzed.sources),
        }
        if analyzed.labels is not None:
            data["labels"] = to_dict(analyzed.labels)
        conn.execute(
            "INSERT OR REPLACE INTO analyses(article_id, version, data, models, vectors) VALUES (?, ?, ?, ?, ?)",
            (article_id, ANALYSIS_VERSION, json.dumps(data, ensure_ascii=False), models, vectors),
        )
        conn.execute("DELETE FROM quotes WHERE article_id = ?", (article_id,))
        for idx, quote in enumerate(analyzed.quotes):
            conn.execute(
                "INSERT INTO quotes(article_id, idx, kind, speaker, speaker_name, speaker_key, content, start, end,"
                " cue, relay, relay_kind, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    idx,
                    quote.kind,
                    quote.speaker.text if quote.speaker else None,
                    quote.speaker_name,
                    quote.speaker_entity or name_key(quote.speaker_name) or None,
                    quote.content.text,
                    quote.content.start,
                    quote.content.end,
                    quote.cue.text if quote.cue else None,
                    quote.relay.name if quote.relay else None,
                    quote.relay.kind if quote.relay else None,
                    analyzed.article.date,
                ),
            )
        conn.execute("DELETE FROM article_sources WHERE article_id = ?", (article_id,))
        counts: dict[tuple[str, str], int] = {}
        for source in analyzed.sources:
            counts[(source.name, source.kind)] = counts.get((source.name, source.kind), 0) + 1
        for (name, kind), count in counts.items():
            conn.execute(
                "INSERT OR REPLACE INTO article_sources(article_id, name, kind, count) VALUES (?, ?, ?, ?)",
                (article_id, name, kind, count),
            )

    def analysis(self, article_id: str) -> AnalyzedArticle:
        article = self.article(article_id)
        row = self.conn.execute("SELECT data FROM analyses WHERE article_id = ?", (article.id,)).fetchone()
        if row is None:
            return AnalyzedArticle(article)
        data = json.loads(row[0])
        return AnalyzedArticle(
            article,
            tuple(from_dict(Sentence, item) for item in data.get("sentences", [])),
            tuple(from_dict(Mention, item) for item in data.get("mentions", [])),
            tuple(from_dict(Quote, item) for item in data.get("quotes", [])),
            tuple(from_dict(SourceCitation, item) for item in data.get("sources", [])),
            None if "labels" not in data else tuple(from_dict(EntityLabel, item) for item in data["labels"]),
        )

    def save_analysis_vectors(self, rows: Sequence[tuple[str, bytes]]) -> None:
        """Replace the packed embeddings of analyses (their sentence rows, made at a first comparison)."""
        with self.transaction() as conn:
            conn.executemany("UPDATE analyses SET vectors = ? WHERE article_id = ?",
                             [(blob, article_id) for article_id, blob in rows])

    def analysis_vectors(self, article_ids: Sequence[str]) -> dict[str, tuple[bytes, int, int]]:
        """article id -> (packed embeddings, sentence count, quote count) of the analyses that have them."""
        out: dict[str, tuple[bytes, int, int]] = {}
        for lo in range(0, len(article_ids), 500):
            chunk = list(article_ids[lo : lo + 500])
            sql = ("SELECT article_id, vectors, json_array_length(data, '$.sentences'),"
                   " json_array_length(data, '$.quotes') FROM analyses"
                   f" WHERE vectors IS NOT NULL AND article_id IN ({','.join('?' * len(chunk))})")
            for article_id, blob, sentences, quotes in self.conn.execute(sql, chunk):
                out[article_id] = (bytes(blob), int(sentences or 0), int(quotes or 0))
        return out

    def save_vectors(self, rows: Sequence[tuple[str, np.ndarray, Sequence[str]]]) -> None:
        with self.transaction() as conn:
            for article_id, vector, entities in rows:
                conn.execute(
                    "INSERT OR REPLACE INTO vectors(article_id, vector, entities) VALUES (?, ?, ?)",
                    (article_id, np.asarray(vector, _VECTOR_DTYPE).tobytes(), json.dumps(sorted(entities))),
                )

    def vector_rows(self) -> Iterator[tuple[str, np.ndarray, list[str], str | None, str, str | None]]:
        """(article id, vector, entities, date, outlet, story id) for every embedded article, in ingest order."""
        sql = (
            "SELECT v.article_id, v.vector, v.entities, a.date, a.outlet, s.story_id FROM vectors v"
            " JOIN articles a ON a.id = v.article_id LEFT JOIN story_articles s ON s.article_id = v.article_id"
            " ORDER BY a.rowid"
        )
        for row in self.conn.execute(sql):
            yield (row[0], np.frombuffer(row[1], _VECTOR_DTYPE), json.loads(row[2]), row[3], row[4], row[5])

    def unclustered(self) -> list[str]:
        sql = (
            "SELECT a.id FROM articles a JOIN analyses n ON n.article_id = a.id"
            " LEFT JOIN story_articles s ON s.article_id = a.id WHERE s.article_id IS NULL"
            " ORDER BY coalesce(a.date, ''), a.rowid"
        )
        return [row[0] for row in self.conn.execute(sql)]
