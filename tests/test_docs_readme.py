"""The README shows a reader what parallax does: a picture of a report, and the words of a report explained."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("target", ["docs/report.png", "docs/reading-a-report.md"])
def test_docs_readme_links_exist_before_the_use_section(target: str) -> None:
    head = README.split("## Use", 1)[0]
    assert f"({target})" in head
    assert (REPO / target).is_file()


def test_docs_report_picture_is_a_small_png() -> None:
    data = (REPO / "docs" / "report.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000


@pytest.mark.parametrize("term", ["shared", "partly shared", "only this outlet", "Only in X", "Missing from X",
                                  "verbatim", "shortened", "reworded", "different-translation", "partial quote",
                                  "Attribution differs", "Sources relied on", "number", "date", "place", "actor",
                                  "negation", "hedging"])
def test_docs_reading_a_report_explains_each_term(term: str) -> None:
    text = (REPO / "docs" / "reading-a-report.md").read_text(encoding="utf-8")
    marked = rf"(\*\*|`){re.escape(term)}(\*\*|`)|^## {re.escape(term)}"  # bold, code or a heading
    assert re.search(marked, text, flags=re.IGNORECASE | re.MULTILINE), term


def test_docs_findings_kinds_are_the_exports() -> None:
    from parallax.export import FINDING_FIELDS, FINDING_KINDS

    text = (REPO / "docs" / "reading-a-report.md").read_text(encoding="utf-8")
    assert all(f"`{kind}`" in text for kind in FINDING_KINDS)
    assert all(f"`{field}`" in text for field in FINDING_FIELDS)
