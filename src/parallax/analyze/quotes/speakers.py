"""Speaker resolution within one article: a speaker mention to the full name and role the text gives.

No coreference model is available offline, so this works from the parse: names are proper-noun chains
(whatever label the small NER gave them), a short form ("Mr. X", "X") resolves to the earliest full name
with the same surname, a role noun ("the spokesman") to the person whose appositive or title gave it, and
a personal pronoun to the most recent person named as a subject before it (or, failing one, named at all
in that sentence or the one before), skipping people whose courtesy title says the pronoun cannot be them.

Relatives share a surname ("Ana Vale" and her daughter "Lia Vale"). A writer calls the one the story is
about by the surname ("Ms. Vale") and the others by their first names ("Lia, 16"): so when several full
names share a surname, the short form goes to one whose first name is never used alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .relays import DOCUMENT_HEADS
from .runner import step
from .state import QuoteState

__all__ = ["Resolved", "SpeakerIndex", "resolve_speakers"]

LOGGER = logging.getLogger(__name__)

HONORIFICS = frozenset(
    "mr mr. mrs mrs. ms ms. dr dr. sir dame lord lady prof prof. rev rev. sen sen. rep rep. gov gov. gen gen. "
    "col col. lt lt. capt capt. st. president vice prime minister secretary senator representative governor "
    "ambassador chancellor king queen prince princess sheikh ayatollah pope judge justice mayor speaker "
    "chairman chairwoman chief general admiral foreign deputy supreme leader spokesman spokeswoman "
    "spokesperson director commissioner minister's".split()
)
# Courtesy titles say nothing about a person's role.
COURTESY = frozenset("mr mr. mrs mrs. ms ms. miss dr dr. sir dame".split())
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
# What a courtesy title or a pronoun says of a person's gender, where it says anything.
GENDER_OF_TITLE = {"mr": "m", "mr.": "m", "sir": "m", "lord": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f",
                   "miss": "f", "dame": "f", "lady": "f"}
GENDER_OF_PRONOUN = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
GROUP_PRONOUNS = frozenset({"they", "we", "i", "you", "it"})
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


@dataclass(frozen=True, slots=True)
class Resolved:
    name: str | None
    role: str | None
    key: str | None = None  # surname key of the person, for later pronouns


@dataclass(frozen=True, slots=True)
class _Person:
    key: str  # lower-cased surname
    name: str
    first: int  # token index of the first full mention


@dataclass(slots=True)
class SpeakerIndex:
    """The people an article names, their roles and where each is mentioned."""

    doc: Doc
    people: dict[str, _Person] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # surname key -> role text
    role_heads: dict[str, str] = field(default_factory=dict)  # role head lemma -> surname key
    mentions: list[tuple[int, str, bool]] = field(default_factory=list)  # (token, key, is subject)
    speakers: set[str] = field(default_factory=set)  # keys already resolved as a quote's speaker
    sentence: tuple[int, ...] = ()  # sentence number of every token
    bounds: tuple[tuple[int, int], ...] = ()  # token range of every sentence
    person_keys: set[str] = field(default_factory=set)  # surnames the NER tags PERSON at least once
    family: dict[str, list[_Person]] = field(default_factory=dict)  # surname key -> every full name with it
    alone: set[str] = field(default_factory=set)  # names used as a one-word mention ("Lia", "Vale")
    gender: dict[str, str] = field(default_factory=dict)  # surname key -> "m" / "f", from courtesy titles

    @classmethod
    def build(
        cls,
        doc: Doc,
        quoted: frozenset[int] = frozenset(),
        sentence: tuple[int, ...] = (),
        bounds: tuple[tuple[int, int], ...] = (),
    ) -> SpeakerIndex:
        """Index the named people of ``doc``; names inside quotations (``quoted`` tokens) are not
        antecedents for the narrator's pronouns."""
        if not bounds:
            spans = list(doc.sents)
            bounds = tuple((s.start, s.end) for s in spans)
            sentence = tuple(n for n, s in enumerate(spans) for _ in range(s.start, s.end))
        index = cls(doc, sentence=sentence, bounds=bounds)
        index.person_keys = {w for e in doc.ents if e.label_ == "PERSON" for w in e.text.lower().split()}
        for chunk in _name_chunks(doc):
            index._add(chunk, chunk.start in quoted)
        index.mentions.sort()
        index._choose_among_relatives()
        return index

    def _choose_among_relatives(self) -> None:
        """The short form of a surname names a full name whose first name never stands alone; when every
        full name's first name does ("Lia Vale" and "Lia, 16"), the short form names no one of them."""
        for key, persons in self.family.items():
            principal = [p for p in persons if p.name.split()[0].lower() not in self.alone]
            if principal:
                if self.people[key] not in principal:
                    self.people[key] = max(principal, key=lambda p: (len(p.name.split()), -p.first))
            elif key in self.alone and key in self.people:
                self.people[key] = _Person(key, self.people[key].name.split()[-1], self.people[key].first)

    def remember(self, token_index: int, resolved: Resolved) -> None:
        """Record a resolved speaker so that a later "he said" can point back to it."""
        if resolved.key is not None and resolved.key in self.people:
            self.speakers.add(resolved.key)
            self.mentions.append((token_index, resolved.key, True))
            self.mentions.sort()

    def _add(self, chunk: Span, quoted: bool) -> None:
        names = _name_tokens(chunk)
        if not names:
            return
        key = _surname(names[-1])
        name = " ".join(t.text for t in names if t.text not in {"'s", "’s"})
        known = self.people.get(key)
        if known is None or (len(name.split()) > len(known.name.split()) and chunk.label_ == "PERSON"):
            self.people[key] = _Person(key, name, known.first if known else chunk.start)
        if len(names) == 1:
            self.alone.add(key)
        elif chunk.label_ == "PERSON":
            relatives = self.family.setdefault(key, [])
            if all(p.name != name for p in relatives):
                relatives.append(_Person(key, name, chunk.start))
        title = self.doc[names[0].i - 1].lower_ if names[0].i > 0 else ""
        if title in GENDER_OF_TITLE:
            self.gender.setdefault(key, GENDER_OF_TITLE[title])
        head = chunk.root
        if not quoted:
            subject = head.dep_ in SUBJECT_DEPS or head.head.dep_ in SUBJECT_DEPS
            self.mentions.append((chunk.start, key, subject))
        role = _role_of(chunk, names[0])
        if role and key not in self.roles:
            self.roles[key] = role
            self.role_heads.setdefault(role.split()[-1].lower(), key)

    def resolve(self, mention: Span) -> Resolved:
        """The full name and role behind a speaker mention, or what the mention itself says."""
        names = _name_tokens(mention)
        if names:
            key = _surname(names[-1])
            person = self.people.get(key)
            role = _role_of(mention, names[0]) or self.roles.get(key)
            return Resolved(person.name if person else " ".join(t.text for t in names), role, key)
        head = mention.root
        if head.text[:1].isupper() and len(mention) <= 2 and (key := _surname(head)) in self.people \
                and self._is_person(key):
            # a surname the tagger read as a common noun ("Summers replied"): the person named so before
            person = self.people[key]
            return Resolved(person.name, self.roles.get(key), key)
        if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
            # "X, who denounced ...": the relative pronoun stands for the noun the clause hangs on.
            noun = head.head.head
            return self.resolve(self.doc[noun.left_edge.i : noun.i + 1])
        if head.lower_ in PERSON_PRONOUNS:
            return self._antecedent(mention.start, GENDER_OF_PRONOUN.get(head.lower_))
        if head.lower_ in GROUP_PRONOUNS:
            return Resolved(None, None)
        key = self.role_heads.get(head.lemma_.lower())
        # The mention is its own role text, without the commas that close an appositive or clause.
        text = mention.text.strip(" ,;:\u00a0\n")
        if key is not None:
            return Resolved(self.people[key].name, text, key)
        return Resolved(None, text)

    def _antecedent(self, before: int, gender: str | None = None) -> Resolved:
        """The most recent person mentioned before the pronoun: a subject in its sentence or the one before,
        else anyone named in the three sentences up to it (one whose title fits the pronoun first), else the
        last subject before; never a person whose title says another gender."""
        earlier = [m for m in self.mentions if m[0] < before and self._is_person(m[1])
                   and self.gender.get(m[1], gender) == gender]
        if not earlier:
            return Resolved(None, None)
        number = self.sentence[before]
        window_start = self.bounds[max(number - 1, 0)][0]
        subjects = [m for m in earlier if m[2]]
        # Anyone named in the two sentences before, when no subject is near ("Enter X — a former aide —
        # whose post ... . “...,” she wrote").
        recent = [m for m in earlier if m[0] >= self.bounds[max(number - 2, 0)][0]]
        titled = [m for m in recent if gender is not None and self.gender.get(m[1]) == gender]
        # A subject (or earlier speaker) beats a closer object: "X met Y. He said" is usually X.
        token, key, _ = ([m for m in recent if m[2] and m[0] >= window_start] or titled or recent or subjects
                         or earlier)[-1]
        return Resolved(self.people[key].name, self.roles.get(key), key)

    def _is_person(self, key: str) -> bool:
        person = self.people.get(key)
        return person is not None and (key in self.speakers or key in self.person_keys)


def _name_chunks(doc: Doc) -> list[Span]:
    """Entity spans that can name a speaker, plus proper-noun subjects the NER left out."""
    chunks = [e for e in doc.ents if e.label_ in NAME_LABELS]
    covered = {i for e in chunks for i in range(e.start, e.end)}
    for token in doc:
        if token.pos_ == "PROPN" and token.dep_ in SUBJECT_DEPS and token.i not in covered:
            left = token.i
            while left > 0 and doc[left - 1].pos_ == "PROPN" and doc[left - 1].head == token:
                left -= 1
            chunks.append(doc[left : token.i + 1])
    return chunks


# Heads of what speaks for its owner: the relay stage's documents and a few more kinds of text.
_DOCUMENTS = DOCUMENT_HEADS | frozenset(
    "blog message note speech interview op-ed column essay testimony account plan blueprint proposal budget".split()
)


def _name_tokens(chunk: Span) -> list[Token]:
    """The proper-noun chain that names the phrase's head ("Vale" in "Ana K. Vale, the ministry's
    spokesman"); for a role head ("the head of X, Y") the chain of its proper-noun appositive."""
    head = chunk.root
    if head.pos_ != "PROPN":
        head = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"), head)
    if head.pos_ != "PROPN" or head.lower_ in HONORIFICS or not (chunk.start <= head.i < chunk.end):
        # Not a person named inside a clause that describes the speaker ("the aide, Elizabeth Lauten, who has
        # 14,000 followers on Twitter"): the tagger may call "Twitter" a person, and it is the last one named.
        described = {t.i for c in chunk if c.dep_ in {"relcl", "acl"} and c.i > chunk.start for t in c.subtree}
        # nor the one whose role it is ("Strzok's attorney, meanwhile, blasted …": the attorney spoke); a
        # document speaks for its owner ("Mr. Mattis's letter said" is Mattis's remark)
        if head.pos_ == "NOUN" and head.lemma_.lower() not in _DOCUMENTS:
            described |= {t.i for c in head.children if c.dep_ == "poss" for t in c.subtree}
        people = [p for p in _people_within(chunk) if p.start not in described]
        if not people or (people[-1].start, people[-1].end) == (chunk.start, chunk.end):
            return []
        return _name_tokens(people[-1])
    chain = [head]
    for token in reversed(list(head.lefts)):
        if token.i != chain[0].i - 1 or token.pos_ != "PROPN" or token.dep_ not in {"compound", "flat"}:
            break
        if token.lower_ in HONORIFICS or not token.text[:1].isalnum():
            break  # "Capt. X": the tokenizer may split the title's period off as a proper noun
        chain.insert(0, token)
    return chain


def _people_within(chunk: Span) -> list[Span]:
    """The PERSON entities that lie wholly inside ``chunk`` (``Span.ents`` builds every entity of the
    document on each call; this reads only the chunk's tokens)."""
    doc = chunk.doc
    out = []
    i = chunk.start
    while i < chunk.end:
        if doc[i].ent_iob_ != "B":
            i += 1
            continue
        label = doc[i].ent_type_
        end = i + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        if label == "PERSON" and end <= chunk.end:
            out.append(Span(doc, i, end, label=label))
        i = end
    return out


def _surname(token: Token) -> str:
    return token.lower_.removesuffix("’s").removesuffix("'s")


def _role_of(chunk: Span, first_name: Token) -> str | None:
    """A title before the name ("Kremlin spokesman X") or an appositive after it ("X, the spokesman")."""
    doc = chunk.doc
    head = first_name.head if first_name.dep_ in {"compound", "flat"} else first_name
    for child in head.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            return _trimmed(doc[child.left_edge.i : child.right_edge.i + 1])
    left = [t for t in head.subtree if t.i < first_name.i]
    left = [t for t in left if t.dep_ != "det" and not t.is_punct and t.lower_ not in COURTESY]
    if left and any(t.pos_ == "NOUN" or t.lower_ in HONORIFICS for t in left):
        return _trimmed(doc[left[0].i : first_name.i])
    return None


def _trimmed(span: Span) -> str | None:
    words = [t for t in span if not t.is_punct or t.text in {"'s", "’s", "."}]
    while words and words[0].dep_ == "det":
        words.pop(0)
    text = span.doc[words[0].i : words[-1].i + 1].text if words else ""
    return text or None


@step("speakers", requires=["layout", "attributions"], assigns=["speakers"])
def resolve_speakers(state: QuoteState) -> None:
    """The name and role behind every attribution's speaker mention, resolved in text order so that a
    pronoun can point back to the previous quote's speaker (None where there is no speaker)."""
    assert state.layout is not None and state.attributions is not None
    doc, layout = state.doc, state.layout
    quoted = frozenset(i for i, depth in enumerate(layout.depth) if depth)
    index = SpeakerIndex.build(doc, quoted, layout.sentence, layout.bounds)
    resolved: list[Resolved | None] = []
    for a in state.attributions:
        speaker = doc[a.source.start : a.source.end] if a.source else None
        found = index.resolve(speaker) if speaker is not None else None
        if found is not None and speaker is not None:
            # at the mention's last token: names inside it ("Strzok’s attorney") come before the speaker
            index.remember(speaker.end - 1, found)
        resolved.append(found)
    state.speakers = resolved
