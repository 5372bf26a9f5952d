"""Cross-document entity resolution: titles, initials, transliterations, acronyms, same surnames."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_path
from stories_helpers import analysed, parsed

from parallax.model import AnalyzedArticle, Article, Entity
from parallax.stories.names import acronym_of, fold, name_tokens
from parallax.stories.resolve import resolve_entities


def _entity_of(entities: list[Entity], form: str) -> Entity:
    found = [e for e in entities if any(a.form == form for a in e.aliases)]
    assert len(found) == 1, f"{form!r} is in {len(found)} entities"
    return found[0]


@pytest.fixture(scope="module")
def seed_analyses(nlp) -> list[AnalyzedArticle]:  # type: ignore[no-untyped-def]
    folder: Path = shared_path("seeds")
    result = []
    for number, path in enumerate(sorted(folder.glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        article = Article(id=path.stem, outlet=f"outlet-{number}", title=text.split("\n", 1)[0], text=text)
        result.append(parsed(nlp, article))
    return result


@pytest.mark.parametrize("forms", [
    ("Vladimir V. Putin", "Vladimir Putin", "Putin"),
    ("Dmitri S. Peskov", "Dmitry Peskov"),
])
def test_entities_seed_forms_are_one_entity(seed_analyses, forms) -> None:  # type: ignore[no-untyped-def]
    entities, _ = resolve_entities(seed_analyses)
    assert len({_entity_of(entities, form).id for form in forms}) == 1


def test_entities_seed_honorific_mention_joins(seed_analyses) -> None:  # type: ignore[no-untyped-def]
    entities, mapping = resolve_entities(seed_analyses)
    target = _entity_of(entities, "Vladimir V. Putin").id
    honorific = [
        (a.article.id, m.start, m.end)
        for a in seed_analyses for m in a.mentions
        if a.article.text[max(0, m.start - 4): m.start] == "Mr. " and m.text.startswith("Putin")
    ]
    assert honorific, "the NYT seed says 'Mr. Putin'"
    assert {mapping[key] for key in honorific} == {target}


def test_entities_aliases_record_outlets(seed_analyses) -> None:  # type: ignore[no-untyped-def]
    entities, _ = resolve_entities(seed_analyses)
    entity = _entity_of(entities, "Dmitry Peskov")
    outlets = {alias.form: alias.outlets for alias in entity.aliases}
    assert outlets["Dmitry Peskov"] == ("outlet-1",)
    assert outlets["Dmitri S. Peskov"] == ("outlet-0",)


def test_entities_same_surname_different_people_stay_apart() -> None:
    a = analysed("a", "A", "Donald Trump met Melania Trump.", [("Donald Trump", "PERSON"),
                                                               ("Melania Trump", "PERSON")])
    b = analysed("b", "B", "Hunter Biden and Joe Biden spoke; Biden left.",
                 [("Hunter Biden", "PERSON"), ("Joe Biden", "PERSON"), ("Biden", "PERSON")])
    entities, mapping = resolve_entities([a, b])
    assert _entity_of(entities, "Donald Trump").id != _entity_of(entities, "Melania Trump").id
    assert _entity_of(entities, "Hunter Biden").id != _entity_of(entities, "Joe Biden").id
    start = b.article.text.rindex("Biden")
    ambiguous = mapping[("b", start, start + 5)]
    assert ambiguous not in {_entity_of(entities, "Hunter Biden").id, _entity_of(entities, "Joe Biden").id}


def test_entities_a_surname_two_people_share_does_not_join_them_across_articles() -> None:
    """Each article names one Varga in full and then "Varga": in each, the surname is that article's
    Varga, but the two Vargas are two people, and the bare surname must not make them one."""
    a = analysed("a", "A", "Ilse Varga spoke. Varga left.", [("Ilse Varga", "PERSON"), ("Varga", "PERSON")])
    b = analysed("b", "B", "Tomas Varga spoke. Varga stayed.", [("Tomas Varga", "PERSON"), ("Varga", "PERSON")])
    c = analysed("c", "C", "Anna Varga and Tomas Varga met, and Varga left.",
                 [("Anna Varga", "PERSON"), ("Tomas Varga", "PERSON"), ("Varga", "PERSON")])
    entities, mapping = resolve_entities([a, b, c])
    ilse, tomas = _entity_of(entities, "Ilse Varga"), _entity_of(entities, "Tomas Varga")
    assert ilse.id != tomas.id
    assert mapping[("a", 18, 23)] == ilse.id and mapping[("b", 19, 24)] == tomas.id


def test_entities_surname_joins_only_candidate_in_article() -> None:
    a = analysed("a", "A", "Ms. Jane Doe spoke. Later Mr. Roe and Doe's aide left.",
                 [("Jane Doe", "PERSON"), ("Roe", "PERSON"), ("Doe", "GPE")])
    entities, _ = resolve_entities([a])
    assert _entity_of(entities, "Jane Doe").id == _entity_of(entities, "Doe").id


def test_entities_acronym_joins_expansion() -> None:
    a = analysed("a", "A", "The International Atomic Energy Agency said so.",
                 [("International Atomic Energy Agency", "ORG")])
    b = analysed("b", "B", "The IAEA chief disagreed.", [("IAEA", "ORG")])
    entities, _ = resolve_entities([a, b])
    entity = _entity_of(entities, "IAEA")
    assert entity.name == "International Atomic Energy Agency"
    assert {o for alias in entity.aliases for o in alias.outlets} == {"A", "B"}


def test_entities_near_miss_flagged_not_merged() -> None:
    a = analysed("a", "A", "Rafael Grossi warned.", [("Rafael Grossi", "PERSON")])
    b = analysed("b", "B", "Rafael Gross warned.", [("Rafael Gross", "PERSON")])
    entities, _ = resolve_entities([a, b])
    first, second = _entity_of(entities, "Rafael Grossi"), _entity_of(entities, "Rafael Gross")
    assert first.id != second.id
    assert first.possible_misspellings and "edit distance 1" in first.possible_misspellings[0]


def test_entities_short_organisations_two_edits_apart_are_not_flagged() -> None:
    a = analysed("a", "A", "The State of Lindholm and the Senate met.", [("State", "ORG"), ("Senate", "ORG")])
    b = analysed("b", "B", "The State met, and the Hizbollah and Lindholm Harbour Trust spoke.",
                 [("State", "ORG"), ("Hizbollah", "ORG"), ("Lindholm Harbour Trust", "ORG")])
    c = analysed("c", "C", "The Hezbollah and the Lindholm Harbor Trust spoke.",
                 [("Hezbollah", "ORG"), ("Lindholm Harbor Trust", "ORG")])
    entities, _ = resolve_entities([a, b, c])
    assert not _entity_of(entities, "State").possible_misspellings
    assert _entity_of(entities, "Hezbollah").possible_misspellings  # one edit: still flagged
    assert _entity_of(entities, "Lindholm Harbor Trust").possible_misspellings


def test_entities_mislabelled_surname_votes_person() -> None:
    a = analysed("a", "A", "Foreign Minister Abbas Karimi arrived. Karimi said no.",
                 [("Abbas Karimi", "PERSON"), ("Karimi", "GPE")])
    entities, _ = resolve_entities([a])
    entity = _entity_of(entities, "Karimi")
    assert entity.label == "PERSON" and entity.name == "Abbas Karimi"


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Dmitri", "Dmitry", True),
    ("Sergei", "Sergey", True),
    ("Mikhail", "Mihail", True),
    ("Maria", "Mario", False),
])
def test_entities_transliteration_fold(a: str, b: str, same: bool) -> None:
    assert (fold(a) == fold(b)) is same


@pytest.mark.parametrize(("text", "tokens"), [
    ("Vladimir V. Putin", ["vladimir", "putin"]),
    ("Mr. Putin’s", ["putin"]),
    ("President Vladimir Putin", ["vladimir", "putin"]),
])
def test_entities_name_tokens_strip_titles_initials(text: str, tokens: list[str]) -> None:
    assert name_tokens(text, person=True) == tokens


def test_entities_acronym_of_skips_function_words() -> None:
    assert acronym_of("the Organization of the Petroleum Exporting Countries") == "OPEC"


def test_entities_inflections_not_flagged_as_misspellings() -> None:
    a = analysed("a", "A", "Democrats and Democratic senators met.", [("Democrats", "NORP"), ("Democratic", "NORP")])
    b = analysed("b", "B", "Democratic leaders spoke.", [("Democratic", "NORP")])
    entities, _ = resolve_entities([a, b])
    assert not any(e.possible_misspellings for e in entities)


def test_entities_lower_case_spans_ignored() -> None:
    a = analysed("a", "A", "He distributes marijuana, said Jon Bruning.",
                 [("distributes marijuana", "PERSON"), ("Jon Bruning", "PERSON")])
    entities, mapping = resolve_entities([a])
    assert [e.name for e in entities] == ["Jon Bruning"] and len(mapping) == 1


def test_entities_different_middle_initials_are_different_people() -> None:
    a = analysed("a", "A", "Karl H.W. Brandt and Karl W. Brandt both spoke.",
                 [("Karl H.W. Brandt", "PERSON"), ("Karl W. Brandt", "PERSON")])
    b = analysed("b", "B", "Karl Brandt spoke, and Dmitri S. Peskov listened.",
                 [("Karl Brandt", "PERSON"), ("Dmitri S. Peskov", "PERSON")])
    c = analysed("c", "C", "Dmitry Peskov agreed.", [("Dmitry Peskov", "PERSON")])
    entities, _ = resolve_entities([a, b, c])
    assert _entity_of(entities, "Karl H.W. Brandt").id != _entity_of(entities, "Karl W. Brandt").id
    assert _entity_of(entities, "Dmitri S. Peskov").id == _entity_of(entities, "Dmitry Peskov").id


def test_entities_abbreviation_stops_are_house_style() -> None:
    a = analysed("a", "A", "The F.B.I. said so.", [("F.B.I.", "GPE")])
    b = analysed("b", "B", "The FBI said so.", [("FBI", "ORG")])
    entities, _ = resolve_entities([a, b])
    assert _entity_of(entities, "F.B.I.").id == _entity_of(entities, "FBI").id


def test_entities_a_quoted_speaker_tagged_as_an_organisation_is_a_person() -> None:
    from dataclasses import replace

    from parallax.model import Quote, Span

    items = []
    for key, label in (("a", "ORG"), ("b", "PERSON")):
        text = "Lawyer Tomas Vrba said it was wrong. Vrba added more."
        item = analysed(key, key.upper(), text, [("Tomas Vrba", "ORG"), ("Vrba", label)])
        quote = Quote(key, "indirect", Span(29, 36, text[29:36]), speaker_name="Tomas Vrba")
        items.append(replace(item, quotes=(quote,)))
    entities, _ = resolve_entities(items)
    assert _entity_of(entities, "Tomas Vrba").id == _entity_of(entities, "Vrba").id
    assert _entity_of(entities, "Tomas Vrba").label == "PERSON"
    # without the quote, nothing says the organisation-tagged full name is the person
    bare = [replace(item, quotes=()) for item in items]
    entities, _ = resolve_entities(bare)
    assert _entity_of(entities, "Tomas Vrba").id != _entity_of(entities, "Vrba").id


def test_entities_a_first_name_alone_joins_the_one_person_bearing_it() -> None:
    a = analysed("a", "A", "Ilse Varga and Tomas Brandt met Anna Roos. Ilse left early.",
                 [("Ilse Varga", "PERSON"), ("Tomas Brandt", "PERSON"), ("Anna Roos", "PERSON"), ("Ilse", "PERSON")])
    b = analysed("b", "B", "Anna Kell arrived. Anna spoke.", [("Anna Kell", "PERSON"), ("Anna", "PERSON")])
    entities, mapping = resolve_entities([a, b])
    assert _entity_of(entities, "Ilse").id == _entity_of(entities, "Ilse Varga").id
    # two Annas: the first name alone names neither
    start = b.article.text.rindex("Anna")
    assert mapping[("b", start, start + 4)] not in {_entity_of(entities, "Anna Roos").id, _entity_of(entities, "Anna Kell").id}


def test_entities_a_title_two_words_before_a_name_does_not_make_it_a_person() -> None:
    a = analysed("a", "A", "A spokesman for St. Lindholm County said so. Mayor Ilse Varga agreed.",
                 [("St. Lindholm County", "ORG"), ("Ilse Varga", "PERSON")])
    entities, _ = resolve_entities([a])
    county = _entity_of(entities, "St. Lindholm County")
    assert county.label != "PERSON" and county.name == "St. Lindholm County"
    assert _entity_of(entities, "Ilse Varga").label == "PERSON"
