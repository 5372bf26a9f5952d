"""The Dask engine: tasks run as dask.distributed tasks, on a local cluster or on a remote scheduler's workers.

Every worker loads the models once: :class:`WarmModels`, a worker plugin, loads the spaCy pipeline, the
sentence encoder and the same-fact model when the worker starts, into the same per-process caches the
tasks read (``load_nlp``, ``get_embedder``, ``SameFactModel.load``). A task whose worker dies is run
again on another (the scheduler reschedules what a lost worker held; ``retries`` covers a task that
raised), so the client, which alone writes to the store, receives every result once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import dask
from distributed import Client, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["DaskEngine", "WarmModels"]

LOGGER = logging.getLogger(__name__)

RETRIES = 2  # a task that raised is tried this many more times before the run stops with its error


class WarmModels(WorkerPlugin):
    """Loads the models of analysis and comparison once per worker process, when the worker starts."""

    name = "parallax-warm-models"

    def __init__(self, *, embed_threads: int, quote_mode: str) -> None:
        self.embed_threads = embed_threads
        self.quote_mode = quote_mode

    def setup(self, worker: Any) -> None:
        from parallax.analyze.nlp import load_nlp
        from parallax.compare.same_fact import SameFactModel
        from parallax.stories.embed import get_embedder

        load_nlp()
        get_embedder(self.embed_threads)
        SameFactModel.load()
        LOGGER.info("worker %s: models loaded (quote mode %s)", getattr(worker, "address", "?"), self.quote_mode)


class DaskEngine:
    """Runs tasks on dask.distributed workers.

    Args:
        workers: local worker processes (default: one per core); ignored with ``scheduler``.
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a local cluster.
        embed_threads: ONNX Runtime threads of the encoder on this machine, shared by the local workers
            (with ``scheduler``: the threads of each remote worker's encoder).
        quote_mode: the quote stage's mode (the workers warm its models).
    """

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None, embed_threads: int = 2,
                 quote_mode: str = "default") -> None:
        self._cluster: LocalCluster | None = None
        # The scheduler of a local cluster lives in this process and logs every worker's coming and going.
        quiet = logging.getLogger("distributed")
        if quiet.getEffectiveLevel() < logging.WARNING:
            quiet.setLevel(logging.WARNING)
        if scheduler:
            self._client = Client(scheduler)
            self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
            self.task_threads = embed_threads
        else:
            count = workers or os.cpu_count() or 1
            # dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, and a fixed trim threshold stops glibc
            # from raising its mmap threshold: every large array of the parse is then mapped and unmapped
            # afresh, and the analysis runs about 15 % slower than in this process (docs/performance.md).
            # The workers keep glibc's own policy, as the local engine's processes do.
            with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                self._cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
            self.workers = count
            # The workers share this machine's cores: oversubscribed ONNX Runtime threads spin.
            self.task_threads = max(1, embed_threads // count)
        self._client.register_plugin(WarmModels(embed_threads=self.task_threads, quote_mode=quote_mode))

    @property
    def client(self) -> Client:
        return self._client

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        """``(position, fn(item))`` for every item as each finishes; about two tasks per worker are in
        flight, so the inputs are read (from the store) only as fast as the workers take them."""
        source = enumerate(items)
        positions: dict[Any, int] = {}
        finished = as_completed()
        limit = 2 * max(self.workers, 1)

        def submit_next() -> bool:
            for position, item in source:
                future = self._client.submit(fn, item, pure=False, retries=RETRIES)
                positions[future] = position
                finished.add(future)
                return True
            return False

        while len(positions) < limit and submit_next():
            pass
        try:
            for future in finished:
                position = positions.pop(future)
                result = future.result()
                future.release()
                submit_next()
                yield position, result
        except BaseException:
            self._client.cancel(list(positions))
            raise

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
