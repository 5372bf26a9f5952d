"""Background jobs of the web app: analysing what ``POST /api/ingest`` stored, outside the request.

The request stores the articles, adds a queued job row and returns 202. A runner thread in each server
process claims queued jobs one at a time and analyses the store on its own connection; an exclusive lock
on ``<store>.analyze-lock`` keeps two processes from analysing at once. Jobs are rows (store/jobs.py), so
``GET /api/jobs/ID`` answers from any process, and a restarted server shows them and runs again those it
left queued or running (see :func:`parallax.web.server.serve`).
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from parallax import api
from parallax.model import Job
from parallax.settings import Settings
from parallax.store import Database

from .ingest import check_token

__all__ = ["JobRunner", "job_status"]

LOGGER = logging.getLogger(__name__)
_POLL_S = 2.0  # how often an idle runner looks for jobs queued by another process (or before a restart)
_PROGRESS_EVERY_S = 0.5


class JobRunner:
    """One thread that runs queued jobs; :meth:`wake` after queuing one."""

    def __init__(self, settings: Settings, *, after_job: Callable[[Database], object] | None = None) -> None:
        self.settings = settings
        self.after_job = after_job  # run on the runner's connection after each job that finished (renders)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._db: Database | None = None  # the runner thread's own connection, opened on first use

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="parallax-jobs", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if not self._thread.is_alive() and self._db is not None:
                self._db.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_one()
            except Exception:  # noqa: BLE001 - a runner never dies; the job itself records its failure
                LOGGER.exception("job runner")
                ran = False
            if not ran:
                self._wake.wait(_POLL_S)
                self._wake.clear()

    def run_one(self) -> bool:
        """Claim and run one queued job; False when none was queued."""
        if self._db is None:
            self._db = Database(self.settings.db_path)
        db = self._db
        if not db.has_queued_jobs():  # a read: idle runners poll without taking any lock
            return False
        with open(str(self.settings.db_path) + ".analyze-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            job = db.claim_job()
            if job is None:  # another process took it
                return False
            self._run(db, job)
        return True

    def _run(self, db: Database, job: Job) -> None:
        counts: dict[str, Any] = dict(job.counts)
        last = [0.0]

        def progress(stage: str, done: int, total: int | None) -> None:
            counts[stage] = done
            if total is not None:
                counts[f"{stage}_total"] = total
            now = time.monotonic()
            if now - last[0] >= _PROGRESS_EVERY_S:
                last[0] = now
                db.update_job(job.id, counts=counts)

        LOGGER.info("job %s: analysing", job.id)
        try:
            report = api.analyze(db, self.settings, on_progress=progress)
        except Exception as exc:  # noqa: BLE001 - recorded on the job, which the client reads
            LOGGER.exception("job %s failed", job.id)
            db.update_job(job.id, counts=counts, state="failed", error=f"{type(exc).__name__}: {exc}")
            return
        counts.update(analyzed=report.analyzed, clustered=report.clustered, compared=report.compared,
                      stories=report.stories)
        db.update_job(job.id, counts=counts, state="done")
        LOGGER.info("job %s: done %s", job.id, counts)
        if self.after_job is not None:
            self.after_job(db)


async def job_status(request: Request) -> Response:
    """GET /api/jobs/ID: where one ingest job stands (queued, running, done, failed) with its counts."""
    check_token(request)
    job_id = request.path_params["job_id"]

    def load() -> dict[str, Any]:
        with request.app.state.pool.connection() as db:
            return api.job(db, job_id)

    return JSONResponse(await run_in_threadpool(load))
