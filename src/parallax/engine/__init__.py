"""Engines: what runs the per-article and per-story tasks of a whole-store job.

The stage functions know nothing of engines; :mod:`parallax.pipeline` hands an engine plain, picklable
task functions and their inputs, and writes every result to the store itself (one writer). An engine only
runs ``fn(item)`` for each item, somewhere, and gives the results back as they finish:

* :class:`LocalEngine`: in this process (one worker) or in a pool of local processes;
* :class:`parallax.engine.dask.DaskEngine`: as dask.distributed tasks, on a local cluster or on the
  workers of a scheduler given by address (docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from .local import LocalEngine

__all__ = ["ENGINES", "Engine", "LocalEngine", "make_engine"]

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "dask")


class Engine(Protocol):
    """Runs one function over many inputs and yields ``(input position, result)`` as each finishes."""

    workers: int

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[int, Any]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...


def make_engine(name: str, *, workers: int | None = None, scheduler: str | None = None,
                embed_threads: int = 2, quote_mode: str = "default") -> Engine:
    """The engine called ``name`` (one of :data:`ENGINES`).

    Args:
        name: ``local`` or ``dask``.
        workers: worker processes (default: one per core for dask, one for local); with ``scheduler``
            the cluster's own workers are used and this is ignored.
        scheduler: a dask scheduler's address (``tcp://host:8786``); without it dask starts a local cluster.
        embed_threads: ONNX Runtime threads the sentence encoder may use on one machine, shared by the
            local workers.
        quote_mode: the quote stage's mode, with which the workers warm their models.
    """
    if name == "local":
        return LocalEngine(workers=workers or 1)
    if name == "dask":
        from .dask import DaskEngine

        return DaskEngine(workers=workers, scheduler=scheduler, embed_threads=embed_threads, quote_mode=quote_mode)
    raise ValueError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")
