"""Export every article with its analysis and story, one row per article (JSONL or CSV)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from parallax.model import to_dict
from parallax.store import Database

__all__ = ["EXPORT_FIELDS", "export_articles", "export_rows"]

EXPORT_FIELDS = (
    "id", "aliases", "outlet", "title", "date", "url", "byline", "story_id", "near_duplicate_of",
    "text", "removed", "sentences", "mentions", "quotes", "sources",
)
_NESTED = {"aliases", "removed", "sentences", "mentions", "quotes", "sources"}


def export_rows(db: Database) -> Iterator[dict[str, Any]]:
    """One JSON-ready dict per stored article, in ingest order."""
    story_of = dict(db.conn.execute("SELECT article_id, story_id FROM story_articles").fetchall())
    for article_id in [row[0] for row in db.conn.execute("SELECT id FROM articles ORDER BY rowid")]:
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


def export_articles(
    db: Database, output: str | Path, *, fmt: str = "jsonl", on_progress: Callable[[str, int, int | None], None] | None = None
) -> int:
    """Write the export to ``output``; CSV cells of nested fields hold their JSON. Returns the row count."""
    total = db.count("articles")
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="") as handle:
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
    tmp.replace(path)  # a killed export never leaves a half-written file under the final name
    return count
