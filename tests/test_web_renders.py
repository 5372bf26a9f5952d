"""Story pages rendered ahead and kept in the store: the same bytes as a page rendered now, never stale."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette 1.x nudges towards httpx2; httpx is what is installed
    from starlette.testclient import TestClient
from test_story_pages import WIDE, build_wide_db

from parallax.settings import Settings
from parallax.store import Database
from parallax.web import create_app
from parallax.web.server import prepare_store
from parallax.web.views import RENDERER

PAGES = [
    f"/stories/{WIDE}",
    f"/stories/{WIDE}?page=2",
    f"/stories/{WIDE}?page=3",
    f"/stories/{WIDE}.json?view=page",
    f"/stories/{WIDE}.json?view=page&page=3",
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same store twice: the first with its story pages rendered ahead, the second without."""
    kept = build_wide_db(tmp_path_factory.mktemp("kept") / "parallax.db")
    prepare_store(Settings(db_path=kept))
    return kept, build_wide_db(tmp_path_factory.mktemp("live") / "parallax.db")


def _client(path: Path) -> TestClient:
    return TestClient(create_app(path), base_url="http://localhost")


def test_prepare_store_renders_every_compared_story_ahead(stores: tuple[Path, Path]) -> None:
    kept, live = stores
    with Database(kept, readonly=True) as db:
        assert db.stories_to_render(RENDERER) == {}
        assert db.kept_render(WIDE, "html:3", db.comparison_stamp(WIDE), RENDERER) is not None
        # pages laid out by another release are not served: they are made again
        assert db.kept_render(WIDE, "html:3", db.comparison_stamp(WIDE), "another") is None
        assert WIDE in db.stories_to_render("another")
    with Database(live, readonly=True) as db:
        assert WIDE in db.stories_to_render(RENDERER)


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_kept_render_is_the_page_rendered_now(stores: tuple[Path, Path], url: str, encoding: str) -> None:
    kept, live = stores
    with _client(kept) as k, _client(live) as fresh:
        sent, made = k.get(url, headers={"Accept-Encoding": encoding}), fresh.get(url)
    assert sent.status_code == made.status_code == 200
    assert (sent.headers.get("content-encoding") == "gzip") == (encoding == "gzip")
    assert sent.content == made.content
    assert sent.headers["content-type"] == made.headers["content-type"]


def test_web_recompared_story_never_serves_the_old_render(tmp_path: Path) -> None:
    path = build_wide_db(tmp_path / "r.db")
    prepare_store(Settings(db_path=path))
    with _client(path) as c:
        old = c.get(f"/stories/{WIDE}")
        assert old.headers.get("content-encoding") == "gzip" and "6 vs 35 o&#x27;clock" in old.text
        with Database(path) as db:
            stamp = db.comparison_stamp(WIDE)
            compared = db.comparison(WIDE)
            assert compared is not None
            db.save_comparison(replace(compared, conflicts=(replace(compared.conflicts[0], reason="six v 35"),)))
            # Saving deleted the renders, so even a stamp that did not move (same millisecond) finds none.
            assert db.kept_render(WIDE, "html:1", stamp, RENDERER) is None
            assert WIDE in db.stories_to_render(RENDERER)
        for url in [*PAGES[:1], PAGES[3], f"/stories/{WIDE}.json"]:
            again = c.get(url).text
            assert "six v 35" in again and "6 vs 35 o" not in again


def test_render_of_an_older_comparison_is_not_kept(tmp_path: Path) -> None:
    path = build_wide_db(tmp_path / "s.db")
    with Database(path) as db:
        assert not db.save_story_renders(WIDE, "2000-01-01T00:00:00.000Z", [])
        assert db.save_story_renders(WIDE, db.comparison_stamp(WIDE), [])


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_kept_whole_comparison_is_the_one_put_together_now(stores: tuple[Path, Path], encoding: str) -> None:
    kept, live = stores
    with Database(kept, readonly=True) as db:
        assert db.kept_render(WIDE, "whole", db.comparison_stamp(WIDE), RENDERER) is not None
    with _client(kept) as k, _client(live) as fresh:
        sent = k.get(f"/stories/{WIDE}.json", headers={"Accept-Encoding": encoding})
        made = fresh.get(f"/stories/{WIDE}.json", headers={"Accept-Encoding": encoding})
    assert sent.status_code == made.status_code == 200 and sent.content == made.content
    assert sent.headers.get("content-encoding") == made.headers.get("content-encoding")


def test_sources_table_order_does_not_depend_on_string_hashing() -> None:
    from parallax.web.pages import page_sections

    outlet = {"gaps": None, "framing": None, "sources": {"the official": 1, "The official": 1, "Reuters": 2}}
    column = {"conflicts": [], "article": {"outlet": "A"}, "outlet": outlet}
    rows = page_sections([column])["sources"]["rows"]
    assert [r["name"] for r in rows] == ["Reuters", "The official", "the official"]


def test_conflicts_come_with_the_caveat_of_what_they_are(stores: tuple[Path, Path]) -> None:
    from parallax.report.html import render_html
    from parallax.report.markdown import render_markdown
    from parallax.report.view import CONFLICTS_CAVEAT

    kept, _ = stores
    with Database(kept, readonly=True) as db:
        compared = db.comparison(WIDE)
    assert compared is not None and compared.conflicts
    assert CONFLICTS_CAVEAT in render_markdown(compared)
    assert CONFLICTS_CAVEAT in render_html(compared)
    with _client(kept) as k:
        assert CONFLICTS_CAVEAT in k.get(f"/stories/{WIDE}").text
