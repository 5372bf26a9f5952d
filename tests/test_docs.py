"""Docs stay true: the CLI reference is generated from --help."""

from __future__ import annotations

from conftest import REPO

from parallax.clidoc import cli_reference


def test_docs_cli_reference_is_current() -> None:
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == cli_reference(), "docs/cli.md is stale: run `.venv/bin/python -m parallax.clidoc > docs/cli.md`"


def test_docs_readme_starts_with_the_two_commands() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[:4] == ["```", "make demo", "make test", "```"]
