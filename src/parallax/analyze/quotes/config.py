"""What the quote stage is told: how hard to work (the quote mode) and where its models are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from parallax.quote_mode import QUOTE_MODES

__all__ = ["QUOTE_MODES", "QuoteConfig"]


@dataclass(frozen=True, slots=True)
class QuoteConfig:
    """The quote stage's settings, passed down as an argument (nothing below reads the environment).

    Args:
        mode: ``fast`` (the BiLSTM tagger alone), ``default`` or ``accurate`` (a MiniLM encoder re-reads
            the paragraphs the tagger is unsure of; see :mod:`parallax.quote_mode`).
        models: the folder of the quote models (default: ``quotes`` of the installed model package).
        refine: False keeps the tagger's content and cue edges (for measuring the edge re-ranker).

    Raises:
        ValueError: ``mode`` is not one of :data:`QUOTE_MODES`.
    """

    mode: str = "default"
    models: Path | None = None
    refine: bool = True

    def __post_init__(self) -> None:
        if self.mode not in QUOTE_MODES:
            raise ValueError(f"unknown quote mode {self.mode!r}; use one of {', '.join(QUOTE_MODES)}")
