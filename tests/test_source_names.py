"""Source names in a comparison: one name per source, the fullest the article gives (sentences written for
these tests)."""

from __future__ import annotations

from parallax.compare.sources import named_sources, sources_by_outlet
from parallax.model import AnalyzedArticle, Article, Quote, Relay, SourceCitation, Span


def _article(text: str, cited: list[str], relayed: str | None = None) -> AnalyzedArticle:
    """An article whose source citations are the given phrases of its text, in order (one relay if given)."""
    citations, at = [], 0
    for phrase in cited:
        start = text.index(phrase, at)
        at = start + len(phrase)
        citations.append(SourceCitation("a1", phrase, "other", Span(start, at, phrase)))
    quotes: tuple[Quote, ...] = ()
    if relayed is not None:
        start = text.index(relayed, at)
        relay = Relay(relayed, "other", Span(start, start + len(relayed), relayed))
        quotes = (Quote("a1", "indirect", Span(0, 5, text[:5]), relay=relay),)
    return AnalyzedArticle(Article("a1", "Outlet A", "t", text), sources=tuple(citations), quotes=quotes)


def test_named_sources_a_definite_bare_kind_takes_the_fuller_name_before_it() -> None:
    text = ("Mayor Ilse Varga's written statement blamed the utility. The statement also thanked crews. "
            "The utility issued a statement of its own.")
    named = named_sources(_article(text, ["Mayor Ilse Varga's written statement", "The statement", "a statement"]))
    assert [c.name for c in named.sources] == [
        "Mayor Ilse Varga's written statement", "Mayor Ilse Varga's written statement", "a statement"]
    assert [c.span.text for c in named.sources] == ["Mayor Ilse Varga's written statement", "The statement", "a statement"]


def test_named_sources_a_bare_kind_with_nothing_named_before_stays() -> None:
    text = "The video shows the crash. Later the Lindholm Courier's video was taken down."
    named = named_sources(_article(text, ["The video", "the Lindholm Courier's video"]))
    assert [c.name for c in named.sources] == ["The video", "the Lindholm Courier's video"]


def test_named_sources_one_source_written_two_ways_has_one_name_and_relays_follow() -> None:
    text = ("A senior Lindholm official said the bridge would close. The senior Lindholm official added "
            "that repairs would take a year, according to the official.")
    item = _article(text, ["A senior Lindholm official", "senior Lindholm official"], relayed="the official")
    named = named_sources(item)
    assert {c.name for c in named.sources} == {"A senior Lindholm official"}
    assert named.quotes[0].relay is not None and named.quotes[0].relay.name == "A senior Lindholm official"
    assert sources_by_outlet([named]) == {"Outlet A": {"A senior Lindholm official": 3}}


def test_named_sources_plural_groups_keep_their_own_name() -> None:
    text = "Officials said the port would reopen. Two harbour officials said it would not."
    named = named_sources(_article(text, ["Officials", "Two harbour officials"]))
    assert [c.name for c in named.sources] == ["Officials", "Two harbour officials"]


def test_named_sources_one_persons_document_named_two_ways_is_one_source() -> None:
    from dataclasses import replace

    text = ("Lena Ostrova's statement denied the claim. Harbour lawyer Lena Ostrova statement, issued later, "
            "went further. The Harbour Authority's statement disagreed, and Ostrova's letter followed.")
    item = _article(text, ["Lena Ostrova's statement", "Harbour lawyer Lena Ostrova statement",
                           "The Harbour Authority's statement", "Ostrova's letter"])
    item = replace(item, quotes=(Quote("a1", "direct", Span(0, 5, text[:5]), speaker_name="Lena Ostrova"),))
    named = named_sources(item)
    assert [c.name for c in named.sources] == [
        "Lena Ostrova's statement", "Lena Ostrova's statement", "The Harbour Authority's statement", "Ostrova's letter"]
    # without the person named in full anywhere, nothing says the two statements are one person's
    alone = named_sources(_article(text, ["Lena Ostrova's statement", "Harbour lawyer Lena Ostrova statement"]))
    assert [c.name for c in alone.sources] == ["Lena Ostrova's statement", "Harbour lawyer Lena Ostrova statement"]


def test_named_sources_a_bare_kind_with_and_without_its_article_is_one_spelling() -> None:
    text = "The bridge will close, the official said. It will reopen in May, official figures show. A official"
    named = named_sources(_article(text, ["the official", "official", "A official"]))
    assert [c.name for c in named.sources] == ["the official", "the official", "A official"]


def test_named_sources_a_document_named_with_a_participle_phrase_and_a_bare_apostrophe_is_one_source() -> None:
    from dataclasses import replace

    text = ("Tomas Reyes’ resignation letter addressed to the council sets his last day. "
            "In Reyes's blunt letter he also thanked staff. A letter signed by the mayor came later.")
    item = _article(text, ["Tomas Reyes’ resignation letter addressed to the council", "Reyes's blunt letter",
                           "A letter signed by the mayor"])
    item = replace(item, quotes=(Quote("a1", "direct", Span(0, 5, text[:5]), speaker_name="Tomas Reyes"),))
    named = named_sources(item)
    assert [c.name for c in named.sources] == [
        "Tomas Reyes’ resignation letter addressed to the council",
        "Tomas Reyes’ resignation letter addressed to the council", "A letter signed by the mayor"]


def test_named_sources_a_shorter_definite_name_takes_the_fuller_one_before_it() -> None:
    text = ("Ilse Varga's bombshell resignation letter stunned the council. In her resignation letter, she "
            "thanked the crews.")
    named = named_sources(_article(text, ["Ilse Varga's bombshell resignation letter", "resignation letter"]))
    assert [c.name for c in named.sources] == ["Ilse Varga's bombshell resignation letter"] * 2
    # with nothing fuller named before it, it stays as written
    alone = named_sources(_article("In her resignation letter, she thanked the crews.", ["resignation letter"]))
    assert [c.name for c in alone.sources] == ["resignation letter"]


def test_named_sources_a_document_by_its_owner_and_with_its_owner_is_one_source() -> None:
    text = "A report by the inspector general faulted the bureau. The inspector general's report was long."
    named = named_sources(_article(text, ["report by the inspector general", "inspector general's report"]))
    assert {c.name for c in named.sources} == {"report by the inspector general"}
