"""The findings export: one row per finding of every compared story, a CSV a spreadsheet opens."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from test_web_data import FLOOD, TEXTS, build_sample_db

from parallax.export import FINDING_FIELDS, FINDING_KINDS, _spreadsheet_safe, export, finding_rows
from parallax.store import Database


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("export") / "parallax.db")


@pytest.fixture(scope="module")
def rows(sample_db: Path) -> list[dict[str, Any]]:
    with Database(sample_db) as db:
        return list(finding_rows(db))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_findings_one_row_per_finding_of_each_kind(sample_db: Path, rows: list[dict[str, Any]]) -> None:
    with Database(sample_db) as db:
        unique = len((db.comparison_json(FLOOD) or {})["unique"])  # every sentence of the hostile article, and 2
    assert unique > 2
    assert Counter(r["kind"] for r in rows) == {
        "shared": 2, "partial": 2, "only-in": unique, "missing": 1, "conflict": 1,
        "quote variant": 3, "source": 3,
    }
    assert {r["story_id"] for r in rows} == {FLOOD}  # the budget story is not compared: no findings
    assert [k for k in FINDING_KINDS if k in {r["kind"] for r in rows}] == list(FINDING_KINDS)


def test_export_findings_rows_point_at_their_sentence(rows: list[dict[str, Any]]) -> None:
    located = [r for r in rows if r["article_id"] and r["start"] != ""]
    assert len(located) == len(rows) - 3  # all but the per-outlet source counts
    for r in located:
        assert TEXTS[r["article_id"]][3][r["start"] : r["end"]] == r["text"], r


def test_export_findings_conflict_row(rows: list[dict[str, Any]]) -> None:
    (row,) = [r for r in rows if r["kind"] == "conflict"]
    assert (row["outlet"], row["article_id"], row["counterpart_outlet"], row["counterpart_article_id"]) == (
        "Daily Ledger", "ledger-1", "Harbor Times", "harbor-1")
    assert row["text"].startswith("Officials in Port Avel") and row["counterpart_text"].startswith("Port Avel evacuated")
    assert row["score"] == "0.820" and row["detail"] == "number: 40 people vs 35 residents evacuated"


def test_export_findings_missing_and_quote_rows(rows: list[dict[str, Any]]) -> None:
    (missing,) = [r for r in rows if r["kind"] == "missing"]
    assert missing["outlet"] == "Night <b>Wire</b>" and missing["article_id"] == "ledger-1"
    assert missing["counterpart_outlet"] == "Daily Ledger, Harbor Times"
    quotes = [r for r in rows if r["kind"] == "quote variant"]
    assert [q["counterpart_outlet"] for q in quotes] == ["Harbor Times", "Daily Ledger", ""]
    assert quotes[0]["detail"] == "reworded; speaker: Ines Calder"
    assert quotes[2]["detail"].startswith("single (only this outlet quotes it)")


def test_export_findings_csv_is_utf8_with_bom_and_header(sample_db: Path, tmp_path: Path,
                                                       rows: list[dict[str, Any]]) -> None:
    out = tmp_path / "findings.csv"
    with Database(sample_db) as db:
        assert export(db, out, what="findings", fmt="csv") == len(rows)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + b",".join(f.encode() for f in FINDING_FIELDS))
    back = _read_csv(out)
    assert [r["kind"] for r in back] == [r["kind"] for r in rows]
    assert back[0]["text"] == rows[0]["text"] and back[0]["start"] == str(rows[0]["start"])
    assert not list(tmp_path.glob("*.partial"))


def test_export_findings_jsonl(sample_db: Path, tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    out = tmp_path / "findings.jsonl"
    with Database(sample_db) as db:
        export(db, out, what="findings", fmt="jsonl")
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == rows


@pytest.mark.parametrize(("value", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2 degrees", "'-2 degrees"),
    ("@SUM(A1)", "'@SUM(A1)"), ("Plain text", "Plain text"), ("", ""), (3, 3),
])
def test_export_findings_csv_cells_never_run_as_formulas(value: Any, shown: Any) -> None:
    assert _spreadsheet_safe(value) == shown


def test_export_findings_read_by_name_from_a_leaner_comparison(sample_db: Path, rows: list[dict[str, Any]],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored comparison without the articles and sentences it embeds today (and with a field added)
    exports the same rows: texts are cut from the stored articles by offsets."""
    with Database(sample_db) as db:
        full = db.comparison_json(FLOOD)
        assert full is not None
        lean = {k: v for k, v in full.items() if k not in {"articles", "sentences", "mentions"}} | {"new": [1]}
        monkeypatch.setattr(db, "comparison_json", lambda story_id: lean if story_id == FLOOD else None)
        assert list(finding_rows(db)) == rows


def test_export_refuses_unknown_what(sample_db: Path, tmp_path: Path) -> None:
    with Database(sample_db) as db, pytest.raises(ValueError, match="cannot export"):
        export(db, tmp_path / "x", what="stories")
