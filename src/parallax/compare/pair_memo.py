"""Pair scores a story's next comparison can reuse: the same-fact feature columns of two sentences alone.

A story that gains one article is compared again whole, because most findings depend on the whole story:
the IDF weights of the overlaps change with every sentence added, a sentence's nearest neighbours may now
be in the new article, and alignment, conflicts, quote groups and framing are decided over all of them.
What does not change is the part of a pair's features that reads the two sentences only (fuzzy string
ratios, shared numbers and days, lengths, places in their articles, quotation marks), and it is most of
the cost of scoring: one Python step per pair. A :class:`PairMemo` keeps those columns from the story's
last comparison, keyed by the two sentences (article, a digest of its sentences, index). The next
comparison computes them only for pairs it has not seen (those with the new article, mostly) and the
story-level columns (cosine, ranks in the article, IDF-weighted overlaps) for every pair in whole-array
steps. The scores are those of :func:`align.score_pairs` bit for bit: the feature matrix is the same,
row for row, and goes through the model in one call. Each comparison also recomputes a sample of the
reused rows with :func:`same_fact.pair_features`; a difference (a feature changed in ``same_fact`` and
not here) falls back to ``pair_features`` for every pair, with a warning.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .align import AlignConfig, AlignResult, score_pairs
from .cosines import PairGeometry
from .features import SentenceFacts
from .same_fact import FEATURES, SameFactModel, StoryStats, _overlaps, pair_features, story_columns, story_stats

__all__ = ["PAIR_MEMOS", "PairMemo", "PairMemos"]

LOGGER = logging.getLogger(__name__)

# The columns of same_fact.FEATURES that read the two sentences (and their articles' sizes) only.
TEXT_COLUMNS = ("numbers_shared", "numbers_clash", "dates_shared", "fuzz_set", "fuzz_sort", "short", "len_ratio",
                "position_gap", "lead_pair", "quoted_both")
# The columns that read the story (cosines of the whole story's vectors, IDF weights), made here per pair.
STORY_COLUMNS = ("cosine", "cosine_sq", "rank_best", "rank_worst", "margin_i", "margin_j", "dice_all", "dice_entities",
                 "dice_words", "shared_words", "shared_rare_words", "cos_x_dice")
_KNOWN = set(FEATURES) == set(TEXT_COLUMNS) | set(STORY_COLUMNS) and len(FEATURES) == len(TEXT_COLUMNS) + len(
    STORY_COLUMNS)
_TEXT = np.array([FEATURES.index(c) for c in TEXT_COLUMNS]) if _KNOWN else np.zeros(0, dtype=np.int64)
CHECKED_ROWS = 32  # reused rows recomputed by pair_features at each comparison, as a check
_SHIFT = 32  # a pair's code: first sentence's id in the high bits, second's in the low


class PairMemo:
    """The text-only feature columns of one story's scored pairs, from its last comparison."""

    def __init__(self) -> None:
        self._clear()
        self.reused = 0  # pairs of the last comparison whose columns came from the one before
        self.computed = 0  # pairs of the last comparison scored by pair_features

    def _clear(self) -> None:
        self._ids: dict[tuple[bytes, int], int] = {}
        self._next = 0
        self._codes = np.zeros(0, dtype=np.int64)  # sorted
        self._rows = np.zeros((0, len(TEXT_COLUMNS)), dtype=np.float32)

    @property
    def size(self) -> int:
        """Pairs remembered."""
        return len(self._codes)

    def score_pairs(self, facts: Sequence[SentenceFacts], vectors: np.ndarray, *,
                    config: AlignConfig = AlignConfig(), model: SameFactModel | None = None) -> AlignResult:
        """What :func:`align.score_pairs` returns for these sentences, reusing the columns remembered."""
        if not _KNOWN:
            LOGGER.warning("same-fact features changed (%s); pairs are scored without the memo", FEATURES)
            return score_pairs(facts, vectors, config=config, model=model)
        return score_pairs(facts, vectors, config=config, model=model, features=self._features)

    def _features(self, facts: Sequence[SentenceFacts], geometry: PairGeometry, pairs: np.ndarray) -> np.ndarray:
        """The rows of ``pair_features(facts, geometry, pairs)``, computing only the pairs not remembered."""
        first, second = pairs[:, 0], pairs[:, 1]
        ids = self._sentence_ids(facts)
        codes = (ids[first] << _SHIFT) | ids[second]
        hit = self._remembered(codes)
        miss = np.nonzero(hit < 0)[0]
        kept = np.nonzero(hit >= 0)[0]
        check = np.unique(kept[np.linspace(0, len(kept) - 1, min(CHECKED_ROWS, len(kept))).astype(np.int64)])
        again = np.concatenate([miss, check])
        stats = story_stats(facts)
        fresh = pair_features(facts, geometry.take(again), pairs[again], stats=stats)
        out = np.empty((len(pairs), len(FEATURES)), dtype=np.float32)
        if len(kept):
            out[kept] = _story_columns(stats, geometry.take(kept), pairs[kept])
            out[np.ix_(kept, _TEXT)] = self._rows[hit[kept]]
        out[miss] = fresh[: len(miss)]
        if not np.array_equal(out[check], fresh[len(miss):]):
            LOGGER.warning("reused pair features differ from same_fact.pair_features; scoring every pair again")
            out, miss = pair_features(facts, geometry, pairs, stats=stats), np.arange(len(pairs))
        self.reused, self.computed = len(pairs) - len(miss), len(miss)
        self._remember(codes, out[:, _TEXT], ids)
        return out

    def _sentence_ids(self, facts: Sequence[SentenceFacts]) -> np.ndarray:
        """One id per sentence, the same for a sentence of an unchanged article in the story's next comparison."""
        by_article: dict[str, list[SentenceFacts]] = {}
        for f in facts:
            by_article.setdefault(f.article_id, []).append(f)
        digests: dict[str, bytes] = {}
        for article_id, own in by_article.items():
            digest = hashlib.blake2b(digest_size=16)
            # What the text-only columns read: each sentence's text and place, the article's day and size.
            for part in (article_id, own[0].published or "", str(len(own)), *(f"{f.index}\0{f.text}" for f in own)):
                digest.update(part.encode("utf-8") + b"\1")
            digests[article_id] = digest.digest()
        out = np.empty(len(facts), dtype=np.int64)
        for k, f in enumerate(facts):
            key = (digests[f.article_id], f.index)
            if key not in self._ids:
                self._ids[key], self._next = self._next, self._next + 1
            out[k] = self._ids[key]
        return out

    def _remembered(self, codes: np.ndarray) -> np.ndarray:
        """Per code, its row among those remembered, or -1."""
        if not len(self._codes):
            return np.full(len(codes), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._codes, codes), len(self._codes) - 1)
        return np.where(self._codes[at] == codes, at, -1)

    def _remember(self, codes: np.ndarray, rows: np.ndarray, ids: np.ndarray) -> None:
        """Keep this comparison's pairs only (a story's memo never outgrows the story)."""
        order = np.argsort(codes, kind="stable")
        self._codes, self._rows = codes[order], np.ascontiguousarray(rows[order])
        current = set(ids.tolist())
        self._ids = {key: value for key, value in self._ids.items() if value in current}
        if self._next >= 1 << (_SHIFT - 1):  # ids restart long before they could overflow a code
            self._clear()


def _story_columns(stats: StoryStats, geometry: PairGeometry, pairs: np.ndarray) -> np.ndarray:
    """The story-level columns of ``pairs`` (``geometry`` holds their cosines and ranks), as
    :func:`same_fact.pair_features` makes them; the text-only columns are left zero."""
    out = np.zeros((len(pairs), len(FEATURES)), dtype=np.float32)
    for name, values in story_columns(geometry, _overlaps(stats, pairs)).items():
        out[:, FEATURES.index(name)] = values
    return out


class PairMemos:
    """Story id -> its :class:`PairMemo`, least recently used dropped beyond ``max_pairs`` pairs in all."""

    def __init__(self, max_pairs: int) -> None:
        self.max_pairs = max_pairs
        self._memos: OrderedDict[str, PairMemo] = OrderedDict()
        self._lock = threading.Lock()  # an engine may compare stories on several threads of one process

    def clear(self) -> None:
        """Forget every story's memo (as a new process starts)."""
        with self._lock:
            self._memos.clear()

    def get(self, story_id: str) -> PairMemo:
        """The story's memo (empty the first time), now the most recently used."""
        with self._lock:
            memo = self._memos.pop(story_id, None) or PairMemo()
            total = memo.size
            for other in reversed(list(self._memos)):
                total += self._memos[other].size
                if total > self.max_pairs:
                    del self._memos[other]
            self._memos[story_id] = memo
            return memo


# A 50-article story of the recompare benchmark scores about 110,000 pairs (about 5 MB here): the memos of a
# process hold at most 1,000,000 pairs (about 50 MB).
PAIR_MEMOS = PairMemos(max_pairs=1_000_000)
