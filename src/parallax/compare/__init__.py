"""Per-story comparison: alignment, quote groups, conflicts, sources and framing across outlets."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from parallax.model import AnalyzedArticle, Comparison, Entity, Quote, QuoteGroup, Story

from .align import AlignConfig, align, score_pairs
from .conflicts import ConflictConfig, detect_conflicts
from .features import sentence_facts
from .framing import framing
from .quotes import QuoteConfig, group_quotes, groupable, reproduced_quotes
from .same_fact import SameFactModel
from .sources import named_sources, sources_by_outlet

if TYPE_CHECKING:
    from parallax.stories.vectors import ArticleVectors

    from .pair_memo import PairMemo

__all__ = ["AlignConfig", "ConflictConfig", "Embedder", "QuoteConfig", "compare_story", "embed_or_fallback"]

LOGGER = logging.getLogger(__name__)
logging.getLogger("parallax").addHandler(logging.NullHandler())


class Embedder(Protocol):
    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray: ...


def compare_story(
    story: Story, analyzed: Sequence[AnalyzedArticle], *, entities: Sequence[Entity] = (),
    embedder: Embedder | None = None, same_fact: SameFactModel | None = None,
    vectors: Mapping[str, ArticleVectors] | None = None, memo: PairMemo | None = None,
) -> Comparison:
    """Compare how the outlets of one story report it.

    Args:
        story: the story (its ``article_ids`` select which of ``analyzed`` take part).
        analyzed: analysed articles; those not in the story are ignored.
        entities: canonical entities from cross-document resolution (mentions carry their ids).
        embedder: sentence encoder; ``None`` loads the packaged one, or falls back to a lexical
            encoder (with a warning) when it is not installed.
        same_fact: the model deciding whether two sentences state the same fact (default: the shipped one).
        vectors: article id -> the embeddings made at analysis; articles without them (or whose analysis
            changed since) are embedded here.
        memo: the story's pair columns from its last comparison (:mod:`.pair_memo`), reused and updated;
            the comparison is the same with or without it.

    Returns:
        The :class:`Comparison`, whose ``to_dict`` is the JSON report.
    """
    wanted = set(story.article_ids)
    members = _own_unknown_outlets([a for a in analyzed if not wanted or a.article.id in wanted])
    members = [named_sources(_without_own_outlet(a)) for a in members]
    story = replace(story, outlets=tuple(dict.fromkeys(a.article.outlet for a in members)))
    canonical = {e.id: _canonical_name(e) for e in entities}
    facts = sentence_facts(members, canonical=canonical)
    quotes = tuple(q for a in members for q in a.quotes)
    if len(story.outlets) < 2:
        # One outlet has nothing to align with: skip the encoder (most stories of a large store are singletons).
        sentence_vectors = np.zeros((len(facts), 1), dtype=np.float32)
        quote_vectors = np.zeros((len(quotes), 1), dtype=np.float32)
    else:
        sentence_vectors, quote_vectors = _story_vectors(members, embedder, vectors or {})
    same_fact = same_fact or SameFactModel.load()
    scored = (memo.score_pairs if memo is not None else score_pairs)(facts, sentence_vectors, model=same_fact)
    conflicts = detect_conflicts(facts, scored.pairs, scored.cosine, same_fact=scored.probability)
    position = {(f.article_id, f.index): k for k, f in enumerate(facts)}
    # Two statements that conflict are not also "agreed on"; two outlets' wordings of one remark are.
    ends = [(position[(c.a.article_id, c.a.sentence)], position[(c.b.article_id, c.b.sentence)]) for c in conflicts]
    clash = frozenset((min(a, b), max(a, b)) for a, b in ends)
    articles = tuple(a.article for a in members)
    # Remarks one outlet marks and another prints as a block without quotation marks group too.
    reproduced = reproduced_quotes(members) if len(story.outlets) > 1 else ()
    if reproduced:
        extra = embed_or_fallback(embedder, [q.content.text for q in reproduced])
        if extra.shape[1] == quote_vectors.shape[1]:
            quote_vectors = np.concatenate([quote_vectors, extra])
        else:
            reproduced = ()
    spoken = quotes + reproduced
    groups = group_quotes(spoken, articles, quote_vectors, entities=entities,
                          mentions=tuple(m for a in members for m in a.mentions))
    aligned = align(facts, sentence_vectors, model=same_fact, exclude=clash,
                    include=_remark_pairs(groups, spoken, position) - clash, scored=scored)
    return Comparison(
        story=story,
        articles=articles,
        entities=_with_outlet_labels(entities, members),
        quotes=quotes,
        quote_groups=groups,
        alignments=aligned.alignments,
        unique=aligned.unique,
        missing=aligned.missing,
        conflicts=conflicts,
        sources=sources_by_outlet(members),
        framing=framing(members, canonical=canonical),
        sentences=tuple(s for a in members for s in a.sentences),
        mentions=tuple(m for a in members for m in a.mentions),
        source_citations=tuple(c for a in members for c in a.sources),
    )


def _story_vectors(members: Sequence[AnalyzedArticle], embedder: Embedder | None,
                   stored: Mapping[str, ArticleVectors]) -> tuple[np.ndarray, np.ndarray]:
    """Sentence rows and quote rows of the story: stored ones where the analysis made them, else embedded
    (a quote that cannot join a group keeps a zero row)."""
    known = {a.article.id: v for a in members if (v := stored.get(a.article.id)) is not None and v.fits(a)}
    fresh = [a for a in members if a.article.id not in known]
    texts = [s.text for a in fresh for s in a.sentences]
    to_group = [(a.article.id, k) for a in fresh for k, q in enumerate(a.quotes) if groupable(q)]
    quote_of = {(a.article.id, k): q for a in fresh for k, q in enumerate(a.quotes)}
    texts += [quote_of[key].content.text for key in to_group]
    embedded = embed_or_fallback(embedder, texts) if texts else np.zeros((0, 384), dtype=np.float32)
    dim = embedded.shape[1] if fresh else 384
    if known and dim != 384:  # the lexical fallback cannot be mixed with the encoder's rows
        return _story_vectors(members, embedder, {})
    sentence_rows: list[np.ndarray] = []
    quote_rows: list[np.ndarray] = []
    at = 0
    quote_at = {key: len(texts) - len(to_group) + k for k, key in enumerate(to_group)}
    for item in members:
        mine = known.get(item.article.id)
        if mine is not None:
            sentence_rows.append(mine.sentences.astype(np.float32))
            rows = mine.quotes.astype(np.float32)
            rows[[k for k, q in enumerate(item.quotes) if not groupable(q)]] = 0.0
            quote_rows.append(rows)
            continue
        sentence_rows.append(embedded[at : at + len(item.sentences)])
        at += len(item.sentences)
        rows = np.zeros((len(item.quotes), dim), dtype=np.float32)
        for k in range(len(item.quotes)):
            if (item.article.id, k) in quote_at:
                rows[k] = embedded[quote_at[(item.article.id, k)]]
        quote_rows.append(rows)
    empty = np.zeros((0, dim), dtype=np.float32)
    return (np.concatenate(sentence_rows) if sentence_rows else empty,
            np.concatenate(quote_rows) if quote_rows else empty)


def _remark_pairs(groups: Sequence[QuoteGroup], quotes: Sequence[Quote],
                  position: dict[tuple[str, int], int]) -> frozenset[tuple[int, int]]:
    """Sentence positions (i < j) holding two outlets' wordings of one quote group (``position``: (article,
    sentence index) -> place among the story's sentences)."""
    sentence_of = {(q.article_id, q.content.start, q.content.end): q.sentence for q in quotes}
    pairs: set[tuple[int, int]] = set()
    for group in groups:
        placed = [(position.get((w.article_id, sentence_of.get((w.article_id, w.content.start, w.content.end), -1))),
                   w.outlet) for w in group.wordings]
        found = [(at, outlet) for at, outlet in placed if at is not None]
        pairs.update((min(a, b), max(a, b)) for k, (a, x) in enumerate(found) for b, y in found[k + 1:] if x != y)
    return frozenset(pairs)


def _own_unknown_outlets(members: Sequence[AnalyzedArticle]) -> list[AnalyzedArticle]:
    """Articles whose outlet is unknown each become their own outlet, "unknown (<id prefix>)".

    Two articles of unknown origin are not one outlet: pooling them would align an article with itself
    and hide what each reports. Only the comparison's copies are relabelled, never stored records.
    """
    from parallax.ingest.outlets import UNKNOWN_OUTLET

    out = []
    for item in members:
        outlet = item.article.outlet.strip()
        if not outlet or outlet.lower() == UNKNOWN_OUTLET:
            label = f"{UNKNOWN_OUTLET} ({item.article.id[:10]})"
            item = replace(item, article=replace(item.article, outlet=label))
        out.append(item)
    return out


def _with_outlet_labels(entities: Sequence[Entity], members: Sequence[AnalyzedArticle]) -> tuple[Entity, ...]:
    """Entities whose spellings name the outlets as the comparison does: with one article of unknown origin,
    "unknown" in an alias becomes its label ("unknown (001_b6055e)"); with several it cannot be told apart."""
    from parallax.ingest.outlets import UNKNOWN_OUTLET

    labels = [a.article.outlet for a in members if a.article.outlet.startswith(f"{UNKNOWN_OUTLET} (")]
    if len(labels) != 1:
        return tuple(entities)
    rename = {UNKNOWN_OUTLET: labels[0]}
    return tuple(replace(e, aliases=tuple(replace(alias, outlets=tuple(rename.get(o, o) for o in alias.outlets))
                                          for alias in e.aliases)) for e in entities)


def is_own_outlet(name: str, outlet: str) -> bool:
    """Whether a source named in an article is the outlet that published it ("told The Times" in the New
    York Times): an outlet reporting to itself is not a source it relies on."""
    from parallax.ingest.outlets import BUILTIN_NAMES, outlet_key

    # Both through the outlet table, so its aliases apply ("The Huffington Post" is HuffPost).
    source, own = outlet_key(BUILTIN_NAMES.canonical(name)), outlet_key(BUILTIN_NAMES.canonical(outlet))
    if not source or not own:
        return False
    if source == own:
        return True
    words, own_words = source.split(), own.split()
    # "Times" / "The Post" for "New York Times" / "Washington Post": the outlet's last word alone.
    return len(words) == 1 and len(own_words) > 1 and words[0] == own_words[-1]


def _without_own_outlet(item: AnalyzedArticle) -> AnalyzedArticle:
    outlet = item.article.outlet
    sources = tuple(c for c in item.sources if not is_own_outlet(c.name, outlet))
    quotes = tuple(replace(q, relay=None) if q.relay is not None and is_own_outlet(q.relay.name, outlet) else q
                   for q in item.quotes)
    if len(sources) == len(item.sources) and quotes == item.quotes:
        return item
    return replace(item, sources=sources, quotes=quotes)


def _canonical_name(entity: Entity) -> str:
    """The key a canonical entity is compared by: its name, persons by surname (as mention keys are)."""
    from parallax.model import Mention

    return _key_of(Mention("", 0, 0, entity.name, entity.label, 0))


def _key_of(mention: object) -> str:
    from parallax.keys import mention_key

    return mention_key(mention)  # type: ignore[arg-type]


def embed_or_fallback(embedder: Embedder | None, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors for ``texts`` from ``embedder``, the packaged model, or a hashed bag of words."""
    if embedder is None:
        from parallax.errors import ParallaxError
        from parallax.stories.embed import get_embedder

        try:
            embedder = get_embedder()
        except (ParallaxError, ImportError) as error:
            LOGGER.warning("sentence embedder unavailable (%s); comparing with a lexical fallback", error)
            return _hashed_vectors(texts)
    return embedder.embed(list(texts)) if texts else np.zeros((0, 384), dtype=np.float32)


def _hashed_vectors(texts: Sequence[str], dim: int = 2048) -> np.ndarray:
    """Bag-of-stems vectors hashed into ``dim`` buckets: a crude, dependency-free stand-in for embeddings."""
    import zlib

    from .features import content_tokens, stem

    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in content_tokens(text):
            out[row, zlib.crc32(stem(word).encode()) % dim] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)
