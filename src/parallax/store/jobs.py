"""Jobs: work the web app accepted and does in the background (analysing what an ingest stored).

A job is a row, so a restarted server still shows it and picks up what was left queued or running.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from parallax.errors import NotFoundError
from parallax.model import Job

from .base import StoreBase

__all__ = ["JobRepository"]


class JobRepository(StoreBase):
    """Background jobs and where each stands."""

    def create_job(self, kind: str, counts: dict[str, Any]) -> Job:
        """A new queued job of ``kind`` with the ``counts`` known so far."""
        job_id = uuid.uuid4().hex[:16]
        with self.transaction() as conn:
            conn.execute("INSERT INTO jobs(id, kind, state, counts) VALUES (?, ?, 'queued', ?)",
                         (job_id, kind, json.dumps(counts)))
        return self.job(job_id)

    def job(self, job_id: str) -> Job:
        """The job ``job_id``.

        Raises:
            NotFoundError: there is no such job.
        """
        row = self.conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFoundError("job", job_id)
        return Job(id=row["id"], kind=row["kind"], state=row["state"], counts=json.loads(row["counts"]),
                   error=row["error"], created_at=row["created_at"], updated_at=row["updated_at"])

    def claim_job(self) -> Job | None:
        """Mark the oldest queued job running and return it; None when none is queued."""
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, rowid LIMIT 1").fetchone()
            if row is None:
                return None
            conn.execute("UPDATE jobs SET state = 'running', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                         " WHERE id = ?", (row[0],))
        return self.job(row[0])

    def update_job(self, job_id: str, *, counts: dict[str, Any], state: str | None = None,
                   error: str | None = None) -> None:
        """Record a job's counts and, when given, its new state and error."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET counts = ?, state = coalesce(?, state), error = coalesce(?, error),"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                (json.dumps(counts), state, error, job_id),
            )

    def requeue_interrupted_jobs(self) -> int:
        """Queue again the jobs a stopped server left running (call before any worker starts)."""
        with self.transaction() as conn:
            return int(conn.execute("UPDATE jobs SET state = 'queued' WHERE state = 'running'").rowcount)

    def has_queued_jobs(self) -> bool:
        return self.conn.execute("SELECT 1 FROM jobs WHERE state = 'queued' LIMIT 1").fetchone() is not None
