"""What a caller may change about one ingest: each setting declared once, with its default."""

from __future__ import annotations

from dataclasses import dataclass, field

from parallax.ingest.outlets import BUILTIN_NAMES, OutletNames

__all__ = ["SHORT_ARTICLE_WORDS", "IngestOptions"]

# Fewer words than this is a teaser, a caption or a stub, not an article to compare. Set by judgement, not
# calibrated; for scale, the shortest article in examples/ has 320 words and the shortest of the 10,000
# baly articles 76, so neither loses one.
SHORT_ARTICLE_WORDS = 20


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """Settings of one ingest call; the defaults keep every article as its input describes it.

    Attributes:
        outlet: credit every article of the call to this outlet (through ``outlet_names``).
        outlet_names: the spellings that mean one outlet; :meth:`OutletNames.from_file` adds a user's.
        min_words: articles with fewer words are skipped with an error naming them; 0 keeps all. The CLI
            sets :data:`SHORT_ARTICLE_WORDS` unless ``--keep-short``.
    """

    outlet: str | None = None
    outlet_names: OutletNames = field(default=BUILTIN_NAMES)
    min_words: int = 0
