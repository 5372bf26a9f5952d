"""The bundled examples corpus ingests cleanly and matches its gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

from parallax.errors import InputError
from parallax.ingest import iter_inputs
from parallax.model import Article

GOLD = json.loads((EXAMPLES / "gold.jsonc").read_text("utf-8"))


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    items = list(iter_inputs([EXAMPLES]))
    assert not [item for item in items if isinstance(item, InputError)], items
    return [item for item in items if isinstance(item, Article)]


def find(articles: list[Article], entry: dict[str, str | None]) -> Article:
    path = str(EXAMPLES / str(entry["file"]))
    matches = [a for a in articles if a.source_path == path and (entry["id"] is None or a.id == entry["id"])]
    assert len(matches) == 1, entry
    return matches[0]


@pytest.mark.parametrize("story", GOLD["stories"], ids=lambda story: story["key"])
def test_examples_gold_articles_have_their_outlets(articles: list[Article], story: dict) -> None:  # type: ignore[type-arg]
    for entry in story["articles"]:
        assert find(articles, entry).outlet == entry["outlet"]


@pytest.mark.parametrize(
    "story", [s for s in GOLD["stories"] if s["key"] != "library"], ids=lambda s: s["key"]
)
def test_examples_events_have_three_outlets(story: dict) -> None:  # type: ignore[type-arg]
    assert len({entry["outlet"] for entry in story["articles"]}) >= 3


def test_examples_cover_every_article(articles: list[Article]) -> None:
    assert len(articles) == sum(len(story["articles"]) for story in GOLD["stories"])


def test_examples_articles_are_news_length(articles: list[Article]) -> None:
    lengths = {a.id: len(a.text.split()) for a in articles}
    assert all(250 <= n <= 450 for n in lengths.values()), lengths


def test_examples_use_several_input_kinds() -> None:
    suffixes = {path.suffix for path in Path(EXAMPLES).rglob("*") if path.is_file()}
    assert {".txt", ".html", ".rss"} <= suffixes


def test_examples_cleaning_leaves_no_trailer_or_promo(articles: list[Article]) -> None:
    for article in articles:
        assert "appeared first on" not in article.text
        assert not any(line.isupper() for line in article.text.split("\n"))
