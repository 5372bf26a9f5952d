"""Relayed sources: the channel a statement reached the outlet through, and what kind of source it is.

Found from the parse: "according to X", "X reported" (a second reporting verb whose subject is a
medium), "told X" (X a named outlet), "in a statement" / "a X statement". The kind comes from a small
lexicon of generic words and well-known agency names, never from the article at hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from parallax.model import Relay, SourceKind, Span as TextSpan

from .runner import step
from .state import QuoteState

__all__ = [
    "DOCUMENT_HEADS",
    "QUOTING_LEMMAS",
    "RelayMention",
    "anonymous_name",
    "find_relays",
    "named_phrase",
    "owned_document_name",
    "PLATFORM_NAMES",
    "person_antecedent",
    "person_of_the_article",
    "phrase_text",
    "relay_for",
    "relays_of_quotes",
    "source_kind",
]

LOGGER = logging.getLogger(__name__)

WIRE = frozenset("reuters ap afp bloomberg dpa upi efe ansa kyodo yonhap pti anadolu interfax".split()) | {
    "associated press",
    "agence france-presse",
    "agence france presse",
    "press association",
}
STATE_MEDIA = frozenset(
    "tass ria novosti xinhua irna isna fars tasnim kcna sputnik rt cctv cgtn wafa sana mena spa wam".split()
) | {"press tv", "state media", "state television", "state tv", "state news agency"}
OFFICIAL_WORDS = frozenset(
    "statement ministry kremlin government department pentagon office embassy presidency cabinet "
    "administration spokesman spokeswoman spokesperson communique readout release police military army "
    "council commission agency court parliament senate congress".split()
) | {"white house", "state department", "foreign ministry", "downing street", "elysee"}
OUTLET_SUFFIXES = (
    "tv",
    "news",
    "times",
    "post",
    "journal",
    "week",
    "radio",
    "daily",
    "herald",
    "tribune",
    "telegraph",
    "guardian",
    "gazette",
    "magazine",
    "channel",
    "network",
    "newspaper",
    "media",
    "wire",
    "review",
    "insider",
    "monitor",
    "observer",
    "chronicle",
    "mail",
    "standard",
    "globe",
    "inquirer",
    "courier",
    "dispatch",
    "examiner",
    "register",
    "bulletin",
    "sun",
)
# Broadcasters and news sites whose names say nothing of being a medium ("first telling CNN").
KNOWN_MEDIA = frozenset(
    "cnn msnbc cnbc nbc abc cbs bbc npr pbs politico axios haaretz mediaite gawker buzzfeed huffpost "
    "breitbart newsmax vox slate salon c-span".split()
) | {"al jazeera", "fox news", "sky news", "france 24"}
OUTLET_WORDS = frozenset(
    {
        "newspaper",
        "outlet",
        "broadcaster",
        "channel",
        "network",
        "television",
        "tv",
        "radio",
        "magazine",
        "agency",
        "website",
        "daily",
        "paper",
        "news",
    }
)
ANONYMOUS_HEADS = frozenset(
    "source sources official officials person people aide aides insider insiders diplomat diplomats "
    "analyst analysts".split()
)
ANONYMOUS_PLURALS = {"person": "people", "people": "people", "source": "sources", "official": "officials"}
SEEN_LEMMAS = frozenset({"see", "obtain", "review", "view", "acquire", "examine"})
# "X was quoted (by Y) as saying": Y, the agent, is the channel; X (see quotes.py) the speaker.
QUOTING_LEMMAS = frozenset({"quote", "cite"})
AGENT_LEMMAS = SEEN_LEMMAS | QUOTING_LEMMAS
REPORT_LEMMAS = frozenset({"report", "say", "quote", "cite", "carry", "publish", "write", "broadcast"})
INTERVIEW_LEMMAS = frozenset({"interview", "conversation"})
TOLD_LEMMAS = frozenset({"tell", "speak"})
STATEMENT_LEMMAS = frozenset({"statement", "communique", "readout"})
# Every lemma one of the relay patterns below starts from ("according" is matched on the word itself).
_TRIGGER_LEMMAS = REPORT_LEMMAS | AGENT_LEMMAS | INTERVIEW_LEMMAS | TOLD_LEMMAS | STATEMENT_LEMMAS
# Heads of documents and recordings ("his resignation letter", "the inspector general's report").
DOCUMENT_HEADS = frozenset(
    "statement statements letter report tweet tweets post posts video book memo email e-mail filing filings "
    "indictment document documents poll website site transcript excerpts study survey records complaint "
    "lawsuit affidavit ad commercial article".split()
)
PERSONAL_PRONOUNS = frozenset({"he", "his", "him", "she", "her"})
# Where posts are made: "a Twitter post" names where it was posted, not who posted it (and the comparison
# reads account names after them).
PLATFORM_NAMES = ("YouTube", "Twitter", "Facebook", "Instagram", "TikTok", "Reddit", "Telegram", "Twitch", "Rumble",
                  "Snapchat", "Tumblr", "Vimeo", "LinkedIn", "Truth Social", "Gab", "Parler", "Weibo", "WeChat")
_PLATFORM_WORDS = frozenset(p.lower() for p in PLATFORM_NAMES)
# A spokesman's statement is the body's he speaks for ("DNC spokesman X said in a statement": a DNC statement).
SPEAKING_FOR = frozenset({"spokesman", "spokeswoman", "spokesperson", "press secretary"})
# Words before a name that make its bearer a person ("Strzok attorney Aitan Goelman").
PERSON_TITLES = frozenset(
    "attorney lawyer spokesman spokeswoman spokesperson director secretary chairman chairwoman chair "
    "senator representative governor minister ambassador adviser advisor aide official agent".split()
)
MAX_NAME_TOKENS = 9  # longer phrases are clauses, not names
# "a spokesman for the prosecutor", "a letter from Representative X", "excerpts of the speech"; not
# "a statement to Fox News" (to whom it was made).
NAMING_PREPOSITIONS = frozenset({"for", "from", "of", "by", "with"})
GENERIC_NAME_WORDS = frozenset(
    {
        "state",
        "news",
        "agency",
        "media",
        "the",
        "a",
        "an",
        "russian",
        "national",
        "official",
        "run",
        "-",
        "state-run",
        "owned",
    }
)


@dataclass(frozen=True, slots=True)
class RelayMention:
    name: str
    kind: SourceKind
    span: Span  # the noun phrase of the source


def relay_for(doc: Doc, content: Span, cue: Span | None, sentence: Span | None = None) -> Relay | None:
    """The relay that frames this quote: the relay mention in the cue's sentence (else the content's)
    nearest the cue, so that "X put it at 14 in a statement, while Y, speaking to Z, said ..." gives
    Y's quote Z, not X's statement."""
    if sentence is None:
        sentence = (cue if cue is not None else content).root.sent
    anchor = cue if cue is not None else content
    best: tuple[int, RelayMention] | None = None
    for mention in find_relays(sentence):
        if mention.span.start >= content.start and mention.span.end <= content.end:
            continue  # a source named inside the quote is what the speaker cites, not our channel
        distance = max(mention.span.start - anchor.end, anchor.start - mention.span.end, 0)
        if best is None or distance < best[0]:
            best = (distance, mention)
    if best is None:
        return None
    mention = best[1]
    name = mention.name
    if mention.kind == "anonymous":  # "people who know both of them", as the article names them
        name = phrase_text(named_phrase(mention.span.root))
    return Relay(name, mention.kind, _text_span(mention.span))


def find_relays(span: Span | Doc) -> list[RelayMention]:
    """Every relay mention in a sentence or document, in text order."""
    found: dict[tuple[int, int], RelayMention] = {}
    for token in span:
        if token.lower_ != "according" and token.lemma_.lower() not in _TRIGGER_LEMMAS:
            continue  # most words start no pattern: one look instead of six
        phrase = (
            _according_to(token)
            or _reported_by(token)
            or _told_outlet(token)
            or _seen_by(token)
            or _interview_with(token)
            or _statement(token)
        )
        if phrase is None:
            continue
        if token.lower_ == "according" and phrase.root.lower_ in DOCUMENT_HEADS:
            # "according to excerpts provided by the Justice Department", "according to court documents"
            phrase = named_phrase(phrase.root)
            kind = source_kind(phrase) or "other"
        else:
            kind = None if _a_person(phrase) else source_kind(phrase)
        if kind is not None and (phrase.start, phrase.end) not in found:
            found[(phrase.start, phrase.end)] = RelayMention(source_name(phrase), kind, phrase)
    return sorted(found.values(), key=lambda m: m.span.start)


def _according_to(token: Token) -> Span | None:
    if token.lower_ != "according":
        return None
    for child in token.children:
        if child.lower_ == "to":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _phrase(objects[0])
    nxt = token.nbor(1) if token.i + 2 < len(token.doc) else None
    if nxt is not None and nxt.lower_ == "to":
        return _phrase(nxt.nbor(1))
    return None


def _reported_by(token: Token) -> Span | None:
    """ "X reported" where X is a medium or agency (a quote's own speaker is a person, not a relay)."""
    if token.pos_ != "VERB" or token.lemma_.lower() not in REPORT_LEMMAS:
        return None
    subjects = [c for c in token.children if c.dep_ == "nsubj"]
    if not subjects:
        return None
    phrase = _phrase(subjects[0])
    if len(subjects) > 1 and subjects[-1].left_edge.i == phrase.end:
        # "state news agency X reported": the parser may split the name off as a second subject.
        phrase = phrase.doc[phrase.start : subjects[-1].right_edge.i + 1]
    return phrase if _is_medium(phrase) else None


def _seen_by(token: Token) -> Span | None:
    """ "a draft seen by X", "documents obtained by X": a medium that saw the document is the channel;
    so is one that quoted the speaker ("was quoted by TASS as saying")."""
    if token.lemma_.lower() not in AGENT_LEMMAS or token.pos_ != "VERB":
        return None
    for child in token.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and _is_medium(phrase := _phrase(objects[0])):
                return phrase
    return None


def _interview_with(token: Token) -> Span | None:
    """ "in an interview with X" (X a medium)."""
    if token.lemma_.lower() not in INTERVIEW_LEMMAS or token.pos_ != "NOUN":
        return None
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "with":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and _is_medium(phrase := _phrase(objects[0])):
                return phrase
    return None


def _told_outlet(token: Token) -> Span | None:
    if token.lemma_.lower() not in TOLD_LEMMAS:
        return None
    for child in token.children:
        target = child
        if child.dep_ == "prep" and child.lower_ == "to":
            target = next((c for c in child.children if c.dep_ == "pobj"), child)
        if target.dep_ in {"dative", "dobj", "pobj"} and target.pos_ == "PROPN":
            phrase = _phrase(target)
            if _is_medium(phrase):
                return phrase
    return None


def _statement(token: Token) -> Span | None:
    """ "in a statement", "a Kremlin statement": an official statement as the channel."""
    if token.lemma_.lower() not in STATEMENT_LEMMAS or token.pos_ != "NOUN":
        return None
    head = token.head
    if head.lower_ in {"in", "to", "from"} or token.dep_ == "pobj":
        return _phrase(token)
    return None


def _phrase(token: Token) -> Span:
    """The noun phrase headed by ``token``, without trailing clauses or leading determiners."""
    doc = token.doc
    left = token.left_edge.i
    right = token.i
    for child in token.rights:
        if child.dep_ in {"compound", "appos"} or (child.dep_ == "punct" and child.text == "-"):
            right = max(right, child.right_edge.i)
        else:
            break
    while left < right and (doc[left].dep_ in {"det", "punct", "predet"} or doc[left].is_space):
        left += 1
    return doc[left : right + 1]


def _is_medium(phrase: Span) -> bool:
    return source_kind(phrase) in {"wire", "state_media", "outlet"}


def source_kind(phrase: Span) -> SourceKind | None:
    """What kind of source a noun phrase names, or None when it names no source we recognise."""
    low = phrase.text.lower().replace("’s", "").replace("'s", "")
    words = set(low.replace("-", " ").split())
    if person_of_the_article(phrase):
        return "other" if phrase.root.ent_type_ else None
    if words & WIRE or any(w in low for w in WIRE if " " in w):
        return "wire"
    if (
        words & STATE_MEDIA
        or any(w in low for w in STATE_MEDIA if " " in w)
        or ("state" in words and words & OUTLET_WORDS)
    ):
        return "state_media"
    if _outlet_name(phrase) or words & KNOWN_MEDIA or any(w in low for w in KNOWN_MEDIA if " " in w) \
            or (words & OUTLET_WORDS and any(t.pos_ == "PROPN" for t in phrase)):
        return "outlet"
    if words & OFFICIAL_WORDS or any(w in low for w in OFFICIAL_WORDS if " " in w):
        return "official"
    if phrase.root.lemma_.lower() in ANONYMOUS_HEADS and not any(t.pos_ == "PROPN" for t in phrase):
        return "anonymous"
    if any(t.ent_type_ in {"ORG", "PERSON", "GPE", "NORP"} for t in phrase):
        return "other"
    return None


HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "mayor", "sen", "senator", "rep", "gov", "governor", "president"})


def _a_person(phrase: Span) -> bool:
    """A person named in the text ("according to Goelman"): a speaker quoted by name, not a channel."""
    owner = next((c for c in phrase.root.children if c.dep_ == "poss"), None)
    if owner is not None and _is_medium(_phrase(owner)):
        return False  # "Fox News' Sean Hannity": the medium is the channel
    return phrase.root.ent_type_ == "PERSON" or person_of_the_article(phrase)


def person_of_the_article(phrase: Span) -> bool:
    """A short name that the article uses for a person ("Bloomberg" where it names Michael Bloomberg,
    "Mr. Bloomberg"): the person, not the agency of that name."""
    words = [t for t in phrase if t.is_alpha and t.lower_ not in HONORIFICS]
    if len(words) > 2 or not words or any(t.lower_ in OUTLET_WORDS for t in words):
        return False
    surname = words[-1].text
    for ent in phrase.doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].text == surname:
            return True
    return any(t.text == surname and t.i > 0 and t.nbor(-1).lower_.rstrip(".") in HONORIFICS for t in phrase.doc)


def _outlet_name(phrase: Span) -> bool:
    """A capitalised name that reads as a medium: "RBC-TV", "Daily News", "Newsweek"."""
    for token in phrase:
        low = token.lower_
        if token.text[:1].isupper() and any(low.endswith(s) for s in OUTLET_SUFFIXES):
            return True
    return False


def source_name(phrase: Span) -> str:
    """A readable name for a source: its proper nouns ("TASS"); for a statement its owner ("Kremlin
    statement", "coast guard statement") or "a statement"; for an unnamed group "officials (unnamed)"."""
    owner = next((c for c in phrase.root.children if c.dep_ == "poss"), None)
    if phrase.root.ent_type_ == "PERSON" and owner is not None and _is_medium(_phrase(owner)):
        return source_name(_phrase(owner))  # "Fox News' Sean Hannity": the medium the person works for
    propn = _name_run(phrase)
    if phrase.root.lemma_.lower() in STATEMENT_LEMMAS:
        owner = " ".join(t.text.removesuffix("’s").removesuffix("'s") for t in propn) or _statement_owner(
            phrase
        )
        if owner:
            return f"{owner} {phrase.root.lower_}"
        return owned_document_name(phrase.root) or f"a {phrase.root.lower_}"
    if propn:
        joined = phrase.doc[propn[0].i : propn[-1].i + 1].text
        return joined.removesuffix("’s").removesuffix("'s")
    if phrase.root.lemma_.lower() in ANONYMOUS_HEADS:
        return anonymous_name(phrase)
    return phrase.text


def anonymous_name(phrase: Span) -> str:
    """ "officials (unnamed)", "administration officials (unnamed)" for an unnamed group or person."""
    root = phrase.root
    plural = ANONYMOUS_PLURALS.get(root.lemma_.lower(), root.lemma_.lower() + "s")
    body = [t.lower_ for t in root.lefts if t.dep_ == "compound" and t.lower_ in OFFICIAL_WORDS]
    return " ".join([*body, plural]) + " (unnamed)"


def _statement_owner(phrase: Span) -> str:
    """The body that issued "in a statement": the subject of the verb the statement hangs on, when that
    is an official body or organisation rather than a person ("the coast guard said in a statement")."""
    for prep in phrase.root.rights:
        if prep.dep_ == "prep" and prep.lower_ in {"from", "by"}:
            owner = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if owner is not None and (owner.pos_ == "PROPN" or owner.lower_ in OFFICIAL_WORDS):
                return _phrase(owner).text
    head = phrase.root.head
    verb = head.head if head.dep_ == "prep" else head
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects or verb == phrase.root:
        return ""
    subject = subjects[0]
    if subject.ent_type_ != "PERSON" and (described := _described_name(subject)):
        return described  # a person described, whatever the entity tagger made of the name
    words = [t for t in subject.subtree if t.dep_ not in {"det", "punct", "poss"} and not t.is_space]
    if not words or len(words) > 4 or subject.ent_type_ == "PERSON" or subject.pos_ == "PRON":
        return ""
    if subject.lower_ in OFFICIAL_WORDS or subject.ent_type_ in {"ORG", "GPE", "NORP"}:
        return " ".join(t.text for t in words).removesuffix("’s").removesuffix("'s")
    return ""


def _name_run(phrase: Span) -> list[Token]:
    """The run of adjacent proper nouns that names the source: the one holding the phrase's head, else
    the last one. Dates are left out, and so are generic medium words written in lower case at a run's
    edge ("state news agency TASS"); capitalised ones belong to the name ("Continental News Service")."""
    runs: list[list[Token]] = []
    for token in phrase:
        named = token.text in {"-", "&"} or token.pos_ == "PROPN" or _capital_generic(token) or _inner_possessive(token)
        if named and token.ent_type_ not in {"DATE", "TIME", "CARDINAL", "ORDINAL"}:
            if runs and runs[-1][-1].i == token.i - 1:
                runs[-1].append(token)
            else:
                runs.append([token])
    runs = [_strip_generic(run) for run in runs]
    runs = [run for run in runs if run]
    root = phrase.root.i
    for run in runs:
        if run[0].i <= root <= run[-1].i:
            return run
    return runs[-1] if runs else []


def _inner_possessive(token: Token) -> bool:
    """The "’s" between two capitalised words of one name ("the U.S. Attorney’s Office"), which keeps the name
    whole instead of leaving "Office"."""
    doc = token.doc
    return (token.tag_ == "POS" and 0 < token.i < len(doc) - 1 and doc[token.i - 1].pos_ == "PROPN"
            and doc[token.i + 1].text[:1].isupper())


def _capital_generic(token: Token) -> bool:
    return token.lower_ in GENERIC_NAME_WORDS and token.text[:1].isupper() and token.i > token.sent.start


def _strip_generic(run: list[Token]) -> list[Token]:
    """A run without punctuation or lower-case generic words at its edges; empty when only such are left."""

    def generic(token: Token) -> bool:
        return (
            token.pos_ != "PROPN"
            and not _capital_generic(token)
            or (token.lower_ in GENERIC_NAME_WORDS and not token.text[:1].isupper())
        )

    start, end = 0, len(run)
    while start < end and generic(run[start]):
        start += 1
    while end > start and generic(run[end - 1]):
        end -= 1
    inner = run[start:end]
    return inner if any(t.lower_ not in GENERIC_NAME_WORDS for t in inner) else []


def named_phrase(head: Token) -> Span:
    """The phrase as the article names a source: the head with its modifiers and owner ("two Defense
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
        if child.dep_ in {"acl", "relcl"} and (
            any(c.dep_ == "mark" and c.lower_ == "that" for c in child.children)
            or doc[child.left_edge.i].pos_ == "ADP"
        ):
            break  # "a statement | that X was fired", "a statement | in which he said": what it says
        end = next((t.i - 1 for t in doc[child.i : child.right_edge.i + 1] if t.text == ","), child.right_edge.i)
        if end - left >= MAX_NAME_TOKENS:
            break
        right = end
    while right > head.i and doc[right].dep_ == "cc":
        right -= 1  # "fact-checkers and | news analysts alike": the conjunct was too long to keep
    comma = next((t.i for t in reversed(doc[left : head.i]) if t.text == ","), None)
    if comma is not None:
        left = comma + 1  # "As such, independent fact-checkers": the parse hung "such" on the noun
    while left < right and (
        doc[left].dep_ in {"det", "punct", "predet"} or doc[left].is_space
        or (doc[left].dep_ == "poss" and doc[left].pos_ == "PRON")  # "his report": the owner is a pronoun
    ):
        left += 1
    return doc[left : right + 1]


def phrase_text(phrase: Span) -> str:
    """A phrase as the article writes it, on one line, with a possessive pronoun inside it replaced by the
    person it stands for ("a statement released by his office" -> "... by Etheridge's office")."""
    words = []
    for token in phrase:
        owner = person_antecedent(token) if token.dep_ == "poss" and token.lower_ in PERSONAL_PRONOUNS else None
        words.append((f"{owner}'s" if owner else token.text) + token.whitespace_)
    return " ".join("".join(words).split())


def person_antecedent(pronoun: Token) -> str | None:
    """The surname a personal pronoun ("he", "his") stands for: the nearest proper-noun subject before it
    in its sentence, else the last one of the sentence before; None when there is none."""
    doc = pronoun.doc
    sent = pronoun.sent
    windows = [range(pronoun.i - 1, sent.start - 1, -1)]
    if sent.start > 0:
        before = doc[sent.start - 1].sent
        windows.append(range(before.end - 1, before.start - 1, -1))
    for window in windows:
        for i in window:
            token = doc[i]
            if token.dep_ in {"nsubj", "nsubjpass"} and _names_a_person(token):
                return token.text.removesuffix("’s").removesuffix("'s")
    return None


def _names_a_person(token: Token) -> bool:
    """A proper-noun head that names a person: tagged so, after an honorific, or after a title noun."""
    if token.pos_ != "PROPN" or token.ent_type_ in {"GPE", "NORP", "LOC", "DATE", "TIME"}:
        return False
    if token.ent_type_ == "PERSON":
        return True
    before = [t for t in token.lefts if t.dep_ == "compound"]
    return any(t.lower_.rstrip(".") in HONORIFICS or t.lower_ in PERSON_TITLES for t in before)


def owned_document_name(head: Token) -> str | None:
    """A document named with its owner when the article gives one: a pronoun owner replaced by the person
    ("his resignation letter" -> "Mattis's resignation letter"), the one who said, issued or posted it ("X
    said in a statement" -> "X's statement"), or, for "the video" / "the statement", the name of the
    document of that kind mentioned just before. None when no owner is found (keep the generic name)."""
    return _owned_name(head, depth=1)


def _owned_name(head: Token, *, depth: int) -> str | None:
    phrase = named_phrase(head)
    own = next((c for c in head.children if c.dep_ == "poss"), None)
    if own is not None:
        if own.lower_ in PERSONAL_PRONOUNS and (person := person_antecedent(own)):
            return f"{person}'s {phrase_text(phrase)}"
        return None
    if any(t.pos_ == "PROPN" and t.lower_ not in _PLATFORM_WORDS for t in phrase) or phrase.end - 1 > head.i:
        return None  # "a DNC statement", "a letter from X", "the statement released by each office"
    issuer = _issuer(head)
    if issuer is not None:
        return f"{issuer} {phrase_text(phrase)}"
    if depth and any(c.dep_ == "det" and c.lower_ in {"the", "this", "that"} for c in head.children):
        return _antecedent_name(head, depth=depth - 1)
    return None


def _issuer(head: Token) -> str | None:
    """Who said, issued or posted the document ``head``: the subject of the verb it is the object of, or
    the verb a "in"/"on"/"with" phrase holding it hangs on, climbing out of clauses without a subject."""
    if head.dep_ == "dobj":
        verb = head.head
    elif head.dep_ == "pobj" and head.head.lower_ in {"in", "on", "with", "via"}:
        verb = head.head.head
    else:
        return None
    for _ in range(3):
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            return _owner_of(subject)
        if verb.dep_ not in {"advcl", "xcomp", "conj", "pcomp"}:
            return None
        verb = verb.head.head if verb.head.pos_ == "ADP" else verb.head
    return None


def _owner_of(subject: Token) -> str | None:
    """How a document's issuer is written before it: "Etheridge's", "DNC", "Romney campaign"."""
    if subject.lower_ in PERSONAL_PRONOUNS:
        person = person_antecedent(subject)
        return f"{person}'s" if person else None
    if subject.pos_ == "PRON":
        return None
    named = next((c for c in subject.children if c.dep_ == "appos" and _names_a_person(c)), None)
    if subject.pos_ == "NOUN" and named is not None:
        return _owner_of(named)  # "the mayor, Ana Ruiz, said in a statement": Ruiz's statement
    if _names_a_person(subject) or person_of_the_article(subject.doc[subject.i : subject.i + 1]):
        body = next(
            (t for t in subject.lefts if t.lower_ in SPEAKING_FOR and any(c.pos_ == "PROPN" for c in t.lefts)), None
        )
        if body is not None:  # "DNC spokesman X": the body he speaks for
            return " ".join(t.text for t in subject.doc[body.left_edge.i : body.i] if t.pos_ == "PROPN")
        return subject.text.removesuffix("’s").removesuffix("'s") + "'s"
    if described := _described_name(subject):
        return described
    words = [t for t in subject.subtree if t.dep_ not in {"det", "punct"} and not t.is_space]
    if len(words) > 4 or not (
        subject.lower_ in OFFICIAL_WORDS or subject.ent_type_ in {"ORG", "GPE", "NORP"}
        or any(t.pos_ == "PROPN" for t in words)
    ):
        return None
    return " ".join(t.text for t in words).removesuffix("’s").removesuffix("'s")


def _described_name(subject: Token) -> str | None:
    """The possessive of a name an appositive describes, without the description ("Aitan Goelman, Strzok's
    attorney, said in a statement" -> "Aitan Goelman's"); None for a subject that is no such name."""
    if subject.pos_ != "PROPN" or not any(c.dep_ == "appos" for c in subject.children):
        return None
    chain = [t for t in subject.lefts if t.dep_ in {"compound", "flat"} and t.pos_ == "PROPN"]
    return " ".join(t.text for t in (*chain, subject)).removesuffix("’s").removesuffix("'s") + "'s"


def _antecedent_name(head: Token, *, depth: int) -> str | None:
    """The owned name of the last document of the same kind in this sentence or the two before it."""
    doc = head.doc
    start = head.sent.start
    for _ in range(2):
        if start > 0:
            start = doc[start - 1].sent.start
    for token in reversed(doc[start : head.i]):
        if token.lemma_.lower() == head.lemma_.lower() and token.pos_ == "NOUN":
            return _owned_name(token, depth=depth) or None
    return None


def _text_span(span: Span) -> TextSpan:
    return TextSpan(span.start_char, span.end_char, span.text)


@step("relays", requires=["layout", "attributions"], assigns=["relays"])
def relays_of_quotes(state: QuoteState) -> None:
    """The relay of every attribution, read in the sentence of its cue (else of its content)."""
    assert state.layout is not None and state.attributions is not None
    doc, layout = state.doc, state.layout
    relays: list[Relay | None] = []
    for a in state.attributions:
        content = doc[a.content.start : a.content.end]
        cue = doc[a.cue.start : a.cue.end] if a.cue else None
        start, end = layout.sentence_bounds((cue or content).root.i)
        relays.append(relay_for(doc, content, cue, doc[start:end]))
    state.relays = relays
