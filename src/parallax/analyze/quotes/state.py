"""The per-document state the quote steps read from and write to, and the attribution they pass on.

Each field but the inputs (``doc``, ``article_id``, ``config``) is written by exactly one step, which
declares it in its ``assigns`` (:mod:`.runner` checks the declarations). ``tagger`` and ``bounds`` are
optional models handed in by a caller (a test, a training script); left None, the steps load the ones in
``config.models``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from .config import QuoteConfig

if TYPE_CHECKING:
    from parallax.model import Quote, QuoteKind, Relay, SourceCitation

    from .bounds import BoundaryModel
    from .features import Layout
    from .speakers import Resolved
    from .tagger import Marginals, RoleSpan, TaggerModel

__all__ = ["INPUTS", "Attribution", "QuoteState", "state_keys"]

INPUTS = frozenset({"doc", "article_id", "config"})
_MODELS = frozenset({"tagger", "bounds"})


@dataclass(frozen=True, slots=True)
class Attribution:
    """A content span with the cue and source that frame it (token ranges of the Doc)."""

    content: RoleSpan
    cue: RoleSpan | None
    source: RoleSpan | None


@dataclass(slots=True)
class QuoteState:
    """Everything known about one document so far; a step fills the fields it assigns."""

    doc: Doc
    article_id: str
    config: QuoteConfig
    tagger: TaggerModel | None = None
    bounds: BoundaryModel | None = None
    layout: Layout | None = None
    tagged: list[RoleSpan] | None = None
    marginals: Marginals | None = None
    cue_rates: dict[str, str] | None = None
    spans: list[RoleSpan] | None = None
    linked: list[Attribution] | None = None
    framed: list[Attribution] | None = None
    refined: list[Attribution] | None = None
    snapped: list[Attribution] | None = None
    attributions: list[Attribution] | None = None
    speakers: list[Resolved | None] | None = None
    kinds: list[QuoteKind] | None = None
    relays: list[Relay | None] | None = None
    quotes: list[Quote] | None = None
    sources: list[SourceCitation] | None = None

    def filled(self) -> frozenset[str]:
        """The keys (inputs excepted) that hold a value."""
        return frozenset(k for k in state_keys() if getattr(self, k) is not None)


def state_keys() -> tuple[str, ...]:
    """The names a step may require or assign, inputs excepted."""
    return tuple(f.name for f in fields(QuoteState) if f.name not in INPUTS | _MODELS)
