"""Labels an outlet attaches to an entity: appositives ("X, the exiled son of ..."), title modifiers
("Kremlin spokesman X"), designators ("the Iranian regime", "the government") and relative clauses.

They need the dependency parse, so they are read at analysis from the article's ``Doc``
(:func:`doc_labels`, stored with the analysis) and named at comparison time, when the story's entities
are known (:func:`parallax.compare.labels.entity_labels`). :func:`parse_labels` re-parses the sentences of
an analysis made before labels were stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from parallax.model import AnalyzedArticle, EntityLabel, Mention, Sentence

__all__ = ["DESIGNATORS", "doc_labels", "is_description", "nameable", "parse_labels"]

LOGGER = logging.getLogger(__name__)

# Nouns an outlet may use to name a state or its rulers; which one it picks is a framing choice.
DESIGNATORS = frozenset({"regime", "government", "administration", "junta", "authorities", "leadership",
                         "rulers", "dictatorship", "theocracy", "clerics", "mullahs"})
_HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr", "sir", "dame"})
_LABELLED = frozenset({"PERSON", "ORG", "GPE", "NORP"})
MAX_LABEL_WORDS = 14
# Nouns that open a clause when a name follows them ("the day Ana left", "the only place Lia met him").
_LIGHT_NOUNS = frozenset("place time day way thing reason moment year week night point one".split())


def doc_labels(doc: Doc, sentences: Sequence[Sentence], mentions: Sequence[Mention]) -> tuple[EntityLabel, ...]:
    """Every label attached to a named entity in one parsed article, in text order."""
    labels: list[EntityLabel] = []
    for sent, named, previous in _sentences_to_parse(sentences, mentions):
        span = doc.char_span(sent.start, sent.end, alignment_mode="expand")
        if span is not None:
            labels.extend(_labels_in(span, sent, named, previous))
    return tuple(labels)


def parse_labels(item: AnalyzedArticle) -> tuple[EntityLabel, ...]:
    """The labels of an analysis stored without them: its sentences re-parsed one by one (NER and
    lemmatizer off), as comparisons did before labels were made at analysis."""
    from .nlp import load_nlp

    nlp = load_nlp(disable=("ner", "lemmatizer"))
    jobs = list(_sentences_to_parse(item.sentences, item.mentions))
    labels: list[EntityLabel] = []
    for doc, (sent, named, previous) in nlp.pipe(((job[0].text, job) for job in jobs), as_tuples=True,
                                                 batch_size=64):
        labels.extend(_labels_in(doc[:], sent, named, previous))
    LOGGER.debug("%d entity labels from %d re-parsed sentences of %s", len(labels), len(jobs), item.article.id)
    return tuple(labels)


def _sentences_to_parse(sentences: Sequence[Sentence], mentions: Sequence[Mention]
                        ) -> Iterator[tuple[Sentence, list[Mention], list[Mention]]]:
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    for sent in sentences:
        named = [m for m in by_sentence.get(sent.index, []) if m.label in _LABELLED]
        previous = by_sentence.get(sent.index - 1, [])
        lowered = sent.text.lower()
        if named or any(d in lowered for d in DESIGNATORS):
            yield sent, named, previous


def _labels_in(span: SpacySpan, sent: Sentence, mentions: list[Mention], previous: list[Mention]
               ) -> Iterator[EntityLabel]:
    """The labels in one sentence, ``span`` its parse (alone or inside the article's), with offsets into
    the article."""
    from parallax.keys import mention_key

    def at(char: int) -> int:  # a character of ``span``'s Doc, as an offset into the article
        return sent.start + char - span.start_char

    claimed: set[int] = set()
    for m in mentions:
        tokens = [t for t in span if m.start <= at(t.idx) < m.end]
        if not tokens:
            continue
        root = next((t for t in tokens if t.head not in tokens or t.head == t), tokens[-1])
        others = {t.i for t in span if _inside_other(at(t.idx), m, mentions)}
        if not nameable(mention_key(m)) or (m.label == "NORP" and root.pos_ != "PROPN"):
            continue  # "the billionaire ex-Republican": a group word used as a noun names no one
        for label in map(_noun_phrase, _around(root, tokens, titles=m.label == "PERSON")):
            if not label or label.root.i in others or label.text.lower() in _HONORIFICS:
                continue  # a title that is only "Mr.", or a span headed by another named entity
            if not is_description(label):
                continue
            claimed.update(t.i for t in label)
            yield EntityLabel(sent.article_id, m.start, label.text, at(label.start_char), at(label.end_char))
    yield from _designators(span, sent, mentions, previous, claimed)


def nameable(name: str) -> bool:
    """An entity a reader can recognise by this name: not a fragment of a party-and-state tag ("calif.")."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 3 and not (name.endswith(".") and " " not in name)


_MEASURES = frozenset({"percent", "percentage", "point", "points", "votes", "%"})
MAX_DESCRIPTION_WORDS = 10


def _noun_phrase(label: SpacySpan) -> SpacySpan:
    """The label without the relative clause its head noun carries ("the agent who disparaged …" ->
    "the agent"), and empty when what is left is still longer than a description runs."""
    doc = label.doc
    if not len(label):
        return label
    end = label.end
    for child in label.root.rights:
        if child.dep_ in ("relcl", "acl") and label.start <= child.left_edge.i < end:
            end = child.left_edge.i
    while end > label.start and (doc[end - 1].is_punct or doc[end - 1].pos_ in ("CCONJ", "ADP")):
        end -= 1
    phrase = doc[label.start : end]
    return phrase if len(phrase) <= MAX_DESCRIPTION_WORDS else doc[label.start : label.start]


def is_description(label: SpacySpan) -> bool:
    """Whether a span is a noun phrase that describes (``"the ministry's spokesman"``, ``"a Democrat"``):
    headed by a noun, with at least one common noun or adjective in it, and no unbalanced bracket or quote.
    Names alone ("R", "Calif."), clauses and verb phrases are fragments, not labels."""
    if label.root.pos_ not in ("NOUN", "PROPN") or label.root.dep_ == "relcl":
        return False
    if label.root.lower_ in _MEASURES or any(t.like_num and t.head == label.root for t in label):
        return False  # "49 percent to 44 percent": a figure, not a description
    described = any(t.pos_ in ("NOUN", "ADJ") and t.is_alpha and len(t) >= 3 for t in label)
    # "a Democrat", "the Republican": a proper noun after an article describes; a bare "Calif." does not.
    introduced = label.start > 0 and label.doc[label.start - 1].lower_ in ("a", "an", "the") and \
        any(t.is_alpha and len(t) >= 3 for t in label)
    if not (described or introduced):
        return False
    text = label.text
    if text.count("(") != text.count(")") or text.count("“") != text.count("”") or text.count('"') % 2:
        return False
    return sum(c.isalpha() for c in text) >= 4


def _inside_other(at: int, mention: Mention, mentions: list[Mention]) -> bool:
    return any(o is not mention and o.start <= at < o.end for o in mentions)


def _around(root: Token, tokens: list[Token], *, titles: bool = True) -> Iterator[SpacySpan]:
    doc = root.doc
    inside = {t.i for t in tokens}
    for child in root.children:
        # a name set off as the apposition of a noun takes no second one ("gives the director, Chris Wray,
        # a chance": the parse's appositive is the verb's object); "the politician Anthony Weiner, the
        # husband of …" does
        stacked = root.dep_ == "appos" and root.head.pos_ == "NOUN" and doc[min(inside) - 1].is_punct
        # "gives Mr. Roos and the director, Karl Lund, a chance to move on": a noun with an infinitive of its
        # own after a name is the verb's second object, not a description of the name
        infinitive = any(c.dep_ == "acl" and any(t.dep_ == "aux" and t.lower_ == "to" for t in c.lefts)
                         for c in child.rights)
        if child.dep_ == "appos" and child.i not in inside and not stacked and not infinitive \
                and _set_off(root, child):
            yield _trim(doc[child.left_edge.i : child.right_edge.i + 1])
        elif child.dep_ == "relcl":
            yield _trim(doc[child.left_edge.i : child.right_edge.i + 1])
    # Titles before a name: "Kremlin spokesman", "Iranian Foreign Minister"; keep the nominal part: the
    # words right before the name that can make a title (nouns, adjectives, names, a possessive, hyphens),
    # not a clause the parse hung on it ("A major split between Trump and Mattis concerned Russian President").
    # Only people carry titles; before an organisation or a place the words are its use ("FBI career").
    mods = [c for c in root.lefts if titles and c.i not in inside and c.dep_ in ("compound", "amod", "nmod")]
    if mods:
        start = min(inside)
        lowest = min(c.left_edge.i for c in mods)
        while start > lowest and (_title_word(doc[start - 1]) or (
                doc[start - 1].lower_ == "of" and doc[start - 2].pos_ in ("NOUN", "PROPN"))):  # "Secretary of State"
            start -= 1
        # a participle right after a noun ends a clause, not a title: "Trump fired | Secretary of State",
        # "A split between Trump and Mattis concerned | Russian President"; "retired Marine general" stays
        for k in range(start + 1, min(inside)):
            if doc[k].lower_.endswith("ed") and doc[k].pos_ in ("VERB", "ADJ") and doc[k - 1].pos_ in ("NOUN", "PROPN"):
                start = k + 1
        while start < min(inside) and doc[start].lower_ == "of":
            start += 1
        title = doc[start : min(inside)]
        # a person's title is singular: "texts Strzok sent" is a clause about texts, not a title
        if any(t.pos_ in ("NOUN", "PROPN", "ADJ") for t in title) and title[-1].tag_ != "NNS":
            yield _trim(title)
    # "the agency's spokesman, Ana Vale" or "her daughter Lia": the noun the name stands in apposition to,
    # after a comma or a dash or right before the name; anywhere else the parse has made a clause's object
    # an appositive ("Trump's hardline approach to immigration alienated Bloomberg"). Light nouns right
    # before a name open a clause instead ("the only place Mike and Donald would have met").
    before = doc[min(inside) - 1] if min(inside) > 0 else None
    introduced = before is not None and (before.text in {",", "—", "–", "(", ":"} or (
        before.i == root.head.i and root.head.lemma_.lower() not in _LIGHT_NOUNS))
    if root.dep_ == "appos" and root.head.i not in inside and root.head.pos_ == "NOUN" and introduced:
        head = root.head
        start = head.left_edge.i
        while start < head.i and doc[start].pos_ in {"CCONJ", "SCONJ"}:
            start += 1
        end = head.i + 1
        for child in head.rights:  # "Boehner’s chief of staff, Mike Sommers": the title runs to "staff"
            if child.dep_ == "prep" and child.lower_ == "of" and child.right_edge.i < min(inside):
                end = child.right_edge.i + 1
        yield _trim(doc[start:end])


def _title_word(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") or token.tag_ in ("POS", "VBN") or token.text in {"-", "."}


def _set_off(root: Token, appositive: Token) -> bool:
    """An appositive follows the name set off by a comma, a dash or a bracket, with nothing between but
    what belongs to the name ("Nancy Pelosi of California, the Democratic leader", "Strzok, 48, a
    graduate"), and a verb right after it has the name as its subject: "X of being a Democrat — a charge
    …" is no apposition of X (the "of" phrase is the verb's), nor is "…, Jeff Sessions, the split with
    Mr. Mattis was …" one of Sessions (he is not what "was" is said of)."""
    doc = root.doc
    start, end = appositive.left_edge.i, appositive.right_edge.i
    between = doc[root.i + 1 : start]
    own = {t.i for t in root.subtree} - {t.i for t in appositive.subtree}
    if len(between) and (not between[-1].is_punct or any(t.i not in own for t in between)):
        return False
    after = doc[end + 1] if end + 1 < len(doc) else None
    if after is None or after.is_punct or after.pos_ not in ("VERB", "AUX"):
        return True
    verb = after if after.dep_ not in ("aux", "auxpass") else after.head
    return root.dep_ in ("nsubj", "nsubjpass") and root.head.i == verb.i


def _trim(label: SpacySpan) -> SpacySpan:
    """Drop leading/trailing punctuation and cap the length."""
    start, end = label.start, label.end
    doc = label.doc
    while start < end and (doc[start].is_punct or doc[start].dep_ == "det" and doc[start].lower_ in ("a", "an")):
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return doc[start : min(end, start + MAX_LABEL_WORDS)]


def _possessors_above(token: Token, sent: Sentence, span: SpacySpan) -> set[int]:
    """Article offsets of possessors of the designator's governing nouns ("Moscow's loyalty to the regime")."""
    out: set[int] = set()
    for head in token.ancestors:
        for child in head.children:
            if child.dep_ == "poss":
                out.add(sent.start + child.left_edge.idx - span.start_char)
    return out


def _designators(span: SpacySpan, sent: Sentence, mentions: list[Mention], previous: list[Mention],
                 claimed: set[int]) -> Iterator[EntityLabel]:
    """"the Iranian regime" (entity as modifier) or a bare "the regime" (nearest preceding place)."""
    places = [m for m in [*previous, *mentions] if m.label in ("GPE", "NORP")]
    for token in span:
        if token.lower_ not in DESIGNATORS or token.pos_ != "NOUN" or token.i in claimed:
            continue
        offset = sent.start + token.idx - span.start_char
        modifier = [c for c in token.lefts if c.dep_ in ("compound", "amod", "poss", "nmod")]
        target = None
        for m in mentions:
            if any(m.start <= sent.start + c.idx - span.start_char < m.end for c in modifier):
                target = m
        if target is None and not modifier and any(c.lower_ == "the" for c in token.lefts):
            possessors = _possessors_above(token, sent, span)
            before = [m for m in places if (m.sentence < sent.index or m.end <= offset)
                      and not (m.sentence == sent.index and m.start in possessors)]
            target = before[-1] if before else None
        if target is not None:
            start = sent.start + token.left_edge.idx - span.start_char
            yield EntityLabel(sent.article_id, target.start, span.doc[token.left_edge.i : token.i + 1].text,
                              start, offset + len(token))
