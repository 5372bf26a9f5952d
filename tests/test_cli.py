"""The CLI end to end on the bundled examples and on the seed pair, through ``main(argv)``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from parallax.cli import main


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "examples.db"
    assert main(["--db", str(db), "-q", "ingest", str(EXAMPLES)]) == 0
    assert main(["--db", str(db), "-q", "analyze"]) == 0
    return db


def _stories(db: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:  # type: ignore[type-arg]
    capsys.readouterr()
    assert main(["--db", str(db), "stories", "--format", "json"]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_cli_examples_form_their_stories(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stories = _stories(example_db, capsys)
    gold = json.loads("\n".join(
        line for line in (EXAMPLES / "gold.jsonc").read_text().splitlines() if not line.strip().startswith("//")
    ))
    broad = [s for s in stories if len(s["outlets"]) >= 3]
    assert len(broad) == 2, [s["title"] for s in stories]
    assert all(len(s["article_ids"]) == 3 for s in broad)
    assert gold  # the gold file parses


def test_cli_stories_json_keeps_input_ids(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = {a for s in _stories(example_db, capsys) for a in s["article_ids"]}
    assert "meridian-ledger-2026-0309-ferry" in ids


def test_cli_reingest_changes_nothing(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _stories(example_db, capsys)
    assert main(["--db", str(example_db), "-q", "ingest", str(EXAMPLES)]) == 0
    assert "ingested 0 new article(s)" in capsys.readouterr().out
    assert main(["--db", str(example_db), "-q", "analyze"]) == 0
    assert _stories(example_db, capsys) == before


@pytest.mark.parametrize(("fmt", "marker"), [("json", '"quote_groups"'), ("md", "# "), ("html", "<!DOCTYPE html>")])
def test_cli_report_writes_each_format(
    example_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, marker: str
) -> None:
    story = _stories(example_db, capsys)[0]["id"]
    out = tmp_path / f"report.{fmt}"
    assert main(["--db", str(example_db), "report", story, "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert marker.lower() in text.lower()


def test_cli_show_prints_a_summary(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = _stories(example_db, capsys)[0]
    assert main(["--db", str(example_db), "show", story["id"][:12]]) == 0
    out = capsys.readouterr().out
    assert story["title"][:30] in out
    assert "Shared" in out


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_cli_export_has_one_row_per_article(example_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    assert main(["--db", str(example_db), "-q", "export", "--format", fmt, "-o", str(out)]) == 0
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        with out.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row["sentences"] = json.loads(row["sentences"])
    assert len(rows) == 7
    assert all(row["story_id"] and row["sentences"] for row in rows)
    first = rows[0]
    for sentence in first["sentences"]:
        assert first["text"][sentence["start"] : sentence["end"]] == sentence["text"]


def test_cli_db_from_environment(example_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLAX_DB", str(example_db))
    capsys.readouterr()
    assert main(["stories", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) >= 3


def test_cli_compare_seeds_one_story_with_cleaning(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted(str(p) for p in seeds_dir.glob("*.txt"))
    assert main(["-q", "compare", *paths, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["story"]["article_ids"]) == 2
    first = next(a for a in report["articles"] if a["id"].startswith("000_"))
    assert first["outlet"] == "New York Times"
    removed = {r["reason"]: r["text"] for a in report["articles"] for r in a["removed"]}
    assert {"trailer", "promo-headline", "author-bio"} <= set(removed)
    assert first["title"] and first["title"] in removed["trailer"]
    for article in report["articles"]:
        for text in removed.values():
            assert text.strip() not in article["text"]


def test_cli_entry_point_runs_as_a_program(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "parallax.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("parallax ")


@pytest.fixture()
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Replaces the server: ``parallax serve`` then records what it would have served with."""
    from parallax.store import Database
    from parallax.web import server

    Database(tmp_path / "serve.db").close()
    calls: dict[str, object] = {}
    monkeypatch.setattr(server, "serve", lambda settings, **options: calls.update(
        options, db_path=settings.db_path, ingest_token=settings.ingest_token))
    monkeypatch.delenv("PARALLAX_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return calls


@pytest.mark.parametrize(("argv", "env", "token"), [
    ([], None, None),
    ([], "from-env", "from-env"),
    (["--token-file", "token.txt"], "from-env", "from-file"),
    (["--token", "from-flag"], "from-env", "from-flag"),
])
def test_cli_serve_token_sources(served: dict[str, object], monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                 env: str | None, token: str | None) -> None:
    Path("token.txt").write_text("from-file\n", encoding="utf-8")
    if env is not None:
        monkeypatch.setenv("PARALLAX_TOKEN", env)
    assert main(["--db", "serve.db", "-q", "serve", *argv]) == 0
    assert served["ingest_token"] == token


@pytest.mark.parametrize("content", [None, "", "\n  \n"])
def test_cli_serve_token_file_unreadable_or_empty_is_an_error(
    served: dict[str, object], capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    if content is not None:
        Path("token.txt").write_text(content, encoding="utf-8")
    assert main(["--db", "serve.db", "-q", "serve", "--token-file", "token.txt"]) == 3
    assert "--token-file token.txt" in capsys.readouterr().err and not served


def test_cli_serve_token_flag_help_warns_it_is_visible(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "other users of this machine can read it in the process list" in help_text
    assert "--token-file" in help_text and "$PARALLAX_TOKEN" in help_text


def test_cli_serve_passes_allowed_hosts(served: dict[str, object]) -> None:
    argv = ["--db", "serve.db", "-q", "serve", "--allowed-host", "news.example", "--allowed-host", "box:8443"]
    assert main(argv) == 0
    assert served["allowed_hosts"] == ["news.example", "box:8443"]


@pytest.mark.parametrize("kind", ["story", "article", "entity"])
def test_cli_not_found_hint_names_a_command_that_exists(kind: str) -> None:
    import re

    from parallax.cli import build_parser
    from parallax.errors import NotFoundError

    message = str(NotFoundError(kind, "nope"))
    commands = re.findall(r"`parallax ([^`]*)`", message)
    assert commands, message
    for command in commands:
        build_parser().parse_args(command.split())  # exits (SystemExit) on a command that does not exist
    assert "storys" not in message and "entitys" not in message


def test_cli_show_unknown_story_says_how_to_list_them(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(example_db), "show", "no-such-story"]) == 5
    err = capsys.readouterr().err
    assert err.strip() == "parallax: error: no story 'no-such-story' in the store; list them with `parallax stories`"


@pytest.mark.parametrize("argv", [["stories"], ["show", "x"], ["report", "x"], ["export", "-o", "out.jsonl"],
                                  ["serve"]])
def test_cli_read_command_on_a_missing_store_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo.db"
    assert main(["--db", str(missing), "-q", *argv]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no store at {missing}: the file does not exist" in err
    assert list(tmp_path.iterdir()) == []  # nothing created: no empty store, no export file


def test_cli_show_prefix_matching_several_stories_lists_them(example_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = sorted(s["id"] for s in _stories(example_db, capsys))
    prefix = ids[0][:-1]  # story-00000: the stories are story-000001, story-000002, ...
    matching = [i for i in ids if i.startswith(prefix)]
    assert len(matching) > 1
    assert main(["--db", str(example_db), "show", prefix]) == 5
    err = capsys.readouterr().err.strip()
    assert err == f"parallax: error: {prefix!r} matches {len(matching)} story ids: {', '.join(matching)}; give more of the id"


def test_cli_export_findings_csv_opens_as_a_table(example_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from parallax.export import FINDING_FIELDS

    out = tmp_path / "findings.csv"
    argv = ["--db", str(example_db), "-q", "export", "--what", "findings", "--format", "csv", "-o", str(out)]
    assert main(argv) == 0
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == FINDING_FIELDS
    assert f"exported {len(rows)} finding(s)" in capsys.readouterr().out
    kinds = {row["kind"] for row in rows}
    assert {"shared", "only-in", "quote variant", "source"} <= kinds
    assert {s["id"] for s in _stories(example_db, capsys) if len(s["outlets"]) > 1} <= {r["story_id"] for r in rows}
