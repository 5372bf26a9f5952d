"""Engines: the dask engine stores what the local run stores, and a worker killed mid-run loses nothing."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from parallax.engine import LocalEngine
from parallax.ingest.dedup import content_hash
from parallax.model import Article, to_dict
from parallax.pipeline import analyze_store, ingest_articles, ingest_paths
from parallax.settings import Settings
from parallax.store import Database

pytest.importorskip("distributed", reason="the dask engine needs dask.distributed (pip install 'distributed')")

from parallax.engine.dask import DaskEngine  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _records(db: Database) -> dict[str, Any]:
    """Everything the analysis stored, keyed so that two stores can be compared (story ids aside)."""
    analyses = {a.id: json.dumps(to_dict(db.analysis(a.id)), sort_keys=True) for a in db.articles()}
    stories: dict[str, Any] = {}
    for story in db.stories():
        comparison = db.comparison(story.id)
        data = to_dict(comparison) if comparison is not None else None
        if data is not None:
            data["story"].pop("id", None)
        stories[",".join(sorted(story.article_ids))] = json.dumps(data, sort_keys=True)
    return {"analyses": analyses, "stories": stories, "dirty": db.dirty_stories()}


def test_engine_dask_stores_what_local_stores(tmp_path: Path) -> None:
    inputs = [EXAMPLES / "ferry", EXAMPLES / "water", EXAMPLES / "other"]
    local, distributed = Database(tmp_path / "local.db"), Database(tmp_path / "dask.db")
    for db in (local, distributed):
        assert ingest_paths(db, inputs).added == 5
    analyze_store(local, settings=Settings())
    ours = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    with DaskEngine(workers=2) as engine:
        report = analyze_store(distributed, settings=Settings(), engine=engine)
        # dask's fixed malloc trim threshold (15 % slower analysis) is not passed to the local workers
        trim = engine.client.run(lambda: __import__("os").environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert set(trim.values()) == {ours}
    assert report.analyzed == 5
    assert _records(distributed) == _records(local)


# Made-up events (what, where, when, a figure, who speaks) told in four outlets' own words.
_EVENTS = [("the ferry Vela ran aground", "Cape Morrow", "Tuesday", "40 passengers", "Mara Quill"),
           ("the Orme bridge was closed", "Lindmark", "Monday", "two piers", "Tobias Renn"),
           ("a pump failed at the Ashby works", "Brackenford", "Sunday", "3,000 homes", "Ilse Varga"),
           ("the city library reopened", "Fenwick", "Saturday", "12 million euros", "Odile Brand")]
_STYLES = [
    "In {where}, {what} on {when}. The count given was {figure}. \"We are doing everything we can,\" said"
    " {who}, a spokesperson. Investigators will report within a month.",
    "{who} confirmed that {what} on {when} near {where}. Local radio put the figure at {figure}, and"
    " residents gathered outside the town hall in the evening to ask questions.",
    "Officials in {where} were still counting on {when} night after {what}; early estimates spoke of {figure}."
    " \"This should never have happened,\" one resident told our reporter, asking not to be named.",
    "It was a difficult {when} for {where}: {what}, with {figure} concerned, according to {who}. A full"
    " statement is expected from the regional government later this week.",
]


def _articles() -> list[Article]:
    """Four made-up events, each reported by four outlets."""
    out = []
    for e, (what, where, when, figure, who) in enumerate(_EVENTS):
        for o, style in enumerate(_STYLES):
            text = style.format(what=what, where=where, when=when, figure=figure, who=who)
            out.append(Article(f"event{e}-{o}", f"Outlet {o}", f"{where}: {what}", text, f"2024-05-0{e + 1}",
                               content_hash=content_hash(text)))
    return out


class _KillOneWorker:
    """The dask engine, with one of its worker processes killed (SIGKILL) once the first result is in."""

    def __init__(self, engine: DaskEngine) -> None:
        self.engine = engine
        self.workers = engine.workers
        self.task_threads = engine.task_threads
        self.killed: int | None = None

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        for result in self.engine.map_unordered(fn, items):
            if self.killed is None:
                pids = self.engine.client.run(os.getpid)
                self.killed = sorted(pids.values())[0]
                os.kill(self.killed, signal.SIGKILL)
            yield result


def test_engine_dask_worker_killed_mid_run_loses_no_article(tmp_path: Path) -> None:
    articles = _articles()
    db, reference = Database(tmp_path / "dask.db"), Database(tmp_path / "local.db")
    for store in (db, reference):
        ingest_articles(store, articles)
    with DaskEngine(workers=2) as engine:
        killing = _KillOneWorker(engine)
        report = analyze_store(db, settings=Settings(), engine=killing, batch_size=2)  # type: ignore[arg-type]
    assert killing.killed is not None
    assert report.analyzed == len(articles)
    assert db.pending_analysis() == []
    assert db.count("analyses") == len(articles)
    assert db.dirty_stories() == []
    assert all(db.comparison(story.id) is not None for story in db.stories())
    analyze_store(reference, settings=Settings())
    assert _records(db) == _records(reference)


def test_engine_local_runs_every_item_once() -> None:
    with LocalEngine(workers=2) as engine:
        results = dict(engine.map_unordered(abs, [-3, 1, -2, 5, -8]))
    assert results == {0: 3, 1: 1, 2: 2, 3: 5, 4: 8}
