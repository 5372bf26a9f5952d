"""Web ingest: the request stores and answers 202 with a job; the analysis runs in the background, and
jobs are rows that a restarted server shows and finishes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from test_web_data import live_server

from parallax.settings import Settings
from parallax.store import Database
from parallax.web import create_app
from parallax.web.server import prepare_store

TOKEN = "job-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLES = [
    {"id": "job-1", "outlet": "Harbor Times", "title": "Ferry service resumes in Port Avel", "date": "2025-04-01",
     "text": "Ferry service between Port Avel and Lunde resumed on Tuesday after a week of storms. \"We are "
             "glad to be running again,\" said Mara Quill, a spokeswoman for the ferry company."},
    {"id": "job-2", "outlet": "Daily Ledger", "title": "Port Avel ferries sail again", "date": "2025-04-01",
     "text": "Ferries from Port Avel to Lunde sailed again on Tuesday, the operator said. Mara Quill, its "
             "spokeswoman, said the company was \"glad to be running again\" after the storms."},
]


def _wait(base: str, job_id: str, *, timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = httpx.get(f"{base}/api/jobs/{job_id}", headers=AUTH).json()
        if job["state"] in {"done", "failed"} or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


def test_web_ingest_answers_202_and_analyses_in_the_background(tmp_path: Path) -> None:
    with live_server(create_app(tmp_path / "p.db", ingest_token=TOKEN)) as base:
        r = httpx.post(base + "/api/ingest", json=ARTICLES, headers=AUTH, timeout=30)
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["added"] == 2 and body["job"]["state"] == "queued"
        assert r.headers["location"] == f"/api/jobs/{body['job']['id']}"
        job = _wait(base, body["job"]["id"])
        stories = httpx.get(base + "/stories.json").json()
    assert job["state"] == "done", job
    assert job["counts"]["added"] == 2 and job["counts"]["analyzed"] == 2 and job["counts"]["compared"] >= 1
    assert sorted(a for s in stories for a in s["article_ids"]) == ["job-1", "job-2"]


def test_web_jobs_survive_a_restart(tmp_path: Path) -> None:
    """A job the server left running (killed mid-analysis) is shown after a restart and finished."""
    path = tmp_path / "p.db"
    with live_server(create_app(path, ingest_token=TOKEN)) as base:
        r = httpx.post(base + "/api/ingest?analyze=0", json=ARTICLES, headers=AUTH, timeout=30)
        assert r.status_code == 201
    with Database(path) as db:  # as if a server had taken the job and was then killed
        job = db.create_job("ingest", {"added": 2, "errors": 0})
        assert db.claim_job() == db.job(job.id) and db.job(job.id).state == "running"
    prepare_store(Settings(db_path=path, ingest_token=TOKEN))  # what `parallax serve` does first
    with Database(path, readonly=True) as db:
        assert db.job(job.id).state == "queued"
    with live_server(create_app(path, ingest_token=TOKEN)) as base:
        done = _wait(base, job.id)
    assert done["state"] == "done" and done["counts"]["analyzed"] == 2
