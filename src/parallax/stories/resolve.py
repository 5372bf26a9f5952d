"""Cross-document entity resolution: one canonical entity per person, organisation or place.

Mentions are grouped in four passes, each adding only links it has evidence for:

1. *Label voting*: spaCy's single labels are unreliable ("Trump" as ORG, surnames as GPE), so a name's
   kind is the majority label of every mention of the same folded form across all articles; a one-word
   name is a person's when a full name ending in it is mentioned in the same article.
2. *Full names* of people merge when their surnames fold to the same key (transliteration folds:
   Dmitri/Dmitry) and their first names are compatible (equal after folding, or an initial of it);
   titles, honorifics, middle initials and possessives are dropped first.
3. *Surname-only* mentions ("Mr. X", "X's") join the full name with that surname in the same article,
   else the only one in the whole input; with two candidates they stay apart (no evidence).
4. *Acronyms* join the one expansion whose initials spell them (IAEA).

Entities whose names differ by one or two edits on a long name, used by different outlets, are not
merged: each gets a ``possible_misspellings`` note with the evidence.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from parallax.model import AnalyzedArticle, Entity, EntityAlias, Mention

from .names import STOP_PARTS, acronym_of, clean_name, fold, is_acronym, name_tokens, strip_titles

__all__ = ["MentionKey", "linked_entities", "resolve_entities"]

LOGGER = logging.getLogger(__name__)

MentionKey = tuple[str, int, int]
RESOLVED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})
# Titles that precede only people's names (unlike "Secretary", "General", "Chief", which also head
# organisation names); a mention after one of these votes PERSON twice.
PERSON_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sen", "senator", "rep", "gov", "governor", "president",
                           "minister", "ayatollah", "sheikh", "judge", "justice", "mayor", "spokesman",
                           "spokeswoman", "pope", "prof", "sir", "dame", "lt", "sgt", "capt", "col", "gen"})
MISSPELLING_MIN_LENGTH = 5  # shorter names differ by one letter too often (Kim/Kin) to flag
MISSPELLING_MAX_EDITS = 2
# Group and place words vary by inflection (Democrats/Democratic), names of people and bodies do not.
MISSPELLING_LABELS = frozenset({"PERSON", "ORG", "FAC"})


@dataclass(slots=True)
class _Ref:
    """One mention with its outlet and the name forms derived from it."""

    mention: Mention
    outlet: str
    tokens: list[str]  # person-style tokens (titles and middle initials removed), lower case
    plain: str  # folded full form (no title stripping) for non-person names
    titled: bool  # written after (or starting with) a personal title: "Mr.", "President"


@dataclass(slots=True)
class _Group:
    refs: list[_Ref] = field(default_factory=list)
    label: str = ""
    surname: str = ""
    first: str = ""


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _surname_key(token: str) -> str:
    for prefix in ("al-", "el-", " al ", "el "):
        if token.startswith(prefix) and len(token) > len(prefix) + 2:
            token = token[len(prefix):]
    return fold(token)


def _refs(analyzed: Sequence[AnalyzedArticle]) -> list[_Ref]:
    refs = []
    for item in analyzed:
        for mention in item.mentions:
            if mention.label not in RESOLVED_LABELS or not any(c.isupper() for c in mention.text):
                continue  # all-lower-case spans ("marijuana") are NER slips, not names
            tokens = name_tokens(mention.text, person=True)
            plain_tokens = name_tokens(mention.text, person=False)
            if not tokens or not plain_tokens:
                continue
            plain = " ".join(fold(t) for t in plain_tokens)
            titled = _titled(item.article.text, mention)
            refs.append(_Ref(mention, item.article.outlet, tokens, plain, titled))
    return refs


def _titled(text: str, mention: Mention) -> bool:
    """Is the mention preceded by, or does it start with, a title used only before people's names?"""
    # the word right before the name, or the name's own first word: "A spokesman for St. Louis County" does
    # not title the county ("Foreign Minister Lavrov", "Sen. Cruz" have the title next to the name)
    before = text[max(0, mention.start - 24): mention.start].split()
    words = [w.lower().rstrip(".") for w in before[-1:]] + [mention.text.split()[0].lower().rstrip(".")]
    return any(w in PERSON_TITLES for w in words)


def _person_forms(refs: list[_Ref], speakers: frozenset[str] = frozenset()) -> tuple[set[int], dict[str, set[str]]]:
    """Indexes of refs that name people (by vote), and per article the surnames of full names in it.
    A full name the quote stage resolved as a speaker's (``speakers``, folded) whose surname alone is voted
    a person counts as titled: "Aitan Goelman", tagged ORG in all three articles, is the lawyer quoted in
    each, and "Goelman" alone is tagged PERSON as often as ORG ("White House" speaks too, but "House" alone
    is no person)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for ref in refs:
        key = " ".join(fold(t) for t in ref.tokens)
        votes[key]["PERSON" if ref.titled else ref.mention.label] += 2 if ref.titled else 1
        votes[key]["TITLED"] += ref.titled
    for key in {" ".join(fold(t) for t in ref.tokens) for ref in refs if len(ref.tokens) >= 2} & speakers:
        surname = key.rsplit(" ", 1)[-1]
        if surname in votes and _votes_person(votes[surname]) and not _votes_person(votes[key]):
            votes[key]["PERSON"] += 2 * sum(votes[key].values())
            votes[key]["TITLED"] += 1
    full_in_article: dict[str, set[str]] = defaultdict(set)
    people: set[int] = set()
    for index, ref in enumerate(refs):
        key = " ".join(fold(t) for t in ref.tokens)
        if len(ref.tokens) >= 2 and _name_shaped(ref.mention.text) and _votes_person(votes[key]):
            people.add(index)
            full_in_article[ref.mention.article_id].add(_surname_key(ref.tokens[-1]))
    for index, ref in enumerate(refs):
        if len(ref.tokens) != 1 or is_acronym(clean_name(ref.mention.text)) or not _name_shaped(ref.mention.text):
            continue
        key = fold(ref.tokens[0])
        surname = _surname_key(ref.tokens[0])
        if _votes_person(votes[key]) or surname in full_in_article[ref.mention.article_id]:
            people.add(index)
    return people, full_in_article


def _name_shaped(text: str) -> bool:
    """Capitalised words and no possessive before the last word ("distributes marijuana" and
    "Trump's Twitter" are NER slips, not names)."""
    words = text.replace("’", "'").split()
    if any("'s" in word for word in words[:-1]):
        return False
    return all(w[0].isupper() or w.lower() in STOP_PARTS or not w[0].isalpha() for w in words)


def _votes_person(votes: Counter[str]) -> bool:
    """PERSON wins the vote, or holds a third of it with a title behind it ("President X" once,
    "the X administration" tagged ORG twice)."""
    labels = {label: n for label, n in votes.items() if label != "TITLED"}
    person = labels.get("PERSON", 0)
    return person >= max(labels.values()) or (votes["TITLED"] > 0 and 3 * person >= sum(labels.values()))


def _compatible_first(a: str, b: str) -> bool:
    """Could first names ``a`` and ``b`` (lower case) belong to the same person?"""
    if not a or not b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    fa, fb = fold(a), fold(b)
    return fa == fb or (min(len(fa), len(fb)) >= 5 and Levenshtein.distance(fa, fb) <= 1)


def _middle(ref: _Ref) -> str:
    """The middle initials a full name gives ("George H.W. Bush" -> "HW", "Karl M. Lund" -> "M"), "" if none."""
    words = strip_titles(clean_name(ref.mention.text).split())
    return "".join(letter for word in words[1:-1] if len(word.replace(".", "")) <= 2
                   for letter in word if letter.isalpha()).upper()


def _compatible_middle(a: str, b: str) -> bool:
    """Two names with middle initials are one person only with the same initials ("George W. Bush" is not
    "George H.W. Bush"); a name without them fits either."""
    return not a or not b or a == b


def _link_people(refs: list[_Ref], people: set[int], uf: _UnionFind) -> set[str]:
    """Passes 2 and 3: full names by surname + compatible first name, then surname-only mentions. Returns
    the surnames that several people of the story share ("Barack Obama", "Malia Obama")."""
    full: dict[str, list[int]] = defaultdict(list)  # surname key -> ref indexes of full names
    for index in sorted(people):
        if len(refs[index].tokens) >= 2:
            full[_surname_key(refs[index].tokens[-1])].append(index)
    firsts_of: dict[str, list[tuple[str, int]]] = {}
    for surname, indexes in full.items():
        heads: list[tuple[str, int]] = []  # (first name, representative ref) per distinct person
        for index in sorted(indexes, key=lambda i: -len(refs[i].tokens[0])):
            first = refs[index].tokens[0]
            matches = [h for h in heads if _compatible_first(first, h[0])
                       and _compatible_middle(_middle(refs[index]), _middle(refs[h[1]]))]
            if len(matches) == 1 or (matches and len(first) > 1):
                uf.union(index, matches[0][1])
            else:
                heads.append((first, index))
        firsts_of[surname] = heads
    by_article: dict[tuple[str, str], set[int]] = defaultdict(set)
    for surname, heads in firsts_of.items():
        for _first, head in heads:
            for index in full[surname]:
                if uf.find(index) == uf.find(head):
                    by_article[(refs[index].mention.article_id, surname)].add(uf.find(head))
    first_named: dict[str, set[int]] = defaultdict(set)  # first name -> one ref of each person bearing it
    for heads in firsts_of.values():
        for first, head in heads:
            if len(first) > 1:
                first_named[fold(first)].add(uf.find(head))
    for index in sorted(people):
        ref = refs[index]
        if len(ref.tokens) != 1:
            continue
        surname = _surname_key(ref.tokens[0])
        local = by_article.get((ref.mention.article_id, surname), set())
        heads = firsts_of.get(surname, [])
        if len(local) == 1:
            uf.union(index, next(iter(local)))
        elif not local and len(heads) == 1:
            uf.union(index, heads[0][1])
        elif not local and not heads and len(first_named.get(fold(ref.tokens[0]), ())) == 1:
            # a first name alone ("Hillary") that is no one's surname and the first name of one person
            uf.union(index, next(iter(first_named[fold(ref.tokens[0])])))
    return {surname for surname, heads in firsts_of.items() if len(heads) > 1}


def _link_names(refs: list[_Ref], people: set[int], uf: _UnionFind, shared_surnames: set[str] = frozenset()) -> None:
    """Same folded form (non-people and one-word people alike), then acronyms to their expansion. A
    surname several people of the story bear is not linked by its form: "Obama" in one article may be the
    father and in another a daughter, and linking the two would make one person of them."""
    first_of: dict[tuple[bool, str], int] = {}
    for index, ref in enumerate(refs):
        person = index in people
        # "F.B.I." and "FBI", "U.S." and "US": the stops of an abbreviation are a house style, not the name
        key = (person, _surname_key(ref.tokens[0]) if person and len(ref.tokens) == 1 else _unstopped(ref.plain))
        if person and (len(ref.tokens) >= 2 or key[1] in shared_surnames):
            continue
        if key in first_of:
            uf.union(index, first_of[key])
        else:
            first_of[key] = index
    expansions: dict[str, set[int]] = defaultdict(set)
    for index, ref in enumerate(refs):
        words = clean_name(ref.mention.text).split()
        if index not in people and len(words) >= 2 and not is_acronym("".join(words)):
            expansions[acronym_of(ref.mention.text)].add(uf.find(index))
    for index, ref in enumerate(refs):
        form = clean_name(ref.mention.text).replace(" ", "")
        if index in people or not is_acronym(form):
            continue
        roots = {uf.find(i) for i in expansions.get(form.replace(".", "").upper(), set())}
        if len(roots) == 1:
            uf.union(index, next(iter(roots)))


def _unstopped(plain: str) -> str:
    """A name key with an abbreviation's letters written together ("f b i" -> "fbi", "u s" -> "us")."""
    words = plain.replace(".", " ").split()
    return "".join(words) if words and all(len(w) == 1 for w in words) else " ".join(words)


def _entity_id(label: str, name: str) -> str:
    return "ent-" + hashlib.sha1(f"{label}:{name.lower()}".encode()).hexdigest()[:12]


def _form(text: str) -> str:
    """A mention as written, without a possessive ending or a leading "the"."""
    text = " ".join(text.replace("’", "'").split())
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    return re.sub(r"(?:'s|s')$", lambda m: "s" if m.group(0) == "s'" else "", text)


def _display(ref: _Ref, person: bool) -> str:
    """A mention's form as written, for people without a leading title."""
    if not person:
        return _form(ref.mention.text)
    return " ".join(strip_titles(_form(ref.mention.text).split()))


def _build(group: list[_Ref], person: bool) -> Entity:
    labels = Counter(r.mention.label for r in group)
    label = "PERSON" if person else labels.most_common(1)[0][0]
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for ref in group:
        forms[_form(ref.mention.text)][ref.outlet] += 1
    names = Counter(_display(r, person) for r in group)
    name = max(names, key=lambda n: (len(n.split()) >= 2, names[n], -len(n)))
    aliases = tuple(
        EntityAlias(form, sum(outlets.values()), tuple(sorted(outlets)))
        for form, outlets in sorted(forms.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    )
    article_ids = tuple(sorted({r.mention.article_id for r in group}))
    return Entity(_entity_id(label, name), name, label, aliases, len(group), article_ids)


def _misspellings(entities: list[Entity], surnames: dict[str, str]) -> list[Entity]:
    """Flag entities whose distinguishing names are one or two edits apart, used by different outlets."""
    notes: dict[str, list[str]] = defaultdict(list)
    by_label: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        by_label["PERSON" if entity.label == "PERSON" else "OTHER"].append(entity)
    for group in by_label.values():
        for i, j in _close_keys([surnames.get(e.id, e.name.lower()) for e in group]):
            a, b = group[i], group[j]
            note = _near_miss(a, b, surnames)
            if note:
                notes[a.id].append(note)
                notes[b.id].append(note)
    return [
        Entity(e.id, e.name, e.label, e.aliases, e.mention_count, e.article_ids, tuple(notes[e.id]))
        if notes.get(e.id) else e
        for e in entities
    ]


def _close_keys(keys: list[str], block: int = 512) -> list[tuple[int, int]]:
    """Pairs (i < j), in order, of keys at most ``MISSPELLING_MAX_EDITS`` edits apart: the only pairs
    :func:`_near_miss` can flag. Distances are computed in blocks of rows in C (a story of a few hundred
    articles has thousands of entities; every pair in Python cost seconds)."""
    import numpy as np
    from rapidfuzz import process

    pairs: list[tuple[int, int]] = []
    # names shorter than MISSPELLING_MIN_LENGTH are never flagged: leave them out of the distances
    long_ = [k for k, key in enumerate(keys) if len(key) >= MISSPELLING_MIN_LENGTH]
    texts = [keys[k] for k in long_]
    for start in range(0, len(texts), block):
        distances = process.cdist(texts[start:start + block], texts, scorer=Levenshtein.distance,
                                  score_cutoff=MISSPELLING_MAX_EDITS, dtype=np.int32, workers=1)
        for i, j in np.argwhere(distances <= MISSPELLING_MAX_EDITS).tolist():
            if start + i < j:
                pairs.append((long_[start + i], long_[j]))
    return pairs


def _near_miss(a: Entity, b: Entity, surnames: dict[str, str]) -> str | None:
    key_a, key_b = surnames.get(a.id, a.name.lower()), surnames.get(b.id, b.name.lower())
    if a.label != b.label or a.label not in MISSPELLING_LABELS:
        return None
    if min(len(key_a), len(key_b)) < MISSPELLING_MIN_LENGTH or key_a == key_b:
        return None
    if a.label != "PERSON" and (key_a.startswith(key_b) or key_b.startswith(key_a)):  # Israel/Israeli
        return None
    edits = Levenshtein.distance(key_a, key_b)
    # Short organisation names two edits apart are mostly two words ("State" / "Senate"), not one misspelt.
    limit = MISSPELLING_MAX_EDITS if a.label == "PERSON" or min(len(key_a), len(key_b)) >= 8 else 1
    if edits > limit:
        return None
    outlets_a = {o for alias in a.aliases for o in alias.outlets}
    outlets_b = {o for alias in b.aliases for o in alias.outlets}
    if outlets_a == outlets_b and len(outlets_a) == 1:
        return None
    first_a, first_b = a.name.split()[0].lower(), b.name.split()[0].lower()
    same_first = len(a.name.split()) > 1 and len(b.name.split()) > 1 and _compatible_first(first_a, first_b)
    if a.label == "PERSON" and len(a.name.split()) > 1 and len(b.name.split()) > 1 and not same_first:
        return None
    evidence = "same first name" if same_first else "used by different outlets"
    return (f"{a.name} ~ {b.name} (edit distance {edits}, {evidence}; "
            f"{a.name}: {', '.join(sorted(outlets_a))}; {b.name}: {', '.join(sorted(outlets_b))})")


def resolve_entities(
    analyzed: Sequence[AnalyzedArticle],
) -> tuple[list[Entity], dict[MentionKey, str]]:
    """Canonical entities across ``analyzed`` and the entity id of each mention.

    Args:
        analyzed: articles with their NER mentions (typically the articles of one story).

    Returns:
        The entities, most mentioned first, and a map from ``(article_id, start, end)`` of every
        resolved mention to its entity id.
    """
    refs = _refs(analyzed)
    speakers = frozenset(" ".join(fold(t) for t in name_tokens(q.speaker_name, person=True))
                         for item in analyzed for q in item.quotes if q.speaker_name)
    people, _ = _person_forms(refs, speakers)
    uf = _UnionFind()
    for index in range(len(refs)):
        uf.find(index)
    shared_surnames = _link_people(refs, people, uf)
    _link_names(refs, people, uf, shared_surnames)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(refs)):
        groups[uf.find(index)].append(index)
    entities: list[Entity] = []
    surnames: dict[str, str] = {}
    mapping: dict[MentionKey, str] = {}
    for members in groups.values():
        person = any(i in people for i in members)
        entity = _build([refs[i] for i in members], person)
        entities.append(entity)
        if person:
            surnames[entity.id] = refs[members[0]].tokens[-1]
        for i in members:
            m = refs[i].mention
            mapping[(m.article_id, m.start, m.end)] = entity.id
    entities.sort(key=lambda e: (-e.mention_count, e.name))
    return _misspellings(entities, surnames), mapping


def linked_entities(analyzed: Sequence[AnalyzedArticle]) -> tuple[list[Entity], list[AnalyzedArticle]]:
    """:func:`resolve_entities`, and the articles with each resolved mention's ``entity_id`` set: what a
    story's comparison is computed from."""
    from dataclasses import replace

    entities, mention_ids = resolve_entities(analyzed)
    linked = [
        replace(item, mentions=tuple(replace(m, entity_id=mention_ids.get((m.article_id, m.start, m.end), m.entity_id))
                                     for m in item.mentions))
        for item in analyzed
    ]
    return entities, linked
