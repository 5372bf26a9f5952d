"""Online story clustering: index-bounded candidates, stable assignments, restore, the seed pair."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import shared_path
from stories_helpers import parsed

from parallax.errors import ConfigError
from parallax.model import Article
from parallax.stories.cluster import ClusterItem, StoryClusterer, article_items
from parallax.stories.config import ClusterConfig, load_cluster_config

DIM = 384


def _stream(n_items: int, n_topics: int, seed: int = 0) -> list[ClusterItem]:
    """Synthetic articles: topic centres plus noise, topic-specific entities, dates over 60 days."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_topics, DIM)).astype(np.float32)
    items = []
    for i in range(n_items):
        topic = int(rng.integers(n_topics))
        vector = centres[topic] + 0.6 * rng.normal(size=DIM).astype(np.float32)
        vector /= np.linalg.norm(vector)
        entities = frozenset({f"e{topic}", f"e{topic}b", f"noise{rng.integers(1000)}", f"^e{topic}"})
        day = 1 + (topic * 7 + int(rng.integers(3))) % 28
        items.append(ClusterItem(f"a{i}", vector, entities, f"2024-03-{day:02d}", f"o{i % 3}"))
    return items


def test_stories_config_packaged_values_load() -> None:
    config = load_cluster_config()
    assert isinstance(config, ClusterConfig) and 0 < config.threshold < 2


def test_stories_config_unknown_key_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text("[cluster]\nthreshhold = 0.5\n")
    with pytest.raises(ConfigError, match="threshhold"):
        load_cluster_config(path)


def test_stories_synthetic_topics_recovered() -> None:
    items = _stream(300, 10)
    clusterer = StoryClusterer()
    assigned = [clusterer.add(item) for item in items]
    assert clusterer.story_count <= 15
    by_topic: dict[str, set[str]] = {}
    for item, story in zip(items, assigned):
        by_topic.setdefault(min(e for e in item.names if not e.startswith("noise")), set()).add(story)
    assert sum(len(stories) for stories in by_topic.values()) <= 15


def test_stories_adding_never_changes_earlier_assignments() -> None:
    items = _stream(200, 8)
    clusterer = StoryClusterer()
    first = [clusterer.add(item) for item in items[:100]]
    snapshot = dict(zip((i.article_id for i in items[:100]), first))
    for item in items[100:]:
        clusterer.add(item)
    assert all(clusterer.story_of(article_id) == story for article_id, story in snapshot.items())


def test_stories_restore_then_add_equals_continuous_add() -> None:
    items = _stream(240, 8, seed=3)
    continuous = StoryClusterer()
    expected = [continuous.add(item) for item in items]
    restored = StoryClusterer()
    stored = [  # what a store keeps: the five fields, entities as a sorted list
        (ClusterItem(i.article_id, i.vector.copy(), frozenset(sorted(i.entities)), i.date, i.outlet), s)
        for i, s in zip(items[:150], expected[:150])
    ]
    restored.restore(stored)
    assert [restored.add(item) for item in items[150:]] == expected[150:]


def test_stories_candidates_bounded_by_index() -> None:
    config = ClusterConfig(max_candidates=12, ann_k=8)
    clusterer = StoryClusterer(config)
    items = _stream(1500, 300, seed=5)
    for item in items:
        clusterer.add(item)
        assert clusterer.last_decision is not None
        assert clusterer.last_decision.candidates <= 12
    assert clusterer.story_count > 100


def test_stories_far_dates_do_not_join() -> None:
    rng = np.random.default_rng(1)
    vector = rng.normal(size=DIM).astype(np.float32)
    vector /= np.linalg.norm(vector)
    clusterer = StoryClusterer()
    first = clusterer.add(ClusterItem("a", vector, frozenset({"x"}), "2024-01-01", "o"))
    assert clusterer.add(ClusterItem("b", vector, frozenset({"x"}), "2024-01-03", "o")) == first
    assert clusterer.add(ClusterItem("c", vector, frozenset({"x"}), "2024-06-01", "o")) != first


def test_stories_seed_pair_is_one_story(nlp) -> None:  # type: ignore[no-untyped-def]
    from parallax.stories.embed import get_embedder

    folder = shared_path("seeds")
    analyses = [
        parsed(nlp, Article(id=p.stem, outlet=f"o{i}", title="", text=p.read_text(encoding="utf-8"),
                            date="2025-06-23"))
        for i, p in enumerate(sorted(folder.glob("*.txt")))
    ]
    items = article_items(analyses, get_embedder())
    clusterer = StoryClusterer()
    assert len({clusterer.add(item) for item in items}) == 1
