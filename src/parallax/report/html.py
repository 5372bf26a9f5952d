"""The HTML report: one self-contained, escaped, responsive page (Jinja2 with autoescape on)."""

from __future__ import annotations

import functools
import logging

from jinja2 import Environment, PackageLoader, select_autoescape

from parallax.model import Comparison

from .view import (
    CONFLICTS_CAVEAT,
    agreed_findings,
    coverage_rows,
    entity_names,
    gap_findings,
    name_variants,
    outlet_articles,
    quoted,
    sentence_views,
    snippet,
    timeline_rows,
)

__all__ = ["render_html"]

LOGGER = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    # Autoescape for every template name, including ones without an .html suffix: article text is untrusted.
    env = Environment(
        loader=PackageLoader("parallax.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["snippet"] = snippet
    env.filters["quoted"] = quoted
    env.globals["conflicts_caveat"] = CONFLICTS_CAVEAT
    return env


def render_html(comparison: Comparison) -> str:
    """The page: outlets in columns, quote table with diffs, sources, entities, framing, coverage chart."""
    outlets = outlet_articles(comparison)
    sources = sorted({name for names in comparison.sources.values() for name in names})
    entity_rows: dict[str, dict[str, object]] = {}
    for f in comparison.framing:
        for p in f.prominence:
            entity_rows.setdefault(p.entity, {})[f.outlet] = p
    names = entity_names(comparison)
    ranked = sorted(entity_rows, key=lambda e: -sum(p.count for p in entity_rows[e].values()))[:20]  # type: ignore[attr-defined]
    return _environment().get_template("report.html").render(
        c=comparison,
        outlets=outlets,
        outlet_names=[o for o, _ in outlets],
        sentences=sentence_views(comparison),
        coverage=coverage_rows(comparison),
        source_names=sources,
        entity_rows=[(names.get(e, e), entity_rows[e]) for e in ranked],
        entity_names=names,
        agreed=agreed_findings(comparison),
        unique=gap_findings(comparison, comparison.unique),
        missing=gap_findings(comparison, comparison.missing),
        variants=name_variants(comparison),
        timeline=timeline_rows(comparison.timeline),
    )
