"""Live coverage on the web, over a real uvicorn server on loopback: the feeds page and its JSON twin,
writes that need the token, stories by latest activity, an article's versions and the story timeline."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from test_resources import _errors, _schemas
from test_web_data import BUDGET, FLOOD, TEXTS, build_sample_db, live_server

from parallax import api
from parallax.cli import main
from parallax.compare.timeline import story_timeline
from parallax.model import AnalyzedArticle, Article
from parallax.store import Database
from parallax.store.feeds import FeedEntry, FeedStore, PendingItem
from parallax.web import create_app

TOKEN = "feeds-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOW = 1_773_064_800.0  # 2026-03-09T14:00:00Z


def _edited(millions: int) -> Article:
    """The budget article as its outlet edited it: the budget's size written in, and the vote added."""
    outlet, title, date, text = TEXTS["ledger-2"]
    text = text.replace("passed the harbour budget", f"passed the harbour budget of {millions} million")
    text += " The vote was 9 to 4."
    return Article(id="ledger-2", outlet=outlet, title=title, text=text, date=date,
                   content_hash=hashlib.sha256(text.encode()).hexdigest())


def _build(path: Path) -> Path:
    """The sample store, two watched feeds (one failing), the budget article edited twice, and the flood
    story's comparison with its timeline."""
    build_sample_db(path)
    with Database(path) as db:
        feeds = FeedStore(db)
        courier, _ = feeds.add("http://127.0.0.1:9/courier.xml", outlet="Daily Ledger", every_s=300)
        broken, _ = feeds.add("http://127.0.0.1:9/broken.xml", every_s=60)
        feeds.add_entries(courier.id, [FeedEntry("https://example.org/ledger-2", "g1", "Budget",
                                                 "2025-02-10T09:00:00Z", "Mon, 10 Feb 2025 10:00:00 +0100", "f1")],
                          now=NOW)
        feeds.feed_fetched(courier.id, now=NOW, status=200, etag='"e1"', last_modified=None, title="Ledger")
        feeds.feed_failed(broken.id, now=NOW, url=broken.url, status=500, error="HTTP 500 from the server",
                          retry_in=120)
        item = PendingItem(courier.id, courier.url, "Daily Ledger", "https://example.org/ledger-2", "Budget",
                           "2025-02-10T09:00:00Z", 0, None, None, None)
        feeds.item_stored(item, article_id="ledger-2", now=NOW, etag=None, last_modified=None)
        first, second = _edited(12), _edited(14)
        assert feeds.add_version("ledger-2", first, now=NOW + 600, signature=None) == 2
        assert feeds.add_version("ledger-2", second, now=NOW + 1200, signature=None) == 3
        db.save_analyses([AnalyzedArticle(second)])  # the new text analysed, as the next run would
        flood = db.comparison(FLOOD)
        assert flood is not None
        db.save_comparison(replace(flood, timeline=story_timeline(flood)))
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("feeds") / "parallax.db")


@pytest.fixture()
def writable(tmp_path: Path) -> Path:
    return _build(tmp_path / "parallax.db")


def test_web_feeds_cli_web_and_library_are_one(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", str(store), "feeds", "list", "--format", "json"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    with live_server(create_app(store)) as base:
        response = httpx.get(base + "/feeds.json")
        page = httpx.get(base + "/feeds")
    with Database(store, readonly=True) as db:
        from_library = api.feeds(db)
    assert _errors(from_cli, _schemas()["feeds"]) == []
    assert from_cli == response.json() == from_library
    assert [(f["status"], f["articles"], f["n_errors"]) for f in from_cli] == [("ok", 1, 0), ("failing", 0, 1)]
    assert from_cli[1]["errors"][0]["error"] == "HTTP 500 from the server"
    assert response.headers["x-watch-paused"] == "0"
    assert page.status_code == 200 and "HTTP 500 from the server" in page.text and "failing" in page.text
    assert "Writing from the web is off" in page.text  # no token: no forms


def test_web_feeds_writes_need_the_token(writable: Path) -> None:
    with live_server(create_app(writable, ingest_token=TOKEN)) as base:
        new = {"url": "http://127.0.0.1:9/gazette.xml", "outlet": "Tamsford Gazette", "every": "15m"}
        assert httpx.post(base + "/api/feeds", json=new).status_code == 401
        assert httpx.post(base + "/api/feeds", json=new, headers={"Authorization": "Bearer nope"}).status_code == 401
        created = httpx.post(base + "/api/feeds", json=new, headers=AUTH)
        again = httpx.post(base + "/api/feeds", json=new, headers=AUTH)
        bad = httpx.post(base + "/api/feeds", json={"url": "ftp://x/feed"}, headers=AUTH)
        paused = httpx.post(base + f"/api/feeds/{created.json()['id']}/pause", headers=AUTH)
        stop = httpx.post(base + "/api/watch/stop", headers=AUTH)
        watch = httpx.get(base + "/api/watch").json()
        listed = httpx.get(base + "/feeds.json")
        removed = httpx.delete(base + "/api/feeds/1", headers=AUTH)
        missing = httpx.post(base + "/api/feeds/99/resume", headers=AUTH)
        after = httpx.get(base + "/feeds.json").json()
    assert created.status_code == 201 and again.status_code == 200
    assert created.json()["outlet"] == "Tamsford Gazette" and created.json()["every_s"] == 900
    assert bad.status_code == 400 and "not an http(s) feed URL" in bad.json()["error"]["message"]
    assert paused.json()["status"] == "paused"
    assert _errors(stop.json(), _schemas()["watch"]) == [] and watch == {"paused": True, "feeds": 3, "active_feeds": 2}
    assert listed.headers["x-watch-paused"] == "1"
    assert removed.status_code == 200 and removed.json()["id"] == 1
    assert missing.status_code == 404
    assert [f["id"] for f in after] == [2, 3]
    with Database(writable, readonly=True) as db:  # the articles a removed feed brought stay
        assert db.resolve_article_id("ledger-2") == "ledger-2"


def test_web_feeds_page_forms_post_the_token_and_come_back(writable: Path) -> None:
    with live_server(create_app(writable, ingest_token=TOKEN)) as base:
        form = {"url": "http://127.0.0.1:9/form.xml", "outlet": "Form Outlet", "every": "10m"}
        wrong = httpx.post(base + "/api/feeds", data={**form, "token": "wrong"})
        done = httpx.post(base + "/api/feeds", data={**form, "token": TOKEN})
        page = httpx.get(base + done.headers["location"])
        start = httpx.post(base + "/api/watch/stop", data={"token": TOKEN})
    assert wrong.status_code == 401
    assert done.status_code == 303 and done.headers["location"].startswith("/feeds?done=")
    assert "Form Outlet" in page.text and "feed 3 added" in page.text and 'name="token"' in page.text
    assert start.status_code == 303


def test_web_feeds_writes_are_off_without_a_token(store: Path) -> None:
    with live_server(create_app(store)) as base:
        refused = httpx.post(base + "/api/watch/stop", headers=AUTH)
    assert refused.status_code == 403 and "off" in refused.json()["error"]["message"]


def test_web_stories_by_latest_activity_mark_the_updated_one(store: Path) -> None:
    with live_server(create_app(store)) as base:
        by_date = httpx.get(base + "/stories.json").json()
        by_activity = httpx.get(base + "/stories.json?sort=activity&limit=1")
        html = httpx.get(base + "/stories?sort=activity").text
        bad = httpx.get(base + "/stories.json?sort=loudest")
    assert [s["id"] for s in by_date] == [FLOOD, BUDGET]
    [first] = by_activity.json()
    assert first["id"] == BUDGET and first["updated"] is True and first["n_versions"] == 2
    assert "sort=activity" in by_activity.headers["link"]
    assert _errors(by_activity.json(), _schemas()["stories"]) == []
    assert html.index("Council passes the harbour budget") < html.index("Port Avel evacuates")
    assert "updated " in html and "2 edits" in html
    assert bad.status_code == 400


def test_web_article_page_shows_what_changed_between_versions(store: Path) -> None:
    with live_server(create_app(store)) as base:
        data = httpx.get(base + "/articles/ledger-2.json").json()
        html = httpx.get(base + "/articles/ledger-2").text
    assert [v["version"] for v in data["versions"]] == [1, 2, 3]
    first, second = data["changes"]
    assert [r["new"] for r in first["reworded"]] and first["added"] == ["The vote was 9 to 4."]
    assert second["figures"] == ["harbour budget 12 → 14"] and second["added"] == []
    assert _errors({"article_id": "ledger-2", "versions": data["versions"], "changes": data["changes"]},
                   _schemas()["versions"]) == []
    assert "What changed between versions" in html and "harbour budget 12 → 14" in html


def test_web_story_page_and_json_carry_the_timeline(store: Path) -> None:
    with live_server(create_app(store)) as base:
        full = httpx.get(base + f"/stories/{FLOOD}.json").json()
        page = httpx.get(base + f"/stories/{FLOOD}.json?view=page").json()
        html = httpx.get(base + f"/stories/{FLOOD}").text
    kinds = [(t["outlet"], t["kind"]) for t in full["timeline"]]
    assert kinds == [("Daily Ledger", "first"), ("Harbor Times", "first"), ("Night <b>Wire</b>", "first")]
    assert page["summary"]["timeline"] == full["timeline"]
    assert full["timeline"][1]["changed_numbers"][0]["what"] == "40 people vs 35 residents evacuated"
    assert "How the story developed (UTC)" in html and "changed: 40 people vs 35 residents evacuated" in html
    assert "Night &lt;b&gt;Wire&lt;/b&gt;" in html  # outlet names are escaped in the timeline too
