"""Each input kind: RSS, Atom, HTML, JSON/JSONL (plain and gzip), plain text and stdin."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from parallax.errors import InputError
from parallax.ingest import content_hash, iter_inputs
from parallax.model import Article

BODY = (
    "The harbour authority closed the north channel on Tuesday after a cargo ship lost power.\n"
    "Tugs towed the vessel to a berth, and nobody was hurt, the authority said."
)
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>The Example Ledger</title><link>https://ledger.example/</link>
<item>
  <title>Channel closed after ship loses power</title>
  <link>https://ledger.example/news/channel</link>
  <guid isPermaLink="false">ledger-0001</guid>
  <pubDate>Tue, 10 Mar 2026 09:30:00 +0000</pubDate>
  <description>Short teaser only.</description>
  <content:encoded><![CDATA[<p>The harbour authority closed the north channel on Tuesday after a
  cargo ship lost power.</p><p>Tugs towed the vessel to a berth, and nobody was hurt,
  the authority said.</p><p>The post Channel closed after ship loses power appeared first on
  The Example Ledger.</p>]]></content:encoded>
</item>
<item>
  <title>Teaser only</title>
  <link>https://ledger.example/news/teaser</link>
  <description>&lt;p&gt;A summary with &lt;b&gt;markup&lt;/b&gt; and no full body.&lt;/p&gt;</description>
</item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom Example Wire</title>
  <id>urn:example:wire</id>
  <updated>2026-03-10T12:00:00Z</updated>
  <entry>
    <title>Channel reopens</title>
    <id>urn:example:wire:42</id>
    <link href="https://wire.example/42"/>
    <updated>2026-03-11T08:00:00Z</updated>
    <author><name>Ana Ruiz</name></author>
    <content type="html">&lt;p&gt;The north channel reopened on Wednesday.&lt;/p&gt;&lt;p&gt;Ships resumed sailing.&lt;/p&gt;</content>
  </entry>
</feed>
"""
HTML = """<!DOCTYPE html><html lang="en"><head>
<title>Channel closed after ship loses power | Harbour Courier</title>
<meta property="og:site_name" content="Harbour Courier">
<meta property="og:title" content="Channel closed after ship loses power">
<meta name="author" content="Lena Brandt">
<meta property="article:published_time" content="2026-03-10T09:30:00Z">
<link rel="canonical" href="https://harbour-courier.example/news/channel-closed">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Channel closed after ship loses power</h1>
<p>The harbour authority closed the north channel on Tuesday after a cargo ship lost power near the
breakwater, forcing three ferries to wait outside the port for most of the afternoon.</p>
<p>Sign up for our morning briefing</p>
<p>Tugs towed the vessel to a berth, and nobody was hurt, the authority said in a statement. Its harbour
master, Ines Varga, said the channel would reopen once divers had inspected the hull.</p>
</article><footer>All rights reserved.</footer></body></html>
"""


def only_articles(items: list[Article | InputError]) -> list[Article]:
    assert not [item for item in items if isinstance(item, InputError)], items
    return [item for item in items if isinstance(item, Article)]


@pytest.fixture()
def rss_articles(tmp_path: Path) -> list[Article]:
    path = tmp_path / "ledger.rss"
    path.write_text(RSS, encoding="utf-8")
    return only_articles(list(iter_inputs([path])))


def test_rss_prefers_content_encoded(rss_articles: list[Article]) -> None:
    assert rss_articles[0].text == BODY


def test_rss_trailer_is_removed_from_content(rss_articles: list[Article]) -> None:
    assert [item.reason for item in rss_articles[0].removed] == ["trailer"]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("id", "ledger-0001"),
        ("outlet", "The Example Ledger"),
        ("title", "Channel closed after ship loses power"),
        ("date", "2026-03-10T09:30:00Z"),
        ("url", "https://ledger.example/news/channel"),
    ],
)
def test_rss_entry_fields(rss_articles: list[Article], field: str, expected: str) -> None:
    assert getattr(rss_articles[0], field) == expected


def test_rss_summary_used_without_content_and_cleaned_of_html(rss_articles: list[Article]) -> None:
    assert rss_articles[1].text == "A summary with markup and no full body."


def test_rss_entry_without_guid_gets_hash_id(rss_articles: list[Article]) -> None:
    teaser = rss_articles[1]
    assert teaser.id == "a-" + teaser.content_hash[:16]


def test_atom_entry(tmp_path: Path) -> None:
    path = tmp_path / "wire.atom"
    path.write_text(ATOM, encoding="utf-8")
    (article,) = only_articles(list(iter_inputs([path])))
    assert (article.id, article.outlet, article.byline) == (
        "urn:example:wire:42",
        "Atom Example Wire",
        "Ana Ruiz",
    )
    assert article.text == "The north channel reopened on Wednesday.\nShips resumed sailing."


@pytest.fixture()
def html_article(tmp_path: Path) -> Article:
    path = tmp_path / "channel.html"
    path.write_text(HTML, encoding="utf-8")
    (article,) = only_articles(list(iter_inputs([path])))
    return article


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("outlet", "Harbour Courier"),
        ("title", "Channel closed after ship loses power"),
        ("date", "2026-03-10"),
        ("url", "https://harbour-courier.example/news/channel-closed"),
        ("byline", "Lena Brandt"),
    ],
)
def test_html_metadata(html_article: Article, field: str, expected: str) -> None:
    assert getattr(html_article, field) == expected


def test_html_body_without_title_navigation_or_boilerplate(html_article: Article) -> None:
    assert html_article.text.startswith("The harbour authority closed")
    assert "Home" not in html_article.text and "Sign up" not in html_article.text
    assert any(item.reason == "boilerplate" for item in html_article.removed)


def test_html_canonical_url_is_not_the_id(html_article: Article) -> None:
    assert html_article.id == "a-" + html_article.content_hash[:16]


ROWS = [
    {"id": "j1", "outlet": "nytimes.com", "title": "One", "date": "2026-01-02", "text": BODY, "story": "s1"},
    {
        "id": "j2",
        "outlet": "The Example Ledger",
        "title": "Two",
        "text": "Another body.\n\n\nSecond paragraph.",
    },
]


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("rows.jsonl", lambda rows: "".join(json.dumps(r) + "\n" for r in rows).encode()),
        ("rows.jsonl.gz", lambda rows: gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())),
        ("rows.json", lambda rows: json.dumps(rows).encode()),
        ("rows.json.gz", lambda rows: gzip.compress(json.dumps(rows).encode())),
    ],
)
def test_json_kinds_keep_row_fields(tmp_path: Path, name: str, encode) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(encode(ROWS))
    first, second = only_articles(list(iter_inputs([path])))
    assert (first.id, first.outlet, first.date, first.story_hint) == (
        "j1",
        "New York Times",
        "2026-01-02",
        "s1",
    )
    assert (second.id, second.title, second.text) == ("j2", "Two", "Another body.\nSecond paragraph.")
    assert first.source_path == str(path)


def test_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ROWS[0]), encoding="utf-8")
    (article,) = only_articles(list(iter_inputs([path])))
    assert article.id == "j1"


@pytest.mark.parametrize(
    ("content", "expected_id"),
    [
        (BODY, "a-" + content_hash(BODY)[:16]),
        ("".join(json.dumps(r) + "\n" for r in ROWS), "j1"),
        (json.dumps(ROWS), "j1"),
        (RSS, "ledger-0001"),
        (HTML, None),
    ],
)
def test_stdin_kind_is_sniffed(content: str, expected_id: str | None) -> None:
    articles = only_articles(list(iter_inputs(["-"], stdin=io.StringIO(content))))
    assert articles
    if expected_id:
        assert articles[0].id == expected_id
    assert articles[0].source_path == "<stdin>"


def test_stdin_binary_stream_is_decoded() -> None:
    class Wrapper(io.StringIO):
        buffer = io.BytesIO(BODY.encode("utf-8"))

    (article,) = only_articles(list(iter_inputs(["-"], stdin=Wrapper())))
    assert article.text == BODY


def test_txt_headline_first_line_becomes_title(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Channel Closed After Ship Loses Power\n" + BODY, encoding="utf-8")
    (article,) = only_articles(list(iter_inputs([path])))
    assert (article.id, article.title, article.text) == (
        "story",
        "Channel Closed After Ship Loses Power",
        BODY,
    )


def test_directory_walk_is_recursive_and_sorted(tmp_path: Path) -> None:
    for relative in ("b/2.txt", "a/z.txt", "a/sub/1.txt", "c.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Body of {relative} for the walk test.", encoding="utf-8")
    articles = only_articles(list(iter_inputs([tmp_path])))
    assert [Path(a.source_path or "").relative_to(tmp_path).as_posix() for a in articles] == [
        "a/sub/1.txt",
        "a/z.txt",
        "b/2.txt",
        "c.txt",
    ]


def test_txt_first_line_repeating_trailer_title_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    title = "Channel Closed After Ship Loses Power"
    path.write_text(
        f"{title}\n{BODY}\nThe post {title} appeared first on Harbour Courier.\n", encoding="utf-8"
    )
    (article,) = only_articles(list(iter_inputs([path])))
    assert (article.title, article.outlet, article.text) == (title, "Harbour Courier", BODY)
    assert [item.reason for item in article.removed] == ["headline", "trailer"]


def test_feed_in_declared_latin1_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.rss"
    rss = RSS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
        "harbour authority", "harbour café"
    )
    path.write_bytes(rss.encode("latin-1"))
    first = only_articles(list(iter_inputs([path])))[0]
    assert first.text.startswith("The harbour café closed")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-01-02", "2026-01-02"),
        ("2026-01-02T08:15:00+01:00", "2026-01-02T08:15:00+01:00"),
        ("4/4/17", "2017-04-04"),
        ("March 3, 2025", "2025-03-03"),
        ("Tue, 04 Mar 2025 10:00:00 +0200", "2025-03-04T08:00:00Z"),
        ("yesterday", None),
        ("not a date at all", None),
    ],
)
def test_json_dates_are_stored_as_iso(tmp_path: Path, given: str, stored: str | None, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dated.jsonl"
    path.write_text(json.dumps({"id": "d1", "date": given, "text": BODY}) + "\n", encoding="utf-8")
    (article,) = only_articles(list(iter_inputs([path])))
    assert article.date == stored
    assert ("left empty" in caplog.text) == (stored is None)
    if stored is None:
        assert f"{path}:1" in caplog.text and repr(given) in caplog.text
