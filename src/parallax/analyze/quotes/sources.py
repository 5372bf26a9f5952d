"""Sources an article relies on: wire services, state media, official statements, other outlets and
anonymous sources, one :class:`SourceCitation` per mention (count them by ``name`` for totals)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as DocSpan

from parallax.model import Quote, SourceCitation, SourceKind, Span

from .relays import (
    ANONYMOUS_HEADS,
    DOCUMENT_HEADS,
    find_relays,
    named_phrase,
    owned_document_name,
    person_of_the_article,
    phrase_text,
    source_kind,
)
from .runner import step
from .state import QuoteState


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
    "reporter witness witnesses checker checkers".split()
)
# Heads of a body named after a person ("the Obama campaign", "Boehner's office", "the Trump administration"):
# what it says is the body's, and the body is a source even though a person names it.
BODY_HEADS = frozenset("campaign office administration camp team".split())
# Documents that are a source whatever verb they are the subject of ("the video shows", "Mattis's letter did
# not single out"); not "complaint" or "records", which name other things as often.
RECORD_HEADS = frozenset(
    "statement statements letter report tweet tweets video book memo indictment transcript ad article".split()
)
# Verbs a medium publishes by ("Politico reported", "Haaretz writes"): a one-word proper-noun subject of one of
# them that is no person of the article names the medium, whatever the entity tagger made of it.
PUBLISHING_LEMMAS = frozenset("report write publish estimate rate reveal post tweet say note".split())
# Verbs anyone says things by: their one-word subject is a medium only if things are posted on it elsewhere.
SAYING_LEMMAS = frozenset({"say", "note", "tweet", "post"})
# Nouns of a broadcast named by its title ("the CNN program 'State of the Union'").
PROGRAMME_HEADS = frozenset({"program", "programme", "show", "broadcast", "podcast"})
# Nouns a medium is named on ("in an interview on MSNBC", "an appearance on NBC's 'Meet the Press'").
APPEARANCE_HEADS = frozenset({"interview", "appearance", "segment"})
NOT_MEDIA_ENTS = frozenset({"DATE", "TIME", "GPE", "LOC", "FAC", "CARDINAL", "ORDINAL", "NORP", "PERSON"})
# Nouns that make a name a medium ("KTRS radio", "New York magazine", "the Sentinel's website").
MEDIUM_HEADS = frozenset(
    "radio magazine newspaper paper television tv station network channel website site blog newsletter "
    "podcast wire".split()
)
# What a medium publishes: named with it ("a Courier article", "in a KNX interview", "an article in the
# Sentinel"), the medium is what the article relies on.
PIECE_HEADS = frozenset("article interview report story column op-ed editorial piece investigation".split())

__all__ = ["find_sources", "source_counts", "sources_relied_on"]

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
    persons = _quoted_persons(doc, quotes)
    # A source named inside a quotation is the speaker's, not the article's; reported speech without
    # quotation marks is the article's own telling ("X recalled that it began with a Courier article").
    quoted = [(q.content.start, q.content.end) for q in quotes if q.kind != "indirect"]
    for item in _relied_on(doc):
        inside = any(start <= item.phrase.start_char and item.phrase.end_char <= end for start, end in quoted)
        if not inside and not _is_quoted_person(item.name, persons):
            span = Span(item.phrase.start_char, item.phrase.end_char, item.phrase.text)
            found[(span.start, span.end)] = SourceCitation(article_id, _expand_acronym(doc, item.name), item.kind, span)
    for mention in find_relays(doc):
        span = Span(mention.span.start_char, mention.span.end_char, mention.span.text)
        if not _names_person(mention.span) and not _is_quoted_person(mention.name, persons):
            name = _expand_acronym(doc, mention.name)
            if mention.kind == "anonymous":
                name = phrase_text(named_phrase(mention.span.root))
            found.setdefault((span.start, span.end), SourceCitation(article_id, name, mention.kind, span))
    for quote in quotes:
        relay = quote.relay
        if relay is not None and not _is_quoted_person(relay.name, persons):
            found.setdefault((relay.span.start, relay.span.end), SourceCitation(article_id, relay.name, relay.kind, relay.span))
        anonymous = _anonymous_speaker(doc, quote)
        if anonymous is not None:
            found.setdefault((anonymous.span.start, anonymous.span.end), anonymous)
    return _unify_names(sorted(found.values(), key=lambda c: c.span.start))


@dataclass(frozen=True, slots=True)
class _Found:
    """A phrase naming a source, its kind, and its name for a reader (with the owner the article gives)."""

    phrase: DocSpan
    kind: SourceKind
    name: str


def _found(phrase: DocSpan, kind: SourceKind, name: str | None = None) -> _Found:
    return _Found(phrase, kind, name or phrase_text(phrase))


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


def _relied_on(doc: Doc) -> list[_Found]:
    """Subjects of verbs that pass information on, documents a statement was made in or that are the
    subject of a verb, and media a statement was made on ("Politico reported", "two Defense Department
    officials said", "Mattis' resignation letter indicates", "said in his resignation letter", "said on
    NBC's 'Meet the Press'")."""
    out = []
    for token in doc:
        if token.dep_ == "nsubj" and token.lower_ in RECORD_HEADS and (document := _document(token)):
            out.append(document)
        elif token.dep_ == "prep" and token.lower_ == "on" and (medium := _medium_on(token)):
            out.append(medium)
        if token.lower_ in PIECE_HEADS and token.pos_ == "NOUN" and (piece := _piece_medium(token)):
            out.append(piece)
        if token.dep_ == "prep" and token.lower_ == "via" and (via := _medium_object(token, any_name=True)):
            out.append(via)  # "read the full post via the Sentinel"
        if token.pos_ not in {"VERB", "AUX"}:
            continue
        if token.lemma_.lower() in TOLD_MEDIUM and (told := _told_medium(token)):
            out.append(told)
        if token.lemma_.lower() in RELEASE_LEMMAS:
            # "shortly after releasing a written statement", "the campaign issued a statement"
            out.extend(d for c in token.children if c.dep_ == "dobj" and (d := _document(c)) is not None)
        if token.lemma_.lower() not in RELYING_LEMMAS:
            continue
        for child in token.children:
            if child.dep_ == "nsubj":
                if child.tag_ == "WDT" and token.dep_ == "relcl":
                    child = token.head  # "a book by X, which reported that ...": the book reported
                # "Harbour Bank and Lund Capital projected ...": every named subject joined by "and"
                # ("friends and aides of the mayor" stays one group).
                named = any(c.pos_ == "PROPN" for c in (child, *child.conjuncts))
                for subject in (child, *child.conjuncts) if named else (child,):
                    if found := _source_phrase(subject) or _one_word_medium(subject):
                        out.append(_before_conjuncts(found, subject) if named and subject.conjuncts else found)
                continue
            if child.dep_ == "prep" and child.lower_ in {"in", "on"}:
                # "wrote last month in the Courier": what one writes in, by name, is a publication.
                writes = token.lemma_.lower() in {"write", "publish"} and child.lower_ == "in"
                found = next((_document(c) or _medium_named(c, any_name=writes)
                              for c in child.children if c.dep_ == "pobj"), None)
            elif child.dep_ == "agent":
                found = next((_source_phrase(c) for c in child.children if c.dep_ == "pobj"), None)
            else:
                continue
            if found is not None:
                out.append(found)
    return out


# Verbs whose object, when a document, is one the article relies on ("released a statement").
RELEASE_LEMMAS = frozenset({"release", "issue", "publish", "circulate", "send", "post"})
# Verbs whose object or "to" phrase, when a medium, is where a statement was made ("told KTRS radio").
TOLD_MEDIUM = frozenset({"tell", "speak", "write"})


def _told_medium(verb: Token) -> _Found | None:
    """The medium a person told or wrote to ("told KNX radio", "telling the Courier", "wrote to the Sentinel")."""
    for child in verb.children:
        if child.dep_ in {"dobj", "dative"} and (found := _medium_named(child)):
            return found
        if child.dep_ in {"prep", "dative"} and child.lower_ == "to" and (found := _medium_object(child)):
            return found
    return None


def _medium_object(prep: Token, *, any_name: bool = False) -> _Found | None:
    return next((_medium_named(c, any_name=any_name) for c in prep.children if c.dep_ == "pobj"), None)


def _before_conjuncts(found: _Found, subject: Token) -> _Found:
    """One of several subjects joined by "and", without the others ("Harbour Bank", not "Harbour Bank and
    Lund Capital")."""
    doc = subject.doc
    stop = next((t.i for t in subject.rights if t.dep_ in {"cc", "conj"} or t.text == ","), None)
    if stop is None or stop <= found.phrase.start:
        return found
    phrase = doc[found.phrase.start : stop]
    return _found(phrase, found.kind) if phrase.text.strip() else found


def _medium_named(head: Token, *, any_name: bool = False) -> _Found | None:
    """The phrase headed by ``head`` when it names a medium: a news outlet or wire by name, or a name with a
    medium noun ("KNX radio", "Harbour magazine"), or with ``any_name`` any proper name that is no person
    or place ("via Quillfeed", "wrote in Harbour Today"); never a person or a place."""
    if head.pos_ not in {"PROPN", "NOUN"} or head.ent_type_ in {"PERSON", "GPE", "LOC"}:
        return None
    named_by_words = any_name and head.i > 0 and head.doc[head.i - 1].pos_ == "PROPN"
    if head.ent_type_ in {"DATE", "TIME"} and not named_by_words:
        return None  # "in May"; but "in Harbour Today", a name the tagger read as a day
    phrase = named_phrase(head)
    if any(t.ent_type_ == "PERSON" for t in phrase) or person_of_the_article(phrase):
        return None
    kind = source_kind(phrase)
    if kind in {"wire", "state_media", "outlet"}:
        if head.pos_ == "NOUN" and head.text.islower() and head.lower_ not in MEDIUM_HEADS:
            # "told The San Diego Union-Tribune days after the election": the parse hangs the name on the
            # next noun; the name ends with its last capitalised word
            end = head.i
            while end > phrase.start and not head.doc[end - 1].text[:1].isupper():
                end -= 1
            if end > phrase.start:
                phrase = head.doc[phrase.start : end]
        return _found(phrase, kind)
    names = [t for t in phrase if t.pos_ == "PROPN" and t.i < head.i]
    if head.lower_ in MEDIUM_HEADS and names and head.i - names[-1].i == 1:
        return _found(phrase, "outlet")
    if any_name and head.pos_ == "PROPN" and not any(t.ent_type_ in {"GPE", "LOC", "NORP"} for t in phrase[-1:]):
        return _found(phrase, "outlet")
    return None


def _piece_medium(piece: Token) -> _Found | None:
    """The medium that published a piece: its name before the noun ("a Courier article", "a KNX interview")
    or after "in" ("an article in Harbour magazine")."""
    doc = piece.doc
    names = [t for t in piece.lefts if t.dep_ in {"compound", "poss", "nmod"} and t.pos_ == "PROPN"]
    if names:
        owner = names[-1]
        start = owner.left_edge.i
        while start < owner.i and doc[start].dep_ == "det":
            start += 1
        phrase = doc[start : owner.i + 1]
        if any(t.ent_type_ in {"PERSON", "GPE", "NORP"} for t in phrase) or person_of_the_article(phrase):
            return None
        kind = source_kind(phrase)
        if kind in {"wire", "state_media", "outlet"} or owner.ent_type_ == "ORG":
            name = phrase_text(phrase).removesuffix("’s").removesuffix("'s")
            return _found(phrase, kind if kind in {"wire", "state_media", "outlet"} else "outlet", name)
        return None
    prep = next((c for c in piece.rights if c.dep_ == "prep" and c.lower_ in {"in", "by", "from"}), None)
    return _medium_object(prep) if prep is not None else None


def _source_phrase(head: Token) -> _Found | None:
    """The phrase headed by ``head`` when it names a source: unnamed people, a document, or a medium or
    organisation (not a person, not a pronoun); for a person named with a medium ("CNN's Deirdre Walsh
    tweeted"), the medium."""
    if head.pos_ == "PRON":
        return None
    if head.ent_type_ == "PERSON":
        return _employer(head)
    if head.lower_ in UNNAMED_HEADS or head.lemma_.lower() in UNNAMED_HEADS:
        phrase = named_phrase(head)
        if any(t.ent_type_ == "PERSON" and t.dep_ in {"appos", "compound"} for t in head.children):
            return None  # "spokesman Brad Woodhouse", "the aide, Elizabeth Lauten,": a named speaker
        return _found(phrase, "anonymous")
    document = _document(head)
    if document is not None:
        return document
    if head.lower_ in MEDIUM_HEADS and (medium := _medium_named(head)):
        return medium  # "as much as Forbes magazine estimated"
    if head.pos_ == "NOUN" and head.lemma_.lower() in BODY_HEADS and any(
        c.dep_ in {"compound", "poss"} and c.pos_ == "PROPN" for c in head.children
    ):
        phrase = named_phrase(head)
        return _found(phrase, source_kind(phrase) or "other")
    if head.ent_type_ in {"ORG", "NORP", "GPE", "FAC"} or head.pos_ == "PROPN":
        phrase = named_phrase(head)
        if any(t.ent_type_ == "PERSON" for t in phrase) or _persons_surname(head.doc, phrase):
            return None
        kind = source_kind(phrase)
        if kind in {"wire", "state_media", "outlet", "official"}:
            return _found(phrase, kind)
        if head.ent_type_ == "ORG":
            return _found(phrase, "other")
    return None


def _employer(person: Token) -> _Found | None:
    """The medium or organisation owning a person's name ("the Washington Examiner's Phillip Klein")."""
    owner = next((c for c in person.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
    if owner is None or owner.ent_type_ == "PERSON":
        return None
    phrase = named_phrase(owner)
    phrase = phrase.doc[phrase.start : owner.i + 1]
    kind = source_kind(phrase)
    if kind in {"wire", "state_media", "outlet"} or owner.ent_type_ == "ORG":
        return _found(phrase, kind or "other", phrase_text(phrase).removesuffix("’s").removesuffix("'s"))
    return None


def _one_word_medium(head: Token) -> _Found | None:
    """A one-word name subject of a publishing verb that no person of the article bears ("Politico
    reported", "Haaretz reported", "FactCheck.org rated"), whatever the entity tagger made of it."""
    if head.head.lemma_.lower() not in PUBLISHING_LEMMAS or any(c.dep_ in {"compound", "poss"} for c in head.children):
        return None
    domain = head.pos_ != "PROPN" and "." in head.text.strip(".") and head.text[:1].isalpha()
    if head.pos_ != "PROPN" and not domain:
        return None
    phrase = head.doc[head.i : head.i + 1]
    if head.ent_type_ in NOT_MEDIA_ENTS - {"PERSON"} or _persons_surname(head.doc, phrase):
        return None
    if person_of_the_article(phrase) or any(e.label_ == "PERSON" and head.text in e.text.split() and len(e) > 1
                                             for e in head.doc.ents):
        return None
    if head.head.lemma_.lower() in SAYING_LEMMAS and not _posted_on(head):
        return None  # "Trump has said": a person the article names by one word, unless posts are made on it
    return _found(phrase, source_kind(phrase) or "other")


def _posted_on(name: Token) -> bool:
    """Whether the article writes of things said or done on or via this name ("wrote on Twitter")."""
    return any(
        t.text == name.text and t.dep_ == "pobj" and t.head.lower_ in {"on", "via"} for t in name.doc
    )


def _medium_on(prep: Token) -> _Found | None:
    """A programme or medium a statement was made on: "said on 'Fox News Sunday'", "on NBC's 'Meet the
    Press'", "on the CNN program 'State of the Union'" (named "CNN's State of the Union"), "in an
    interview on MSNBC"."""
    governor = prep.head
    if not (governor.pos_ == "VERB" and governor.lemma_.lower() in RELYING_LEMMAS | {"speak", "appear"}) and not (
        governor.pos_ == "NOUN" and governor.lemma_.lower() in APPEARANCE_HEADS
    ):
        return None
    target = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if target is None:
        return None
    doc = prep.doc
    if target.lemma_.lower() in PROGRAMME_HEADS:
        title = next((c for c in target.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        owners = [c for c in target.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
        if title is None or not owners:
            return None  # "Mr. Trump's reality show 'X'": a title without the medium that airs it
        title_text = _title_text(doc[title.left_edge.i : title.right_edge.i + 1])
        name = f"{owners[-1].text}'s {title_text}" if owners else title_text
        return _found(doc[target.left_edge.i : title.right_edge.i + 1], "outlet", name)
    if target.pos_ != "PROPN":
        return None
    phrase = doc[target.left_edge.i : target.i + 1]
    words = [t for t in phrase if t.dep_ != "poss" and t.is_alpha and t.dep_ != "case"]
    quoted = doc[target.left_edge.i - 1].is_quote or any(t.is_quote for t in phrase)
    if not quoted and not any(t.ent_type_ and t.ent_type_ not in NOT_MEDIA_ENTS for t in words):
        return None
    if any(t.ent_type_ == "PERSON" for t in phrase) or person_of_the_article(phrase):
        return None
    return _found(phrase, source_kind(phrase) or "outlet", _title_text(phrase))


def _title_text(phrase: DocSpan) -> str:
    """A name or title as written, without its quotation marks or a leading article."""
    tokens = [t for t in phrase if not t.is_quote and not t.is_space]
    while tokens and tokens[0].dep_ == "det":
        tokens = tokens[1:]
    return " ".join("".join(t.text + t.whitespace_ for t in tokens).split())


def _document(head: Token) -> _Found | None:
    """A document or recording named by ``head`` ("his resignation letter", "an FBI statement"), with the
    owner the article gives it ("X said in a statement": "X's statement")."""
    if head.lower_ not in DOCUMENT_HEADS:
        return None
    kind: SourceKind = "official" if head.lower_.startswith("statement") else "other"
    return _found(named_phrase(head), kind, owned_document_name(head))


def _quoted_persons(doc: Doc, quotes: Sequence[Quote]) -> set[str]:
    """Lower-cased names and surnames of the people the article quotes by name."""
    names: set[str] = set()
    for quote in quotes:
        if not quote.speaker_name:
            continue
        words = quote.speaker_name.split()
        if len(words) > 1:
            span = _speaker_span(doc, quote) if quote.speaker is not None else None
            if span is not None and len(span) and span.root.ent_type_ != "PERSON" \
                    and source_kind(span) in {"wire", "state_media", "outlet"}:
                continue  # "The Harbour Courier reported that ...": a medium, not a person
            names.update({quote.speaker_name.lower(), words[-1].lower()})
        elif quote.speaker is not None:
            # One word tagged a person is one, unless it reports ("Politico reports:") or is posted on.
            span = _speaker_span(doc, quote)
            reports = quote.cue is not None and "report" in quote.cue.text.lower()
            medium = reports or _posted_on(span.root)  # "wrote on Twitter": a medium, not a person
            if len(span) > 1 or person_of_the_article(span) or (span.root.ent_type_ == "PERSON" and not medium):
                names.add(quote.speaker_name.lower())
    return names


def _speaker_span(doc: Doc, quote: Quote) -> DocSpan:
    assert quote.speaker is not None
    span = doc.char_span(quote.speaker.start, quote.speaker.end, alignment_mode="expand")
    return span if span is not None else doc[0:0]


def _is_quoted_person(name: str, persons: set[str]) -> bool:
    """A one-name source ("Goelman", "Townsend-Saunders") or a full name that is a person quoted by name."""
    key = name.lower().removesuffix("’s").removesuffix("'s")
    return key in persons or (" " not in key and key.rsplit("-", 1)[-1] in persons)


def _expand_acronym(doc: Doc, name: str) -> str:
    """An acronym ("I.M.F.") written out as the organisation the article names in full, when it does."""
    letters = name.replace(".", "")
    if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
        return name
    for ent in doc.ents:
        words = [t.text for t in ent if t.text[:1].isupper() and t.lower_ not in {"of", "the", "and", "for"}]
        if ent.label_ == "ORG" and len(words) > 1 and "".join(w[0] for w in words) == letters:
            return " ".join(ent.text.removeprefix("the ").split())
    return name


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


@step("sources", requires=["quotes"], assigns=["sources"])
def find_sources(state: QuoteState) -> None:
    """The sources the article relies on, its quotes' relays and unnamed speakers among them."""
    assert state.quotes is not None
    state.sources = sources_relied_on(state.doc, state.quotes, state.article_id)
