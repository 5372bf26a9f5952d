"""Story pages read from a comparison's rows, a page of columns at a time, and paged in the web app."""

from __future__ import annotations

import hashlib
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette 1.x nudges towards httpx2; httpx is what is installed
    from starlette.testclient import TestClient
from test_web_data import FLOOD, build_sample_db

from parallax.model import AlignedRef, Alignment, Article, Comparison, Conflict, OutletGap, Sentence, Story
from parallax import api
from parallax.store import Database
from parallax.store.base import _split_sql
from parallax.store.migrations import MIGRATIONS
from parallax.web.pages import GAPS_SHOWN, page_sections, story_columns, story_summary
from parallax.web import create_app
from parallax.web.views import COLUMNS_PER_PAGE

WIDE = "story-wide-0003"
N_WIDE = 2 * COLUMNS_PER_PAGE + 6  # three pages of columns


def _wide_articles() -> list[Article]:
    out = []
    for i in range(N_WIDE):
        text = f"Bridge {i} reopened on Friday after repairs.\nTraffic resumed at {i + 6} o'clock, crews said."
        out.append(Article(id=f"wide-{i:02d}", outlet=f"Outlet {i:02d}", title=f"Bridge {i} reopens", text=text,
                           date="2025-05-02", content_hash=hashlib.sha256(text.encode()).hexdigest()))
    return out


def _sentences(a: Article) -> tuple[Sentence, ...]:
    first, _, second = a.text.partition("\n")
    return (Sentence(a.id, 0, 0, len(first), first), Sentence(a.id, 1, len(first) + 1, len(a.text), second))


def _ref(a: Article, s: Sentence) -> AlignedRef:
    return AlignedRef(a.id, a.outlet, s.index, s.start, s.end, 0.9)


def _wide_comparison(articles: list[Article]) -> Comparison:
    sents = {a.id: _sentences(a) for a in articles}
    story = Story(WIDE, "Bridge reopens", tuple(a.id for a in articles), "2025-05-02", "2025-05-02",
                  tuple(a.outlet for a in articles))
    alignments = []
    for a in articles:
        others = [b for b in articles if b is not a][:3]
        alignments.append(Alignment(a.id, a.outlet, 0, sents[a.id][0].start, sents[a.id][0].end, "shared",
                                    tuple(b.outlet for b in others), tuple(_ref(b, sents[b.id][0]) for b in others)))
        s = sents[a.id][1]
        alignments.append(Alignment(a.id, a.outlet, 1, s.start, s.end, "unique"))
    first, last = articles[0], articles[-1]
    conflict = Conflict("number", _ref(first, sents[first.id][1]), _ref(last, sents[last.id][1]),
                        sents[first.id][1].text, sents[last.id][1].text, "6 vs 35 o'clock", 0.8)
    unique = tuple(OutletGap(a.outlet, a.id, 1, sents[a.id][1].start, sents[a.id][1].end, sents[a.id][1].text)
                   for a in articles for _ in range(GAPS_SHOWN + 2))
    return Comparison(story=story, articles=tuple(articles), alignments=tuple(alignments), unique=unique,
                      conflicts=(conflict,), sentences=tuple(s for a in articles for s in sents[a.id]))


def build_wide_db(path: Path) -> Path:
    build_sample_db(path)
    articles = _wide_articles()
    with Database(path) as db:
        db.add_articles(articles)
        db.assign_stories([(a.id, WIDE) for a in articles])
        db.save_comparison(_wide_comparison(articles))
    return path


@pytest.fixture(scope="module")
def wide_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wide_db(tmp_path_factory.mktemp("pages") / "parallax.db")


@pytest.fixture(scope="module")
def client(wide_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(wide_db), base_url="http://localhost") as c:
        yield c


def _page(db: Database, story_id: str, offset: int = 0, limit: int | None = None
          ) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    part = api.comparison_part(db, story_id, offset=offset, limit=limit, nearest_of_first=GAPS_SHOWN)
    assert part is not None
    return story_summary(part["summary"]), story_columns(part["columns"]), part["n_columns"]


def test_story_pages_read_from_rows_are_those_of_the_whole_comparison(wide_db: Path) -> None:
    with Database(wide_db) as db:
        for story_id in (FLOOD, WIDE):
            data = db.comparison_json(story_id)
            assert data is not None
            summary, columns, n_columns = _page(db, story_id)
            assert summary == story_summary(data)
            assert columns == story_columns(data)
            assert n_columns == len(data["articles"])
        _, part, _ = _page(db, WIDE, COLUMNS_PER_PAGE, COLUMNS_PER_PAGE)
        assert [c["article"]["id"] for c in part] == [f"wide-{i:02d}" for i in range(12, 24)]
        assert part == story_columns(db.comparison_json(WIDE) or {})[12:24]


def test_story_summary_cuts_long_lists_and_keeps_counts(wide_db: Path) -> None:
    with Database(wide_db) as db:
        summary, columns, _ = _page(db, WIDE)
    first, last = columns[0], columns[-1]
    gap = first["outlet"]["gaps"]
    assert gap["n_only"] == GAPS_SHOWN + 2 and len(gap["only"]) == GAPS_SHOWN
    assert first["counts"] == {"shared": 1, "unique": 1}
    assert first["paragraphs"][0][0]["matches"] == "wide-01:0 wide-02:0 wide-03:0"
    assert first["paragraphs"][1][0]["conflicts"] == "c1"
    # The one conflict travels with both articles it involves, and only with them.
    assert [c["id"] for c in first["conflicts"]] == [c["id"] for c in last["conflicts"]] == ["c1"]
    assert all(not c["conflicts"] for c in columns[1:-1])
    assert summary["n_conflicts"] == 1 and "conflicts" not in summary


def test_page_sections_gather_what_the_columns_carry(wide_db: Path) -> None:
    with Database(wide_db) as db:
        _, columns, _ = _page(db, WIDE, 0, COLUMNS_PER_PAGE)
    sections = page_sections(columns)
    assert [c["id"] for c in sections["conflicts"]] == ["c1"]
    assert [g["outlet"] for g in sections["gaps"]] == [f"Outlet {i:02d}" for i in range(COLUMNS_PER_PAGE)]
    assert sections["sources"] == {"outlets": [f"Outlet {i:02d}" for i in range(COLUMNS_PER_PAGE)], "rows": []}


def test_story_pages_migration_upgrades_an_older_store(tmp_path: Path) -> None:
    """A store made before migration 0006 gets the new tables, and story links learn article rowids."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT 'then')")
    for name, sql in MIGRATIONS[:5]:
        for statement in _split_sql(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO migrations(name) VALUES (?)", (name,))
    conn.execute("INSERT INTO articles(id, outlet, title, date, content_hash, text)"
                 " VALUES ('a1', 'O', 'T', '2025-01-02', 'h', 'Text.')")
    conn.execute("INSERT INTO quotes(article_id, idx, kind, content, start, end) VALUES ('a1', 0, 'direct', 'Text', 0, 4)")
    conn.execute("INSERT INTO stories(id, title) VALUES ('s1', 'T')")
    conn.execute("INSERT INTO story_articles(article_id, story_id) VALUES ('a1', 's1')")
    conn.commit()
    conn.close()
    with Database(path) as db:
        assert "0006_story_pages" in db.applied_migrations()
        rowid = db.conn.execute("SELECT rowid FROM articles WHERE id = 'a1'").fetchone()[0]
        assert db.conn.execute("SELECT article_rowid FROM story_articles").fetchone()[0] == rowid
        assert db.conn.execute("SELECT date FROM quotes").fetchone()[0] == "2025-01-02"
        # 0010 keeps comparisons as rows and drops the page pieces 0006 made.
        assert "0010_comparison_rows" in db.applied_migrations()
        tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "comparison_alignments" in tables and "story_pages" not in tables


def test_web_story_pages_through_columns(client: TestClient) -> None:
    first = client.get(f"/stories/{WIDE}")
    assert first.status_code == 200
    html = first.text
    assert html.count('<section class="col"') == COLUMNS_PER_PAGE
    assert f"Articles 1–{COLUMNS_PER_PAGE} of {N_WIDE}" in html
    # The conflict's second side is an article of the last page: its link opens that page.
    assert f'href="?page=3#s-wide-{N_WIDE - 1:02d}:1"' in html
    last = client.get(f"/stories/{WIDE}?page=3").text
    assert last.count('<section class="col"') == N_WIDE - 2 * COLUMNS_PER_PAGE
    assert f'id="s-wide-{N_WIDE - 1:02d}:1"' in last
    middle = client.get(f"/stories/{WIDE}?page=2").text
    assert "conflict-item" not in middle  # neither side of the only conflict is on page 2
    assert client.get(f"/stories/{WIDE}?page=4").status_code == 404


def test_web_story_page_json_view(client: TestClient) -> None:
    data = client.get(f"/stories/{WIDE}.json?view=page&page=2").json()
    assert data["page"] == 2 and data["pages"] == 3
    assert [c["article"]["id"] for c in data["columns"]][0] == f"wide-{COLUMNS_PER_PAGE:02d}"
    assert data["summary"]["story"]["id"] == WIDE and data["prev"] and data["next"]
    whole = client.get(f"/stories/{WIDE}.json").json()
    assert len(whole["articles"]) == N_WIDE and len(whole["alignments"]) == 2 * N_WIDE


def test_web_sends_gzip_to_clients_that_accept_it(client: TestClient) -> None:
    packed = client.get(f"/stories/{WIDE}.json", headers={"Accept-Encoding": "gzip"})
    plain = client.get(f"/stories/{WIDE}.json", headers={"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert packed.json() == plain.json() and plain.json()["story"]["id"] == WIDE
    assert "Accept-Encoding" in plain.headers["vary"]


def test_quote_search_plans_agree_on_order(wide_db: Path) -> None:
    """Words alone, words with a filter, and no words take three query plans; all list newest first."""

    with Database(wide_db) as db:
        every, total = db.search_quotes()
        assert total == len(every) == 4
        dates = [h.date for h in every]
        assert dates == sorted(dates, reverse=True)
        for words in ("moved", "port", "chaos moved"):
            alone, n_alone = db.search_quotes(q=words)
            filtered, n_filtered = db.search_quotes(q=words, date_from="2000-01-01")
            assert [h.id for h in alone] == [h.id for h in filtered] and n_alone == n_filtered == len(alone)
            assert [h.id for h in alone] == [h.id for h in every if h.id in {x.id for x in alone}]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [({"q": "bridge"}, 2), ({"q": "bridge", "outlet": "Outlet 03"}, 1), ({"outlet": "Outlet 03"}, 1), ({}, 3)],
)
def test_story_list_total_is_the_same_on_every_page(wide_db: Path, filters: dict[str, str], expected: int) -> None:
    """("bridge" is in the flood story too.)"""
    from parallax.model import StoryFilters

    with Database(wide_db) as db:
        first = db.list_stories(StoryFilters(**filters), limit=1)
        past = db.list_stories(StoryFilters(**filters), limit=1, offset=50)
    assert first.total == past.total and past.stories == ()
    assert first.total == expected


def test_entity_counts_follow_recomparisons(tmp_path: Path) -> None:
    """The entity list reads counts kept on each entity; saving a comparison updates every entity it
    adds or drops."""

    path = build_wide_db(tmp_path / "e.db")
    with Database(path) as db:
        def truth(key: str) -> tuple[int, int]:
            row = db.conn.execute("SELECT count(DISTINCT article_id), count(DISTINCT story_id) FROM entity_articles"
                                  " WHERE entity_key = ?", (key,)).fetchone()
            return row[0], row[1]

        listed = {e.key: (e.n_articles, e.n_stories) for e in db.list_entities()}
        assert listed and all(counts == truth(key) for key, counts in listed.items())
        assert listed["ines-calder"][0] > 0
        flood = db.comparison(FLOOD)
        assert flood is not None
        db.save_comparison(flood, entity_rows=[])  # recompared, and nobody is named any more
        assert {e.key: e.n_articles for e in db.list_entities()}["ines-calder"] == 0 == truth("ines-calder")[0]


def test_web_entity_page_is_rebuilt_when_quotes_change(tmp_path: Path) -> None:
    from parallax.model import AnalyzedArticle, Quote, Span

    path = build_wide_db(tmp_path / "q.db")
    with TestClient(create_app(path), base_url="http://localhost") as c:
        before = c.get("/entities/ines-calder.json").json()["n_quotes"]
        assert c.get("/entities/ines-calder.json").json()["n_quotes"] == before  # served from the cache
        with Database(path) as db:
            analyzed = db.analysis("wide-00")
            text = analyzed.article.text
            said = Quote("wide-00", "indirect", Span(0, 20, text[:20]), speaker_name="Ines Calder")
            db.save_analyses([AnalyzedArticle(analyzed.article, analyzed.sentences, (), (said,), ())])
        assert c.get("/entities/ines-calder.json").json()["n_quotes"] == before + 1


def test_entity_page_caps_to_the_newest_quotes_and_says_so(wide_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parallax import entity_pages as queries

    monkeypatch.setattr(queries, "_MAX_ENTITY_QUOTES", 2)
    with Database(wide_db) as db:
        page = queries.entity_page(db, "ines-calder")
    assert (page.n_quotes, page.n_quotes_total) == (2, 4)
    shown = sorted(q.date or "" for v in page.variants for w in v.wordings for q in w.quotes)
    assert shown == ["2025-03-03", "2025-03-04"]  # the budget quote of 2025-02-10 is the oldest, left out


def test_much_quoted_speakers_are_grouped_ahead_and_kept_while_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parallax.model import AnalyzedArticle, Quote, Span, to_dict
    from parallax.entity_pages import build_entity_pages
    from parallax import entity_pages as queries

    path = build_wide_db(tmp_path / "h.db")
    with Database(path) as db:
        db.conn.execute("UPDATE quotes SET speaker_key = 'ines-calder' WHERE speaker_name = 'Ines Calder'")
        db.conn.commit()
        with TestClient(create_app(path), base_url="http://localhost") as c:
            built_here = c.get("/entities/ines-calder.json").json()
        monkeypatch.setattr(queries, "HEAVY_ENTITY_QUOTES", 3)
        monkeypatch.setattr(queries, "REMARKS_PER_PAGE", 1)
        assert db.much_quoted(queries.HEAVY_ENTITY_QUOTES) == ["ines-calder"]
        assert build_entity_pages(db) == 1 and build_entity_pages(db) == 0  # kept while current
        second, kept = queries.entity_page_slice(db, "ines-calder", 2)
        assert kept and second["variants"] == to_dict(queries.entity_page(db, "ines-calder").variants)[1:2]
        monkeypatch.setattr(queries, "REMARKS_PER_PAGE", 50)
        assert not queries.entity_page_slice(db, "ines-calder")[1]  # kept in pages of another size: stale
        assert build_entity_pages(db) == 1
        _, kept = queries.entity_page_slice(db, "ines-calder")
        assert kept
        with TestClient(create_app(path), base_url="http://localhost") as c:
            assert c.get("/entities/ines-calder.json").json() == built_here
            assert "Ines Calder" in c.get("/entities/ines-calder").text
        analyzed = db.analysis("wide-00")
        said = Quote("wide-00", "indirect", Span(0, 20, analyzed.article.text[:20]), speaker_name="Ines Calder",
                     speaker_entity="ines-calder")
        db.save_analyses([AnalyzedArticle(analyzed.article, analyzed.sentences, (), (said,), ())])
        fresh, kept = queries.entity_page_slice(db, "ines-calder")  # the kept grouping is stale: built now
        assert not kept and fresh["n_quotes"] == built_here["n_quotes"] + 1
        assert build_entity_pages(db) == 1


def test_web_entity_page_pages_through_remarks(wide_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parallax import entity_pages as queries

    monkeypatch.setattr(queries, "REMARKS_PER_PAGE", 1)
    with TestClient(create_app(wide_db), base_url="http://localhost") as c:
        first = c.get("/entities/ines-calder.json").json()
        assert len(first["variants"]) == 1 and first["page"] == 1 and first["n_variants"] == first["pages"] > 1
        second = c.get(first["next"]).json()
        assert second["variants"] != first["variants"] and second["prev"]
        assert "Remarks 2–2 of" in c.get(first["next"].replace(".json", "")).text
        assert c.get(f"/entities/ines-calder?page={first['pages'] + 1}").status_code == 404


def test_story_page_gaps_carry_their_near_misses() -> None:
    from parallax.web.pages import story_columns
    from parallax.web.present import gaps_html

    ref = {"article_id": "b", "outlet": "Outlet B", "sentence": 0, "start": 0, "end": 20, "similarity": 0.12}
    data = {
        "articles": [{"id": "a", "outlet": "Outlet A"}, {"id": "b", "outlet": "Outlet B"}],
        "sentences": [{"article_id": "a", "index": 0, "start": 0, "end": 30, "text": "A bakery gave away bread."},
                      {"article_id": "b", "index": 0, "start": 0, "end": 20, "text": "The river flooded."}],
        "unique": [{"outlet": "Outlet A", "article_id": "a", "sentence": 0, "start": 0, "end": 30,
                    "text": "A bakery gave away bread.", "reported_by": [], "nearest": [ref]}],
        "missing": [],
    }
    gap = story_columns(data)[0]["outlet"]["gaps"]
    assert gap["only"][0]["nearest"] == [{"outlet": "Outlet B", "key": "b:0", "score": 0.12, "text": "The river flooded."}]
    html = str(gaps_html([gap], {"a": 1, "b": 1}, 1))
    assert "closest in Outlet B (0.12, not the same fact)" in html and "The river flooded." in html


def test_web_story_page_is_rebuilt_when_the_story_is_compared_again(tmp_path: Path) -> None:
    from dataclasses import replace

    path = build_wide_db(tmp_path / "c.db")
    with TestClient(create_app(path), base_url="http://localhost") as c:
        first = c.get(f"/stories/{WIDE}")
        assert first.status_code == 200 and "6 vs 35 o&#x27;clock" in first.text
        assert c.get(f"/stories/{WIDE}").text == first.text  # kept: the comparison did not change
        with Database(path) as db:
            compared = db.comparison(WIDE)
            assert compared is not None
            conflict = replace(compared.conflicts[0], reason="six against thirty-five")
            db.save_comparison(replace(compared, conflicts=(conflict,)))
        again = c.get(f"/stories/{WIDE}").text
        assert "six against thirty-five" in again and "6 vs 35 o&#x27;clock" not in again
