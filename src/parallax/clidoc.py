"""The CLI reference (docs/cli.md) generated from the parser's own help, so the docs cannot drift."""

from __future__ import annotations

import argparse
import os

from parallax.cli import __doc__ as CLI_DOC
from parallax.cli import build_parser


def cli_reference() -> str:
    """Markdown with the help text of ``parallax`` and of each subcommand."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width; fix it for a stable file
    try:
        return _reference()
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def _reference() -> str:
    parser = build_parser()
    parts = ["# CLI reference", "", "Generated from `parallax --help` by `python -m parallax.clidoc`;",
             "a test fails when this file is out of date.", "", "```", parser.format_help().rstrip(), "```", ""]
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        parts += [f"## parallax {name}", "", "```", sub.format_help().rstrip(), "```", ""]
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested[:1]:  # `parallax feeds add`, ...
            for inner, inner_parser in action.choices.items():
                parts += [f"### parallax {name} {inner}", "", "```", inner_parser.format_help().rstrip(), "```", ""]
    exit_codes = (CLI_DOC or "").split("Exit codes (also in docs/cli.md):", 1)[-1].strip()
    parts += ["## Exit codes", "", "```", exit_codes, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(cli_reference(), end="")
