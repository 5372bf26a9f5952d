"""The local engine: tasks run in this process, or in a pool of spawned local processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

__all__ = ["LocalEngine"]


class LocalEngine:
    """``workers`` == 1: each task runs here, in order; more: a pool of that many spawned processes, each
    prepared by ``initializer(*initargs)`` when it starts (a worker's own read-only store, say)."""

    def __init__(self, *, workers: int = 1, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 1:
            # "spawn": a forked copy of a process holding ONNX Runtime and SQLite handles is not safe to use.
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=initializer, initargs=initargs)

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        """``(position, fn(item))`` for every item, as each finishes; at most two tasks per worker wait."""
        if self._pool is None:
            for position, item in enumerate(items):
                yield position, fn(item)
            return
        pending: dict[Future[Any], int] = {}
        source = enumerate(items)
        try:
            for position, item in source:
                pending[self._pool.submit(fn, item)] = position
                while len(pending) >= 2 * self.workers:
                    yield from self._finished(pending)
            while pending:
                yield from self._finished(pending)
        except BaseException:
            for future in pending:
                future.cancel()
            raise

    @staticmethod
    def _finished(pending: dict[Future[Any], int]) -> Iterator[tuple[int, Any]]:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield pending.pop(future), future.result()

    def close(self, *, wait: bool = True) -> None:
        """Stop the pool; tasks not started are dropped (their items stay pending for the next run)."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # on an error or an interrupt, do not wait for the tasks running in the workers
        self.close(wait=exc_type is None)
