"""Export the store: every article with its analysis and story (one row per article), or the findings of
every compared story (one row per finding) as a table a spreadsheet opens. JSONL or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from parallax.model import to_dict
from parallax.store import Database

__all__ = ["EXPORT_FIELDS", "EXPORT_WHAT", "FINDING_FIELDS", "export", "export_articles", "export_rows",
           "finding_rows"]

Progress = Callable[[str, int, int | None], None]

EXPORT_WHAT = ("articles", "findings")
EXPORT_FIELDS = (
    "id", "aliases", "outlet", "title", "date", "url", "byline", "story_id", "near_duplicate_of",
    "text", "removed", "sentences", "mentions", "quotes", "sources",
)
_NESTED = {"aliases", "removed", "sentences", "mentions", "quotes", "sources"}
FINDING_FIELDS = (
    "story_id", "story_title", "kind", "outlet", "article_id", "start", "end", "text",
    "counterpart_outlet", "counterpart_article_id", "counterpart_text", "score", "detail",
)
# What a finding row's ``kind`` says, in the order rows of one story are written (docs/reading-a-report.md).
FINDING_KINDS = ("shared", "partial", "only-in", "missing", "conflict", "quote variant", "source")
# A spreadsheet runs a cell starting with one of these as a formula; article text is untrusted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_rows(db: Database) -> Iterator[dict[str, Any]]:
    """One JSON-ready dict per stored article, in ingest order."""
    story_of = db.story_of_articles()
    for article_id in db.article_ids():
        analyzed = db.analysis(article_id)
        article = analyzed.article
        yield {
            "id": article.id,
            "aliases": list(article.aliases),
            "outlet": article.outlet,
            "title": article.title,
            "date": article.date,
            "url": article.url,
            "byline": article.byline,
            "story_id": story_of.get(article.id),
            "near_duplicate_of": article.near_duplicate_of,
            "text": article.text,
            "removed": to_dict(article.removed),
            "sentences": to_dict(analyzed.sentences),
            "mentions": to_dict(analyzed.mentions),
            "quotes": to_dict(analyzed.quotes),
            "sources": to_dict(analyzed.sources),
        }


def finding_rows(db: Database, *, on_progress: Progress | None = None) -> Iterator[dict[str, Any]]:
    """One row per finding of every compared story, broadest stories first: shared and partial sentences
    (with their closest counterpart), what only one outlet reports, what an outlet leaves out, conflicts,
    quote wordings and sources. Stories not compared yet are skipped (``parallax analyze`` compares them)."""
    stories = db.stories()
    for n, story in enumerate(stories, 1):
        data = db.comparison_json(story.id)
        if data is not None:
            yield from _story_findings(db, story.id, story.title, data)
        if on_progress is not None:
            on_progress("export", n, len(stories))


def _story_findings(db: Database, story_id: str, title: str, data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The rows of one story's stored comparison, read by field name so that added fields change nothing."""
    texts = _Texts(db, data.get("articles") or [])

    def row(kind: str, **values: Any) -> dict[str, Any]:
        return {field: "" for field in FINDING_FIELDS} | {"story_id": story_id, "story_title": title,
                                                          "kind": kind} | values

    for a in data.get("alignments") or []:
        if a.get("status") in {"shared", "partial"}:
            best = max(a.get("matches") or [{}], key=lambda m: float(m.get("similarity") or 0))
            others = [o for o in a.get("outlets") or [] if o != best.get("outlet")]
            yield row(str(a["status"]), **_at(a, texts), **_counterpart(best, texts),
                      score=_score(best.get("similarity")), detail=f"also in {', '.join(others)}" if others else "")
    for gap in data.get("unique") or []:
        yield row("only-in", **_at(gap, texts, text=gap.get("text")))
    for gap in data.get("missing") or []:
        reported = ", ".join(gap.get("reported_by") or [])
        # ``outlet`` is the outlet that leaves it out; article and offsets point where another states it.
        yield row("missing", **_at(gap, texts, text=gap.get("text")), counterpart_outlet=reported,
                  detail=f"reported by {reported}; left out by {gap.get('outlet')}")
    for c in data.get("conflicts") or []:
        a, b = c.get("a") or {}, c.get("b") or {}
        yield row("conflict", **_at(a, texts, text=c.get("a_text")), **_counterpart(b, texts, text=c.get("b_text")),
                  score=_score(c.get("confidence")), detail=f"{c.get('type', '')}: {c.get('reason', '')}")
    yield from _quote_rows(data.get("quote_groups") or [], texts, row)
    for outlet, counts in (data.get("sources") or {}).items():
        for name, count in (counts or {}).items():
            yield row("source", outlet=outlet, text=name, detail=f"cited {count} time{'s' if count != 1 else ''}")


def _quote_rows(groups: Iterable[dict[str, Any]], texts: _Texts,
                row: Callable[..., dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One row per outlet's wording of each quote group, with the group's first other wording beside it."""
    for g in groups:
        wordings = g.get("wordings") or []
        label = str(g.get("label") or "")
        notes = [label + (" (only this outlet quotes it)" if len(wordings) < 2 else ""),
                 f"speaker: {g.get('speaker') or 'unattributed'}"]
        if g.get("attribution_conflict"):
            notes.append("attribution differs")
        for i, w in enumerate(wordings):
            content = w.get("content") or {}
            other = next((o for j, o in enumerate(wordings) if j != i), None)
            beside = {} if other is None else {
                "counterpart_outlet": other.get("outlet") or "", "counterpart_article_id": other.get("article_id") or "",
                "counterpart_text": (other.get("content") or {}).get("text") or ""}
            yield row("quote variant", outlet=w.get("outlet") or texts.outlet(w.get("article_id")),
                      article_id=w.get("article_id") or "", start=content.get("start", ""), end=content.get("end", ""),
                      text=content.get("text") or "", detail="; ".join(notes), **beside)


class _Texts:
    """Article texts and outlets of one story, for the sentence a reference points at by offsets."""

    def __init__(self, db: Database, articles: Iterable[dict[str, Any]]) -> None:
        self.db = db
        self.known = {str(a.get("id")): a for a in articles}

    def _article(self, article_id: str) -> dict[str, Any]:
        if article_id not in self.known:  # the comparison no longer embeds it: read the stored article
            article = self.db.article(article_id)
            self.known[article_id] = {"id": article.id, "outlet": article.outlet, "text": article.text}
        return self.known[article_id]

    def outlet(self, article_id: str | None) -> str:
        return str(self._article(article_id).get("outlet") or "") if article_id else ""

    def cut(self, article_id: str | None, start: Any, end: Any) -> str:
        if not article_id or not isinstance(start, int) or not isinstance(end, int):
            return ""
        return str(self._article(article_id).get("text") or "")[start:end]


def _at(ref: dict[str, Any], texts: _Texts, *, text: str | None = None) -> dict[str, Any]:
    """Outlet, article, offsets and text of the sentence ``ref`` points at."""
    article_id = ref.get("article_id")
    return {"outlet": ref.get("outlet") or texts.outlet(article_id), "article_id": article_id or "",
            "start": ref.get("start", ""), "end": ref.get("end", ""),
            "text": text if text is not None else texts.cut(article_id, ref.get("start"), ref.get("end"))}


def _counterpart(ref: dict[str, Any], texts: _Texts, *, text: str | None = None) -> dict[str, Any]:
    place = _at(ref, texts, text=text) if ref else {"outlet": "", "article_id": "", "text": ""}
    return {"counterpart_outlet": place["outlet"], "counterpart_article_id": place["article_id"],
            "counterpart_text": place["text"]}


def _score(value: Any) -> str:
    return "" if value is None else f"{float(value):.3f}"


def _spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def export(db: Database, output: str | Path, *, what: str = "articles", fmt: str = "jsonl",
           on_progress: Progress | None = None) -> int:
    """Write the articles or the findings of the store to ``output``; returns the row count.

    Args:
        db: the store.
        output: the file to write (replaced only once complete).
        what: ``articles`` (one row per article with its analysis) or ``findings`` (one row per finding).
        fmt: ``jsonl`` or ``csv``. An articles CSV holds nested fields as JSON; a findings CSV is UTF-8 with
            a byte-order mark, so that spreadsheets read its accents, and a cell starting like a formula
            (``=``, ``+``, ``-``, ``@``) starts with an apostrophe.
        on_progress: called with ("export", done, total) now and then.

    Raises:
        ValueError: ``what`` or ``fmt`` is not one of those.
    """
    if what not in EXPORT_WHAT or fmt not in {"jsonl", "csv"}:
        raise ValueError(f"cannot export {what!r} as {fmt!r}")
    if what == "articles":
        return export_articles(db, output, fmt=fmt, on_progress=on_progress)
    return _export_findings(db, output, fmt=fmt, on_progress=on_progress)


def export_articles(db: Database, output: str | Path, *, fmt: str = "jsonl", on_progress: Progress | None = None) -> int:
    """Write the article export to ``output``; CSV cells of nested fields hold their JSON. Returns the row count."""
    total = db.count("articles")
    count = 0
    with _replacing(output, encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in export_rows(db):
            if writer is not None:
                writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in _NESTED else v for k, v in row.items()})
            else:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
            if on_progress is not None and count % 100 == 0:
                on_progress("export", count, total)
    return count


def _export_findings(db: Database, output: str | Path, *, fmt: str, on_progress: Progress | None) -> int:
    count = 0
    with _replacing(output, encoding="utf-8-sig" if fmt == "csv" else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FINDING_FIELDS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in finding_rows(db, on_progress=on_progress):
            if writer is not None:
                writer.writerow({k: _spreadsheet_safe(v) for k, v in row.items()})
            else:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


@contextmanager
def _replacing(output: str | Path, *, encoding: str) -> Iterator[TextIO]:
    """A file that replaces ``output`` once written whole: a killed export never leaves a half-written file
    under the final name (the ``.partial`` beside it is overwritten by the next run)."""
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding=encoding, newline="") as handle:
        yield handle
    tmp.replace(path)
