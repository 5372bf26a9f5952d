"""Publication dates as ISO 8601, whatever form the input gave them in.

Stories are ordered and filtered by date as text, so "4/4/17" next to "2017-04-04" would sort wrongly and
escape date filters. ISO dates pass through unchanged; anything else goes through dateparser, absolute
forms only: "yesterday" in an archive says nothing about when the article appeared.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["normalize_date"]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_SETTINGS = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DAY_OF_MONTH": "first",
}


def normalize_date(value: str | None) -> str | None:
    """``value`` as ``YYYY-MM-DD`` (or ``YYYY-MM-DDTHH:MM:SSZ`` when it names a time); None when it is
    empty or no date can be read from it."""
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if _ISO.fullmatch(text):
        return text if _is_real_date(text) else None
    import dateparser  # imported here: only non-ISO dates pay its start-up cost

    parsed = dateparser.parse(text, settings=_SETTINGS)  # type: ignore[arg-type]
    if parsed is None or not dt.MINYEAR < parsed.year < 3000:
        return None
    if _HAS_TIME.search(text):
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return parsed.date().isoformat()


def _is_real_date(iso: str) -> bool:
    """False for ISO-shaped text that names no day ("2025-13-45", "2025-02-30T25:00")."""
    try:
        dt.datetime.fromisoformat(iso)
    except ValueError:
        return False
    return True
