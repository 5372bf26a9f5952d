"""Entities: the cross-story index of people and organisations, their surface forms and kept pages."""

from __future__ import annotations

import json
from typing import Any

from parallax.errors import NotFoundError
from parallax.keys import entity_slug, name_key
from parallax.model import EntityInfo

from .base import StoreBase, clamp

__all__ = ["EntityRepository"]


class EntityRepository(StoreBase):
    """The entity index (written with each comparison) and the entity pages kept for much-quoted speakers."""

    def list_entities(self, *, q: str | None = None, limit: int = 100, offset: int = 0) -> list[EntityInfo]:
        """Entities by number of articles that mention them; ``q`` filters by a substring of the name."""
        limit, offset = clamp(limit, offset)
        params: list[Any] = []
        where = ""
        if q:
            where = "WHERE e.name LIKE ? ESCAPE '\\'"
            params.append("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        rows = self.conn.execute(
            f"SELECT e.key, e.name, e.label, e.n_articles, e.n_stories FROM entities e {where}"  # noqa: S608
            " ORDER BY e.n_articles DESC, e.name LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [EntityInfo(*row) for row in rows]

    def entity_info(self, key: str) -> EntityInfo:
        """The entity ``key``, or a speaker no entity claimed whose name key it is.

        Raises:
            NotFoundError: neither is stored.
        """
        row = self.conn.execute(
            "SELECT e.key, e.name, e.label, e.n_articles, e.n_stories FROM entities e WHERE e.key = ?", (key,)
        ).fetchone()
        if row is not None:
            return EntityInfo(*row)
        row = self.conn.execute(
            "SELECT speaker_name, count(DISTINCT article_id) FROM quotes WHERE speaker_key IN (?, ?)"
            " GROUP BY speaker_name ORDER BY 2 DESC LIMIT 1",
            (key, name_key(key.replace("-", " "))),
        ).fetchone()
        if row is None:
            raise NotFoundError("entity", key)
        return EntityInfo(key, row[0] or key, "PERSON", row[1], 0)

    def entity_forms(self, key: str) -> dict[str, int]:
        """Surface form -> the number of articles that used it (counted by SQLite's JSON functions: a much
        mentioned entity has thousands of rows)."""
        rows = self.conn.execute(
            "SELECT CAST(f.value AS TEXT), count(*) FROM entity_articles ea, json_each(ea.forms) f"
            " WHERE ea.entity_key = ? GROUP BY 1 ORDER BY min(ea.rowid * 100000 + f.key)",
            (key,),
        )
        return {str(form): int(n) for form, n in rows}

    def entity_stories(self, key: str, *, limit: int = 100) -> tuple[tuple[str, str, str | None], ...]:
        """(id, title, last date) of the stories that mention ``key``, newest first."""
        return tuple(
            (row[0], row[1], row[2])
            for row in self.conn.execute(
                "SELECT s.id, s.title, s.last_date FROM stories s WHERE s.id IN"
                " (SELECT story_id FROM entity_articles WHERE entity_key = ?)"
                " ORDER BY coalesce(s.last_date, '') DESC LIMIT ?",
                (key, limit),
            )
        )

    def article_entity_forms(self, article_id: str) -> dict[str, str]:
        """Surface form -> entity key for the entities resolved in one article."""
        forms: dict[str, str] = {}
        for row in self.conn.execute("SELECT entity_key, forms FROM entity_articles WHERE article_id = ?", (article_id,)):
            for form in json.loads(row[1]) or []:
                forms.setdefault(str(form), row[0])
        return forms

    def story_entity_links(self, story_id: str) -> dict[str, str]:
        """Name or surface form -> the key of an entity page that exists, for the entities mentioned in one
        story and the speakers quoted in it: what the story page may link ("Lena K. Ostrova" ->
        "lena-ostrova"). A name absent here has no page and is shown without a link."""
        links: dict[str, str] = {}
        rows = self.conn.execute(
            "SELECT ea.entity_key, e.name, ea.forms FROM entity_articles ea JOIN entities e ON e.key = ea.entity_key"
            " WHERE ea.story_id = ? ORDER BY ea.count DESC",
            (story_id,),
        )
        forms: dict[str, str] = {}
        for key, name, found in rows:
            links.setdefault(str(name), str(key))
            for form in json.loads(found) or []:
                forms.setdefault(str(form), str(key))
        for form, key in forms.items():
            links.setdefault(form, key)
        # A speaker's quotes carry the key of the entity it was resolved to, else its own name key: either
        # finds the entity page (see entity_info). The most common key of a name wins.
        for name, key, _ in self.conn.execute(
            "SELECT q.speaker_name, q.speaker_key, count(*) FROM story_articles s JOIN quotes q"
            " ON q.article_id = s.article_id WHERE s.story_id = ? AND q.speaker_name IS NOT NULL"
            " AND q.speaker_key IS NOT NULL AND q.speaker_key != '' GROUP BY 1, 2 ORDER BY 3 DESC",
            (story_id,),
        ):
            links.setdefault(str(name), str(key))
        return links

    def much_quoted(self, min_quotes: int) -> list[str]:
        """Entities quoted at least ``min_quotes`` times under one speaker key, most quoted first. A quote's
        key is its entity's key once its story is compared, else the speaker's name key ("hillary
        clinton"), whose entity is found by its slug."""
        out: dict[str, None] = {}
        for speaker, _ in self.conn.execute(
            "SELECT speaker_key, count(*) FROM quotes INDEXED BY quotes_speaker_key WHERE speaker_key IS NOT NULL"
            " GROUP BY speaker_key HAVING count(*) >= ? ORDER BY 2 DESC", (min_quotes,)
        ):
            for key in (speaker, entity_slug(speaker)):
                if self.conn.execute("SELECT 1 FROM entities WHERE key = ?", (key,)).fetchone():
                    out[key] = None
                    break
        return list(out)

    def kept_entity_page(self, key: str, stamp: str, page: int) -> dict[str, Any] | None:
        """The kept entity page of ``key`` with remarks page ``page`` as ``variants``, if it was kept with
        ``stamp`` (what it was built from); None when there is none or it is stale."""
        row = self.conn.execute("SELECT stamp, data FROM entity_pages WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] != stamp:
            return None
        data = dict(json.loads(row[1]))
        chunk = self.conn.execute("SELECT data FROM entity_remarks WHERE key = ? AND page = ?", (key, page)).fetchone()
        data["variants"] = json.loads(chunk[0]) if chunk else []
        return data

    def entity_page_stamp(self, key: str) -> str | None:
        """The stamp the kept page of ``key`` was built from, if one is kept."""
        row = self.conn.execute("SELECT stamp FROM entity_pages WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def save_entity_page(self, key: str, stamp: str, data: dict[str, Any], remark_pages: list[list[Any]]) -> None:
        """Keep an entity page (without its remarks) and its remarks one page per row, stamped."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO entity_pages(key, stamp, data) VALUES (?, ?, ?)",
                (key, stamp, json.dumps(data, ensure_ascii=False)),
            )
            conn.execute("DELETE FROM entity_remarks WHERE key = ?", (key,))
            conn.executemany(
                "INSERT INTO entity_remarks(key, page, data) VALUES (?, ?, ?)",
                [(key, n, json.dumps(chunk, ensure_ascii=False)) for n, chunk in enumerate(remark_pages, 1)],
            )
