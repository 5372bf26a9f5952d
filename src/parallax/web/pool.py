"""Read-only stores handed out one per request, and the single writer used by ingest."""

from __future__ import annotations

import fcntl
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parallax.store import Database

__all__ = ["ReadPool", "Writer"]


class ReadPool:
    """Read-only connections reused across requests; each request holds one for its duration."""

    def __init__(self, path: str | Path, *, size: int = 8) -> None:
        self.path = Path(path)
        self._idle: queue.LifoQueue[Database] = queue.LifoQueue(maxsize=size)

    @contextmanager
    def connection(self) -> Iterator[Database]:
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = Database(self.path, readonly=True)
            db.tune_for_reading()
        try:
            yield db
        finally:
            try:
                self._idle.put_nowait(db)
            except queue.Full:
                db.close()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class Writer:
    """The one writing connection of this process, opened on first use. Writes are serialised by a lock
    within the process and by an exclusive lock on ``<store>.write-lock`` across server processes, so two
    workers never analyse and cluster the same new articles at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: Database | None = None

    @contextmanager
    def connection(self) -> Iterator[Database]:
        with self._lock, open(str(self.path) + ".write-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                if self._db is None:
                    self._db = Database(self.path)
                yield self._db
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
