"""`parallax feeds` and `parallax watch` against a real HTTP server on a loopback port, run as subprocesses.

The site (tests/watch_site.py) serves feeds and pages that the tests change between runs: new items, an
edited article, 304 answers, 404 and 500, a slow answer past the timeout, a redirect loop, a malformed feed,
a 3 MB page, a page robots.txt forbids, and items on another host name of the same server.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from watch_site import Page, Site, SiteServer, article_page, atom, rss, when

FAST = ["--no-analyze", "--timeout", "1s", "--host-delay", "0.02s", "--retry", "1s"]


def cli(db: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "parallax.cli", "--db", str(db), *args], capture_output=True,
                          text=True, timeout=timeout)


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return [tuple(r) for r in conn.execute(sql, params)]


@pytest.fixture()
def server() -> Iterator[SiteServer]:
    site = Site()
    site.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    with SiteServer(site) as srv:
        yield srv


def courier_items(srv: SiteServer, numbers: list[int], *, marker: str = "v1") -> list[tuple[str, str, object, str]]:
    return [(srv.url(f"/courier/{n}.html"), f"Item {n}", when(n), marker) for n in numbers]


def publish_courier(srv: SiteServer, numbers: list[int], *, edits: dict[int, int] | None = None) -> None:
    """The Harbour Courier's RSS feed listing ``numbers``; an edited item's feed entry changes too."""
    edits = edits or {}
    items = [(link, title, at, f"v{1 + edits.get(n, 0)}") for (link, title, at, _), n
             in zip(courier_items(srv, numbers), numbers)]
    srv.site.pages["/courier/feed.xml"] = Page(rss("Harbour Courier", items), content_type="application/rss+xml")
    for n in numbers:
        srv.site.pages[f"/courier/{n}.html"] = Page(article_page(n, edit=edits.get(n, 0)))


def publish_troubles(srv: SiteServer) -> list[str]:
    """An Atom feed of the Tamsford Gazette whose items go wrong in every way; returns the good items' URLs."""
    site = srv.site
    good = [srv.url("/gazette/40.html"), srv.url("/gazette/41.html", host="localhost")]
    items = [
        (good[0], "Good", when(40), "a"),
        (good[1], "Good elsewhere", when(41), "a"),
        (srv.url("/gazette/gone.html"), "Gone", when(42), "a"),
        (srv.url("/gazette/broken.html"), "Broken", when(43), "a"),
        (srv.url("/gazette/slow.html"), "Slow", when(44), "a"),
        (srv.url("/gazette/loop.html"), "Loop", when(45), "a"),
        (srv.url("/gazette/huge.html"), "Huge", when(46), "a"),
        (srv.url("/private/secret.html"), "Forbidden", when(47), "a"),
        (srv.url("/gazette/moved.html"), "Moved", when(48), "a"),
    ]
    site.pages["/gazette/atom.xml"] = Page(atom("Tamsford Gazette", items), content_type="application/atom+xml")
    site.pages["/gazette/40.html"] = Page(article_page(40, site="Tamsford Gazette"))
    site.pages["/gazette/41.html"] = Page(article_page(41, site="Tamsford Gazette"))
    site.pages["/gazette/broken.html"] = Page(status=500)
    site.pages["/gazette/slow.html"] = Page(article_page(44), delay=2.5)
    site.pages["/gazette/loop.html"] = Page(status=302, location="/gazette/loop-b.html")
    site.pages["/gazette/loop-b.html"] = Page(status=302, location="/gazette/loop.html")
    site.pages["/gazette/huge.html"] = Page(article_page(46, padding=3_000_000))
    site.pages["/private/secret.html"] = Page(article_page(47))
    site.pages["/gazette/moved.html"] = Page(status=301, location="/gazette/48.html")
    site.pages["/gazette/48.html"] = Page(article_page(48, site="Tamsford Gazette"))
    site.pages["/malformed.xml"] = Page(b"<?xml version='1.0'?><rss><channel><item><title>cut", content_type="text/xml")
    site.pages["/down.xml"] = Page(status=500)
    return [*good, srv.url("/gazette/moved.html")]


def add_feeds(db: Path, srv: SiteServer) -> None:
    for path in ("/courier/feed.xml", "/gazette/atom.xml", "/malformed.xml", "/down.xml"):
        result = cli(db, "feeds", "add", srv.url(path), "--every", "1m")
        assert result.returncode == 0, result.stderr


def test_watch_stores_every_good_article_once_and_records_each_error(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, [1, 2, 3])
    publish_troubles(server)
    add_feeds(db, server)

    first = cli(db, "watch", "--once", *FAST)
    assert first.returncode == 0, first.stderr
    assert "cycle 1" in first.stderr and "2 failed" in first.stderr

    urls = dict(rows(db, "SELECT url, state FROM feed_items"))
    stored = sorted(u for u, state in urls.items() if state == "stored")
    assert len(stored) == 6  # courier 1-3, gazette 40, 41 (other host) and the moved page
    assert urls[server.url("/private/secret.html")] == "skipped"
    assert urls[server.url("/gazette/gone.html")] == "failed"  # 404 does not heal: given up at once
    assert urls[server.url("/gazette/loop.html")] == "failed"
    assert urls[server.url("/gazette/huge.html")] == "failed"
    assert urls[server.url("/gazette/broken.html")] == "pending"  # 500 may heal: retried later
    assert urls[server.url("/gazette/slow.html")] == "pending"
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]
    errors = " | ".join(str(r[0]) for r in rows(db, "SELECT error FROM feed_errors"))
    for expected in ("HTTP 404", "HTTP 500", "timed out after 1 s", "redirect loop", "over the limit",
                     "malformed or truncated XML"):
        assert expected in errors
    assert server.site.requests("/private/secret.html") == []


def test_watch_second_run_gets_304_and_stores_nothing_twice(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, [1, 2])
    add_feeds(db, server)
    assert cli(db, "watch", "--once", *FAST).returncode == 0
    again = cli(db, "watch", "--once", "--every", "0.1s", *FAST)
    assert again.returncode == 0, again.stderr
    feed_requests = server.site.requests("/courier/feed.xml")
    assert [r["status"] for r in feed_requests] == [200, 304]
    assert feed_requests[1]["if_none_match"]
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]


def test_watch_new_item_is_stored_on_a_later_cycle(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, [1, 2])
    cli(db, "feeds", "add", server.url("/courier/feed.xml"))
    assert cli(db, "watch", "--once", *FAST).returncode == 0
    publish_courier(server, [1, 2, 3])
    assert cli(db, "watch", "--once", "--every", "0.1s", *FAST).returncode == 0
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]
    assert len(server.site.requests("/courier/1.html")) == 1  # known pages are not fetched again


def test_watch_edited_article_is_a_new_version_of_the_same_article(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, [1, 2])
    cli(db, "feeds", "add", server.url("/courier/feed.xml"))
    assert cli(db, "watch", "--once", *FAST).returncode == 0
    [(article_id, before)] = rows(db, "SELECT id, text FROM articles WHERE url = ?", server.url("/courier/1.html"))

    publish_courier(server, [1, 2], edits={1: 1})
    result = cli(db, "watch", "--once", "--every", "0.1s", *FAST)
    assert result.returncode == 0, result.stderr
    assert "1 new version(s)" in result.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]
    [(after,)] = rows(db, "SELECT text FROM articles WHERE id = ?", article_id)
    assert after != before and "review would report within 3 weeks" in after
    versions = rows(db, "SELECT version, text FROM article_versions WHERE article_id = ? ORDER BY version", article_id)
    assert [v for v, _ in versions] == [1, 2]
    assert versions[0][1] == before and versions[1][1] == after
    hits = rows(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'review AND weeks'")
    assert hits == [(1,)]  # the full-text index follows the new version


def test_watch_asks_one_host_one_request_at_a_time_naming_itself(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, list(range(1, 9)))
    publish_troubles(server)
    server.site.pages["/gazette/slow.html"].delay = 0  # a request the watcher gave up on stays open at the server
    add_feeds(db, server)
    env_contact = "https://newsroom.example/parallax-contact"
    result = cli(db, "watch", "--once", "--contact", env_contact, *FAST)
    assert result.returncode == 0, result.stderr
    assert max(server.site.most_in_flight.values()) == 1
    agents = {r["user_agent"] for r in server.site.log}
    assert agents == {next(iter(agents))} and "parallax/" in next(iter(agents)) and env_contact in next(iter(agents))


def test_watch_failing_feed_backs_off_exponentially(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    server.site.pages["/down.xml"] = Page(status=503)
    cli(db, "feeds", "add", server.url("/down.xml"), "--every", "2s")
    waits = []
    for _ in range(3):
        assert cli(db, "watch", "--once", *FAST).returncode == 0
        [(next_due, wait, failures)] = rows(
            db, "SELECT next_due, next_due - (julianday(last_fetch_at) - 2440587.5) * 86400.0, failures FROM feeds")
        waits.append(round(float(wait)))
        time.sleep(max(0.0, float(next_due) - time.time()) + 0.05)
    assert failures == 3
    assert waits == [2, 4, 8]


def test_feeds_commands_add_list_remove_import(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    opml = tmp_path / "subs.opml"
    opml.write_text(
        "<?xml version='1.0'?><opml version='2.0'><head><title>subs</title></head><body>"
        f"<outline text='news'><outline text='Courier' type='rss' xmlUrl='{server.url('/courier/feed.xml')}'/>"
        f"<outline text='Gazette' type='rss' xmlUrl='{server.url('/gazette/atom.xml')}'/></outline></body></opml>",
        encoding="utf-8",
    )
    assert "2 feed(s) added" in cli(db, "feeds", "import", str(opml)).stdout
    added = cli(db, "feeds", "add", server.url("/down.xml"), "--outlet", "Down Daily", "--every", "30s")
    assert added.returncode == 0 and "added feed 3" in added.stdout
    listed = json.loads(cli(db, "feeds", "list", "--format", "json").stdout)
    assert [f["status"] for f in listed] == ["new", "new", "new"]
    assert listed[2]["outlet"] == "Down Daily" and listed[2]["every_s"] == 30
    assert cli(db, "feeds", "remove", "1").returncode == 0
    assert len(json.loads(cli(db, "feeds", "list", "--format", "json").stdout)) == 2
    missing = cli(db, "feeds", "remove", "99")
    assert missing.returncode == 5 and "no feed '99'" in missing.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["feeds", "add", "ftp://example.org/feed"], 3, "is not an http(s) feed URL"),
        (["feeds", "add", "http://example.org/feed", "--every", "soon"], 3, "is not a duration"),
        (["feeds", "import", "missing.opml"], 1, "missing.opml: cannot be read"),
        (["watch", "--once"], 3, "no feeds to watch"),
    ],
)
def test_feeds_and_watch_bad_input_is_one_line(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    db = tmp_path / "watch.db"
    cli(db, "feeds", "list")  # a read command: refuses to create the store
    from parallax.store import Database

    Database(db).close()
    result = subprocess.run([sys.executable, "-m", "parallax.cli", "--db", str(db), *args], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_feeds_import_rejects_a_file_that_is_not_opml(tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    bad = tmp_path / "feeds.opml"
    bad.write_text("<rss><channel/></rss>", encoding="utf-8")
    result = cli(db, "feeds", "import", str(bad))
    assert result.returncode == 1 and "is XML but not OPML" in result.stderr


def _many_pages(srv: SiteServer, count: int) -> None:
    items = [(srv.url(f"/wire/{n}.html"), f"Wire {n}", when(n), "v1") for n in range(100, 100 + count)]
    srv.site.pages["/wire/feed.xml"] = Page(rss("Wire", items), content_type="application/rss+xml")
    for n in range(100, 100 + count):
        srv.site.pages[f"/wire/{n}.html"] = Page(article_page(n, site="Wire"), delay=0.03)


def test_watch_killed_mid_cycle_loses_nothing_and_a_restart_finishes(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    _many_pages(server, 80)
    cli(db, "feeds", "add", server.url("/wire/feed.xml"))
    proc = subprocess.Popen([sys.executable, "-m", "parallax.cli", "--db", str(db), "watch", "--once", *FAST],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        stored = rows(db, "SELECT count(*) FROM feed_items WHERE state = 'stored'")[0][0] if db.exists() else 0
        if int(stored) >= 30:  # two flushed batches in, a third in flight
            break
        time.sleep(0.05)
    assert proc.poll() is None, "watch finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = rows(db, "SELECT count(*) FROM articles")[0][0]
    assert 0 < int(partial) < 80

    rerun = cli(db, "watch", "--once", *FAST)
    assert rerun.returncode == 0, rerun.stderr
    assert rows(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(80, 80)]
    assert rows(db, "SELECT state, count(*) FROM feed_items GROUP BY state") == [("stored", 80)]


def test_watch_stops_cleanly_on_ctrl_c(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, [1, 2])
    cli(db, "feeds", "add", server.url("/courier/feed.xml"))
    proc = subprocess.Popen([sys.executable, "-m", "parallax.cli", "--db", str(db), "watch", "--every", "0.2s", *FAST],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(server.site.requests("/courier/feed.xml")) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "watch stopped (interrupted)" in err and "Traceback" not in err
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]


@pytest.mark.slow
def test_watch_analyses_new_articles_and_recompares_an_edited_story(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "watch.db"
    publish_courier(server, [1, 2])
    cli(db, "feeds", "add", server.url("/courier/feed.xml"))
    first = cli(db, "watch", "--once", "--timeout", "2s", "--host-delay", "0.02s", timeout=600)
    assert first.returncode == 0, first.stderr
    assert "analysed 2" in first.stderr
    assert rows(db, "SELECT count(*) FROM story_articles") == [(2,)]
    compared_before = dict(rows(db, "SELECT story_id, computed_at FROM comparisons"))

    publish_courier(server, [1, 2], edits={1: 1})
    second = cli(db, "watch", "--once", "--every", "0.1s", "--timeout", "2s", "--host-delay", "0.02s", timeout=600)
    assert second.returncode == 0, second.stderr
    assert "analysed 1" in second.stderr and "recompared 1" in second.stderr
    [(story_id,)] = rows(db, "SELECT story_id FROM story_articles s JOIN articles a ON a.id = s.article_id"
                             " WHERE a.url = ?", server.url("/courier/1.html"))
    [(computed,)] = rows(db, "SELECT computed_at FROM comparisons WHERE story_id = ?", story_id)
    assert computed != compared_before[story_id]
    [(data,)] = rows(db, "SELECT data FROM analyses a JOIN articles r ON r.id = a.article_id WHERE r.url = ?",
                     server.url("/courier/1.html"))
    assert "review would report within 3 weeks" in data  # the analysis is of the latest version
    from parallax.store import Database

    with Database(db, readonly=True) as store:  # the recomparison's timeline holds the edit
        comparison = store.comparison(story_id)
    assert comparison is not None
    [version] = [e for e in comparison.timeline if e.kind == "version"]
    assert version.version == 2 and version.at is not None and version.at.endswith("Z")
    assert [(f.old, f.new) for f in version.changed_numbers] == [("10", "12")]  # 3 + 7 million, then + 2
    assert any("review would report within 3 weeks" in fact for fact in version.new_facts)
    firsts = [e for e in comparison.timeline if e.kind == "first"]
    assert firsts and all(e.outlet_time for e in firsts)  # the feed's own date is kept
