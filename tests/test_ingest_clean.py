"""Cleaning rules and outlet names, as tables of cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parallax.ingest.clean import clean_text, is_promo_headline
from parallax.ingest.outlets import outlet_from_host, resolve_outlet

PARA = "The council approved the budget on Thursday after a long debate, officials said."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("The post Budget Passes After Long Debate appeared first on Valley Standard.", "trailer"),
        ("COUNCIL CLASHES OVER PARKING FEES IN LATE-NIGHT SESSION", "promo-headline"),
        ("Maria Elena Costa covers city hall and regional politics.", "author-bio"),
        ("Tomas Reyes is a correspondent based in the capital.", "author-bio"),
        ("Priya Nair contributed reporting.", "author-bio"),
        ("Click here to get the latest updates.", "boilerplate"),
        ("Sign up for our daily newsletter", "boilerplate"),
        ("Read more: Council votes on parking", "boilerplate"),
        ("Advertisement", "boilerplate"),
        ("UPDATED: THURSDAY, MARCH 14, 2013, 9:31 AM", "timestamp"),
    ],
)
def test_clean_removes_line_with_reason(line: str, reason: str) -> None:
    cleaned = clean_text(
        f"{PARA}\n{line}\n{PARA}" if reason in {"promo-headline", "boilerplate"} else f"{PARA}\n{line}"
    )
    assert cleaned.text.split("\n") == [PARA] * cleaned.text.count(PARA)
    assert [(item.reason, item.text) for item in cleaned.removed] == [(reason, line)]


@pytest.mark.parametrize(
    "line",
    [
        "NATO said the meeting would go ahead.",
        "WASHINGTON",
        "U.S. AND EU",
        "“WE WILL NOT BACK DOWN,” THE MAYOR SAID.",
        "The Pentagon covers the cost of the flights, officials said.",
        "Mr. Ortega said the reporter had not contacted him.",
    ],
)
def test_clean_keeps_ordinary_lines(line: str) -> None:
    cleaned = clean_text(f"{PARA}\n{line}\n{PARA}")
    assert line in cleaned.text.split("\n")
    assert cleaned.removed == ()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Maria Elena Costa covers city hall and regional politics.", "Maria Elena Costa"),
        ("Tomas Reyes is a correspondent based in the capital.", "Tomas Reyes"),
        ("Priya Nair and Jon Bell contributed reporting.", "Priya Nair"),
    ],
)
def test_clean_author_bio_gives_byline(line: str, expected: str) -> None:
    assert clean_text(f"{PARA}\n{line}").byline == expected


def test_clean_trailer_gives_title_and_outlet() -> None:
    cleaned = clean_text(f"{PARA}\nThe post Budget Passes appeared first on Valley Standard.")
    assert (cleaned.title, cleaned.outlet) == ("Budget Passes", "Valley Standard")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\n\n\n\nb", "a\nb"),
        ("a\x00b\x07c", "abc"),
        ("  a \t  b  \n", "a b"),
        ("\ufeffa\u200bb", "ab"),
    ],
)
def test_clean_normalises_text(raw: str, expected: str) -> None:
    assert clean_text(raw).text == expected


def test_clean_first_line_in_capitals_is_not_promo() -> None:
    cleaned = clean_text(f"BUDGET PASSES AFTER LONG DEBATE\n{PARA}")
    assert cleaned.text.startswith("BUDGET PASSES")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("STORM WARNING ISSUED FOR THE COAST", True),
        ("Storm Warning Issued For The Coast", False),
        ("STORM WARNING ISSUED FOR THE COAST.", False),
        ("BBC NEWS", False),
    ],
)
def test_clean_promo_headline_shape(line: str, expected: bool) -> None:
    assert is_promo_headline(line) is expected


def test_clean_rules_name_no_seed_strings() -> None:
    source = "".join(path.read_text("utf-8") for path in Path("src/parallax/ingest").glob("*.py"))
    banned = r"Peskov|Araghchi|Bushehr|Nebenzia|Zakharova|Pahlavi|Kurmanaev"
    assert not re.search(banned, source)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("nytimes.com", "New York Times"),
        ("www.nytimes.com", "New York Times"),
        ("edition.cnn.com", "CNN"),
        ("www.bbc.co.uk", "BBC"),
        ("the-daily-bugle.com", "The Daily Bugle"),
        ("news.harbourgazette.co.uk", "Harbourgazette"),
        ("localhost", "unknown"),
    ],
)
def test_outlet_from_host(host: str, expected: str) -> None:
    assert outlet_from_host(host) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"meta": "The New York Times"}, "New York Times"),
        ({"meta": "articles.latimes.com"}, "Los Angeles Times"),
        ({"meta": "Valley Standard", "url": "https://nytimes.com/x"}, "Valley Standard"),
        ({"trailer": "New York Times", "url": "https://other.example/x"}, "New York Times"),
        ({"url": "https://www.foxnews.com/politics/story"}, "Fox News"),
        ({}, "unknown"),
    ],
)
def test_outlet_resolution_order(kwargs: dict[str, str], expected: str) -> None:
    assert resolve_outlet(**kwargs) == expected
