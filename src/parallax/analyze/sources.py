"""Sources an article relies on: wire services, state media, official statements, other outlets and
anonymous sources, one :class:`SourceCitation` per mention (count them by ``name`` for totals)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Doc, Token
from spacy.tokens import Span as DocSpan

from parallax.model import Quote, SourceCitation, SourceKind, Span

from .relays import ANONYMOUS_HEADS, find_relays, source_kind

# Verbs that pass information on: their subject is what the article relies on when it is a medium, an
# organisation, a document or an unnamed person ("Politico reported", "the indictment alleges", "two
# officials said"); a person named in full is a speaker, not a source.
RELYING_LEMMAS = frozenset(
    "say tell report confirm write tweet note add announce state warn estimate find show indicate rate "
    "predict project allege claim charge describe reveal disclose post publish circulate cite conclude "
    "accuse dispute".split()
)
# Heads of unnamed people and groups an article relies on ("a senior Israeli official", "friends and aides").
UNNAMED_HEADS = ANONYMOUS_HEADS | frozenset(
    "aide aides spokesman spokeswoman spokesperson police acquaintance acquaintances friend friends adviser "
    "advisers advisor advisors observer observers expert experts fact-checker fact-checkers attendee attendees "
    "reporter witness witnesses".split()
)
# Heads of documents and recordings ("his resignation letter", "the inspector general's report").
DOCUMENT_HEADS = frozenset(
    "statement statements letter report tweet tweets post posts video book memo email e-mail filing filings "
    "indictment document documents poll website site transcript excerpts study survey records complaint "
    "lawsuit affidavit ad commercial".split()
)
MAX_NAME_TOKENS = 9  # longer subjects are clauses, not names
# "a spokesman for the prosecutor", "a letter from Representative X", "excerpts of the speech"; not
# "a statement to Fox News" (to whom it was made).
NAMING_PREPOSITIONS = frozenset({"for", "from", "of", "by", "with"})

__all__ = ["source_counts", "sources_relied_on"]

LOGGER = logging.getLogger(__name__)


def sources_relied_on(doc: Doc, quotes: Sequence[Quote], article_id: str) -> list[SourceCitation]:
    """Every mention of a source the article relies on, in text order.

    Args:
        doc: the parsed article.
        quotes: the article's quotes from :func:`parallax.analyze.quotes.extract_quotes`.
        article_id: the id written into every record.

    Returns:
        Relay mentions anywhere in the text, quote relays, and anonymous speakers ("officials said").
        Names of one source are unified case-insensitively to their first spelling.
    """
    found: dict[tuple[int, int], SourceCitation] = {}
    for phrase, kind in _relied_on(doc):
        span = Span(phrase.start_char, phrase.end_char, phrase.text)
        found[(span.start, span.end)] = SourceCitation(article_id, _article_name(phrase), kind, span)
    for mention in find_relays(doc):
        span = Span(mention.span.start_char, mention.span.end_char, mention.span.text)
        if not _names_person(mention.span):
            found.setdefault((span.start, span.end), SourceCitation(article_id, mention.name, mention.kind, span))
    for quote in quotes:
        if quote.relay is not None:
            key = (quote.relay.span.start, quote.relay.span.end)
            found.setdefault(
                key, SourceCitation(article_id, quote.relay.name, quote.relay.kind, quote.relay.span)
            )
        anonymous = _anonymous_speaker(doc, quote)
        if anonymous is not None:
            found.setdefault((anonymous.span.start, anonymous.span.end), anonymous)
    return _unify_names(sorted(found.values(), key=lambda c: c.span.start))


def _anonymous_speaker(doc: Doc, quote: Quote) -> SourceCitation | None:
    """A speaker that is an unnamed source ("officials", "a person familiar with the talks")."""
    if quote.speaker is None or quote.speaker_name is not None:
        return None
    span = doc.char_span(quote.speaker.start, quote.speaker.end, alignment_mode="expand")
    if span is None or not len(span) or any(t.pos_ == "PROPN" for t in span):
        return None
    if span.root.lemma_.lower() not in ANONYMOUS_HEADS:
        return None
    return SourceCitation(quote.article_id, _article_name(span), "anonymous", quote.speaker)


def _relied_on(doc: Doc) -> list[tuple[DocSpan, SourceKind]]:
    """Subjects of verbs that pass information on, and documents a statement was made in, that name a
    medium, an organisation, a document or unnamed people ("Politico reported", "two Defense Department
    officials said", "Mattis' resignation letter indicates", "said in his resignation letter")."""
    out = []
    for token in doc:
        if token.pos_ not in {"VERB", "AUX"} or token.lemma_.lower() not in RELYING_LEMMAS:
            continue
        for child in token.children:
            if child.dep_ == "nsubj":
                found = _source_phrase(child)
            elif child.dep_ == "prep" and child.lower_ in {"in", "on"}:
                found = next((_document(c) for c in child.children if c.dep_ == "pobj"), None)
            elif child.dep_ == "agent":
                found = next((_source_phrase(c) for c in child.children if c.dep_ == "pobj"), None)
            else:
                continue
            if found is not None:
                out.append(found)
    return out


def _source_phrase(head: Token) -> tuple[DocSpan, SourceKind] | None:
    """The phrase headed by ``head`` when it names a source: unnamed people, a document, or a medium or
    organisation (not a person, not a pronoun)."""
    if head.pos_ == "PRON" or head.ent_type_ == "PERSON":
        return None
    if head.lower_ in UNNAMED_HEADS or head.lemma_.lower() in UNNAMED_HEADS:
        phrase = _name_phrase(head)
        if any(t.ent_type_ == "PERSON" and t.head == head and t.dep_ in {"appos", "compound"} for t in phrase):
            return None  # "spokesman Brad Woodhouse": a named speaker
        return phrase, "anonymous"
    document = _document(head)
    if document is not None:
        return document
    if head.ent_type_ in {"ORG", "NORP", "GPE", "FAC"} or head.pos_ == "PROPN":
        phrase = _name_phrase(head)
        if any(t.ent_type_ == "PERSON" for t in phrase) or _persons_surname(head.doc, phrase):
            return None
        kind = source_kind(phrase)
        if kind in {"wire", "state_media", "outlet", "official"}:
            return phrase, kind
        if head.ent_type_ == "ORG":
            return phrase, "other"
    return None


def _document(head: Token) -> tuple[DocSpan, SourceKind] | None:
    """A document or recording named by ``head`` ("his resignation letter", "an FBI statement")."""
    if head.lower_ not in DOCUMENT_HEADS:
        return None
    return _name_phrase(head), "official" if head.lower_.startswith("statement") else "other"


def _name_phrase(head: Token) -> DocSpan:
    """The phrase as the article names the source: the head with its modifiers and owner ("two Defense
    Department officials", "Mattis' resignation letter"), with a "for"/"of"/"from"/"by"/"with" phrase or a
    short relative clause after it, without a leading article or what follows a comma."""
    doc = head.doc
    left = head.left_edge.i
    right = head.i
    for child in head.rights:
        if child.dep_ == "punct" or doc[child.left_edge.i - 1].text == ",":
            break
        if child.dep_ == "prep" and child.lower_ not in NAMING_PREPOSITIONS:
            break
        if child.dep_ not in {"prep", "relcl", "acl", "compound", "amod", "cc", "conj"}:
            break
        end = next((t.i - 1 for t in doc[child.i : child.right_edge.i + 1] if t.text == ","), child.right_edge.i)
        if end - left >= MAX_NAME_TOKENS:
            break
        right = end
    while left < right and (
        doc[left].dep_ in {"det", "punct", "predet"} or doc[left].is_space
        or (doc[left].dep_ == "poss" and doc[left].pos_ == "PRON")  # "his report": the owner is a pronoun
    ):
        left += 1
    return doc[left : right + 1]


def _article_name(phrase: DocSpan) -> str:
    """A source's name as the article writes it, on one line."""
    return " ".join(phrase.text.split())


def _names_person(phrase: DocSpan) -> bool:
    """A relay mention that is a person quoted by name ("according to Goelman"): a speaker, not a source."""
    return phrase.root.ent_type_ == "PERSON" or _persons_surname(phrase.doc, phrase)


def _persons_surname(doc: Doc, phrase: DocSpan) -> bool:
    """Whether a one-word name is the surname of a person the article names ("Bloomberg" after "Michael
    Bloomberg"): then it is that person, not the agency of the same name."""
    words = [t for t in phrase if not t.is_punct]
    if len(words) != 1:
        return False
    word = words[0].text.removesuffix("’s").removesuffix("'s")
    return any(ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].text == word for ent in doc.ents)


def _unify_names(citations: list[SourceCitation]) -> list[SourceCitation]:
    first: dict[str, str] = {}
    out = []
    for citation in citations:
        name = first.setdefault(citation.name.lower(), citation.name)
        out.append(SourceCitation(citation.article_id, name, citation.kind, citation.span))
    return out


def source_counts(citations: Sequence[SourceCitation]) -> dict[str, int]:
    """How many times the article relies on each named source."""
    return dict(Counter(c.name for c in citations))
