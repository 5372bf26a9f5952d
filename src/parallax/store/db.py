"""The SQLite store: one file, one writer, named migrations, batched transactions.

Every write that belongs together happens in one transaction, so a process killed at any moment leaves
either all of a batch or none of it; re-running the same work skips what is already there.

:class:`Database` is the store's one API: a repository per aggregate (articles, analyses, stories,
comparisons, entities, quotes, jobs, story renders), each in its own module and mixed into this class, all returning
records of :mod:`parallax.model`. No module outside this package runs SQL or holds a connection.
"""

from __future__ import annotations

from pathlib import Path

from parallax.errors import StoreError

from .analyses import ANALYSIS_VERSION
from .comparisons import COMPARISON_VERSION
from .articles import InsertOutcome
from .comparisons import ComparisonRepository, SyncCount
from .entities import EntityRepository
from .jobs import JobRepository
from .quotes import QuoteRepository
from .renders import RenderRepository

__all__ = [
    "ANALYSIS_VERSION",
    "COMPARISON_VERSION",
    "Database",
    "InsertOutcome",
    "SyncCount",
    "open_existing",
]


class Database(ComparisonRepository, EntityRepository, QuoteRepository, JobRepository, RenderRepository):
    """A parallax store in one SQLite file (``:memory:`` works for throwaway use)."""

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_existing(path: str | Path, *, readonly: bool = False) -> Database:
    """The store at ``path``, which must exist: a read command never creates an empty store by mistake.

    Raises:
        StoreError: there is no file at ``path``.
    """
    if str(path) != ":memory:" and not Path(path).exists():
        raise StoreError(f"no store at {path}: the file does not exist; check --db (or $PARALLAX_DB),"
                         f" or create it with `parallax --db {path} ingest PATH...`")
    return Database(path, readonly=readonly)
