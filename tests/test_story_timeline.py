"""The story timeline (compare/timeline.py) over a hand-made comparison of made-up articles, and how the
Markdown and HTML reports print it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

import pytest

from parallax.compare.timeline import story_timeline, utc_text
from parallax.model import (
    AlignedRef,
    Alignment,
    Article,
    Comparison,
    Conflict,
    QuoteGroup,
    QuoteWording,
    Span,
    Story,
    TimelineEntry,
    from_dict,
    to_dict,
)
from parallax.report import render

COURIER_V1 = ("The ferry sank off Lake Sarn on Monday and the death toll rose to 14, the harbour office said. "
              "Divers searched the north shore.")
COURIER_V2 = ("The ferry sank off Lake Sarn on Monday and the death toll rose to 17, the harbour office said. "
              "Divers searched the north shore. "
              "\"We grieve with every family in the valley,\" said Mayor Ada Renn.")
GAZETTE = ("A ferry went down on Lake Sarn on Monday, officials said. Divers searched the north shore. "
           "The ferry was twenty years old.")


@dataclass(frozen=True)
class Seen:
    published: str | None
    published_raw: str | None
    seen_at: str


@dataclass(frozen=True)
class Version:
    version: int
    title: str
    text: str
    fetched_at: str


def _article(article_id: str, outlet: str, text: str, date: str | None) -> Article:
    return Article(id=article_id, outlet=outlet, title=f"{outlet}: ferry", text=text, date=date,
                   content_hash=hashlib.sha256(text.encode()).hexdigest())


def _spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\s][^.]*\.\"?", text)]


def _comparison() -> Comparison:
    courier = _article("courier-1", "Harbour Courier", COURIER_V2, "2026-03-09T14:05:00+01:00")
    gazette = _article("gazette-1", "Tamsford Gazette", GAZETTE, "2026-03-09")
    c_sents, g_sents = _spans(COURIER_V2), _spans(GAZETTE)
    ref_c1 = AlignedRef("courier-1", courier.outlet, 1, *c_sents[1], 0.9)
    ref_g1 = AlignedRef("gazette-1", gazette.outlet, 1, *g_sents[1], 0.9)
    ref_c0 = AlignedRef("courier-1", courier.outlet, 0, *c_sents[0], 0.7)
    ref_g0 = AlignedRef("gazette-1", gazette.outlet, 0, *g_sents[0], 0.7)
    alignments = (
        Alignment("courier-1", courier.outlet, 0, *c_sents[0], "partial", (gazette.outlet,), (ref_g0,)),
        Alignment("courier-1", courier.outlet, 1, *c_sents[1], "shared", (gazette.outlet,), (ref_g1,)),
        Alignment("courier-1", courier.outlet, 2, *c_sents[2], "unique"),
        Alignment("gazette-1", gazette.outlet, 0, *g_sents[0], "partial", (courier.outlet,), (ref_c0,)),
        Alignment("gazette-1", gazette.outlet, 1, *g_sents[1], "shared", (courier.outlet,), (ref_c1,)),
        Alignment("gazette-1", gazette.outlet, 2, *g_sents[2], "unique"),
    )
    quote = "We grieve with every family in the valley,"
    start = COURIER_V2.index(quote)
    group = QuoteGroup("qg1", "Ada Renn", "single",
                       (QuoteWording(courier.outlet, "courier-1", "Ada Renn", Span(start, start + len(quote), quote)),))
    conflict = Conflict("number", ref_c0, ref_g0, COURIER_V2[: c_sents[0][1]], GAZETTE[: g_sents[0][1]],
                        "17 dead vs no figure", 0.6)
    story = Story("s1", "Ferry sinks", ("courier-1", "gazette-1"), "2026-03-09", "2026-03-09",
                  (courier.outlet, gazette.outlet))
    return Comparison(story=story, articles=(courier, gazette), quote_groups=(group,), alignments=alignments,
                      conflicts=(conflict,))


PUBLISHED = {
    "courier-1": Seen("2026-03-09T13:05:00Z", "Mon, 09 Mar 2026 14:05:00 +0100", "2026-03-09T13:06:10.000Z"),
    "gazette-1": Seen("2026-03-09T13:40:00Z", "2026-03-09T09:40:00-04:00", "2026-03-09T13:41:00.000Z"),
}
VERSIONS = {
    "courier-1": [Version(1, "Harbour Courier: ferry", COURIER_V1, "2026-03-09T13:06:10.000Z"),
                  Version(2, "Harbour Courier: ferry", COURIER_V2, "2026-03-09T15:20:00.000Z")],
}


def _timeline() -> tuple[TimelineEntry, ...]:
    return story_timeline(_comparison(), published=PUBLISHED, versions=VERSIONS)


def test_timeline_orders_first_reports_then_the_version_in_utc() -> None:
    steps = _timeline()
    assert [(e.kind, e.outlet, e.at) for e in steps] == [
        ("first", "Harbour Courier", "2026-03-09T13:05:00Z"),
        ("first", "Tamsford Gazette", "2026-03-09T13:40:00Z"),
        ("version", "Harbour Courier", "2026-03-09T15:20:00Z"),
    ]
    assert steps[0].outlet_time == "Mon, 09 Mar 2026 14:05:00 +0100"  # the outlet's own time is kept
    assert steps[2].outlet_time is None and steps[2].version == 2


def test_timeline_new_facts_are_what_no_earlier_article_stated() -> None:
    courier, gazette, _ = _timeline()
    # as the first text said it (version 2 changed the figure)
    assert courier.new_facts[:2] == (COURIER_V1[: COURIER_V1.index("Divers")].strip(), "Divers searched the north shore.")
    assert gazette.new_facts == ("The ferry was twenty years old.",)  # the other two the Courier said first
    assert gazette.n_new_facts == 1


def test_timeline_version_carries_its_changed_figure_and_new_quote() -> None:
    courier, gazette, version = _timeline()
    assert [(f.what, f.old, f.new, f.since) for f in version.changed_numbers] == [
        ("death toll 14 → 17", "14", "17", "courier-1")]
    assert [(q.speaker, q.text) for q in version.new_quotes] == [("Ada Renn", "We grieve with every family in the valley,")]
    assert any("We grieve" in fact for fact in version.new_facts)
    assert not courier.new_quotes  # the quote came with version 2, not the first text
    assert not any("We grieve" in fact for fact in courier.new_facts)
    assert [f.what for f in gazette.changed_numbers] == ["17 dead vs no figure"]  # the later side of a conflict


def test_timeline_without_feed_times_uses_article_dates() -> None:
    steps = story_timeline(_comparison())
    assert [(e.outlet, e.at) for e in steps] == [("Tamsford Gazette", "2026-03-09"),
                                                 ("Harbour Courier", "2026-03-09T13:05:00Z")]


@pytest.mark.parametrize(
    ("raw", "utc"),
    [("2026-03-09T14:05:00+01:00", "2026-03-09T13:05:00Z"), ("2026-03-09T14:05:00Z", "2026-03-09T14:05:00Z"),
     ("2026-03-09", "2026-03-09"), ("2026-03-09T14:05:00", "2026-03-09T14:05:00Z"), ("last Tuesday", None),
     (None, None)],
)
def test_timeline_utc_text(raw: str | None, utc: str | None) -> None:
    assert utc_text(raw) == utc


def test_timeline_round_trips_through_json_and_reports() -> None:
    comparison = replace(_comparison(), timeline=_timeline())
    assert from_dict(Comparison, to_dict(comparison)).timeline == comparison.timeline
    md = render(comparison, "md")
    assert "## How the story developed (UTC)" in md
    assert "changed: death toll 14 → 17 in Harbour Courier at 15:20 UTC on 2026-03-09" in md
    assert "outlet's time: Mon, 09 Mar 2026 14:05:00 +0100" in md
    assert "new quote: Ada Renn: “We grieve with every family in the valley,”" in md
    html = render(comparison, "html")
    assert 'id="timeline"' in html and "death toll 14 → 17 in Harbour Courier" in html
