"""The Baly corpus the scale benchmarks read: where it lies and its first rows as JSON lines."""

from __future__ import annotations

import gzip
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "baly-10k.jsonl.gz"


def first_lines(path: Path, n: int) -> list[str]:
    """The first ``n`` non-blank JSON lines of a gzipped JSONL file, as written (newline kept)."""
    lines: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                lines.append(line)
            if len(lines) >= n:
                break
    return lines
