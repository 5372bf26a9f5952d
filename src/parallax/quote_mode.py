"""How much work the quote stage puts into finding quote boundaries: its *quote mode*.

- ``fast``: the BiLSTM attribution tagger alone.
- ``default``: what the package ships as its default. Today a MiniLM encoder re-reads the paragraphs the
  tagger is most unsure of (about half the tokens; the quote stage takes about twice the fast mode's),
  because that is what meets the quality targets inside the time budget (docs/quotes.md). An
  ``encoder.json`` with no threshold for this mode makes it the tagger alone.
- ``accurate``: the same encoder re-reads every paragraph the tagger is at all unsure of (about 70 % of
  the tokens, about 2.3 times the fast mode's stage; :mod:`parallax.analyze.quotes.encoder`).

The quote stage takes its mode as an argument, in a :class:`parallax.analyze.quotes.QuoteConfig`. This
module is the shim for callers that give none (``extract_quotes(doc, id)``, ``analyze_articles(...)``
without ``quote_config``): they get the mode of a :func:`using_quote_mode` block, else
``$PARALLAX_QUOTE_MODE``, else ``default``, read when the document's quotes are extracted. It imports
nothing heavy, so the CLI can read :data:`QUOTE_MODES` at start-up.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar

from parallax.errors import ConfigError

__all__ = ["MODE_VARIABLE", "QUOTE_MODES", "flag_mode", "quote_mode", "using_quote_mode"]

MODE_VARIABLE = "PARALLAX_QUOTE_MODE"
QUOTE_MODES = ("fast", "default", "accurate")
_MODE: ContextVar[str | None] = ContextVar("parallax_quote_mode", default=None)


def quote_mode() -> str:
    """The quote mode in force: a :func:`using_quote_mode` block's, else ``$PARALLAX_QUOTE_MODE``'s, else
    ``default``."""
    mode = _MODE.get() or os.environ.get(MODE_VARIABLE) or "default"
    if mode not in QUOTE_MODES:
        raise ConfigError(f"${MODE_VARIABLE}={mode!r} is not a quote mode; use one of {', '.join(QUOTE_MODES)}")
    return mode


def flag_mode(quote_mode_flag: str | None, accurate_quotes: bool) -> str | None:
    """The mode the command-line flags ask for: ``--accurate-quotes`` is ``--quote-mode accurate``; None
    when neither was given."""
    return "accurate" if accurate_quotes else quote_mode_flag


@contextlib.contextmanager
def using_quote_mode(mode: str) -> Iterator[None]:
    """Tag quotes in ``mode`` inside the block (this thread or task only), whatever the environment says:
    ``with using_quote_mode("accurate"): extract_quotes(doc, "a1")``."""
    if mode not in QUOTE_MODES:
        raise ValueError(f"unknown quote mode {mode!r}; use one of {', '.join(QUOTE_MODES)}")
    token = _MODE.set(mode)
    try:
        yield
    finally:
        _MODE.reset(token)
