"""Entity pages: what one entity is quoted saying, read from the store and grouped into remarks.

Grouping is quadratic, so the pages of much-quoted speakers are grouped ahead (by ``analyze`` and
``serve``) and kept in the store, a page of remarks per row; others are grouped when asked for.
"""

from __future__ import annotations

from typing import Any

from parallax.keys import name_key
from parallax.model import EntityInfo, EntityPage, to_dict
from parallax.remarks import group_variants
from parallax.store import Database

__all__ = ["HEAVY_ENTITY_QUOTES", "REMARKS_PER_PAGE", "build_entity_pages", "entity_page", "entity_page_slice",
           "keep_entity_page"]

_MAX_ENTITY_QUOTES = 1000
# From this many quotes on, an entity's page is grouped ahead and kept: the fuzzy grouping is quadratic
# (~2 s for 1,000 quotes, ~0.05 s for 150, a few ms below 50).
HEAVY_ENTITY_QUOTES = 50
REMARKS_PER_PAGE = 50  # an entity page lists its remarks most widely reported first, this many at a time


def entity_page(db: Database, key: str) -> EntityPage:
    """Everything ``key`` is quoted saying, across outlets and over time, grouped into wording variants."""
    return _build(db, *_inputs(db, key))


def entity_page_slice(db: Database, key: str, page: int = 1) -> tuple[dict[str, Any], bool]:
    """The JSON form of :func:`entity_page` with only remarks ``REMARKS_PER_PAGE * (page - 1)`` onwards
    (one page of them) and ``n_variants``, and whether it came from the grouping kept by
    :func:`keep_entity_page` (read while it matches the store) rather than built now."""
    info, forms, keys = _inputs(db, key)
    kept = db.kept_entity_page(info.key, _stamp(db, info, keys), page)
    if kept is not None:
        return kept, True
    data, variants = _without_variants(_build(db, info, forms, keys))
    start = (page - 1) * REMARKS_PER_PAGE
    data["variants"] = variants[start : start + REMARKS_PER_PAGE]
    return data, False


def keep_entity_page(db: Database, key: str) -> bool:
    """Group ``key``'s quotes into remarks and keep the page, unless the kept one still matches the
    store; returns whether it was (re)built."""
    info, forms, keys = _inputs(db, key)
    stamp = _stamp(db, info, keys)
    if db.entity_page_stamp(info.key) == stamp:
        return False
    data, variants = _without_variants(_build(db, info, forms, keys))
    chunks = [variants[start : start + REMARKS_PER_PAGE] for start in range(0, len(variants), REMARKS_PER_PAGE)]
    db.save_entity_page(info.key, stamp, data, chunks)
    return True


def build_entity_pages(db: Database, *, on_progress: Any = None) -> int:
    """Group the quotes of every much-quoted speaker into remarks ahead of the first visit to their page
    (~2 s each for the largest); pages still matching the store are kept. Returns how many were built."""
    speakers = db.much_quoted(HEAVY_ENTITY_QUOTES)
    built = 0
    for done, key in enumerate(speakers, 1):
        if on_progress is not None and done == 1:
            on_progress("entities", 0, len(speakers))
        built += keep_entity_page(db, key)
        if on_progress is not None:
            on_progress("entities", done, len(speakers))
    return built


def _inputs(db: Database, key: str) -> tuple[EntityInfo, dict[str, int], list[str]]:
    """An entity's record, the surface forms it was mentioned by, and the speaker keys its quotes carry."""
    info = db.entity_info(key)
    forms = db.entity_forms(info.key)
    return info, forms, _speaker_keys(info, forms)


def _speaker_keys(info: EntityInfo, forms: dict[str, int]) -> list[str]:
    """Quotes carry the speaker's own name key ("vladimir putin", "putin") or, once compared, the entity
    key: the entity's key, its name and every surface form it was mentioned by are looked up."""
    return sorted({info.key, name_key(info.key.replace("-", " ")), name_key(info.name), *map(name_key, forms)} - {""})


def _stamp(db: Database, info: EntityInfo, keys: list[str]) -> str:
    """What an entity page is built from, in a few numbers: its quotes (how many, the newest id), the
    surface forms looked up, its article and story counts, and the page size its remarks are kept in."""
    count, newest = db.speaker_quote_count(keys)
    return f"{count}:{newest}:{len(keys)}:{info.n_articles}:{info.n_stories}:{REMARKS_PER_PAGE}"


def _without_variants(page: EntityPage) -> tuple[dict[str, Any], list[Any]]:
    """The JSON form of ``page`` without its remarks (but with how many there are), and the remarks."""
    data = to_dict(page)
    variants = data.pop("variants")
    data["n_variants"] = len(variants)
    return data, variants


def _build(db: Database, info: EntityInfo, forms: dict[str, int], keys: list[str]) -> EntityPage:
    # The newest quotes when there are more than can be grouped in time (a US president has ~14,000 in
    # the 10k corpus); grouped oldest first, so each remark's first wording leads.
    quotes = db.speaker_quotes(keys, limit=_MAX_ENTITY_QUOTES)
    total, _ = db.speaker_quote_count(keys)
    outlets: dict[str, int] = {}
    for quote in quotes:
        outlets[quote.outlet] = outlets.get(quote.outlet, 0) + 1
    return EntityPage(
        entity=info,
        forms=dict(sorted(forms.items(), key=lambda kv: -kv[1])),
        outlets=dict(sorted(outlets.items(), key=lambda kv: -kv[1])),
        variants=group_variants(quotes),
        stories=db.entity_stories(info.key),
        n_quotes=len(quotes),
        n_quotes_total=total,
    )
