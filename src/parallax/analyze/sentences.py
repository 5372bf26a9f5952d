"""Sentence bounds the parser must respect: paragraph breaks, quoted "!" or "?" inside a sentence, and
no sentence ending on a bare word inside a line.

spaCy's parser decides sentence starts itself and, on news text, runs sentences across blank lines
("… the Obama agenda?”\\n\\nEtheridge appears …") and cuts after a quoted exclamation that the sentence
goes on from ("… shouted “Stop!” and walked away", "… pearls!” — whose …"); it also cuts headlines
and other lines with no mark to end on between two words or after a colon ("VIDEO: | Republicans
Don't Need | A Big Tent"). All three are set
here, before the parser, which keeps preset starts.
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
    """A token after a line break starts a sentence; a lower-case word, a dash or a reporting clause
    ("Mr. Obama asked") after a quoted "!"/"?" does not."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and "\n" in previous.text and not token.is_space:
            token.is_sent_start = True
        elif "\n" in previous.whitespace_ and not token.is_space:
            token.is_sent_start = True
        elif token.i >= 2 and previous.text in _CLOSING and doc[token.i - 2].text in {"!", "?"} \
                and (token.text[:1].islower() or token.text in _GOES_ON or _reporting_clause(doc, token.i)):
            token.is_sent_start = False
        elif _closes_quotation(doc, token):
            token.is_sent_start = False
        elif _after_bare_word(previous, token):
            token.is_sent_start = False
    return doc


# Verbs of a reporting clause that follows a quotation ("“You want to pet him?” Mr. Obama asked his
# daughters."): the clause belongs to the quotation's sentence.
_REPORTING = frozenset(
    "said says asked asks added adds shouted shouts yelled yells demanded demands replied replies wrote writes "
    "told tells exclaimed exclaims cried cries wondered wonders continued continues responded responds "
    "answered answers snapped snaps insisted insists recalled recalls joked jokes quipped quips tweeted "
    "tweets screamed screams pleaded pleads shot".split()
)


def _reporting_clause(doc: Doc, start: int) -> bool:
    """Whether a name of at most four words (titles included: "Mr. Obama", "Rep. Bob Etheridge") and then a
    reporting verb begin at ``start``, right after a quotation closed by "!" or "?"."""
    for i in range(start, min(start + 5, len(doc))):
        word = doc[i]
        if i > start and word.lower_ in _REPORTING:
            return True
        if not word.text[:1].isupper() or word.is_space or "\n" in word.whitespace_:
            return False
    return False


def _after_bare_word(previous: Token, token: Token) -> bool:
    """A token on the same line as the one before, with no ".", "!", "?" or "…" (and closing marks) between
    them, goes on the sentence: English sentences end on such a mark, not between two words or after a
    colon ("VIDEO: Republicans Don't Need A Big Tent")."""
    if "\n" in previous.whitespace_ or previous.is_space or token.is_space:
        return False
    doc = previous.doc
    end = previous
    while end.text in _CLOSING | {")", "]"} and end.i > 0 and not doc[end.i - 1].whitespace_:
        end = doc[end.i - 1]
    return not end.text.endswith((".", "!", "?", "…"))


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
