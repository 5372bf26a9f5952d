"""First use of ingest (issue 22): outlets named and merged, common JSON shapes, what was left out and why."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from parallax.cli import build_parser, main
from parallax.errors import ConfigError, InputError
from parallax.ingest import SHORT_ARTICLE_WORDS, IngestOptions, OutletNames, iter_inputs
from parallax.ingest.outlets import BUILTIN_NAMES
from parallax.model import Article
from parallax.store import Database

from conftest import EXAMPLES

BODY = (
    "The harbour authority reopened the northern pier on Tuesday after two years of repairs, officials said."
    " Ferries will keep their summer timetable until the end of September, the operator added."
)


def _articles(paths: list[Path], options: IngestOptions | None = None) -> list[Article | InputError]:
    return list(iter_inputs(paths, options=options))


def _stored(db: Path) -> dict[str, Article]:
    with Database(db) as store:
        return {article.id: article for article in store.articles()}


# -- outlets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "outlet"),
    [
        ("Fox News", "Fox News"),
        ("Fox Online News", "Fox News"),
        ("Fox News (Online)", "Fox News"),
        ("fox news channel", "Fox News"),
        ("New York Times - News", "New York Times"),
        ("The New York Times", "New York Times"),
        ("nytimes.com", "New York Times"),
        ("The Guardian", "The Guardian"),
        ("Daily Bugle (Online)", "Daily Bugle"),
        ("The Times", "The Times"),
    ],
)
def test_outlet_spellings_merge_to_one_name(spelling: str, outlet: str) -> None:
    assert BUILTIN_NAMES.canonical(spelling) == outlet


def test_outlet_aliases_file_extends_the_table(tmp_path: Path) -> None:
    path = tmp_path / "outlets.toml"
    path.write_text('[aliases]\n"The Daily Bugle" = ["Bugle", "DB Online"]\n', encoding="utf-8")
    names = OutletNames.from_file(path)
    assert names.canonical("bugle") == "The Daily Bugle"
    assert names.canonical("DB (Online)") == "The Daily Bugle"
    assert names.canonical("Fox Online News") == "Fox News"


@pytest.mark.parametrize(
    "content", ['[aliases]\n"X" = "Y"\n', '[other]\n"X" = ["Y"]\n', "not toml ["], ids=["not-a-list", "table", "syntax"]
)
def test_outlet_aliases_file_that_is_wrong_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "outlets.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="outlets.toml"):
        OutletNames.from_file(path)


@pytest.mark.parametrize(
    ("lines", "outlet"),
    [
        (["Outlet: Fox News (Online)", "Pier reopens", BODY], "Fox News"),
        (["Source: The New York Times", "Pier reopens", BODY], "New York Times"),
        (["Pier reopens", BODY, "Source: Fox Online News."], "Fox News"),
        (["Pier reopens", BODY], "unknown"),
        (["Source: officials said on Monday that the pier would reopen after all of the repairs", BODY], "unknown"),
    ],
)
def test_txt_outlet_line_names_the_outlet(tmp_path: Path, lines: list[str], outlet: str) -> None:
    path = tmp_path / "pier.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (article,) = _articles([path])
    assert isinstance(article, Article) and article.outlet == outlet
    assert ("Outlet:" in article.text or "Source: F" in article.text or "Source: The" in article.text) is False
    if outlet != "unknown":
        assert "outlet-line" in [r.reason for r in article.removed]


def test_cli_ingest_outlet_credits_a_plain_text_file(tmp_path: Path) -> None:
    path = tmp_path / "pier.txt"
    path.write_text(BODY + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert main(["--db", str(db), "-q", "ingest", "--outlet", "Fox News (Online)", str(path)]) == 0
    assert _stored(db)["pier"].outlet == "Fox News"


def test_cli_ingest_outlet_aliases_from_a_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aliases = tmp_path / "outlets.toml"
    aliases.write_text('[aliases]\n"The Daily Bugle" = ["Bugle"]\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("Outlet: Bugle\n" + BODY + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Outlet: bugle\nA second report. " + BODY + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert main(["--db", str(db), "-q", "ingest", "--outlet-aliases", str(aliases), str(tmp_path / "a.txt")]) == 0
    monkeypatch.setenv("PARALLAX_OUTLET_ALIASES", str(aliases))
    assert main(["--db", str(db), "-q", "ingest", str(tmp_path / "b.txt")]) == 0
    assert {a.outlet for a in _stored(db).values()} == {"The Daily Bugle"}


def test_cli_ingest_bad_aliases_file_is_one_line_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aliases = tmp_path / "outlets.toml"
    aliases.write_text('[aliases]\n"X" = "Y"\n', encoding="utf-8")
    code = main(["--db", str(tmp_path / "s.db"), "ingest", "--outlet-aliases", str(aliases), str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "outlets.toml" in err


# -- JSON shapes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"headline": "Pier reopens", "content": BODY}, {"title": "Pier reopens"}),
        ({"title": "T", "body": BODY, "published": "2025-03-04"}, {"date": "2025-03-04"}),
        ({"title": "T", "text": BODY, "publishedAt": "2025-03-04T10:00:00Z"}, {"date": "2025-03-04T10:00:00Z"}),
        ({"text": BODY, "source": {"id": None, "name": "Fox Online News"}}, {"outlet": "Fox News"}),
        ({"text": BODY, "outlet": {"name": "New York Times - News"}}, {"outlet": "New York Times"}),
        ({"text": BODY, "authors": ["Ana Ruiz", "Tom Bell"]}, {"byline": "Ana Ruiz, Tom Bell"}),
        ({"text": BODY, "link": "https://www.example.com/pier"}, {"url": "https://www.example.com/pier"}),
        ({"text": [BODY, "A second paragraph."]}, {"text": BODY + "\nA second paragraph."}),
    ],
)
def test_json_common_field_names_are_mapped(tmp_path: Path, row: dict[str, object], expected: dict[str, str]) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([row]), encoding="utf-8")
    (article,) = _articles([path])
    assert isinstance(article, Article)
    assert {key: getattr(article, key) for key in expected} == expected


def test_json_html_in_the_text_becomes_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    row = {"id": "h", "text": "<p>First <b>bold</b> paragraph.</p><p>Second &amp; last.</p>", "title": "T"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (article,) = _articles([path])
    assert isinstance(article, Article) and article.text == "First bold paragraph.\nSecond & last."


def test_json_prose_with_angle_brackets_is_kept_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"id": "p", "text": "Turnout was <40% and costs >$2m."}) + "\n", encoding="utf-8")
    (article,) = _articles([path])
    assert isinstance(article, Article) and article.text == "Turnout was <40% and costs >$2m."


@pytest.mark.parametrize("date", ["2025-13-45", "2025-02-30", "2025-03-04T25:00"])
def test_json_impossible_date_is_a_warning_and_stored_unknown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, date: str
) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"id": "d", "text": BODY, "date": date}) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        (article,) = _articles([path])
    assert isinstance(article, Article) and article.date is None
    assert date in caplog.text and "rows.jsonl:1" in caplog.text


def test_json_number_where_the_text_should_be_says_so(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"id": "n", "text": 12345}, {"id": "ok", "text": BODY}]), encoding="utf-8")
    error, article = _articles([path])
    assert isinstance(error, InputError) and error.path.endswith("rows.json[0]")
    assert "number (12345) in 'text'" in error.problem
    assert isinstance(article, Article) and article.id == "ok"


def test_json_number_where_a_title_should_be_is_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"id": "n", "text": BODY, "title": 2024}]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        (article,) = _articles([path])
    assert isinstance(article, Article) and article.title == "2024"
    assert "'title' is a number" in caplog.text


# -- what is left out ------------------------------------------------------------------------------------


def test_cli_ingest_counts_files_of_other_kinds_and_lists_them_with_v(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "pier.txt").write_text(BODY + "\n", encoding="utf-8")
    for name in ("report.pdf", "notes.md", "draft.docx", "scan.pdf"):
        (folder / name).write_bytes(b"not an article")
    db = tmp_path / "s.db"
    assert main(["--db", str(db), "-q", "ingest", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "4 file(s) of other kinds passed over (.pdf 2, .docx 1, .md 1; -v lists them)" in out
    assert "report.pdf" not in err
    assert main(["--db", str(db), "-q", "-v", "ingest", str(folder)]) == 0
    err = capsys.readouterr().err
    assert all(name in err for name in ("report.pdf", "notes.md", "draft.docx", "scan.pdf"))


def test_cli_ingest_skips_a_short_article_with_a_warning_unless_keep_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "teaser.txt").write_text("Pier reopens on Tuesday, officials say.\n", encoding="utf-8")
    (tmp_path / "pier.txt").write_text(BODY + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert main(["--db", str(db), "-q", "ingest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "teaser.txt" in err and f"under the {SHORT_ARTICLE_WORDS}" in err
    assert "--keep-short" in err
    assert set(_stored(db)) == {"pier"}
    assert main(["--db", str(db), "-q", "ingest", "--keep-short", str(tmp_path)]) == 0
    assert set(_stored(db)) == {"pier", "teaser"}


def test_ingest_library_keeps_short_articles_by_default(tmp_path: Path) -> None:
    (tmp_path / "teaser.txt").write_text("Pier reopens.\n", encoding="utf-8")
    (item,) = _articles([tmp_path / "teaser.txt"])
    assert isinstance(item, Article)


def test_examples_are_all_long_enough_to_keep() -> None:
    """`make demo` ingests examples/ with the CLI's default, so none may be short."""
    items = _articles([EXAMPLES], IngestOptions(min_words=SHORT_ARTICLE_WORDS))
    assert items and all(isinstance(item, Article) for item in items)


def test_cli_keep_short_help_names_the_threshold() -> None:
    ingest = build_parser()._subparsers._group_actions[0].choices["ingest"]  # type: ignore[union-attr]
    assert f"under {SHORT_ARTICLE_WORDS} words" in " ".join(ingest.format_help().split())
