"""The quote stage: who said what, with which reporting verb, through which channel, and the sources an
article relies on.

The stage is a list of declared steps (:data:`STEPS`), one module each, over a per-document
:class:`~.state.QuoteState`; each step says which keys of the state it requires and which it assigns, and
:func:`~.runner.plan` orders them by those declarations (docs/quotes.md has the table):

- ``layout`` (:mod:`.features`): paragraphs, sentences and quotation depth of every token;
- ``tag`` (:mod:`.tagger`): the learned tagger's Source, Cue and Content spans, and its marginals;
- ``link`` (:mod:`.linking`): the spans paired into attributions, completed from the parse;
- ``frames`` (:mod:`.frames`): frames the tagger left incomplete, found by rule;
- ``boundaries`` (:mod:`.bounds`): content and cue edges moved by the learned re-ranker;
- ``snap`` (:mod:`.snapping`): edges onto PolNeAR's conventions;
- ``filters`` (:mod:`.filters`): speakers re-read, non-attributions dropped, text order;
- ``speakers`` (:mod:`.speakers`), ``kinds`` (:mod:`.kinds`), ``relays`` (:mod:`.relays`): who, how
  quoted, through whom;
- ``records`` (:mod:`.records`): :class:`parallax.model.Quote` records;
- ``sources`` (:mod:`.sources`): :class:`parallax.model.SourceCitation` records.

How hard the stage works and where its models are is a :class:`QuoteConfig`, passed as an argument.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection
from pathlib import Path

from spacy.tokens import Doc

from parallax.model import Quote, SourceCitation
from parallax.quote_mode import quote_mode

from .bounds import BoundaryModel, refine_edges
from .config import QUOTE_MODES, QuoteConfig
from .features import Layout, lay_out
from .filters import filter_attributions
from .frames import add_frames
from .kinds import classify
from .linking import link
from .records import make_records
from .relays import relays_of_quotes
from .runner import Step, StepError, plan, run_steps
from .snapping import snap, snap_content, snap_cue
from .sources import find_sources, source_counts, sources_relied_on
from .speakers import resolve_speakers
from .state import Attribution, QuoteState
from .tagger import Marginals, TaggerModel, tag

__all__ = [
    "QUOTE_MODES", "STEPS", "Attribution", "QuoteConfig", "QuoteState", "Step", "StepError", "extract_quotes",
    "link_attributions", "quotes_and_sources", "snap_content", "snap_cue", "source_counts", "sources_relied_on",
]

LOGGER = logging.getLogger(__name__)

STEPS: tuple[Step, ...] = (
    lay_out, tag, link, add_frames, refine_edges, snap, filter_attributions, resolve_speakers, classify,
    relays_of_quotes, make_records, find_sources,
)


@functools.lru_cache(maxsize=16)
def _plan(wants: tuple[str, ...], given: tuple[str, ...]) -> tuple[Step, ...]:
    return tuple(plan(STEPS, wants=wants, given=given))


def _run(state: QuoteState, wants: Collection[str]) -> QuoteState:
    return run_steps(_plan(tuple(wants), tuple(sorted(state.filled()))), state)


def quotes_and_sources(doc: Doc, article_id: str, config: QuoteConfig) -> tuple[list[Quote], list[SourceCitation]]:
    """The quotes of ``doc`` (as :func:`extract_quotes`) and the sources it relies on (as
    :func:`sources_relied_on`), in one run of the steps."""
    state = QuoteState(doc, article_id, config)
    if not len(doc):
        state.quotes = []
    _run(state, ("quotes", "sources"))
    assert state.quotes is not None and state.sources is not None
    return state.quotes, state.sources


def extract_quotes(
    doc: Doc,
    article_id: str,
    *,
    tagger: TaggerModel | None = None,
    bounds: BoundaryModel | None = None,
    refine: bool = True,
    model_dir: Path | None = None,
    config: QuoteConfig | None = None,
) -> list[Quote]:
    """Every attribution in ``doc`` as :class:`Quote` records, in text order.

    Args:
        doc: the article's cleaned text parsed by the full English pipeline.
        article_id: the id written into every record.
        tagger: the attribution tagger (default: the one in the configured model folder).
        bounds: the content-edge re-ranker (default: the one in the configured model folder).
        refine: False keeps the tagger's content edges (for measuring the re-ranker); ignored with ``config``.
        model_dir: the folder of the quote models (default: ``quotes`` of the installed model package);
            ignored with ``config``.
        config: the quote mode, model folder and refinement; without it, the quote mode in force
            (:func:`parallax.quote_mode.quote_mode`) with ``model_dir`` and ``refine``.

    Returns:
        One record per content fragment; the fragments of a quote interrupted by its frame ("“…,” he
        said, “…”") share speaker and cue.
    """
    if not len(doc):
        return []
    config = config or QuoteConfig(quote_mode(), model_dir, refine)
    state = _run(QuoteState(doc, article_id, config, tagger=tagger, bounds=bounds), ("quotes",))
    assert state.quotes is not None
    return state.quotes


def link_attributions(
    doc: Doc, tagger: TaggerModel, *, config: QuoteConfig | None = None
) -> tuple[Layout, list[Attribution], Marginals]:
    """Tag ``doc`` and link the spans into attributions, before content edges are refined and snapped (the
    ``layout``, ``tag``, ``link`` and ``frames`` steps)."""
    state = QuoteState(doc, "", config or QuoteConfig(quote_mode()), tagger=tagger)
    _run(state, ("layout", "framed", "marginals"))
    assert state.layout is not None and state.framed is not None and state.marginals is not None
    return state.layout, state.framed, state.marginals
