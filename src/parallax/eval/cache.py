"""Analysed articles kept on disk between evaluation runs, keyed by the texts and the analysis code."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path

from parallax.model import AnalyzedArticle, Article

__all__ = ["DEFAULT_CACHE", "analyse"]

DEFAULT_CACHE = Path("/tmp/parallax-compare-cache")


def _code_fingerprint() -> str:
    """The analysis code, its models and the quote mode in force: a change to any makes a new cache entry."""
    from parallax.quote_mode import quote_mode
    from parallax.weights import model_package

    folders = (Path(__file__).resolve().parents[1] / "analyze", model_package().path("quotes"))
    digest = hashlib.sha256(quote_mode().encode())
    for folder in folders:
        for file in sorted(folder.rglob("*")):
            if file.is_file() and file.suffix in {".py", ".json", ".onnx", ".npz", ".txt"}:
                digest.update(file.name.encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def analyse(articles: Sequence[Article], cache: Path | None, *, prefix: str = "compare") -> list[AnalyzedArticle]:
    """Analysed articles, kept in ``cache`` keyed by the texts and the analysis code."""
    from parallax.analyze import analyze_articles

    key = hashlib.sha256("".join(a.id + a.text for a in articles).encode()).hexdigest()[:12]
    path = cache / f"{prefix}-analysed-{key}-{_code_fingerprint()}.pkl" if cache else None
    if path and path.exists():
        with path.open("rb") as handle:
            return list(pickle.load(handle))
    analysed = list(analyze_articles(articles))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            pickle.dump(analysed, handle)
    return analysed
