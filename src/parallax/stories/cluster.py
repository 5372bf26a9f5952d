"""Online story clustering: each new article joins the best-scoring candidate story or starts one.

Candidates come from two indexes, never from a scan of all stories:

* an HNSW graph (hnswlib) over article vectors, sharded by time bucket, so only the buckets within
  ``window_days`` of the article's date are searched (undated articles share one graph);
* entity blocking: for each distinctive entity key, the few most recent stories that mention it.

Each candidate is scored as ``w_vector * cos(item, centroid) + w_entity * overlap - w_missing * missing
- time penalty``: ``overlap`` is the IDF-weighted share of the item's entity keys the story already has,
``missing`` the IDF-weighted share of the story's core names (named in the lead of most of its
articles) that the item never names. Stories idle for ``retire_days`` of stream time free their state.
Method and calibration: docs/stories.md.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date

import hnswlib
import numpy as np

from parallax.model import AnalyzedArticle

from .config import ClusterConfig, load_cluster_config
from .embed import DIM, Embedder
from .names import fold, name_tokens

__all__ = [
    "ClusterConfig",
    "ClusterItem",
    "Decision",
    "StoryClusterer",
    "article_item",
    "article_items",
    "cluster_items",
    "entity_keys",
    "item_text",
]

LOGGER = logging.getLogger(__name__)

KEY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})
YEAR_SENTENCES = 5  # years are taken from the title and this many sentences
LEAD_SENTENCES = 3  # title + this many sentences are embedded (calibration in docs/stories.md)
# Entity keys named in the lead are stored twice in ``ClusterItem.entities``, once behind this mark, so
# the five stored fields of an item are all ``restore`` needs.
LEAD_MARK = "^"
_UNDATED = -1 << 40
_EMPTY = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class ClusterItem:
    """What the clusterer needs of one article."""

    article_id: str
    vector: np.ndarray
    entities: frozenset[str]
    date: str | None
    outlet: str

    @property
    def names(self) -> frozenset[str]:
        """The entity keys, without the lead markers."""
        return frozenset(k for k in self.entities if not k.startswith(LEAD_MARK))

    @property
    def lead_names(self) -> frozenset[str]:
        """Keys named in the embedded lead (stored in ``entities`` as ``LEAD_MARK + key``)."""
        return frozenset(k[1:] for k in self.entities if k.startswith(LEAD_MARK))


@dataclass(frozen=True, slots=True)
class Decision:
    """Why ``add`` put an article where it did (for evaluation and debugging)."""

    story_id: str
    score: float
    candidates: int
    new_story: bool


@dataclass(slots=True)
class _Story:
    id: str
    vector_sum: np.ndarray
    size: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    lead: Counter[str] = field(default_factory=Counter)
    first_day: int | None = None
    last_day: int | None = None
    retired: bool = False
    core: tuple[str, ...] = ()  # lead names of most of its articles, as of ``core_size`` articles
    core_size: int = -1


def _day(value: str | None) -> int | None:
    if not value or len(value) < 10:
        return None
    try:
        return Date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def entity_keys(analyzed: AnalyzedArticle, *, sentences: int | None = None) -> frozenset[str]:
    """Label-free keys of the article's names: a person's folded surname, else the folded full name.

    With ``sentences``, only mentions in the first that many sentences count.
    """
    keys: set[str] = set()
    for mention in analyzed.mentions:
        if mention.label not in KEY_LABELS or (sentences is not None and mention.sentence >= sentences):
            continue
        tokens = name_tokens(mention.text, person=mention.label == "PERSON")
        if not tokens:
            continue
        if mention.label == "PERSON":
            tokens = tokens[-1:]
        key = " ".join(fold(t) for t in tokens)
        if len(key) > 1:
            keys.add(key)
    keys.update(_year_keys(analyzed, sentences))
    return frozenset(keys)


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _year_keys(analyzed: AnalyzedArticle, sentences: int | None) -> set[str]:
    """Years written in the title and lead (``@2013``): two similar events are often years apart."""
    lead = analyzed.sentences[: sentences or YEAR_SENTENCES]
    text = " ".join([analyzed.article.title] + [s.text for s in lead])
    return {f"@{year}" for year in _YEAR.findall(text)}


def item_text(analyzed: AnalyzedArticle, *, lead_sentences: int = LEAD_SENTENCES) -> str:
    """Title plus the first sentences of the body (the part of a news article that names the event)."""
    article = analyzed.article
    title = article.title.strip()
    if analyzed.sentences:
        lead = " ".join(s.text.strip() for s in analyzed.sentences[:lead_sentences])
    else:
        lead = article.text[:600]
    if title and lead.startswith(title):
        return lead
    return f"{title}. {lead}" if title else lead


def _marked_keys(analyzed: AnalyzedArticle) -> frozenset[str]:
    lead = entity_keys(analyzed, sentences=LEAD_SENTENCES)
    return entity_keys(analyzed) | {LEAD_MARK + key for key in lead}


def article_items(analyzed: Sequence[AnalyzedArticle], embedder: Embedder) -> list[ClusterItem]:
    """Cluster items for many articles, embedded in one batched call."""
    return cluster_items(analyzed, embedder.embed([item_text(a) for a in analyzed]))


def cluster_items(analyzed: Sequence[AnalyzedArticle], vectors: np.ndarray | Sequence[np.ndarray]) -> list[ClusterItem]:
    """Cluster items for many articles whose vectors (of :func:`item_text`) were made already."""
    return [
        ClusterItem(a.article.id, vectors[i], _marked_keys(a), a.article.date, a.article.outlet)
        for i, a in enumerate(analyzed)
    ]


def article_item(analyzed: AnalyzedArticle, embedder: Embedder) -> ClusterItem:
    """The cluster item of one article."""
    return article_items([analyzed], embedder)[0]


class _Bucket:
    """One growable HNSW graph over article vectors (labels are global article numbers)."""

    def __init__(self, config: ClusterConfig) -> None:
        self.index = hnswlib.Index(space="ip", dim=DIM)
        self.capacity = 1024
        self.index.init_index(max_elements=self.capacity, ef_construction=config.hnsw_ef_construction,
                              M=config.hnsw_m, random_seed=7)
        self.index.set_ef(config.hnsw_ef_search)
        self.count = 0

    def add(self, vector: np.ndarray, label: int) -> None:
        if self.count == self.capacity:
            self.capacity *= 2
            self.index.resize_index(self.capacity)
        self.index.add_items(vector[None, :], np.array([label]), num_threads=1)
        self.count += 1

    def query(self, vector: np.ndarray, k: int) -> list[int]:
        k = min(k, self.count)
        if k == 0:
            return []
        labels, _ = self.index.knn_query(vector[None, :], k=k, num_threads=1)
        return [int(x) for x in labels[0]]


class StoryClusterer:
    """Streams articles into stories; state can be rebuilt from stored assignments with ``restore``."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or load_cluster_config()
        self._buckets: dict[int, _Bucket] = {}
        self._story_of: list[int] = []  # article number -> story number
        self._label_of: dict[str, int] = {}  # article id -> article number
        self._stories: list[_Story] = []
        self._story_number: dict[str, int] = {}
        self._blocks: dict[str, deque[int]] = {}
        self._df: Counter[str] = Counter()  # stories per entity key
        self._latest_bucket: int | None = None
        self._latest_day: int | None = None
        self._idle: list[tuple[int, int]] = []  # heap of (last day, story number), stale entries allowed
        self._next_id = 0
        self.last_decision: Decision | None = None

    def __len__(self) -> int:
        return len(self._story_of)

    def story_of(self, article_id: str) -> str | None:
        """The story an added or restored article is in."""
        label = self._label_of.get(article_id)
        return None if label is None else self._stories[self._story_of[label]].id

    @property
    def story_count(self) -> int:
        return len(self._stories)

    def add(self, item: ClusterItem) -> str:
        """Put ``item`` into the best candidate story (or a new one) and return that story's id."""
        day = _day(item.date)
        names = item.names
        candidates = self.candidates(item, day, names)
        best, best_score = None, -math.inf
        if candidates:
            best, best_score = self._best(item, day, candidates, names)
        if best is None or best_score < self.config.threshold:
            best = self._new_story()
        self.last_decision = Decision(self._stories[best].id, best_score, len(candidates),
                                      best_score < self.config.threshold)
        self._insert(item, day, best)
        return self._stories[best].id

    def restore(self, items: Iterable[tuple[ClusterItem, str]]) -> None:
        """Rebuild the indexes from stored ``(item, story_id)`` pairs, in their original order."""
        for item, story_id in items:
            number = self._story_number.get(story_id)
            if number is None:
                number = self._new_story(story_id)
            self._insert(item, _day(item.date), number)

    def candidates(self, item: ClusterItem, day: int | None, names: frozenset[str]) -> list[int]:
        """Story numbers worth scoring for ``item``, from the ANN graphs and the entity blocks."""
        found: dict[int, None] = {}
        for key in self._search_buckets(day):
            for label in self._buckets[key].query(item.vector, self.config.ann_k):
                found.setdefault(self._story_of[label])
        limit = self.config.entity_block_max_df * max(len(self._stories), 50)
        for key in sorted(names, key=lambda k: self._df[k]):
            if self._df[key] > limit:
                break
            for number in self._blocks.get(key, ()):
                found.setdefault(number)
        return [n for n in list(found)[: self.config.max_candidates]
                if not self._stories[n].retired and self._in_window(day, n)]

    def _best(self, item: ClusterItem, day: int | None, numbers: list[int],
              names: frozenset[str]) -> tuple[int, float]:
        """The best-scoring story and its score; candidates go in falling cosine order and stop once
        even a full entity overlap could not beat the best score so far (same winner as scoring all)."""
        cfg = self.config
        cosines = self._cosines(item, numbers)
        weights = {key: self._idf(key) for key in names}
        best, best_score = numbers[0], -math.inf
        for row in np.argsort(-cosines, kind="stable"):
            vector_part = cfg.w_vector * float(cosines[row])
            if vector_part + cfg.w_entity <= best_score:
                break
            score = vector_part + self._entity_part(day, self._stories[numbers[row]], names, weights)
            if score > best_score:
                best, best_score = numbers[row], score
        return best, best_score

    def scores(self, item: ClusterItem, day: int | None, numbers: Sequence[int]) -> np.ndarray:
        """How well ``item`` fits each story in ``numbers`` (compare with ``config.threshold``)."""
        names = item.names
        weights = {key: self._idf(key) for key in names}
        cosines = self.config.w_vector * self._cosines(item, numbers)
        return np.array([cos + self._entity_part(day, self._stories[n], names, weights)
                         for cos, n in zip(cosines, numbers)])

    def _cosines(self, item: ClusterItem, numbers: Sequence[int]) -> np.ndarray:
        sums = np.stack([self._stories[n].vector_sum for n in numbers])
        result: np.ndarray = (sums @ item.vector) / np.maximum(np.linalg.norm(sums, axis=1), 1e-9)
        return result

    def _entity_part(self, day: int | None, story: _Story, names: frozenset[str],
                     weights: dict[str, float]) -> float:
        """Entity overlap minus the missing-core-name and time penalties (at most ``w_entity``)."""
        cfg = self.config
        total = sum(weights.values()) or 1.0
        # A name counts in full once it is in ``core_share`` of the story's articles: a story that has
        # absorbed many unrelated articles has every name but few of them often, so it cannot draw in
        # everything (a large story in the 10k corpus did before this).
        need = max(1.0, cfg.core_share * story.size)
        overlap = sum(w * min(1.0, story.entities.get(key, 0) / need) for key, w in weights.items()) / total
        gap = self._gap(day, story)
        penalty = cfg.time_penalty * gap / cfg.window_days if gap else 0.0
        missing = self._missing_core(names, story) if cfg.w_missing else 0.0
        return cfg.w_entity * overlap - cfg.w_missing * missing - penalty

    def _idf(self, key: str) -> float:
        return math.log((len(self._stories) + 1) / (self._df[key] + 1)) + 1.0

    def _missing_core(self, keys: frozenset[str], story: _Story) -> float:
        """IDF share of the story's core names (in the lead of most of its articles) the item never names.

        Two events of the same kind (two earthquakes, two arrests) read alike; what tells them apart is
        who and where, which every report of an event names early.
        """
        if story.core_size != story.size:
            need = self.config.core_share * story.size
            story.core = tuple(key for key, count in story.lead.items() if count >= need)
            story.core_size = story.size
        total = missing = 0.0
        for key in story.core:
            weight = self._idf(key)
            total += weight
            if key not in keys:
                missing += weight
        return missing / total if total else 0.0

    def _gap(self, day: int | None, story: _Story) -> int:
        if day is None or story.first_day is None or story.last_day is None:
            return 0
        if day < story.first_day:
            return story.first_day - day
        return max(0, day - story.last_day)

    def _in_window(self, day: int | None, number: int) -> bool:
        """Within ``window_days`` of the story's dates, and not ``max_span_days`` after its first one
        (daily coverage of a campaign would otherwise chain into one endless story)."""
        story = self._stories[number]
        if day is not None and story.first_day is not None and day - story.first_day > self.config.max_span_days:
            return False
        return self._gap(day, story) <= self.config.window_days

    def _bucket_key(self, day: int | None) -> int:
        return _UNDATED if day is None else day // self.config.bucket_days

    def _search_buckets(self, day: int | None) -> list[int]:
        keys = [_UNDATED]
        if day is None:
            if self._latest_bucket is not None:
                keys += [self._latest_bucket - 1, self._latest_bucket]
        else:
            span = math.ceil(self.config.window_days)
            keys += list(range((day - span) // self.config.bucket_days,
                               (day + span) // self.config.bucket_days + 1))
        return [k for k in keys if k in self._buckets]

    def _retire(self, horizon: float) -> None:
        """Free the vectors and graphs of stories and buckets idle since before ``horizon``.

        A story whose newest article is older than ``retire_days`` can no longer be within
        ``window_days`` of a date-ordered stream, so its centroid, entity counts and the HNSW graphs
        of those days are dropped; memory stays proportional to the recent window, not the store.
        """
        while self._idle and self._idle[0][0] < horizon:
            last_day, number = heapq.heappop(self._idle)
            story = self._stories[number]
            if story.last_day == last_day and not story.retired:
                story.retired = True
                story.vector_sum = _EMPTY
                story.entities = Counter()
                story.lead = Counter()
        for key in [k for k in self._buckets if k != _UNDATED and (k + 1) * self.config.bucket_days < horizon]:
            del self._buckets[key]

    def _new_story(self, story_id: str | None = None) -> int:
        while story_id is None or story_id in self._story_number:
            self._next_id += 1
            story_id = f"story-{self._next_id:06d}"
        number = len(self._stories)
        self._stories.append(_Story(story_id, np.zeros(DIM, dtype=np.float32)))
        self._story_number[story_id] = number
        return number

    def _insert(self, item: ClusterItem, day: int | None, number: int) -> None:
        story = self._stories[number]
        label = len(self._story_of)
        self._story_of.append(number)
        self._label_of[item.article_id] = label
        key = self._bucket_key(day)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.config)
        bucket.add(item.vector, label)
        if day is not None:
            self._latest_bucket = key if self._latest_bucket is None else max(self._latest_bucket, key)
            story.first_day = day if story.first_day is None else min(story.first_day, day)
            story.last_day = day if story.last_day is None else max(story.last_day, day)
            if self.config.retire_days > 0:
                heapq.heappush(self._idle, (story.last_day, number))
                if self._latest_day is None or day > self._latest_day:
                    self._latest_day = day
                    self._retire(day - self.config.retire_days)
        if story.retired:  # a late, out-of-order article (only restore() can put one here)
            story.retired = False
            story.vector_sum = np.zeros(DIM, dtype=np.float32)
        story.vector_sum += item.vector
        story.size += 1
        for entity in item.names:
            if entity not in story.entities:
                self._df[entity] += 1
                block = self._blocks.get(entity)
                if block is None:
                    block = self._blocks[entity] = deque(maxlen=self.config.entity_block_stories)
                block.append(number)
            story.entities[entity] += 1
        story.lead.update(item.lead_names)
