"""Report writers: JSON keys and round trip, Markdown brief, HTML escaping and layout."""

from __future__ import annotations

import json

import pytest
from test_compare_helpers import BagEmbedder, analyzed, story_of

from parallax.compare import compare_story
from parallax.model import Comparison, from_dict
from parallax.report import render
from parallax.report.json import REPORT_KEYS

HOSTILE = 'The minister said <script>alert("x")</script> nothing. A photo <img src=x onerror="alert(1)"> ran.'


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    a = analyzed("a", "Outlet <A>", "The river flooded the town of Brel on Friday. " + HOSTILE, [("Brel", "GPE")])
    b = analyzed("b", "Outlet B", "The river flooded the town of Brel on Friday, residents said. "
                 "A local bakery gave away bread to families.", [("Brel", "GPE")])
    return compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())


def test_report_json_has_documented_keys(comparison: Comparison) -> None:
    data = json.loads(render(comparison, "json"))
    assert set(REPORT_KEYS) <= set(data)


def test_report_json_round_trips(comparison: Comparison) -> None:
    rebuilt = from_dict(Comparison, json.loads(render(comparison, "json")))
    assert rebuilt == comparison


def test_report_json_keys_documented_in_docs() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "comparison.md").read_text(encoding="utf-8")
    for key in REPORT_KEYS:
        assert f"`{key}`" in doc, key


def test_report_html_escapes_article_text(comparison: Comparison) -> None:
    page = render(comparison, "html")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=" in page
    assert "Outlet &lt;A&gt;" in page


def test_report_html_is_self_contained_and_responsive(comparison: Comparison) -> None:
    page = render(comparison, "html")
    assert 'name="viewport"' in page and "auto-fit" in page
    assert "http://" not in page.split("<body>")[0] and "<link" not in page and "<script" not in page
    for section in ("columns", "coverage", "conflicts", "quotes", "sources", "entities", "framing"):
        assert f'id="{section}"' in page
    assert "s-shared" in page and "s-unique" in page


def test_report_markdown_reads_as_brief(comparison: Comparison) -> None:
    text = render(comparison, "md")
    assert text.startswith("# A test story")
    for heading in ("## What the outlets agree on", "## Only in one outlet", "## Where they disagree",
                    "## The same words, reported differently", "## Sources relied on"):
        assert heading in text
    assert "<script>" not in text and "\\<script\\>" in text
    assert "bakery" in text


def test_report_unknown_format_is_refused(comparison: Comparison) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(comparison, "pdf")  # type: ignore[arg-type]


def test_report_markdown_shows_counterparts_and_near_misses(comparison: Comparison) -> None:
    brief = render(comparison, "md")
    agreed = brief.split("## What the outlets agree on", 1)[1].split("##", 1)[0]
    assert "Outlet B: “The river flooded the town of Brel on Friday, residents said.” (same fact," in agreed
    gaps = brief.split("## Only in one outlet", 1)[1].split("## Where", 1)[0]
    assert "bakery" in gaps and "closest in Outlet" in gaps and "not the same fact" in gaps


def test_report_html_shows_findings_with_evidence(comparison: Comparison) -> None:
    page = render(comparison, "html")
    agree = page.split('<section id="agree">', 1)[1].split("</section>", 1)[0]
    assert "residents said" in agree and "same fact," in agree
    gaps = page.split('<section id="gaps">', 1)[1].split("</section>", 1)[0]
    assert "Only in Outlet B" in gaps and "bakery" in gaps and "closest in" in gaps


def test_report_lists_spelling_variants() -> None:
    from parallax.model import Entity, EntityAlias

    a = analyzed("a", "Outlet A", "Dmitri S. Peskov spoke in Moscow on Monday about the talks.",
                 [("Dmitri S. Peskov", "PERSON"), ("Moscow", "GPE")])
    b = analyzed("b", "Outlet B", "Dmitry Peskov spoke in Moscow on Monday about the talks.",
                 [("Dmitry Peskov", "PERSON"), ("Moscow", "GPE")])
    entity = Entity("e1", "Dmitry Peskov", "PERSON", (EntityAlias("Dmitry Peskov", 1, ("Outlet B",)),
                                                      EntityAlias("Dmitri S. Peskov", 1, ("Outlet A",))), 2)
    c = compare_story(story_of([a, b]), [a, b], entities=[entity], embedder=BagEmbedder())
    assert "“Dmitri S. Peskov” (Outlet A)" in render(c, "md")
    assert "“Dmitri S. Peskov” <span class=\"muted\">(Outlet A)</span>" in render(c, "html")
    # the entity table names people as a reader knows them, not by their comparison key ("peskov")
    assert "| Dmitry Peskov |" in render(c, "md") and "| peskov |" not in render(c, "md")
    assert "<tr><td>Dmitry Peskov</td>" in render(c, "html")
    assert "| Moscow |" in render(c, "md")


def test_report_name_variants_leave_out_bare_surnames_and_full_stops() -> None:
    from parallax.report.view import _distinct_forms

    forms = [("Peskov", ("A",)), ("Dmitry Peskov", ("B",)), ("Dmitri S. Peskov", ("A",)),
             ("St Petersburg Forum", ("B",)), ("St. Petersburg Forum", ("A",))]
    assert [f for f, _ in _distinct_forms(forms)] == ["Dmitry Peskov", "Dmitri S. Peskov", "St Petersburg Forum"]


def test_report_variants_name_the_unknown_outlet_as_its_column() -> None:
    from parallax.model import Entity, EntityAlias

    a = analyzed("a", "Outlet A", "Dmitri S. Peskov spoke in Moscow on Monday about the talks.",
                 [("Dmitri S. Peskov", "PERSON")])
    b = analyzed("b-unknown-article", "unknown", "Dmitry Peskov spoke in Moscow on Monday about the talks.",
                 [("Dmitry Peskov", "PERSON")])
    entity = Entity("e1", "Dmitry Peskov", "PERSON", (EntityAlias("Dmitry Peskov", 1, ("unknown",)),
                                                      EntityAlias("Dmitri S. Peskov", 1, ("Outlet A",))), 2)
    c = compare_story(story_of([a, b]), [a, b], entities=[entity], embedder=BagEmbedder())
    assert "“Dmitry Peskov” (unknown (b-unknown-))" in render(c, "md").replace("\\_", "_")


def test_report_markdown_names_who_reports_what_an_outlet_leaves_out() -> None:
    fact = "The river flooded the town of Brel on Friday and closed the northern bridge."
    a = analyzed("a", "Outlet A", fact + " The mayor toured the valley.", [("Brel", "GPE")])
    b = analyzed("b", "Outlet B", fact + " Rain is expected again.", [("Brel", "GPE")])
    c = analyzed("c", "Outlet C", "A local bakery in the valley gave away bread to families on Saturday.", [])
    comparison = compare_story(story_of([a, b, c]), [a, b, c], embedder=BagEmbedder())
    brief = render(comparison, "md")
    left_out = brief.split("## Left out", 1)[1].split("## Where", 1)[0]
    assert "**Missing from Outlet C**" in left_out
    assert "closed the northern bridge. (Outlet A, Outlet B)" in left_out, left_out


def test_report_quoted_keeps_the_marks_that_say_which_words_are_the_speakers() -> None:
    from parallax.report.view import quoted

    assert quoted("“We will rebuild the pier,”") == "“We will rebuild the pier,”"
    assert quoted('"We will rebuild the pier."') == "“We will rebuild the pier.”"
    # a wording that mixes the writer's words with the speaker's is printed as written, not in a second pair
    assert quoted("harbour fees of “closing the port to the poor.”") == "harbour fees of “closing the port to the poor.”"
    assert quoted("that the  pier\nwould “reopen soon”") == "that the pier would “reopen soon”"
    # reported speech stays unmarked: the words are the writer's
    assert quoted("that the deal had come too late for many families") == "that the deal had come too late for many families"
