"""A large ingest killed with SIGKILL finishes on the next run with nothing lost and nothing duplicated."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

N_ARTICLES = 6000


def _write_corpus(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(N_ARTICLES):
            words = " ".join(f"w{(i * 7 + k) % 997}x{i}" for k in range(60))
            row = {"id": f"r{i}", "outlet": f"Outlet {i % 5}", "title": f"Report {i}", "date": "2024-03-01",
                   "text": f"Report number {i} says this. {words}."}
            handle.write(json.dumps(row) + "\n")


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _ingest_cmd(db: Path, corpus: Path) -> list[str]:
    return [sys.executable, "-m", "parallax.cli", "--db", str(db), "-q", "ingest", str(corpus)]


@pytest.mark.slow
def test_resume_after_kill_9_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "big.jsonl"
    db = tmp_path / "store.db"
    _write_corpus(corpus)
    proc = subprocess.Popen(_ingest_cmd(db, corpus), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(db) == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = _count(db)
    assert 0 < partial < N_ARTICLES

    rerun = subprocess.run(_ingest_cmd(db, corpus), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    with sqlite3.connect(db) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"
    assert len(ids) == N_ARTICLES
    assert set(ids) == {f"r{i}" for i in range(N_ARTICLES)}
    assert f"{partial} already stored" in rerun.stdout or "already stored" in rerun.stdout
