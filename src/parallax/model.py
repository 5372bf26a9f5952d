"""Typed records that flow between the stages of parallax.

Every record is a frozen, slotted dataclass. Character offsets (``start``, ``end``) always index the
*cleaned* text of the article named by ``article_id`` (``text[start:end]``), so any finding can be
checked against the sentence it came from. ``to_dict``/``from_dict`` give the JSON form documented in
``docs/records.md``.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

__all__ = [
    "Alignment",
    "AlignedRef",
    "AnalyzedArticle",
    "Article",
    "Comparison",
    "Conflict",
    "Entity",
    "EntityAlias",
    "EntityInfo",
    "EntityPage",
    "EntityProminence",
    "FramingTerm",
    "Job",
    "EntityLabel",
    "Label",
    "Mention",
    "OutletFraming",
    "OutletGap",
    "Quote",
    "QuoteGroup",
    "QuoteHit",
    "QuoteVariant",
    "QuoteWording",
    "Relay",
    "Removed",
    "Sentence",
    "SourceCitation",
    "Span",
    "Story",
    "StoryFilters",
    "StoryList",
    "StoryRender",
    "StoryRow",
    "TimelineEntry",
    "TimelineFigure",
    "TimelineQuote",
    "Wording",
    "from_dict",
    "to_dict",
]

QuoteKind = Literal["direct", "partial", "mixed", "indirect"]
SourceKind = Literal["wire", "state_media", "official", "outlet", "anonymous", "other"]
AlignStatus = Literal["shared", "partial", "unique"]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of an article's cleaned text: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of the raw input that cleaning took out of the body, and why."""

    reason: str  # e.g. "trailer", "promo-headline", "author-bio", "boilerplate"
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One ingested article after cleaning. ``text`` is the cleaned body all offsets refer to."""

    id: str
    outlet: str
    title: str
    text: str
    date: str | None = None  # ISO 8601 date or datetime
    url: str | None = None
    byline: str | None = None
    source_path: str | None = None
    content_hash: str = ""
    removed: tuple[Removed, ...] = ()
    aliases: tuple[str, ...] = ()  # ids of exact duplicates folded into this article
    near_duplicate_of: str | None = None  # id of the article this one syndicates
    story_hint: str | None = None  # gold ``story`` field of evaluation data, never used for clustering


@dataclass(frozen=True, slots=True)
class Sentence:
    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A named-entity mention; ``entity_id`` is filled by cross-document resolution."""

    article_id: str
    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, NORP, LOC, ...
    sentence: int
    entity_id: str | None = None


@dataclass(frozen=True, slots=True)
class Relay:
    """The channel a statement reached the outlet through ("according to Reuters")."""

    name: str
    kind: SourceKind
    span: Span


@dataclass(frozen=True, slots=True)
class Quote:
    article_id: str
    kind: QuoteKind
    content: Span
    cue: Span | None = None
    speaker: Span | None = None  # the mention in the text ("he", "Mr. Vale")
    speaker_name: str | None = None  # resolved full name within the article
    speaker_role: str | None = None  # "the Kremlin's spokesman"
    speaker_entity: str | None = None  # cross-document entity id
    relay: Relay | None = None
    sentence: int = 0
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class SourceCitation:
    """One mention of a source an article relies on."""

    article_id: str
    name: str
    kind: SourceKind
    span: Span


@dataclass(frozen=True, slots=True)
class EntityLabel:
    """A label one article attaches to the entity mentioned at ``mention_start`` ("the exiled son of the
    last monarch"), read from the parse at analysis; a comparison names the entity (:class:`Label`)."""

    article_id: str
    mention_start: int
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class AnalyzedArticle:
    article: Article
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    sources: tuple[SourceCitation, ...] = ()
    labels: tuple[EntityLabel, ...] | None = None  # None: analysed before labels were stored


@dataclass(frozen=True, slots=True)
class EntityAlias:
    form: str
    count: int
    outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical person, organisation or place merged across articles and outlets."""

    id: str
    name: str
    label: str
    aliases: tuple[EntityAlias, ...] = ()
    mention_count: int = 0
    article_ids: tuple[str, ...] = ()
    possible_misspellings: tuple[str, ...] = ()  # "Gross ~ Grossi (edit distance 1, same role)"


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    title: str
    article_ids: tuple[str, ...]
    first_date: str | None = None
    last_date: str | None = None
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlignedRef:
    """A pointer to one sentence of one article, with how similar it is to the sentence aligned to it."""

    article_id: str
    outlet: str
    sentence: int
    start: int
    end: int
    similarity: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """Where one sentence stands across the story's outlets."""

    article_id: str
    outlet: str
    sentence: int
    start: int
    end: int
    status: AlignStatus
    outlets: tuple[str, ...] = ()  # other outlets that report it
    matches: tuple[AlignedRef, ...] = ()  # the sentences of other outlets that state the same fact
    # Per other outlet with no match: its closest sentence and score, the evidence that it leaves this out.
    nearest: tuple[AlignedRef, ...] = ()
    # Other outlets whose closest sentence comes near (may tell it in other words): no omission is claimed.
    possibly: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutletGap:
    """A statement only one outlet reports (``unique``) or that one outlet leaves out (``missing``)."""

    outlet: str
    article_id: str  # the article that holds the statement
    sentence: int
    start: int
    end: int
    text: str
    reported_by: tuple[str, ...] = ()
    # The closest sentence of each outlet said not to report it, with its same-fact score (the near miss a
    # reader checks the gap against).
    nearest: tuple[AlignedRef, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteWording:
    outlet: str
    article_id: str
    speaker_name: str | None
    content: Span


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """The same utterance as worded by several outlets."""

    id: str
    speaker: str | None
    label: Literal["verbatim", "reworded", "shortened", "different-translation", "single"]
    wordings: tuple[QuoteWording, ...]
    diff: tuple[tuple[str, str], ...] = ()  # (op, token) with op in "=", "-", "+"
    attribution_conflict: bool = False


@dataclass(frozen=True, slots=True)
class Conflict:
    type: str  # "number", "date", "place", "name", "negation", "hedging", "actor", "characterisation"
    a: AlignedRef
    b: AlignedRef
    a_text: str
    b_text: str
    reason: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Label:
    """A label an outlet attaches to an entity ("the regime", "exiled son of the last monarch")."""

    entity: str
    outlet: str
    label: str
    article_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FramingTerm:
    term: str
    z: float
    count: int


@dataclass(frozen=True, slots=True)
class EntityProminence:
    """How prominently one outlet features one entity: mentions, first sentence, whether in the lead."""

    entity: str
    outlet: str
    count: int
    first_sentence: int
    in_lead: bool


@dataclass(frozen=True, slots=True)
class OutletFraming:
    outlet: str
    terms: tuple[FramingTerm, ...]
    labels: tuple[Label, ...] = ()
    prominence: tuple[EntityProminence, ...] = ()


@dataclass(frozen=True, slots=True)
class TimelineQuote:
    """A remark an article or version was the first of the story to carry."""

    speaker: str | None
    text: str


@dataclass(frozen=True, slots=True)
class TimelineFigure:
    """A number that changed: a new version's ("death toll 14 → 17"), or one an outlet reports against an
    earlier outlet's figure."""

    what: str  # the change in words: "death toll 14 → 17", "40 people vs 35 residents evacuated"
    old: str | None
    new: str | None
    since: str  # the article whose earlier figure it changes (the same article for a version)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step of a story as it developed: an outlet's first article on it, a later article, or a new
    version of an article, with what it added that nothing earlier in the story had."""

    at: str | None  # UTC, ISO 8601 ("2026-03-09T14:05:00Z"); a bare date when the outlet gave no time
    outlet_time: str | None  # the time as the outlet wrote it (feed date or article date), None for versions
    outlet: str
    article_id: str
    kind: Literal["first", "article", "version"]  # "first": the outlet's first article in the story
    version: int | None
    title: str
    new_facts: tuple[str, ...] = ()  # sentences no earlier article or version stated (the first few)
    n_new_facts: int = 0
    new_quotes: tuple[TimelineQuote, ...] = ()
    changed_numbers: tuple[TimelineFigure, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything parallax finds for one story; the JSON report is ``to_dict`` of this."""

    story: Story
    articles: tuple[Article, ...]
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    quote_groups: tuple[QuoteGroup, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    unique: tuple[OutletGap, ...] = ()
    missing: tuple[OutletGap, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    sources: dict[str, dict[str, int]] = field(default_factory=dict)  # outlet -> source name -> count
    framing: tuple[OutletFraming, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    source_citations: tuple[SourceCitation, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()  # oldest first; see parallax.compare.timeline


def to_dict(record: Any) -> Any:
    """The JSON-ready form of a record (nested dataclasses become dicts, tuples become lists)."""
    if type(record) in _PLAIN:
        return record
    names = _field_names(type(record))
    if names is not None:
        return {name: to_dict(getattr(record, name)) for name in names}
    if isinstance(record, (list, tuple)):
        return [to_dict(item) for item in record]
    if isinstance(record, dict):
        return {str(key): to_dict(value) for key, value in record.items()}
    return record


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a record class, None for any other type (a comparison's to_dict meets 650,000
    values of a few types: asking dataclasses each time was most of the cost of saving it)."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


T = TypeVar("T")


def from_dict(cls: type[T], data: Any) -> T:
    """Rebuild a record of type ``cls`` from its ``to_dict`` form."""
    hints = _type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _coerce(hints[f.name], data[f.name])
    return cls(**kwargs)


@functools.lru_cache(maxsize=None)
def _type_hints(cls: type) -> dict[str, Any]:
    """Resolved field annotations of a record class (resolving them is slow; the classes are fixed)."""
    return typing.get_type_hints(cls)


def _coerce(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is type(None):
                continue
            return _coerce(arg, value)
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value)  # type: ignore[arg-type]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], item) for item in value)
        return tuple(_coerce(arg, item) for arg, item in zip(args, value))
    if origin is dict:
        return {key: _coerce(args[1], item) for key, item in value.items()}
    return value


# -- what the store's read queries return (story list, quote search, entity pages) ------------------------


@dataclass(frozen=True, slots=True)
class StoryFilters:
    """What a story list is narrowed to; every field optional."""

    outlet: str | None = None
    entity: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One story as a list shows it."""

    id: str
    title: str
    first_date: str | None
    last_date: str | None
    n_articles: int
    n_outlets: int
    outlets: dict[str, int]  # outlet -> articles in the story
    has_comparison: bool
    updated_at: str = ""  # UTC: when an article last joined the story or one of its articles was edited
    updated: bool = False  # it grew after its first article arrived, or an article of it was edited
    n_versions: int = 0  # new versions of its articles (edits a watcher found)


@dataclass(frozen=True, slots=True)
class StoryList:
    """One page of a story list with the total it was cut from (``limit`` None: every story)."""

    stories: tuple[StoryRow, ...]
    total: int
    limit: int | None
    offset: int
    filters: StoryFilters


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """One stored quote with the article it is in."""

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


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """An entity of the store's index (or a speaker no entity claimed, found by its name key)."""

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
    """Everything one entity is quoted saying, grouped into remarks, with where it was mentioned."""

    entity: EntityInfo
    forms: dict[str, int]  # surface form -> mentions
    outlets: dict[str, int]  # outlet -> quotes
    variants: tuple[QuoteVariant, ...]
    stories: tuple[tuple[str, str, str | None], ...] = field(default=())  # (id, title, last_date)
    n_quotes: int = 0  # quotes shown (grouped into variants)
    n_quotes_total: int = 0  # quotes in the store; more than n_quotes when capped to the newest


JobState = Literal["queued", "running", "done", "failed"]


@dataclass(frozen=True, slots=True)
class Job:
    """Background work the web app accepted: where it stands and what it has counted so far."""

    id: str
    kind: str  # "ingest": analyse, cluster and compare what one request stored
    state: JobState
    counts: dict[str, Any]
    error: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class StoryRender:
    """One story page as it was sent (``body`` gzip-compressed), kept with the stamp of the comparison it was
    rendered from; ``variant`` names the page and format (``"html:1"``, ``"json:1"``)."""

    variant: str
    media_type: str
    body: bytes
