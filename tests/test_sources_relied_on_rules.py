"""Sources an article relies on, named as the article names them, on sentences written for these tests."""

from __future__ import annotations

import pytest

from parallax.analyze.quotes.sources import sources_relied_on


def _names(nlp, text: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.name: c.kind for c in sources_relied_on(nlp(text), [], "t")}


@pytest.mark.parametrize(("text", "name"), [
    ("Two Interior Ministry officials said on Tuesday that the dam would close.", "Two Interior Ministry officials"),
    ("A senior Danish official said the talks had stalled.", "senior Danish official"),
    ("Friends and aides of the governor said she had planned to resign for weeks.", "Friends and aides of the governor"),
    ("A spokesman for the harbour authority said the ferry was overloaded.", "spokesman for the harbour authority"),
])
def test_sources_unnamed_people_named_as_the_article_names_them(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, text)
    assert names.get(name) == "anonymous", names


@pytest.mark.parametrize(("text", "name"), [
    ("The minister's resignation letter said he would stay until March.", "minister's resignation letter"),
    ("The governor said in a letter from the provincial council that the fund was empty.",
     "letter from the provincial council"),
    ("The indictment alleges that the mayor took bribes for six years.", "indictment"),
])
def test_sources_documents_the_article_relies_on(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(nlp, text), _names(nlp, text)


def test_sources_organisation_reporting_is_a_source(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "The Harbour Gazette reported that the port would close in May.")
    assert "Harbour Gazette" in names


def test_sources_a_statement_without_its_audience(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "The ministry said in a statement to the Harbour Gazette that the port was safe.")
    assert not any("to the Harbour Gazette" in name for name in names), names


def test_sources_person_named_like_an_agency_is_not_a_source(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("Michael Bloomberg spoke in Philadelphia on Wednesday. "
            "“I understand the appeal of a businessman,” Bloomberg said.")
    assert not any("Bloomberg" in name for name in _names(nlp, text)), _names(nlp, text)


def test_sources_people_quoted_by_name_are_not_sources(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "The plan failed, according to John Miller, the mayor of Lindholm.")
    assert not any("Miller" in name for name in names), names


@pytest.mark.parametrize(("text", "name"), [
    ("Mr. Larsen said in a written statement that he regretted the remark.", "Larsen's written statement"),
    ("Harbour Party spokesman Tom Berg addressed the vote in a statement on Monday.", "Harbour Party statement"),
    ("The Lindholm campaign answered with an ad on Tuesday. The ad says the mayor raised taxes.",
     "Lindholm campaign ad"),
    # a platform says where a post was made, not whose it is
    ("“This is a mistake,” Senator Clara Holm said in a Twitter post.", "Holm's Twitter post"),
    # a role noun with the name beside it: the named person issued it
    ("The aide, Tilda Brenner, said in a statement that she regretted the post.", "Brenner's statement"),
])
def test_sources_a_document_named_with_its_owner(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(nlp, text), _names(nlp, text)


@pytest.mark.parametrize(("text", "name"), [
    ("The senator said on NBC's “Evening Forum” that the bill would pass.", "NBC's Evening Forum"),
    ("The minister said on the ZDF program “Morning Desk” that the talks had failed.", "ZDF's Morning Desk"),
    ("The Harbour Gazette's Anna Lind noted that the port had closed.", "Harbour Gazette"),
])
def test_sources_media_a_statement_was_made_on(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(nlp, text), _names(nlp, text)


def test_sources_acronym_named_in_full(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("The Nordic Lending Council met in May. Growth will reach 2 percent, the rate projected by the N.L.C.")
    names = _names(nlp, text)
    assert "N.L.C." not in names, names


@pytest.mark.parametrize(("text", "name"), [
    ("“The ferry was late,” the harbour master told KNX radio on Monday.", "KNX radio"),
    ("The delays were a bureaucratic mistake, the captain's lawyer wrote last week in the Lakeside Courier.",
     "Lakeside Courier"),
    ("An article in Lakeside magazine described how the two men met.", "Lakeside magazine"),
    ("The mayor said the idea came from a Lakeside Courier article.", "Lakeside Courier"),
    ("Read the whole letter via Quillfeed:", "Quillfeed"),
    ("Norland Bank and Vesta Capital projected smaller increases.", "Vesta Capital"),
])
def test_sources_media_a_statement_was_made_in_or_to(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(nlp, text), _names(nlp, text)


def test_sources_a_medium_reporting_is_not_a_person_quoted(nlp) -> None:  # type: ignore[no-untyped-def]
    from parallax.analyze.quotes import extract_quotes

    doc = nlp("The plan was first reported by The Harbour Gazette in May. The Harbour Gazette reported that "
              "the port would close.")
    names = {c.name for c in sources_relied_on(doc, extract_quotes(doc, "t"), "t")}
    assert "Harbour Gazette" in names, names


def test_sources_a_proper_name_report_is_no_medium(nlp) -> None:  # type: ignore[no-untyped-def]
    # "The Norland Report" is a title, not a piece some outlet published.
    assert "Norland" not in _names(nlp, "He was once an editor of The Norland Report in the capital.")


def test_sources_a_possessive_inside_a_name_keeps_the_name_whole(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "The mayor had no funds of her own, according to the Lindholm Attorney’s Office.")
    assert "Lindholm Attorney’s Office" in names and "Office" not in names, names


def test_sources_an_outlet_name_ends_with_its_last_capitalised_word(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "The mayor was an early supporter and told The Lindholm Harbour-Tribune days after the "
                        "vote that she wanted a job.")
    assert "Lindholm Harbour-Tribune" in names and not any("days" in name for name in names), names


def test_sources_a_role_noun_with_the_name_beside_it_is_no_unnamed_source(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "The aide, Tilda Brenner, said in a statement that she regretted the post.")
    assert "aide" not in names, names
    assert _names(nlp, "An aide said the post had been deleted.").get("aide") == "anonymous"


@pytest.mark.parametrize(("text", "name"), [
    ("But the Lindqvist campaign said Tuesday that the ad was accurate.", "Lindqvist campaign"),
    ("Senator Aalto's office said the meeting lasted an hour.", "Senator Aalto's office"),
])
def test_sources_a_body_named_after_a_person(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(nlp, text), _names(nlp, text)


def test_sources_unnamed_group_without_a_stray_lead_or_conjunction(nlp) -> None:  # type: ignore[no-untyped-def]
    names = _names(nlp, "As such, independent fact-checkers and news analysts alike have disputed the figure.")
    assert names.get("independent fact-checkers") == "anonymous", names


@pytest.mark.parametrize(("text", "name"), [
    ("“We will rebuild,” she said, according to excerpts provided by the Harbour Department.", "Harbour Department"),
    ("The mayor took bribes for six years, according to court documents.", "court documents"),
])
def test_sources_a_document_after_according_to(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    from parallax.analyze.quotes.relays import find_relays

    assert name in {m.name for m in find_relays(nlp(text))}


@pytest.mark.parametrize(("text", "name"), [
    # a broadcaster whose name says nothing of being one
    ("Mr. Dahl pushed back in two interviews on Sunday, first telling CNN, “I know what they want.”", "CNN"),
    # a medium named with its kind, subject of a verb it estimates by
    ("Mr. Dahl was worth as much as Harbour magazine estimated and speculated that he had lied.",
     "Harbour magazine"),
    # a document released is one the article relies on, under its issuer's name
    ("“No excuse,” Mr. Dahl added, shortly after releasing a written statement in which he apologised.",
     "Dahl's written statement"),
    # a document sent around is relied on too, under its sender
    ("The Harbour Party also sent that statement around to reporters.", "Harbour Party statement"),
    # the issuer named with an appositive: the name alone; the clause after "statement that" is what it says
    ("Ines Varga, Dahl’s attorney, said in a statement that Dahl was fired late Friday afternoon.",
     "Ines Varga's statement"),
])
def test_sources_media_and_documents_named_as_a_reader_knows_them(nlp, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert name in _names(nlp, text), _names(nlp, text)


def test_sources_one_document_named_two_ways_is_one_source() -> None:
    from parallax.compare.sources import _key

    assert _key("the report by the inspector general") == _key("the inspector general’s report")
    assert _key("a letter from Representative Peter Welch") == _key("Representative Peter Welch's letter")
    assert _key("Friends and aides of the governor") != _key("the governor's friends")
