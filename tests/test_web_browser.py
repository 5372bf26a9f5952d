"""End-to-end in headless Debian Chromium (Playwright driving /usr/bin/chromium; never `playwright install`).

Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_data import FLOOD, build_sample_db, live_server

from parallax.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.js_errors = errors
    # Loopback only: refuse anything that is not our own server.
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1:")
             else route.abort())
    yield pg
    context.close()


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_sample_db(tmp_path_factory.mktemp("browser") / "parallax.db")
    with live_server(create_app(db)) as url:
        yield url


@pytest.fixture(scope="module")
def corpus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled examples/ corpus run through the real pipeline (ingest + analyze + cluster + compare)."""
    from parallax.store import Database

    if not any(EXAMPLES.rglob("*.*")):
        pytest.skip("examples/ corpus is absent")
    path = tmp_path_factory.mktemp("corpus") / "parallax.db"
    try:
        from parallax.pipeline import analyze_store, ingest_paths

        with Database(path) as db:
            ingest_paths(db, [EXAMPLES])
            analyze_store(db)
    except (ImportError, FileNotFoundError, OSError) as exc:
        pytest.skip(f"the analysis pipeline cannot run here ({exc}); the sample-store browser tests still ran")
    with live_server(create_app(path)) as url:
        yield url


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _walk_story(page: Any, base: str, story_path: str, shot: str) -> None:
    """Open a story, click a shared passage, jump to a conflict, follow an entity link."""
    page.goto(base + story_path)
    page.wait_for_selector(".col")
    matched = page.locator(".sent[data-matches]:not([data-matches=''])").first
    if matched.count():
        matched.click()
        assert page.locator(".sent.is-counterpart").count() >= 1
        assert "Counterparts in" in page.locator("#match-status").inner_text()
    page.click("#next-conflict")
    page.wait_for_selector(".conflict-item.is-current")
    assert page.locator(".sent.is-conflict-side").count() == 2
    assert "Conflict 1 of" in page.locator("#conflict-status").inner_text()
    assert page.url.endswith("#c1")
    _shot(page, shot)
    page.locator("#entities a.chip").first.click()
    page.wait_for_load_state()
    assert "/entities/" in page.url
    assert page.locator("h1").inner_text()


def test_web_browser_sample_story_flow(page: Any, sample_url: str) -> None:
    _walk_story(page, sample_url, f"/stories/{FLOOD}", "story-sample.png")
    assert page.locator(".variant").count() >= 1
    _shot(page, "entity-sample.png")
    assert page.js_errors == []


def test_web_browser_outlet_toggle_hides_column(page: Any, sample_url: str) -> None:
    page.goto(sample_url + f"/stories/{FLOOD}")
    col = page.locator('.col[data-outlet="Harbor Times"]')
    assert col.is_visible()
    page.uncheck('input[data-toggle-outlet="Harbor Times"]')
    assert not col.is_visible()
    page.check('input[data-toggle-outlet="Harbor Times"]')
    assert col.is_visible()


@pytest.mark.parametrize("path", ["/articles/hostile-1", f"/stories/{FLOOD}", "/quotes?q=chaos", "/stories"])
def test_web_browser_hostile_markup_is_inert(page: Any, sample_url: str, path: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(sample_url + path)
    page.wait_for_load_state("load")
    assert page.evaluate("document.body.dataset.pwned") is None
    assert dialogs == []
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    if path.startswith("/articles/"):
        assert "<img src=x onerror=" in page.locator(".article-text").inner_text()
        _shot(page, "article-hostile.png")


def test_web_browser_narrow_screen(browser: Any, sample_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.goto(sample_url + f"/stories/{FLOOD}")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    _shot(pg, "story-mobile.png")
    context.close()


def test_web_browser_examples_corpus(page: Any, corpus_url: str) -> None:
    import httpx

    stories = httpx.get(corpus_url + "/stories.json").json()
    assert stories
    page.goto(corpus_url + "/stories")
    _shot(page, "stories-examples.png")
    with_conflict = None
    for s in stories:
        if httpx.get(corpus_url + f"/stories/{s['id']}.json").json()["conflicts"]:
            with_conflict = s["id"]
            break
    assert with_conflict, "no story of the examples corpus has a conflict"
    page.click(f'a.story-title[href="/stories/{with_conflict}"]')
    page.wait_for_selector(".col")
    _walk_story(page, corpus_url, f"/stories/{with_conflict}", "story-examples.png")
    _shot(page, "entity-examples.png")
    assert page.js_errors == []


def test_web_browser_story_pages_through_columns(page: Any, tmp_path: Path) -> None:
    """A story wider than one page of columns: a conflict's far side opens the page that holds it."""
    from test_story_pages import N_WIDE, WIDE, build_wide_db

    with live_server(create_app(build_wide_db(tmp_path / "wide.db"))) as base:
        page.goto(base + f"/stories/{WIDE}")
        assert page.locator("section.col").count() == 12
        page.click("#next-conflict")
        page.wait_for_selector(".conflict-item.is-current")
        assert page.locator(".sent.is-conflict-side").count() == 1  # the other side is on page 3
        far = f"wide-{N_WIDE - 1:02d}:1"
        page.click(f'.conflict-item a.side[href="?page=3#s-{far}"]')
        page.wait_for_url("**page=3**")
        page.wait_for_selector(f'[id="s-{far}"].is-active')
        assert page.locator("section.col").count() == N_WIDE - 24
        _shot(page, "story-wide-page3.png")
        # A sentence whose counterparts are all in articles of page 1 says so instead of "only here".
        page.goto(base + f"/stories/{WIDE}?page=2")
        page.click('[id="s-wide-12:0"]')
        assert "3 counterparts in articles on other pages" in page.locator("#match-status").inner_text()
        assert page.js_errors == []
