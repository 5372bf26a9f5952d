"""The two seed articles: attribution, titles and what cleaning takes out."""

from __future__ import annotations

import pytest
from conftest import shared_path

from parallax.errors import InputError
from parallax.ingest import iter_inputs
from parallax.model import Article

NYT_ID = "000_24f7fa365a9d30c3"
SECOND_ID = "001_b6055e1c86c3af7e"


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    items = list(iter_inputs([shared_path("seeds")]))
    assert not [item for item in items if isinstance(item, InputError)]
    return {item.id: item for item in items if isinstance(item, Article)}


def test_seeds_ids_are_file_stems(seeds: dict[str, Article]) -> None:
    assert sorted(seeds) == [NYT_ID, SECOND_ID]


def test_seeds_first_is_attributed_to_nyt_from_trailer(seeds: dict[str, Article]) -> None:
    assert seeds[NYT_ID].outlet == "New York Times"


def test_seeds_first_title_comes_from_trailer(seeds: dict[str, Article]) -> None:
    assert seeds[NYT_ID].title.startswith("Putin Condemns Strikes on Iran")


def test_seeds_first_byline_comes_from_author_bio(seeds: dict[str, Article]) -> None:
    byline = seeds[NYT_ID].byline
    assert byline and len(byline.split()) == 2


@pytest.mark.parametrize(
    ("article_id", "reason", "needle"),
    [
        (NYT_ID, "trailer", "appeared first on"),
        (NYT_ID, "author-bio", " covers Russia"),
        (SECOND_ID, "promo-headline", "QUIET ON SAVING"),
    ],
)
def test_seeds_removed_lines_leave_body_with_reason(
    seeds: dict[str, Article], article_id: str, reason: str, needle: str
) -> None:
    article = seeds[article_id]
    assert needle not in article.text
    assert any(item.reason == reason and needle in item.text for item in article.removed)


def test_seeds_bodies_keep_first_and_last_paragraphs(seeds: dict[str, Article]) -> None:
    nyt = seeds[NYT_ID].text
    assert nyt.startswith("President Vladimir V. Putin")
    assert nyt.endswith("Mr. Peskov said.")
    assert seeds[SECOND_ID].text.endswith("democratic transition.”")


def test_seeds_second_has_unknown_outlet_and_first_words_title(seeds: dict[str, Article]) -> None:
    second = seeds[SECOND_ID]
    assert second.outlet == "unknown"
    assert second.title.startswith("Russian President Vladimir Putin")


def test_seeds_carry_hash_and_source_path(seeds: dict[str, Article]) -> None:
    for article in seeds.values():
        assert len(article.content_hash) == 64
        assert article.source_path and article.source_path.endswith(f"{article.id}.txt")
