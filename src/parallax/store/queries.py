"""Read queries behind the stories, quotes, entity and article views (CLI and web call the same ones).

Every function takes an open :class:`~parallax.store.db.Database` and returns small frozen records.
User input only ever reaches SQL as bound parameters; free text reaches FTS5 only through
:func:`fts_query`, which quotes every term so no input can form FTS syntax.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from parallax.errors import InputError, NotFoundError
from parallax.model import to_dict

from .db import Database, speaker_key

__all__ = [
    "HEAVY_ENTITY_QUOTES",
    "REMARKS_PER_PAGE",
    "EntityInfo",
    "EntityPage",
    "QuoteHit",
    "QuoteVariant",
    "StoryFilters",
    "StoryPage",
    "StoryRow",
    "article_story",
    "Wording",
    "entity_forms",
    "entity_page",
    "entity_page_slice",
    "fts_query",
    "group_variants",
    "heavy_speakers",
    "list_entities",
    "list_outlets",
    "list_stories",
    "name_key",
    "parse_date",
    "search_quotes",
    "store_entity_page",
    "word_diff",
]

_MAX_TERMS = 16
_MAX_LIMIT = 200
# Two quotes are wordings of one remark when rapidfuzz's token_set_ratio reaches this; set by eye on the
# seed pair (translated Putin remarks score 70-85, unrelated remarks by the same speaker stay under 50).
_VARIANT_SIMILARITY = 62.0
_MAX_ENTITY_QUOTES = 1000
# From this many quotes on, an entity's page is grouped ahead (by `analyze` and `serve`) and kept: the
# fuzzy grouping is quadratic (~2 s for 1,000 quotes, ~0.05 s for 150, a few ms below 50).
HEAVY_ENTITY_QUOTES = 50
REMARKS_PER_PAGE = 50  # an entity page lists its remarks most widely reported first, this many at a time
_TERM = re.compile(r'"([^"]*)"|([\w\-\'’]+\*?)', re.UNICODE)


def fts_query(text: str | None) -> str | None:
    """An FTS5 MATCH expression that ANDs the words of ``text``; ``"phrases"`` and ``prefix*`` kept.

    Every term is emitted as a double-quoted FTS5 string, so operators, column filters, parentheses and
    stray quotes in user input are searched for as words instead of being parsed.
    """
    if not text:
        return None
    terms: list[str] = []
    for match in _TERM.finditer(text):
        phrase, word = match.group(1), match.group(2)
        raw = phrase if phrase is not None else word
        prefix = word is not None and word.endswith("*")
        words = re.findall(r"\w+", raw.rstrip("*"), re.UNICODE)
        if not words:
            continue
        terms.append('"' + " ".join(words) + '"' + ("*" if prefix else ""))
        if len(terms) >= _MAX_TERMS:
            break
    return " ".join(terms) or None


def parse_date(value: str | None, *, name: str) -> str | None:
    """``YYYY-MM-DD`` checked and normalised, or None; anything else is an :class:`InputError`."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise InputError(name, f"{value!r} is not a date", "write it as YYYY-MM-DD") from None


def _clamp(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), _MAX_LIMIT)), max(0, int(offset))


# -- stories ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryFilters:
    outlet: str | None = None
    entity: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class StoryRow:
    id: str
    title: str
    first_date: str | None
    last_date: str | None
    n_articles: int
    n_outlets: int
    outlets: dict[str, int]  # outlet -> articles in the story
    has_comparison: bool


@dataclass(frozen=True, slots=True)
class StoryPage:
    stories: tuple[StoryRow, ...]
    total: int
    limit: int
    offset: int
    filters: StoryFilters


def _story_where(filters: StoryFilters) -> tuple[str, list[Any]]:
    clauses = ["s.n_articles > 0"]
    params: list[Any] = []
    if filters.outlet:
        clauses.append(
            "EXISTS (SELECT 1 FROM story_articles sa JOIN articles a INDEXED BY articles_id_date_outlet"
            " ON a.id = sa.article_id WHERE sa.story_id = s.id AND a.outlet = ?)"
        )
        params.append(filters.outlet)
    if filters.entity:
        clauses.append("EXISTS (SELECT 1 FROM entity_articles ea WHERE ea.story_id = s.id AND ea.entity_key = ?)")
        params.append(filters.entity)
    if filters.date_from:
        clauses.append("coalesce(s.last_date, '') >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        # Dates may carry a time; anything on the ``to`` day still counts.
        clauses.append("coalesce(s.first_date, '') < date(?, '+1 day')")
        params.append(filters.date_to)
    if fts_query(filters.q):
        clauses.append("s.id IN hits")  # the stories of the full-text hits: see _HITS
    return " AND ".join(clauses), params


# The stories whose articles match the full-text query, computed once per request: the page walks the
# stories_web_order index and stops after LIMIT members, and the total counts this set.
_HITS = (
    "WITH hits(story_id) AS MATERIALIZED (SELECT DISTINCT sa.story_id FROM story_articles sa"
    " WHERE sa.article_rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)) "
)


def list_stories(db: Database, filters: StoryFilters | None = None, *, limit: int = 50, offset: int = 0) -> StoryPage:
    """Stories matching ``filters``, newest day first and, within a day, broadest (most outlets) first."""
    filters = filters or StoryFilters()
    limit, offset = _clamp(limit, offset)
    where, params = _story_where(filters)
    match = fts_query(filters.q)
    # Matches the stories_web_order index, so a page stops after LIMIT rows.
    order = "substr(coalesce(s.last_date, ''), 1, 10) DESC, s.n_outlets DESC, s.n_articles DESC, s.id"
    prefix, first = (_HITS, [match]) if match else ("", [])
    if match and not (filters.outlet or filters.entity or filters.date_from or filters.date_to):
        # Words only: every story with an article has n_articles > 0, so the total is the hit set's size.
        total_sql, total_params = "(SELECT count(*) FROM hits)", []
    else:
        total_sql, total_params = f"(SELECT count(*) FROM stories s WHERE {where})", params  # noqa: S608
    rows = db.conn.execute(
        f"{prefix}SELECT p.*, EXISTS (SELECT 1 FROM comparisons c WHERE c.story_id = p.id) AS has_comparison FROM ("
        f"SELECT s.id, s.title, s.first_date, s.last_date, s.n_articles, s.n_outlets, {total_sql} AS total"
        f" FROM stories s INDEXED BY stories_web_order WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) p"  # noqa: S608
        f" ORDER BY {order.replace('s.', 'p.')}",
        [*first, *total_params, *params, limit, offset],
    ).fetchall()
    if rows:
        total = int(rows[0]["total"])
    else:  # a page past the end: count on its own
        total = int(db.conn.execute(f"{prefix}SELECT {total_sql}", [*first, *total_params]).fetchone()[0])  # noqa: S608
    outlets = _story_outlets(db, [row["id"] for row in rows])
    stories = tuple(
        StoryRow(
            id=row["id"],
            title=row["title"],
            first_date=row["first_date"],
            last_date=row["last_date"],
            n_articles=row["n_articles"],
            n_outlets=row["n_outlets"],
            outlets=outlets.get(row["id"], {}),
            has_comparison=bool(row["has_comparison"]),
        )
        for row in rows
    )
    return StoryPage(stories, total, limit, offset, filters)


def _story_outlets(db: Database, story_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    result: dict[str, dict[str, int]] = {}
    for row in db.conn.execute(
        "SELECT sa.story_id, a.outlet, count(*) FROM story_articles sa"
        " JOIN articles a INDEXED BY articles_id_date_outlet ON a.id = sa.article_id"
        f" WHERE sa.story_id IN ({marks}) GROUP BY sa.story_id, a.outlet ORDER BY 3 DESC, 2",  # noqa: S608
        list(story_ids),
    ):
        result.setdefault(row[0], {})[row[1]] = row[2]
    return result


def list_outlets(db: Database) -> list[tuple[str, int]]:
    """(outlet, article count), most prolific first."""
    rows = db.conn.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY 2 DESC, 1")
    return [(row[0], row[1]) for row in rows]


# -- quotes -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteHit:
    id: int
    article_id: str
    outlet: str
    date: str | None
    title: str
    kind: str
    speaker: str | None
    speaker_name: str | None
    speaker_key: str | None
    content: str
    start: int
    end: int
    cue: str | None
    relay: str | None
    relay_kind: str | None


_QUOTE_COLUMNS = (
    "q.id, q.article_id, a.outlet, a.date, a.title, q.kind, q.speaker, q.speaker_name, q.speaker_key,"
    " q.content, q.start, q.end, q.cue, q.relay, q.relay_kind"
)


def _quote_from_row(row: Any) -> QuoteHit:
    return QuoteHit(*(row[i] for i in range(15)))


def search_quotes(
    db: Database,
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
    limit, offset = _clamp(limit, offset)
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
    rows = db.conn.execute(
        f"SELECT {_QUOTE_COLUMNS}, p.total FROM (SELECT q.id AS id,"  # noqa: S608
        f" {'count(*) OVER ()' if counted else 'NULL'} AS total {base} ORDER BY {inner} LIMIT ? OFFSET ?) p"
        f" JOIN quotes q ON q.id = p.id JOIN articles a ON a.id = q.article_id ORDER BY {order}",
        [*params, limit, offset],
    ).fetchall()
    if counted and rows:
        total = int(rows[0]["total"])
    elif len(clauses) == 1:
        total = int(db.conn.execute("SELECT count(*) FROM quotes").fetchone()[0])
    elif parts and len(clauses) == 2:  # words only: the full-text index counts its hits without the join
        total = int(db.conn.execute("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?", params).fetchone()[0])
    else:
        total = int(db.conn.execute(f"SELECT count(*) {base}", params).fetchone()[0])
    return [_quote_from_row(row) for row in rows], total


# -- entities -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntityInfo:
    key: str
    name: str
    label: str
    n_articles: int = 0
    n_stories: int = 0


@dataclass(frozen=True, slots=True)
class Wording:
    """One distinct wording of a remark, with every quote that uses it."""

    text: str
    outlets: tuple[str, ...]
    first_date: str | None
    quotes: tuple[QuoteHit, ...]
    diff: tuple[tuple[str, str], ...] = ()  # against the group's first wording: ("=", "-", "+", token)


@dataclass(frozen=True, slots=True)
class QuoteVariant:
    """One remark as worded by different outlets (or repeated over time)."""

    first_date: str | None
    outlets: tuple[str, ...]
    wordings: tuple[Wording, ...]


@dataclass(frozen=True, slots=True)
class EntityPage:
    entity: EntityInfo
    forms: dict[str, int]  # surface form -> mentions
    outlets: dict[str, int]  # outlet -> quotes
    variants: tuple[QuoteVariant, ...]
    stories: tuple[tuple[str, str, str | None], ...] = field(default=())  # (id, title, last_date)
    n_quotes: int = 0  # quotes shown (grouped into variants)
    n_quotes_total: int = 0  # quotes in the store; more than n_quotes when capped to the newest


def list_entities(db: Database, *, q: str | None = None, limit: int = 100, offset: int = 0) -> list[EntityInfo]:
    """Entities by number of articles that mention them; ``q`` filters by a substring of the name."""
    limit, offset = _clamp(limit, offset)
    params: list[Any] = []
    where = ""
    if q:
        where = "WHERE e.name LIKE ? ESCAPE '\\'"
        params.append("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    rows = db.conn.execute(
        f"SELECT e.key, e.name, e.label, e.n_articles, e.n_stories FROM entities e {where}"  # noqa: S608
        " ORDER BY e.n_articles DESC, e.name LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [EntityInfo(*row) for row in rows]


def entity_page(db: Database, key: str) -> EntityPage:
    """Everything ``key`` is quoted saying, across outlets and over time, grouped into wording variants."""
    return _build_entity_page(db, *_entity_inputs(db, key))


def entity_page_slice(db: Database, key: str, page: int = 1) -> tuple[dict[str, Any], bool]:
    """The JSON form of :func:`entity_page` with only remarks ``REMARKS_PER_PAGE * (page - 1)`` onwards
    (one page of them) and ``n_variants``, and whether it came from the grouping kept by
    :func:`store_entity_page` (read while it matches the store) rather than built now."""
    info, forms, keys = _entity_inputs(db, key)
    row = db.conn.execute("SELECT stamp, data FROM entity_pages WHERE key = ?", (info.key,)).fetchone()
    if row is not None and row[0] == _entity_stamp(db, info, keys):
        data = dict(json.loads(row[1]))
        chunk = db.conn.execute("SELECT data FROM entity_remarks WHERE key = ? AND page = ?", (info.key, page)).fetchone()
        data["variants"] = json.loads(chunk[0]) if chunk else []
        return data, True
    data, variants = _without_variants(_build_entity_page(db, info, forms, keys))
    start = (page - 1) * REMARKS_PER_PAGE
    data["variants"] = variants[start : start + REMARKS_PER_PAGE]
    return data, False


def heavy_speakers(db: Database) -> list[str]:
    """Entities quoted at least :data:`HEAVY_ENTITY_QUOTES` times under one speaker key, most quoted
    first: their pages are grouped ahead. A quote's key is its entity's key once its story is compared,
    else the speaker's name key ("hillary clinton"), whose entity is found by its slug."""
    from parallax.pipeline import entity_key  # the slug entities are keyed by

    out: dict[str, None] = {}
    for speaker, _ in db.conn.execute(
        "SELECT speaker_key, count(*) FROM quotes INDEXED BY quotes_speaker_key WHERE speaker_key IS NOT NULL"
        " GROUP BY speaker_key HAVING count(*) >= ? ORDER BY 2 DESC", (HEAVY_ENTITY_QUOTES,)
    ):
        for key in (speaker, entity_key(speaker)):
            if db.conn.execute("SELECT 1 FROM entities WHERE key = ?", (key,)).fetchone():
                out[key] = None
                break
    return list(out)


def store_entity_page(db: Database, key: str) -> bool:
    """Group ``key``'s quotes into remarks and keep the page, unless the kept one still matches the
    store; returns whether it was (re)built."""
    info, forms, keys = _entity_inputs(db, key)
    stamp = _entity_stamp(db, info, keys)
    row = db.conn.execute("SELECT stamp FROM entity_pages WHERE key = ?", (info.key,)).fetchone()
    if row is not None and row[0] == stamp:
        return False
    data, variants = _without_variants(_build_entity_page(db, info, forms, keys))
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO entity_pages(key, stamp, data) VALUES (?, ?, ?)",
            (info.key, stamp, json.dumps(data, ensure_ascii=False)),
        )
        conn.execute("DELETE FROM entity_remarks WHERE key = ?", (info.key,))
        conn.executemany(
            "INSERT INTO entity_remarks(key, page, data) VALUES (?, ?, ?)",
            [
                (info.key, n + 1, json.dumps(variants[start : start + REMARKS_PER_PAGE], ensure_ascii=False))
                for n, start in enumerate(range(0, len(variants), REMARKS_PER_PAGE))
            ],
        )
    return True


def _entity_inputs(db: Database, key: str) -> tuple[EntityInfo, dict[str, int], list[str]]:
    """An entity's record, the surface forms it was mentioned by, and the speaker keys its quotes carry."""
    info = _entity_info(db, key)
    forms = _entity_forms(db, info.key)
    return info, forms, _speaker_keys(info, forms)


def _without_variants(page: EntityPage) -> tuple[dict[str, Any], list[Any]]:
    """The JSON form of ``page`` without its remarks (but with how many there are), and the remarks."""
    data = to_dict(page)
    variants = data.pop("variants")
    data["n_variants"] = len(variants)
    return data, variants


def _quote_count(db: Database, keys: list[str]) -> tuple[int, int | None]:
    """How many quotes carry one of the speaker ``keys``, and the newest quote id among them."""
    marks = ",".join("?" * len(keys))
    count, newest = db.conn.execute(
        f"SELECT count(*), max(id) FROM quotes WHERE speaker_key IN ({marks})", keys  # noqa: S608
    ).fetchone()
    return int(count), newest


def _entity_forms(db: Database, key: str) -> dict[str, int]:
    """Surface form -> the number of articles that used it (counted by SQLite's JSON functions: a much
    mentioned entity has thousands of rows)."""
    rows = db.conn.execute(
        "SELECT CAST(f.value AS TEXT), count(*) FROM entity_articles ea, json_each(ea.forms) f"
        " WHERE ea.entity_key = ? GROUP BY 1 ORDER BY min(ea.rowid * 100000 + f.key)",
        (key,),
    )
    return {str(form): int(n) for form, n in rows}


def _speaker_keys(info: EntityInfo, forms: dict[str, int]) -> list[str]:
    """Quotes carry the speaker's own name key ("vladimir putin", "putin") or, once compared, the entity
    key: the entity's key, its name and every surface form it was mentioned by are looked up."""
    return sorted({info.key, name_key(info.key.replace("-", " ")), name_key(info.name), *map(name_key, forms)} - {""})


def _entity_stamp(db: Database, info: EntityInfo, keys: list[str]) -> str:
    """What an entity page is built from, in a few numbers: its quotes (how many, the newest id), the
    surface forms looked up, its article and story counts, and the page size its remarks are kept in."""
    count, newest = _quote_count(db, keys)
    return f"{count}:{newest}:{len(keys)}:{info.n_articles}:{info.n_stories}:{REMARKS_PER_PAGE}"


def _build_entity_page(db: Database, info: EntityInfo, forms: dict[str, int], keys: list[str]) -> EntityPage:
    marks = ",".join("?" * len(keys))
    # The newest quotes when there are more than can be grouped in time (a US president has ~14,000 in
    # the 10k corpus); grouped oldest first, so each remark's first wording leads.
    quotes = [
        _quote_from_row(row)
        for row in db.conn.execute(
            f"SELECT {_QUOTE_COLUMNS} FROM quotes q JOIN articles a ON a.id = q.article_id"  # noqa: S608
            f" WHERE q.speaker_key IN ({marks}) ORDER BY coalesce(a.date, '') DESC, q.id DESC LIMIT ?",
            [*keys, _MAX_ENTITY_QUOTES],
        )
    ][::-1]
    total, _ = _quote_count(db, keys)
    outlets: dict[str, int] = {}
    for quote in quotes:
        outlets[quote.outlet] = outlets.get(quote.outlet, 0) + 1
    stories = tuple(
        (row[0], row[1], row[2])
        for row in db.conn.execute(
            "SELECT s.id, s.title, s.last_date FROM stories s WHERE s.id IN"
            " (SELECT story_id FROM entity_articles WHERE entity_key = ?)"
            " ORDER BY coalesce(s.last_date, '') DESC LIMIT 100",
            (info.key,),
        )
    )
    return EntityPage(
        entity=info,
        forms=dict(sorted(forms.items(), key=lambda kv: -kv[1])),
        outlets=dict(sorted(outlets.items(), key=lambda kv: -kv[1])),
        variants=group_variants(quotes),
        stories=stories,
        n_quotes=len(quotes),
        n_quotes_total=total,
    )


def _entity_info(db: Database, key: str) -> EntityInfo:
    row = db.conn.execute(
        "SELECT e.key, e.name, e.label, e.n_articles, e.n_stories FROM entities e WHERE e.key = ?", (key,)
    ).fetchone()
    if row is not None:
        return EntityInfo(*row)
    # A speaker never resolved to an entity is still findable by its name key.
    row = db.conn.execute(
        "SELECT speaker_name, count(DISTINCT article_id) FROM quotes WHERE speaker_key IN (?, ?)"
        " GROUP BY speaker_name ORDER BY 2 DESC LIMIT 1",
        (key, name_key(key.replace("-", " "))),
    ).fetchone()
    if row is None:
        raise NotFoundError("entity", key)
    return EntityInfo(key, row[0] or key, "PERSON", row[1], 0)


def articles_stamp(db: Database) -> int | None:
    """Changes whenever an article is added: what a cached outlet list was computed from."""
    value = db.conn.execute("SELECT max(rowid) FROM articles").fetchone()[0]
    return None if value is None else int(value)


def comparison_stamp(db: Database, story_id: str) -> str:
    """When the story's comparison was computed ("" if it was not): what a cached story page was built from."""
    row = db.conn.execute("SELECT computed_at FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
    return str(row[0]) if row else ""


def quotes_stamp(db: Database) -> str:
    """Changes whenever a quote is added or a comparison recomputed: what a cached entity page was built from."""
    row = db.conn.execute("SELECT (SELECT max(id) FROM quotes), (SELECT max(computed_at) FROM comparisons)").fetchone()
    return str(tuple(row))


def story_entity_links(db: Database, story_id: str) -> dict[str, str]:
    """Name or surface form -> the key of an entity page that exists, for the entities mentioned in one
    story and the speakers quoted in it: what the story page may link ("Lena K. Ostrova" ->
    "lena-ostrova"). A name absent here has no page and is shown without a link."""
    links: dict[str, str] = {}
    rows = db.conn.execute(
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
    # finds the entity page (see _entity_info). The most common key of a name wins.
    for name, key, _ in db.conn.execute(
        "SELECT q.speaker_name, q.speaker_key, count(*) FROM story_articles s JOIN quotes q ON q.article_id = s.article_id"
        " WHERE s.story_id = ? AND q.speaker_name IS NOT NULL AND q.speaker_key IS NOT NULL AND q.speaker_key != ''"
        " GROUP BY 1, 2 ORDER BY 3 DESC",
        (story_id,),
    ):
        links.setdefault(str(name), str(key))
    return links


def name_key(name: str | None) -> str:
    """The store's speaker key for a name (case-folded, whitespace collapsed), as ``quotes.speaker_key``."""
    return speaker_key(name) or ""


def entity_forms(db: Database, article_id: str) -> dict[str, str]:
    """Surface form -> entity key for the entities resolved in one article."""
    forms: dict[str, str] = {}
    for row in db.conn.execute("SELECT entity_key, forms FROM entity_articles WHERE article_id = ?", (article_id,)):
        for form in json.loads(row[1]) or []:
            forms.setdefault(str(form), row[0])
    return forms


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def group_variants(quotes: Sequence[QuoteHit]) -> tuple[QuoteVariant, ...]:
    """Group quotes (oldest first) into remarks; within each, identical normalised text is one wording."""
    groups: list[list[QuoteHit]] = []
    heads: list[str] = []
    for quote in quotes:
        norm = _normal(quote.content)
        for i, head in enumerate(heads):
            if fuzz.token_set_ratio(norm, head) >= _VARIANT_SIMILARITY:
                groups[i].append(quote)
                break
        else:
            groups.append([quote])
            heads.append(norm)
    variants = [_variant(group) for group in groups]
    variants.sort(key=lambda v: (-len(v.outlets), -sum(len(w.quotes) for w in v.wordings), v.first_date or ""))
    return tuple(variants)


def _variant(group: list[QuoteHit]) -> QuoteVariant:
    by_text: dict[str, list[QuoteHit]] = {}
    for quote in group:
        by_text.setdefault(_normal(quote.content), []).append(quote)
    wordings: list[Wording] = []
    base_tokens: list[str] | None = None
    for items in by_text.values():
        text = items[0].content
        tokens = text.split()
        diff = () if base_tokens is None else word_diff(base_tokens, tokens)
        base_tokens = tokens if base_tokens is None else base_tokens
        wordings.append(
            Wording(
                text=text,
                outlets=tuple(dict.fromkeys(q.outlet for q in items)),
                first_date=items[0].date,
                quotes=tuple(items),
                diff=diff,
            )
        )
    return QuoteVariant(
        first_date=group[0].date,
        outlets=tuple(dict.fromkeys(q.outlet for q in group)),
        wordings=tuple(wordings),
    )


def word_diff(a: Sequence[str], b: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Token diff of ``b`` against ``a`` as ("=", "-", "+", token) pairs."""
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=[t.casefold() for t in a], b=[t.casefold() for t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.extend(("=", t) for t in b[j1:j2])
            continue
        ops.extend(("-", t) for t in a[i1:i2])
        ops.extend(("+", t) for t in b[j1:j2])
    return tuple(ops)


def article_story(db: Database, article_id: str) -> tuple[str, str] | None:
    """(story id, title) of the story holding ``article_id``, if it has been clustered."""
    row = db.conn.execute(
        "SELECT s.id, s.title FROM story_articles sa JOIN stories s ON s.id = sa.story_id WHERE sa.article_id = ?",
        (article_id,),
    ).fetchone()
    return None if row is None else (row[0], row[1])
