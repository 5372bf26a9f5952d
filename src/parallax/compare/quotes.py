"""Quote groups: the same utterance as reported by several outlets, with a word-level diff and a label."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from parallax.model import Article, Quote, QuoteGroup, QuoteWording

__all__ = ["QuoteConfig", "group_quotes", "groupable", "label_wordings", "word_diff"]

LOGGER = logging.getLogger(__name__)

_WORD = re.compile(r"[\w’']+")


@dataclass(frozen=True, slots=True)
class QuoteConfig:
    """Matching thresholds, set on the seed pair and on hand-made paraphrases in the tests."""

    token_set: float = 62.0  # rapidfuzz token_set_ratio (0-100) for "same words, more or less"
    cosine: float = 0.80  # embedding similarity for "same meaning" when the words differ
    support_cosine: float = 0.65  # meaning needed beside word overlap (seed: false pairs 0.60-0.61, true 0.89)
    same_words: float = 88.0  # token_set_ratio above which two different speakers is an attribution conflict
    translation_overlap: float = 0.5  # word-overlap share under which a same-meaning pair is a retranslation
    min_words: int = 3  # shorter fragments ("fairy tales") are too generic to group
    fragment_ratio: float = 92.0  # rapidfuzz partial_ratio for a partial quote's quoted words in another wording


def _norm_words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def word_diff(a: str, b: str) -> tuple[tuple[str, str], ...]:
    """Word-level diff from wording ``a`` to wording ``b``: ("=", w) kept, ("-", w) only in a, ("+", w) only in b."""
    wa, wb = _WORD.findall(a), _WORD.findall(b)
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in wa], b=[w.lower() for w in wb], autojunk=False)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(("=", w) for w in wa[i1:i2])
        else:
            out.extend(("-", w) for w in wa[i1:i2])
            out.extend(("+", w) for w in wb[j1:j2])
    return tuple(out)


def label_wordings(texts: Sequence[str], cosine: float, config: QuoteConfig = QuoteConfig()) -> str:
    """verbatim, shortened, different-translation or reworded, from the most different pair of wordings."""
    words = [_norm_words(t) for t in texts]
    if all(w == words[0] for w in words):
        return "verbatim"
    short, long_ = sorted(words[:2], key=len)
    matcher = difflib.SequenceMatcher(a=short, b=long_, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    if short and kept / len(short) >= 0.9 and len(long_) > len(short):
        return "shortened"
    overlap = len(set(short) & set(long_)) / max(1, len(set(short) | set(long_)))
    if cosine >= config.cosine and overlap < config.translation_overlap:
        return "different-translation"
    return "reworded"


@dataclass(frozen=True, slots=True)
class _Item:
    quote: Quote
    outlet: str
    speaker: str | None
    text: str


def group_quotes(
    quotes: Sequence[Quote], articles: Sequence[Article], vectors: np.ndarray | None, *,
    config: QuoteConfig = QuoteConfig(),
) -> tuple[QuoteGroup, ...]:
    """Groups of quotes from two or more outlets that report the same utterance.

    Args:
        quotes: every quote of the story.
        articles: the story's articles (for outlets and texts).
        vectors: unit embeddings of the quotes' contents, one row per quote, or ``None``.
        config: thresholds.
    """
    outlet_of = {a.id: a.outlet for a in articles}
    keep = [i for i, q in enumerate(quotes) if groupable(q, config)]
    items = [_Item(quotes[i], outlet_of.get(quotes[i].article_id, "?"), _speaker_key(quotes[i]),
                   _remark_text(quotes[i])) for i in keep]
    if vectors is not None:
        vectors = vectors[keep]
    parent = list(range(len(items)))
    for i, j in _same_utterance_pairs(items, vectors, config):
        parent[_find(parent, j)] = _find(parent, i)
    clusters: dict[int, list[int]] = {}
    for i in range(len(items)):
        clusters.setdefault(_find(parent, i), []).append(i)
    groups = [_group(items, members, vectors, config) for members in clusters.values()
              if len({items[m].outlet for m in members}) > 1]
    groups = [g for g in groups if g is not None]
    LOGGER.info("%d quote groups from %d quotes", len(groups), len(quotes))
    return tuple(groups)


def _remark_text(quote: Quote) -> str:
    """A quote's words without the quotation marks around them."""
    return quote.content.text.strip("“”\"' ")


_QUOTE_MARKS = ("“", "”", '"', "‘", "’ ", "«", "»")


def groupable(quote: Quote, config: QuoteConfig = QuoteConfig()) -> bool:
    """A remark someone made, long enough to recognise: a named speaker or words in quotation marks,
    and at least ``config.min_words`` words.

    Unattributed reported speech ("... officials said") is how leads and background are written; two
    outlets' leads are not the same remark just because both end in "said".
    """
    if len(_norm_words(_remark_text(quote))) < config.min_words:
        return False
    if quote.speaker_name or quote.speaker_entity:
        return True
    return quote.kind in ("direct", "partial", "mixed") or any(m in quote.content.text for m in _QUOTE_MARKS)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _speaker_key(quote: Quote) -> str | None:
    if quote.speaker_entity:
        return quote.speaker_entity
    name = quote.speaker_name or (quote.speaker.text if quote.speaker else None)
    if not name or name.lower() in {"he", "she", "they", "it", "we", "i"}:
        return None
    return name.replace("’s", "").split()[-1].lower()


# Rows of the pair matrices computed at once: bounds memory on stories with thousands of quotes.
PAIR_BLOCK = 1024


def _same_utterance_pairs(
    items: Sequence[_Item], vectors: np.ndarray | None, config: QuoteConfig
) -> list[tuple[int, int]]:
    """Pairs (i < j) of quotes from different outlets that report the same utterance: the same words
    whoever they are given to, or (for one speaker) the words of a partial quote found in the other, or
    word overlap backed by meaning, or meaning alone when it is close.

    token_set_ratio is lenient when one wording shares a few words with a longer one ("Iran's nuclear
    facilities"), so word overlap must be backed by meaning. Every pair is scored, in blocks of rows.
    """
    n = len(items)
    if n < 2:
        return []
    lowered = [item.text.lower() for item in items]
    outlets = np.array([item.outlet for item in items])
    speakers = np.array([item.speaker or "" for item in items])
    fragments = [_fragments(item.text, config) for item in items]
    # found[i]: the items in which item i's quoted words appear nearly verbatim.
    found = {
        i: process.cdist(f, lowered, scorer=fuzz.partial_ratio, dtype=np.float32, workers=1).max(axis=0)
        >= config.fragment_ratio
        for i, f in enumerate(fragments) if f
    }
    pairs: list[tuple[int, int]] = []
    for lo in range(0, n, PAIR_BLOCK):
        hi = min(n, lo + PAIR_BLOCK)
        rows = np.arange(lo, hi)[:, None]
        later = np.arange(n)[None, :] > rows
        cross = later & (outlets[lo:hi, None] != outlets[None, :])
        ratio = process.cdist(lowered[lo:hi], lowered, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=1)
        clash = (speakers[lo:hi, None] != speakers[None, :]) & (speakers[lo:hi, None] != "") & (speakers[None, :] != "")
        inside = np.zeros_like(cross)
        for i, hits in found.items():  # a partial quote's quoted words inside the other wording, either way
            if lo <= i < hi:
                inside[i - lo] |= hits
            inside[:, i] |= hits[lo:hi]
        if vectors is None:
            meaning = ratio >= config.token_set
        else:
            cosine = vectors[lo:hi] @ vectors.T
            meaning = ((ratio >= config.token_set) & (cosine >= config.support_cosine)) | (cosine >= config.cosine)
        same = cross & ((ratio >= config.same_words) | (~clash & (inside | meaning)))
        a, b = np.nonzero(same)
        pairs.extend(zip((a + lo).tolist(), b.tolist()))
    return pairs


def _fragments(text: str, config: QuoteConfig) -> list[str]:
    """The lower-cased words in quotation marks of a partial quote that are long enough to recognise."""
    out = []
    for match in _FRAGMENT.finditer(text):
        fragment = match.group(1).strip(" ,.;:")
        if len(_norm_words(fragment)) >= config.min_words and len(fragment) < len(text) - 2:
            out.append(fragment.lower())
    return out


_FRAGMENT = re.compile(r"[“\"]([^“”\"]+)[”\"]")


def _group(items: Sequence[_Item], members: list[int], vectors: np.ndarray | None,
           config: QuoteConfig) -> QuoteGroup | None:
    chosen = _one_per_outlet(items, members)
    wordings = tuple(
        QuoteWording(items[m].outlet, items[m].quote.article_id, items[m].quote.speaker_name,
                     items[m].quote.content)
        for m in chosen
    )
    texts = [items[m].text for m in chosen]
    cosine = float(vectors[chosen[0]] @ vectors[chosen[1]]) if vectors is not None else 0.0
    speakers = {items[m].speaker for m in chosen if items[m].speaker}
    speaker = next((items[m].quote.speaker_name for m in chosen if items[m].quote.speaker_name), None)
    group_id = "q-" + "-".join(f"{items[m].quote.article_id}:{items[m].quote.content.start}" for m in chosen[:2])
    return QuoteGroup(group_id, speaker, label_wordings(texts, cosine, config),  # type: ignore[arg-type]
                      wordings, word_diff(texts[0], texts[1]), attribution_conflict=len(speakers) > 1)


def _one_per_outlet(items: Sequence[_Item], members: list[int]) -> list[int]:
    """The longest wording from each outlet, in first-seen outlet order."""
    best: dict[str, int] = {}
    for m in members:
        outlet = items[m].outlet
        if outlet not in best or len(items[m].text) > len(items[best[outlet]].text):
            best[outlet] = m
    return list(best.values())
