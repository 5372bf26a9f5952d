"""Live coverage pages in headless Debian Chromium (the setup of test_web_browser.py): adding and pausing a
feed through the feeds page's forms, the stories list by latest activity, the story timeline and an
article's versions. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_browser import _shot, browser, page  # noqa: F401 - the fixtures are used by name
from test_web_data import FLOOD, live_server
from test_web_feeds import TOKEN, _build

from parallax.web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[str]:
    with live_server(create_app(_build(tmp_path / "parallax.db"), ingest_token=TOKEN)) as url:
        yield url


def test_web_browser_feeds_add_and_pause_through_the_page(page: Any, site: str) -> None:  # noqa: F811
    page.goto(site + "/feeds")
    assert page.locator("tr.feed-row").count() == 2
    form = page.locator("#add-feed")
    form.locator("input[name=url]").fill("http://127.0.0.1:9/browser.xml")
    form.locator("input[name=outlet]").fill("Browser Outlet")
    form.locator("input[name=token]").fill(TOKEN)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert "feed 3 added" in page.locator(".notice").inner_text()
    row = page.locator("tr.feed-row[data-feed='3']")
    assert "Browser Outlet" in row.inner_text() and "new" in row.inner_text()
    row.locator("input[name=token]").fill(TOKEN)
    row.locator("button[type=submit]").click()
    page.wait_for_selector("tr.feed-row[data-feed='3'] .status-paused")
    page.locator("form[action='/api/watch/stop'] input[name=token]").fill(TOKEN)
    page.click("#watch-toggle")
    page.wait_for_selector(".st-paused")
    _shot(page, "feeds-page.png")
    assert not page.js_errors


def test_web_browser_story_timeline_and_updated_stories(page: Any, site: str) -> None:  # noqa: F811
    page.goto(site + "/stories")
    page.select_option("select[name=sort]", "activity")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "sort=activity" in page.url
    first = page.locator(".story-row").first
    assert "Council passes the harbour budget" in first.inner_text() and first.locator(".badge.updated").count() == 1
    _shot(page, "stories-activity.png")
    page.goto(site + f"/stories/{FLOOD}")
    page.wait_for_selector("#timeline")
    assert page.locator("#timeline ol.timeline > li").count() == 3
    assert "40 people vs 35 residents evacuated" in page.locator("#timeline").inner_text()
    _shot(page, "story-timeline.png")
    page.goto(site + "/articles/ledger-2")
    page.wait_for_selector("#versions")
    assert "harbour budget 12 → 14" in page.locator("#versions").inner_text()
    _shot(page, "article-versions.png")
    assert not page.js_errors
