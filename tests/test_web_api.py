"""The web app through an in-process client: JSON twins, filters, errors, headers, ingest auth and limits."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette 1.x nudges towards httpx2; httpx is what is installed
    from starlette.testclient import TestClient
from test_web_data import BUDGET, FLOOD, build_sample_db

from parallax.web import create_app

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("web") / "parallax.db")


@pytest.fixture(scope="module")
def client(sample_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(sample_db), base_url="http://localhost") as c:
        yield c


@pytest.fixture()
def writable(tmp_path: Path) -> Iterator[TestClient]:
    db = build_sample_db(tmp_path / "w.db")
    app = create_app(db, ingest_token=TOKEN, max_upload_bytes=4000)
    with TestClient(app, base_url="http://localhost") as c:
        yield c


PAGES = [
    "/stories",
    f"/stories/{FLOOD}",
    f"/stories/{BUDGET}",
    "/entities",
    "/entities/ines-calder",
    "/quotes",
    "/quotes?q=moved",
    "/articles/ledger-1",
    "/articles/hostile-1",
]


@pytest.mark.parametrize("path", PAGES)
def test_web_page_renders_html(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<!doctype html>" in r.text


@pytest.mark.parametrize("path", PAGES)
def test_web_page_has_json_twin_by_suffix_and_accept(client: TestClient, path: str) -> None:
    route, _, query = path.partition("?")
    by_suffix = client.get(route + ".json" + ("?" + query if query else ""))
    by_accept = client.get(path, headers={"Accept": "application/json"})
    assert by_suffix.status_code == by_accept.status_code == 200
    assert by_suffix.headers["content-type"] == "application/json"
    assert by_suffix.json() == by_accept.json()


def test_web_stories_newest_first_with_outlets(client: TestClient) -> None:
    response = client.get("/stories.json")
    data = response.json()
    assert [s["id"] for s in data] == [FLOOD, BUDGET]
    assert response.headers["x-total-count"] == "2"
    assert data[0]["n_outlets"] == 3
    assert data[0]["has_comparison"] is True
    assert data[1]["has_comparison"] is False


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("outlet=Harbor+Times", [FLOOD]),
        ("outlet=Daily+Ledger", [FLOOD, BUDGET]),
        ("entity=port-avel", [FLOOD]),
        ("from=2025-03-01", [FLOOD]),
        ("to=2025-02-28", [BUDGET]),
        ("from=2025-02-01&to=2025-02-10", [BUDGET]),
        ("q=budget", [BUDGET]),
        ("q=drainage+river", [FLOOD]),
        ("q=evacuat*", [FLOOD]),
        ("q=%22river+flooded%22", [FLOOD]),
        ("q=nothing-like-this", []),
    ],
)
def test_web_stories_filter(client: TestClient, query: str, expected: list[str]) -> None:
    data = client.get("/stories.json?" + query).json()
    assert [s["id"] for s in data] == expected


@pytest.mark.parametrize(
    "q", ['"', "a OR", "NEAR(a b)", "title:x", "(((", "*", "-x", "a AND NOT b", "x\" OR 1=1 --", "';DROP TABLE articles;--"]
)
def test_web_search_syntax_never_errors(client: TestClient, q: str) -> None:
    assert client.get("/stories.json", params={"q": q}).status_code == 200
    assert client.get("/quotes.json", params={"q": q, "speaker": q}).status_code == 200


def test_web_stories_paging(client: TestClient) -> None:
    first = client.get("/stories.json?limit=1")
    assert len(first.json()) == 1 and first.links["next"] and "prev" not in first.links
    second = client.get(first.links["next"]["url"]).json()
    assert [s["id"] for s in second] == [BUDGET]


def test_web_story_json_is_the_stored_comparison(client: TestClient) -> None:
    data = client.get(f"/stories/{FLOOD}.json").json()
    assert data["story"]["id"] == FLOOD
    assert {c["type"] for c in data["conflicts"]} == {"number"}
    assert len(data["articles"]) == 3


def test_web_story_page_marks_counterparts_and_conflicts(client: TestClient) -> None:
    html = client.get(f"/stories/{FLOOD}").text
    assert 'id="s-ledger-1:0"' in html
    assert 'data-matches="harbor-1:0"' in html
    assert 'class="conflict-item" id="c1" data-a="ledger-1:0" data-b="harbor-1:0"' in html
    assert 'data-toggle-outlet="Harbor Times"' in html


def test_web_story_prefix_and_uncompared(client: TestClient) -> None:
    assert client.get("/stories/story-flood.json").json()["story"]["id"] == FLOOD
    budget = client.get(f"/stories/{BUDGET}.json").json()
    assert budget["alignments"] == [] and budget["articles"][0]["id"] == "ledger-2"


def test_web_story_page_by_prefix_is_the_story_page(client: TestClient) -> None:
    by_prefix = client.get("/stories/story-flood.json?view=page").json()
    assert by_prefix == client.get(f"/stories/{FLOOD}.json?view=page").json()
    assert by_prefix["summary"]["story"]["id"] == FLOOD


def test_web_entity_groups_wording_variants(client: TestClient) -> None:
    data = client.get("/entities/ines-calder.json").json()
    assert data["entity"]["name"] == "Ines Calder"
    assert data["n_quotes"] == 4
    moved = next(v for v in data["variants"] if "moved" in v["wordings"][0]["text"])
    assert {w["text"] for w in moved["wordings"]} == {"We moved everyone before dark,", "We moved every family before nightfall,"}
    assert set(moved["outlets"]) == {"Daily Ledger", "Harbor Times"}
    assert any(op == "+" for op, _ in moved["wordings"][1]["diff"])


def test_web_entity_unknown_is_404(client: TestClient) -> None:
    r = client.get("/entities/nobody-at-all.json")
    assert r.status_code == 404
    assert r.json()["error"]["status"] == 404


@pytest.mark.parametrize(
    ("query", "n"),
    [("q=moved", 2), ("speaker=calder", 4), ("outlet=Harbor+Times", 1), ("from=2025-03-01", 3),
     ("to=2025-02-11", 1), ("q=chaos&speaker=ines", 1), ("q=moved&outlet=Night", 0)],
)
def test_web_quote_search(client: TestClient, query: str, n: int) -> None:
    data = client.get("/quotes.json?" + query).json()
    assert data["total"] == n == len(data["quotes"])


def test_web_article_highlights_and_removed(client: TestClient) -> None:
    html = client.get("/articles/ledger-1").text
    assert 'class="hl-quote"' in html and 'class="ent-link" href="/entities/ines-calder"' in html
    assert "Subscribe to our newsletter &lt;script&gt;" in html
    data = client.get("/articles/ledger-1.json").json()
    assert data["article"]["removed"][0]["reason"] == "trailer"
    assert data["story"]["id"] == FLOOD


@pytest.mark.parametrize("path", ["/articles/hostile-1", f"/stories/{FLOOD}", "/quotes?q=chaos", "/stories"])
def test_web_hostile_text_is_escaped(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert "<script>document" not in html and "<script>alert" not in html
    assert "<img src=x" not in html and "<b>Wire</b>" not in html
    assert html.count("<script") == 1  # the static app.js


def test_web_article_url_scheme_is_filtered(tmp_path: Path) -> None:
    from parallax.model import Article
    from parallax.store import Database

    path = build_sample_db(tmp_path / "u.db")
    with Database(path) as db:
        db.add_articles([Article("js-1", "X", "t", "body text here", url="javascript:alert(1)", content_hash="h-js")])
    with TestClient(create_app(path), base_url="http://localhost") as c:
        html = c.get("/articles/js-1").text
    assert "javascript:" not in html


@pytest.mark.parametrize("path", ["/stories", "/stories.json", "/static/style.css", "/nope", "/openapi.json"])
def test_web_security_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/nope.json", 404), ("/stories/no-such-story.json", 404), ("/articles/none.json", 404),
     ("/stories.json?from=yesterday", 400), ("/stories.json?limit=x", 400), ("/stories.json?limit=100000", 400),
     ("/quotes.json?to=2025-13-40", 400)],
)
def test_web_errors_are_json_with_status(client: TestClient, path: str, status: int) -> None:
    r = client.get(path)
    assert r.status_code == status
    assert r.json()["error"]["status"] == status
    assert r.json()["error"]["message"]


def test_web_errors_are_html_for_browsers(client: TestClient) -> None:
    r = client.get("/stories/no-such-story", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "no story" in r.text


def test_web_openapi_lists_every_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ["/stories", "/stories.json", "/stories/{story_id}", "/entities/{key}", "/quotes", "/articles/{article_id}"]:
        assert "get" in doc["paths"][path]
    assert "post" in doc["paths"]["/api/ingest"]
    docs = client.get("/docs").text
    assert "/api/ingest" in docs and "<script>" not in docs.replace('<script src="/static/app.js" defer>', "")


# -- ingest -------------------------------------------------------------------------------------------

ARTICLE = {"id": "new-1", "outlet": "Test Outlet", "title": "A made-up event", "date": "2025-04-01",
           "text": "A made-up event happened in Port Avel on Tuesday. Nobody was hurt, officials said."}


def test_web_ingest_off_without_token(client: TestClient) -> None:
    r = client.post("/api/ingest", json=ARTICLE, headers={"Authorization": "Bearer anything"})
    assert r.status_code == 403
    assert "token" in r.json()["error"]["message"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"X-Parallax-Token": "wrong"}])
def test_web_ingest_needs_the_token(writable: TestClient, headers: dict[str, str]) -> None:
    r = writable.post("/api/ingest", json=ARTICLE, headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_web_ingest_json_article(writable: TestClient) -> None:
    r = writable.post("/api/ingest?analyze=0", json=[ARTICLE], headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    assert r.json()["added"] == 1
    article = writable.get("/articles/new-1.json").json()["article"]
    assert article["outlet"] == "Test Outlet"
    again = writable.post("/api/ingest?analyze=0", json={"articles": [ARTICLE]}, headers={"X-Parallax-Token": TOKEN})
    assert again.status_code == 200 and again.json()["added"] == 0


def test_web_ingest_file_upload(writable: TestClient) -> None:
    body = json.dumps({**ARTICLE, "id": "file-1", "text": "Another made-up report from Port Avel today."})
    files = {"file": ("../../etc/evil name.jsonl", body.encode(), "application/x-ndjson")}
    r = writable.post("/api/ingest?analyze=0", files=files, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    assert writable.get("/articles/file-1.json").status_code == 200


@pytest.mark.parametrize(
    ("content", "ctype", "status"),
    [(b"{not json", "application/json", 400), (b"[]", "application/json", 400),
     (b"x" * 5000, "application/json", 413), (b"hello", "text/plain", 415)],
)
def test_web_ingest_bad_bodies(writable: TestClient, content: bytes, ctype: str, status: int) -> None:
    r = writable.post("/api/ingest", content=content, headers={"Content-Type": ctype, "X-Parallax-Token": TOKEN})
    assert r.status_code == status
    assert r.json()["error"]["status"] == status


def test_web_ingest_item_errors_are_reported(writable: TestClient) -> None:
    r = writable.post("/api/ingest?analyze=0", json=[{"title": "no text"}], headers={"X-Parallax-Token": TOKEN})
    assert r.status_code == 200
    assert "text" in r.json()["errors"][0]


def test_web_ingest_streamed_body_over_limit(writable: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    r = writable.post("/api/ingest", content=chunks(),
                      headers={"Content-Type": "application/json", "X-Parallax-Token": TOKEN})
    assert r.status_code == 413


def test_web_reads_need_no_token_and_get_is_not_a_write(writable: TestClient) -> None:
    assert writable.get("/stories.json").status_code == 200
    assert writable.get("/api/ingest").status_code == 405


@pytest.mark.parametrize("path", ["/stories", "/quotes"])
def test_web_outlet_filter_marks_the_choice_and_escapes_names(client: TestClient, path: str) -> None:
    html = client.get(path, params={"outlet": "Harbor Times"}).text
    assert '<option value="Harbor Times" selected>' in html
    assert 'value="Night &lt;b&gt;Wire&lt;/b&gt;"' in html and "<b>Wire" not in html


@pytest.mark.parametrize(("path", "listed_at"), [("/stories/nope.json", "/stories"), ("/articles/nope.json", "/stories"),
                                                 ("/entities/nope.json", "/entities")])
def test_web_not_found_names_where_things_are_listed(client: TestClient, path: str, listed_at: str) -> None:
    message = client.get(path).json()["error"]["message"]
    assert "'nope'" in message and f" at {listed_at}" in message
    assert "parallax " not in message  # a reader of the site is not sent to a command


@pytest.mark.parametrize("body", [b'{"text": "abc', b'{"text": ', b"[1, 2", b"\xff\xfe"])
def test_web_ingest_bad_json_body_message_reads_well(writable: TestClient, body: bytes) -> None:
    r = writable.post("/api/ingest", content=body, headers={"X-Parallax-Token": TOKEN,
                                                            "Content-Type": "application/json"})
    message = r.json()["error"]["message"]
    assert r.status_code == 400 and message.startswith("body is not")
    assert "at at" not in message and "  " not in message


def test_web_ingest_upload_errors_name_the_uploaded_file(writable: TestClient) -> None:
    files = {"file": ("my report.json", b'{"text": "abc', "application/json")}
    r = writable.post("/api/ingest?analyze=0", files=files, headers={"X-Parallax-Token": TOKEN})
    errors = r.json()["errors"]
    assert len(errors) == 1 and errors[0].startswith("my report.json: is not valid JSON")
    assert "parallax-upload" not in errors[0] and "/tmp" not in errors[0] and "at at" not in errors[0]
