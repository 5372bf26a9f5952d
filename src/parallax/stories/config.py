"""Story-clustering settings: each declared once with its default; calibrated values say on what data."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from parallax.errors import ConfigError

__all__ = ["ClusterConfig", "load_cluster_config"]


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Thresholds and index sizes for :class:`parallax.stories.cluster.StoryClusterer`.

    The shipped values are in ``parallax/config/stories.toml`` together with their calibration; the
    defaults here are the same numbers so a missing file changes nothing.
    """

    # scoring: score = w_vector * cos(item, story centroid) + w_entity * entity overlap - time penalty
    w_vector: float = 1.0
    w_entity: float = 0.7
    threshold: float = 0.5
    w_missing: float = 0.4  # weight of the IDF share of the story's core names the item lacks
    core_share: float = 0.5  # a story's core names are in the lead of at least this share of its articles
    window_days: float = 7.0  # candidate stories must have an article within this many days
    max_span_days: float = 14.0  # no article joins a story whose first article is older than this
    time_penalty: float = 0.1  # subtracted per window of gap between the item and the story's dates
    # candidate generation
    ann_k: int = 10  # nearest articles taken from each searched time bucket
    entity_block_stories: int = 8  # most recent stories remembered per entity key
    entity_block_max_df: float = 0.05  # entity keys in more than this share of stories are not blocking keys
    max_candidates: int = 40
    retire_days: float = 60.0  # stories idle this long (in stream dates) free their state; 0 keeps all
    # HNSW index
    bucket_days: int = 14  # one HNSW graph per this many days; undated articles share one graph
    hnsw_m: int = 12
    hnsw_ef_construction: int = 40
    hnsw_ef_search: int = 32


_FIELDS = {f.name: f for f in dataclasses.fields(ClusterConfig)}
DEFAULT_PATH = "stories.toml"


def load_cluster_config(path: str | Path | None = None, **overrides: Any) -> ClusterConfig:
    """Read a ``[cluster]`` table (the packaged ``stories.toml`` by default); unknown keys are refused."""
    if path is None:
        text = resources.files("parallax").joinpath("config", DEFAULT_PATH).read_text(encoding="utf-8")
        where = f"parallax/config/{DEFAULT_PATH}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        where = str(path)
    table = tomllib.loads(text).get("cluster", {})
    values = {**table, **overrides}
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"{where}: unknown story-clustering setting(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(_FIELDS))}")
    try:
        typed = {k: type(getattr(ClusterConfig(), k))(v) for k, v in values.items()}
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: bad story-clustering value: {err}") from err
    return ClusterConfig(**typed)
