"""Bad input through the CLI: one clear line per bad item, the rest of the batch stored, exit code 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from parallax.cli import main
from parallax.store import Database

GOOD_TEXT = (
    "The harbour authority reopened the northern pier on Tuesday after repairs, officials said. Ferries"
    " will keep their summer timetable until the end of September.\n"
)
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title><item><title>x</title><description>&lol3;</description></item></channel></rss>
"""


def _binary(path: Path) -> Path:
    path = path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return path


def _empty(path: Path) -> Path:
    path = path / "empty.txt"
    path.write_bytes(b"")
    return path


def _bad_utf8(path: Path) -> Path:
    path = path / "latin1.txt"
    path.write_bytes("Caf\u00e9 owners protested on Monday, the mayor said.".encode("latin-1"))
    return path


def _huge(path: Path) -> Path:
    path = path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing 50 MB
    return path


def _truncated_feed(path: Path) -> Path:
    path = path / "cut.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Half', encoding="utf-8")
    return path


def _billion_laughs(path: Path) -> Path:
    path = path / "laughs.rss"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    return path


def _broken_jsonl(path: Path) -> Path:
    path = path / "rows.jsonl"
    good = {"id": "row-ok", "outlet": "Wire", "title": "Pier reopens", "text": GOOD_TEXT}
    path.write_text(json.dumps(good) + "\n{\"id\": \"row-bad\", \"text\": \n", encoding="utf-8")
    return path


def _unreadable_dir(path: Path) -> Path:
    folder = path / "folder"
    folder.mkdir()
    (folder / "gone.txt").symlink_to(folder / "missing-target.txt")
    os.mkfifo(folder / "pipe.txt")
    return folder


def _deep_json(path: Path) -> Path:
    path = path / "deep.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    return path


def _surrogate_jsonl(path: Path) -> Path:
    path = path / "surrogate.jsonl"
    good = {"id": "row-ok", "outlet": "Wire", "title": "Pier reopens", "text": GOOD_TEXT}
    path.write_text(json.dumps(good) + '\n{"id": "row-bad", "text": "Pier \\ud800 reopens."}\n', encoding="utf-8")
    return path


def _bogus_encoding_feed(path: Path) -> Path:
    path = path / "bogus.xml"
    path.write_text('<?xml version="1.0" encoding="x-bogus"?><rss version="2.0"><channel><title>W</title>'
                    f"<item><title>T</title><description>{GOOD_TEXT}</description></item></channel></rss>",
                    encoding="utf-8")
    return path


CASES = [
    (_binary, "binary"),
    (_empty, "empty"),
    (_bad_utf8, "UTF-8"),
    (_huge, "limit"),
    (_truncated_feed, "feed"),
    (_billion_laughs, "entit"),
    (_broken_jsonl, ".jsonl:2"),
    (_unreadable_dir, "folder"),
    # Issue 22, defect 2: these ended the whole ingest with "internal error" (exit 70).
    (_deep_json, "nested too deeply"),
    (_surrogate_jsonl, "surrogate.jsonl:2: has a lone surrogate"),
    (_bogus_encoding_feed, "x-bogus"),
]


@pytest.mark.parametrize(("make_bad", "expected_words"), CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_cli_bad_input_reports_one_line_and_keeps_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_bad, expected_words: str  # type: ignore[no-untyped-def]
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = inputs / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    bad = make_bad(inputs)
    db = tmp_path / "store.db"

    code = main(["--db", str(db), "-q", "ingest", str(bad), str(good)])

    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "a bad input must be reported"
    assert all(line.startswith("parallax: skipped ") for line in lines)
    assert str(bad) in lines[0] or bad.name in lines[0]
    assert expected_words.lower() in err.lower()
    with Database(db) as store:
        assert store.resolve_article_id("good") is not None


def test_cli_missing_path_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(tmp_path / "s.db"), "-q", "ingest", str(tmp_path / "nowhere.txt")])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "nowhere.txt" in err


def test_cli_unknown_story_is_one_line_with_exit_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Database(tmp_path / "s.db"):
        pass  # an empty store: read commands refuse a --db that does not exist (exit 4)
    code = main(["--db", str(tmp_path / "s.db"), "show", "no-such-story"])
    err = capsys.readouterr().err
    assert code == 5
    assert err.count("\n") == 1 and "no-such-story" in err


def test_cli_database_that_is_not_sqlite_is_one_line_with_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "junk.db"
    db.write_text("not a database at all " * 200)
    code = main(["--db", str(db), "stories"])
    err = capsys.readouterr().err
    assert code == 4
    assert err.count("\n") == 1 and "junk.db" in err


def test_cli_malformed_url_and_huge_number_are_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [{"id": "url-row", "text": GOOD_TEXT, "url": "http://[::1"},
            {"id": "number-row", "text": GOOD_TEXT + " More.", "title": "x"}]
    lines = [json.dumps(row) for row in rows]
    lines[1] = lines[1].replace('"x"', "9" * 5000)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["--db", str(tmp_path / "s.db"), "-q", "ingest", str(path)])
    assert "internal error" not in capsys.readouterr().err
    assert code == 0
    with Database(tmp_path / "s.db") as store:
        assert store.resolve_article_id("url-row") is not None
        assert store.resolve_article_id("number-row") is not None
