"""Report writers: the comparison of one story as JSON, Markdown or a self-contained HTML page."""

from __future__ import annotations

import logging
from typing import Literal

from parallax.model import Comparison

__all__ = ["FORMATS", "render"]

LOGGER = logging.getLogger(__name__)

FORMATS = ("json", "md", "html")


def render(comparison: Comparison, fmt: Literal["json", "md", "html"]) -> str:
    """The report of ``comparison`` in ``fmt``.

    Args:
        comparison: what :func:`parallax.compare.compare_story` returned.
        fmt: ``json`` (the schema of docs/comparison.md), ``md`` (a brief) or ``html`` (one page).

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
    """
    if fmt == "json":
        from .json import render_json

        return render_json(comparison)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(comparison)
    if fmt == "html":
        from .html import render_html

        return render_html(comparison)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
