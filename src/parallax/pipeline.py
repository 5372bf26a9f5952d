"""The whole job over a store: ingest → analyze → cluster → compare.

The CLI and the web app call these functions; each stage commits in batches, so a process killed at any
point loses at most the batch in flight, and running the same stage again picks up where it stopped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from parallax.errors import InputError
from parallax.keys import entity_slug
from parallax.quote_mode import using_quote_mode
from parallax.settings import Settings
from parallax.model import AnalyzedArticle, Article, Comparison, Entity, Mention, Quote, Story
from parallax.entity_pages import build_entity_pages
from parallax.store import Database

if TYPE_CHECKING:
    from parallax.engine import Engine
    from parallax.ingest.options import IngestOptions
    from parallax.stories.vectors import ArticleVectors

# (entity key, name, label, article id, forms used, count): one row of the store's entity index.
EntityRow = tuple[str, str, str, str, list[str], int]

__all__ = [
    "AnalyzeReport",
    "IngestReport",
    "ProgressFn",
    "analyze_store",
    "analyze_task",
    "compare_task",
    "compare_stored_story",
    "ingest_articles",
    "ingest_paths",
    "upgrade_store",
]

LOGGER = logging.getLogger(__name__)

# on_progress(stage, done, total): ``total`` is None while unknown (streamed input).
ProgressFn = Callable[[str, int, int | None], None]


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass(slots=True)
class IngestReport:
    added: int = 0
    existing: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    errors: list[InputError] = field(default_factory=list)
    passed_over: list[Path] = field(default_factory=list)  # files a folder walk left out for their kind

    @property
    def seen(self) -> int:
        return self.added + self.existing + self.duplicates


@dataclass(slots=True)
class AnalyzeReport:
    analyzed: int = 0
    clustered: int = 0
    compared: int = 0
    stories: int = 0


def ingest_paths(
    db: Database,
    paths: Sequence[str | Path],
    *,
    stdin: TextIO | None = None,
    max_bytes: int = 20_000_000,
    batch_size: int = 200,
    on_progress: ProgressFn = _no_progress,
    on_error: Callable[[InputError], None] | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    """Read every input under ``paths`` into the store; bad items are reported, never fatal."""
    from parallax.ingest import iter_inputs

    passed_over: list[Path] = []
    items = iter_inputs(paths, stdin=stdin, max_bytes=max_bytes, options=options, passed_over=passed_over)
    report = ingest_articles(db, items, batch_size=batch_size, on_progress=on_progress, on_error=on_error)
    report.passed_over = passed_over
    return report


def ingest_articles(
    db: Database,
    items: Iterable[Article | InputError],
    *,
    batch_size: int = 200,
    on_progress: ProgressFn = _no_progress,
    on_error: Callable[[InputError], None] | None = None,
) -> IngestReport:
    """Store articles in batches of ``batch_size`` (one transaction each), linking near-duplicates."""
    from parallax.ingest.dedup import NearDuplicateIndex, minhash_bytes

    report = IngestReport()
    near = NearDuplicateIndex()
    for article_id, signature in db.minhash_signatures():
        near.add_bytes(article_id, signature)
    batch: list[Article] = []

    def flush() -> None:
        if not batch:
            return
        fresh = [a for a in batch if not db.has_article(a.id, a.content_hash)]
        linked, signatures = [], []
        for article in fresh:
            signature = minhash_bytes(article.text)
            original = near.query_add_bytes(article.id, signature)
            if original is not None and original != article.id:
                article = replace(article, near_duplicate_of=original)
            linked.append(article)
            signatures.append(signature)
        outcomes = db.add_articles(linked, signatures=signatures)
        report.existing += len(batch) - len(fresh)
        for article, outcome in zip(linked, outcomes):
            if outcome.status == "added":
                report.added += 1
                report.near_duplicates += article.near_duplicate_of is not None
            elif outcome.status == "duplicate":
                report.duplicates += 1
            else:
                report.existing += 1
        batch.clear()
        on_progress("ingest", report.seen, None)

    for item in items:
        if isinstance(item, InputError):
            report.errors.append(item)
            if on_error is not None:
                on_error(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def analyze_store(
    db: Database,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    on_progress: ProgressFn = _no_progress,
    compare: bool = True,
    settings: Settings | None = None,
    engine: Engine | None = None,
) -> AnalyzeReport:
    """Analyse new articles, place them in stories, and recompute the comparison of every changed story.
    ``settings`` give the quote mode and the encoder's threads (default: :class:`Settings`' defaults).
    ``engine`` (:mod:`parallax.engine`) runs the analysis of each batch of articles and the comparison of
    each story as tasks (``n_process`` is then unused); this process keeps the grouping, in date order,
    and alone writes to the store. Without one, spaCy's and a process pool's ``n_process`` workers do."""
    settings = settings or Settings()
    report = AnalyzeReport()
    if engine is not None:
        report.analyzed = _analyze_with(db, engine, settings, batch_size=min(batch_size, 32), on_progress=on_progress)
    elif n_process > 1:
        # Whole analyses (parse, quotes, labels, embeddings) in each worker: spaCy's own n_process would
        # parallelise the parse alone and leave the rest, as costly, to this process.
        from parallax.engine import LocalEngine

        with LocalEngine(workers=n_process) as local:
            report.analyzed = _analyze_with(db, local, settings, batch_size=min(batch_size, 32),
                                            on_progress=on_progress)
    else:
        with using_quote_mode(settings.quote_mode):
            report.analyzed = _analyze_pending(db, batch_size=batch_size, n_process=n_process,
                                               on_progress=on_progress, threads=settings.embed_threads)
    report.clustered = _cluster_pending(db, on_progress=on_progress, threads=settings.embed_threads)
    if compare:
        outdated = db.mark_outdated_comparisons()
        if outdated:
            LOGGER.info("%d stories compared with older rules: comparing them again", outdated)
        if engine is not None:
            report.compared = _compare_with(db, engine, on_progress=on_progress)
        else:
            report.compared = _compare_dirty(db, n_process=n_process, on_progress=on_progress,
                                             threads=settings.embed_threads)
        upgrade_store(db, on_progress=on_progress)
    report.stories = db.count("stories")
    return report


def upgrade_store(db: Database, *, on_progress: ProgressFn = _no_progress) -> None:
    """Bring what older versions stored up to date: cut comparisons kept whole (one JSON value each) into
    rows of findings (:meth:`Database.pack_comparison`; one that would not read back unchanged stays whole,
    compressed), then group the remarks of much-quoted speakers. Each story is committed on its own; a
    store already up to date costs a few queries. Story pages keep nothing: they read the rows."""
    unpacked = db.unpacked_comparisons()
    if unpacked:
        on_progress("pack", 0, len(unpacked))
        for done, story_id in enumerate(unpacked, 1):
            db.pack_comparison(story_id)
            on_progress("pack", done, len(unpacked))
    build_entity_pages(db, on_progress=on_progress)
    if unpacked:  # compression freed most of the file: give it back (10k-article store: 1.3 GB -> 0.95 GB)
        LOGGER.info("compacting %s after compressing %d comparisons", db.path, len(unpacked))
        db.compact()  # when another connection is busy: next time


def _models_stamp() -> str:
    """The stamp of the installed model package ('' when it cannot be read: then nothing is re-analysed)."""
    from parallax.errors import ParallaxError
    from parallax.weights import models_stamp

    try:
        return models_stamp()
    except ParallaxError:
        return ""


def _analyze_pending(db: Database, *, batch_size: int, n_process: int, on_progress: ProgressFn,
                     threads: int = 2) -> int:
    from parallax.analyze import analyze_articles

    stamp = _models_stamp()
    pending = db.pending_analysis(models=stamp)
    total = len(pending)
    if not total:
        return 0
    done = 0
    on_progress("analyze", 0, total)
    # Batches are committed one at a time: an interrupted run keeps what it finished.
    chunk = max(batch_size * max(n_process, 1), batch_size)
    for offset in range(0, total, chunk):
        articles = list(db.articles(pending[offset : offset + chunk]))
        results = list(analyze_articles(articles, batch_size=batch_size, n_process=n_process))
        db.save_analyses(results, models=stamp, vectors=_packed_vectors(results, threads))
        done += len(results)
        on_progress("analyze", done, total)
    return done


def _packed_vectors(analyzed: Sequence[AnalyzedArticle], threads: int) -> list[bytes | None]:
    """Each analysis' story vector, packed for the store, from one encoder call (None without the encoder:
    grouping then embeds it). Sentence rows are made when the story is first compared across outlets."""
    from parallax.errors import ParallaxError
    from parallax.stories.embed import get_embedder
    from parallax.stories.vectors import article_vectors

    try:
        embedder = get_embedder(threads)
    except (ParallaxError, ImportError) as error:
        LOGGER.warning("sentence embedder unavailable (%s); analyses are stored without vectors", error)
        return [None] * len(analyzed)
    return [v.to_bytes() for v in article_vectors(analyzed, embedder, rows=False)]


@dataclass(frozen=True, slots=True)
class AnalyzeTask:
    """One batch of articles to analyse, with what a worker needs to do it as this run would."""

    articles: list[Article]
    quote_mode: str
    threads: int


def analyze_task(task: AnalyzeTask) -> tuple[list[AnalyzedArticle], list[bytes | None]]:
    """Analyse one batch and embed it (an engine's task: no store; the caller saves the results)."""
    from parallax.analyze import analyze_articles

    with using_quote_mode(task.quote_mode):
        results = list(analyze_articles(task.articles, batch_size=max(len(task.articles), 1)))
    return results, _packed_vectors(results, task.threads)


def _analyze_with(db: Database, engine: Engine, settings: Settings, *, batch_size: int,
                  on_progress: ProgressFn) -> int:
    """Analyse pending articles as the engine's tasks, each batch saved here as it comes back."""
    stamp = _models_stamp()
    pending = db.pending_analysis(models=stamp)
    total = len(pending)
    if not total:
        return 0
    on_progress("analyze", 0, total)
    # Workers of one machine share its cores: oversubscribed ONNX Runtime threads spin.
    threads = getattr(engine, "task_threads", None) or max(1, settings.embed_threads // max(engine.workers, 1))
    # At least four batches a worker, so that the last ones do not leave a worker idle while another
    # finishes (120 articles in batches of 32 on two workers: 64 and 56 articles; in batches of 15: 60 each).
    batch_size = max(1, min(batch_size, -(-total // (4 * max(engine.workers, 1)))))
    tasks = (AnalyzeTask(list(db.articles(pending[offset : offset + batch_size])), settings.quote_mode, threads)
             for offset in range(0, total, batch_size))
    done = 0
    for _, (results, vectors) in engine.map_unordered(analyze_task, tasks):
        db.save_analyses(results, models=stamp, vectors=vectors)
        done += len(results)
        on_progress("analyze", done, total)
    return done


def _cluster_pending(db: Database, *, on_progress: ProgressFn, threads: int = 2) -> int:
    from parallax.stories.cluster import ClusterItem, StoryClusterer, article_items, cluster_items
    from parallax.stories.embed import get_embedder

    pending = db.unclustered()
    if not pending:
        return 0
    clusterer = StoryClusterer()
    clusterer.restore(
        (ClusterItem(article_id, vector, frozenset(entities), date, outlet), story_id)
        for article_id, vector, entities, date, outlet, story_id in db.vector_rows()
        if story_id is not None
    )
    total = len(pending)
    on_progress("cluster", 0, total)
    done = 0
    for offset in range(0, total, 256):
        analyzed = [db.analysis(article_id) for article_id in pending[offset : offset + 256]]
        stored = _stored_vectors(db, analyzed)
        if all(a.article.id in stored for a in analyzed):
            items = cluster_items(analyzed, [stored[a.article.id].lead for a in analyzed])
        else:  # analysed before vectors were stored, or without the encoder
            items = article_items(analyzed, get_embedder(threads))
        db.save_vectors([(item.article_id, item.vector, sorted(item.entities)) for item in items])
        db.assign_stories([(item.article_id, clusterer.add(item)) for item in items])
        done += len(items)
        on_progress("cluster", done, total)
    return done


def _compare_dirty(db: Database, *, n_process: int = 1, on_progress: ProgressFn, threads: int = 2) -> int:
    """Recompute every changed story's comparison; with ``n_process`` > 1 stories are compared in worker
    processes (each reads the store itself) and saved here, one transaction per story."""
    dirty = db.dirty_stories()
    total = len(dirty)
    if not total:
        return 0
    on_progress("compare", 0, total)
    if n_process <= 1 or total < 2 or db.path == ":memory:":
        for done, story_id in enumerate(dirty, start=1):
            compare_stored_story(db, story_id, save=True, threads=threads)
            on_progress("compare", done, total)
        return total
    from parallax.engine import LocalEngine

    # Each worker gets its share of the cores for the encoder: oversubscribed ONNX Runtime threads spin.
    threads = min(threads, max(1, (os.cpu_count() or 1) // n_process))
    # The engine keeps two stories a worker in flight; each is saved as it finishes, not in submission order
    # (one large story does not hold back the others, an interrupted run keeps every comparison finished),
    # and dropped once saved: holding every story's future, as an earlier version did, kept every comparison
    # of the run in this process (2 GiB for the 6,054 stories of 10,000 Baly articles). Stories not started
    # when the run stops stay dirty for the next run.
    with LocalEngine(workers=n_process, initializer=_open_worker_store, initargs=(db.path, threads)) as local:
        for done, (_, result) in enumerate(local.map_unordered(_compare_in_worker, dirty), start=1):
            comparison, entity_rows, quote_keys, fresh = result
            if fresh:
                db.save_analysis_vectors(fresh)
            db.save_comparison(comparison, entity_rows=entity_rows, quote_keys=quote_keys)
            on_progress("compare", done, total)
    return total


_WORKER_DB: Database | None = None


_WORKER_THREADS = 2


def _open_worker_store(path: str, embed_threads: int) -> None:
    global _WORKER_DB, _WORKER_THREADS
    _WORKER_THREADS = embed_threads
    _WORKER_DB = Database(path, readonly=True)


def _compare_in_worker(story_id: str
                       ) -> tuple[Comparison, list[EntityRow], list[tuple[str, int, str]], list[tuple[str, bytes]]]:
    assert _WORKER_DB is not None
    return _comparison_rows(_WORKER_DB, story_id, threads=_WORKER_THREADS)


def compare_stored_story(db: Database, story_id: str, *, save: bool = False, threads: int = 2) -> Comparison:
    """Compute the comparison of one stored story (near-duplicate copies are counted once)."""
    comparison, entity_rows, quote_keys, fresh = _comparison_rows(db, story_id, threads=threads)
    if save:
        if fresh:
            db.save_analysis_vectors(fresh)
        db.save_comparison(comparison, entity_rows=entity_rows, quote_keys=quote_keys)
    return comparison


def _stored_vectors(db: Database, analyzed: Sequence[AnalyzedArticle]) -> dict[str, ArticleVectors]:
    """The embeddings stored with these analyses, where they are of the analysis as it stands."""
    from parallax.stories.vectors import ArticleVectors

    out = {}
    for article_id, (blob, sentences, quotes) in db.analysis_vectors([a.article.id for a in analyzed]).items():
        vectors = ArticleVectors.from_bytes(blob, sentences=sentences, quotes=quotes)
        if vectors is not None:
            out[article_id] = vectors
    return out


@dataclass(frozen=True, slots=True)
class CompareTask:
    """One story to compare: its analysed articles (near-duplicate copies left out) and their vectors."""

    story: Story
    analyzed: list[AnalyzedArticle]
    vectors: dict[str, ArticleVectors]
    threads: int = 2


def _compare_input(db: Database, story_id: str, *, threads: int = 2) -> CompareTask:
    story = db.story(story_id)
    analyzed = [db.analysis(article_id) for article_id in story.article_ids]
    members = {a.article.id for a in analyzed}
    distinct = [a for a in analyzed if a.article.near_duplicate_of not in members]
    return CompareTask(story, distinct, _stored_vectors(db, distinct), threads)


def compare_task(task: CompareTask) -> tuple[Comparison, list[AnalyzedArticle], list[tuple[str, bytes]]]:
    """Compare one story (an engine's task: no store), with the analyses its entities were linked in and
    the packed embeddings made for it (articles compared across outlets for the first time), to store."""
    from parallax.compare import compare_story
    from parallax.compare.pair_memo import PAIR_MEMOS
    from parallax.stories.resolve import linked_entities

    entities, distinct = linked_entities(task.analyzed)
    vectors, fresh = _with_rows(distinct, task.vectors, task.threads)
    # A story compared before in this process reuses its pair columns: a story that gained one article
    # scores only the pairs the new article brings (the comparison is the same either way).
    comparison = compare_story(task.story, distinct, entities=entities, vectors=vectors,
                               memo=PAIR_MEMOS.get(task.story.id))
    return comparison, distinct, fresh


def _with_rows(analyzed: Sequence[AnalyzedArticle], stored: dict[str, ArticleVectors], threads: int
               ) -> tuple[dict[str, ArticleVectors], list[tuple[str, bytes]]]:
    """The story's vectors with sentence rows for every article, embedding (in one call) those without;
    nothing when the story has one outlet (it is not aligned)."""
    from parallax.errors import ParallaxError
    from parallax.stories.embed import get_embedder
    from parallax.stories.vectors import article_vectors

    need = [a for a in analyzed if not ((v := stored.get(a.article.id)) is not None and v.fits(a))]
    if not need or len({a.article.outlet for a in analyzed}) < 2:
        return stored, []
    try:
        embedder = get_embedder(threads)
    except (ParallaxError, ImportError):
        return stored, []  # compare_story falls back to its lexical vectors
    leads = [stored[a.article.id].lead if a.article.id in stored else None for a in need]
    made = article_vectors(need, embedder, leads=leads)
    merged = {**stored, **{a.article.id: v for a, v in zip(need, made)}}
    return merged, [(a.article.id, v.to_bytes()) for a, v in zip(need, made)]


def _comparison_rows(
    db: Database, story_id: str, *, threads: int = 2
) -> tuple[Comparison, list[EntityRow], list[tuple[str, int, str]], list[tuple[str, bytes]]]:
    """A story's comparison with the entity-index rows and speaker keys that are saved beside it, and the
    embeddings made for it."""
    task = _compare_input(db, story_id, threads=threads)
    comparison, distinct, fresh = compare_task(task)
    return (*_finished_rows(db, task.story, comparison, distinct), fresh)


def _finished_rows(db: Database, story: Story, comparison: Comparison, distinct: Sequence[AnalyzedArticle]
                   ) -> tuple[Comparison, list[EntityRow], list[tuple[str, int, str]]]:
    comparison = _with_timeline(db, comparison)
    return (
        comparison,
        _entity_rows(story, distinct, comparison),
        _quote_keys(distinct, comparison.entities),
    )


def _compare_with(db: Database, engine: Engine, *, on_progress: ProgressFn) -> int:
    """Compare every changed story as the engine's tasks; each is saved here, one transaction per story."""
    dirty = db.dirty_stories()
    total = len(dirty)
    if not total:
        return 0
    on_progress("compare", 0, total)
    threads = getattr(engine, "task_threads", 2)
    tasks = (_compare_input(db, story_id, threads=threads) for story_id in dirty)
    for done, (position, (comparison, distinct, fresh)) in enumerate(engine.map_unordered(compare_task, tasks),
                                                                     start=1):
        story = db.story(dirty[position])
        comparison, entity_rows, quote_keys = _finished_rows(db, story, comparison, distinct)
        if fresh:
            db.save_analysis_vectors(fresh)
        db.save_comparison(comparison, entity_rows=entity_rows, quote_keys=quote_keys)
        on_progress("compare", done, total)
    return total


def _with_timeline(db: Database, comparison: Comparison) -> Comparison:
    """The comparison with its story timeline (feed times and earlier texts of watched articles)."""
    from parallax.compare.timeline import story_timeline
    from parallax.store.feeds import FeedStore

    feeds, ids = FeedStore(db), [a.id for a in comparison.articles]
    timeline = story_timeline(comparison, published=feeds.watched_items(ids), versions=feeds.versions_of(ids))
    return replace(comparison, timeline=timeline)


def _quote_keys(analyzed: Sequence[AnalyzedArticle], entities: Sequence[Entity]) -> list[tuple[str, int, str]]:
    """(article id, quote index, entity key) for each quote whose speaker resolves to a story entity."""
    by_id = {entity.id: entity for entity in entities}
    by_form: dict[str, Entity] = {}
    for entity in entities:
        for alias in entity.aliases:
            by_form.setdefault(alias.form.casefold(), entity)
        by_form.setdefault(entity.name.casefold(), entity)
    keys = []
    for item in analyzed:
        for idx, quote in enumerate(item.quotes):
            entity = _speaker_entity(quote, item.mentions, by_id, by_form)
            if entity is not None:
                keys.append((item.article.id, idx, entity_slug(entity.name)))
    return keys


# Which entity a speaker span names when it holds several: the person before the organisation it speaks for
# ("Ministry spokesman Dario Vell"), the organisation before a nationality or place ("Norvian officials",
# "the Norvian foreign ministry"), and anything named before nothing.
_SPEAKER_RANK = {"PERSON": 0, "ORG": 1}


def _speaker_entity(
    quote: Quote, mentions: Sequence[Mention], by_id: dict[str, Entity], by_form: dict[str, Entity]
) -> Entity | None:
    """The story entity who said ``quote``: the person it names, else the organisation, else any entity."""
    named = by_form.get(quote.speaker_name.casefold()) if quote.speaker_name else None
    if named is not None and named.label == "PERSON":
        return named  # the speaker as the quote finder resolved them ("he" -> "Lena Ostrova")
    inside: list[Entity] = []
    if quote.speaker is not None:
        span = quote.speaker
        inside = [by_id[m.entity_id] for m in mentions
                  if m.entity_id in by_id and m.start < span.end and span.start < m.end]
    candidates = inside + ([named] if named is not None else [])
    # sorted() keeps text order among equals: the first person, then the first organisation.
    ranked = sorted(candidates, key=lambda entity: _SPEAKER_RANK.get(entity.label, 2))
    return ranked[0] if ranked else None


def _entity_rows(story: Story, analyzed: Sequence[AnalyzedArticle], comparison: Comparison) -> list[EntityRow]:
    """(entity key, name, label, article id, forms used, count) for the store's entity index."""
    by_id = {entity.id: entity for entity in comparison.entities}
    rows: dict[tuple[str, str], EntityRow] = {}
    for item in analyzed:
        for mention in item.mentions:
            entity = by_id.get(mention.entity_id or "")
            if entity is None or entity.label not in {"PERSON", "ORG", "GPE", "NORP"}:
                continue
            key = entity_slug(entity.name)
            old = rows.get((key, item.article.id))
            forms = sorted({*(old[4] if old else []), mention.text})
            rows[(key, item.article.id)] = (key, entity.name, entity.label, item.article.id, forms, (old[5] if old else 0) + 1)
    return list(rows.values())
