"""Sentence bounds the parser must respect: paragraph breaks, and quoted "!" or "?" inside a sentence.

spaCy's parser decides sentence starts itself and, on news text, runs sentences across blank lines
("… the Obama agenda?”\\n\\nEtheridge appears …") and cuts after a quoted exclamation that the sentence
goes on from ("… shouted “Stop!” and walked away", "… pearls!” — whose …"). Both are set here, before the parser, which keeps
preset starts.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

__all__ = ["COMPONENT"]

COMPONENT = "paragraph_sentences"
_CLOSING = {"”", '"', "’", "'", "»"}
_GOES_ON = {"—", "–", "-", "--", ",", ";", ":", ")"}  # punctuation no sentence starts with


@Language.component(COMPONENT, assigns=["token.is_sent_start"])
def paragraph_sentences(doc: Doc) -> Doc:
    """A token after a line break starts a sentence; a lower-case word or a dash after a quoted "!"/"?"
    does not."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and "\n" in previous.text and not token.is_space:
            token.is_sent_start = True
        elif "\n" in previous.whitespace_ and not token.is_space:
            token.is_sent_start = True
        elif token.i >= 2 and previous.text in _CLOSING and doc[token.i - 2].text in {"!", "?"} \
                and (token.text[:1].islower() or token.text in _GOES_ON):
            token.is_sent_start = False
        elif _closes_quotation(doc, token):
            token.is_sent_start = False
    return doc


def _closes_quotation(doc: Doc, token: Token) -> bool:
    """A quotation mark right after a sentence's last "." / "!" / "?" closes the quotation and belongs to
    that sentence (… a "bomb-thrower."), unless it opens the next one (a straight mark glued to a word)."""
    previous = doc[token.i - 1]
    if token.text not in _CLOSING or previous.text not in {".", "!", "?", "…"} or previous.whitespace_:
        return False
    if token.text in {"”", "»"}:
        return True
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return bool(token.whitespace_) or after is None or after.is_space or after.is_punct
