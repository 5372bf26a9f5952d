"""Free text on its way into SQL: every user word reaches FTS5 quoted, so no input can form FTS syntax."""

from __future__ import annotations

import re

__all__ = ["fts_query"]

_MAX_TERMS = 16
_TERM = re.compile(r'"([^"]*)"|([\w\-\'’]+\*?)', re.UNICODE)


def fts_query(text: str | None) -> str | None:
    """An FTS5 MATCH expression that ANDs the words of ``text``; ``"phrases"`` and ``prefix*`` kept.

    Every term is emitted as a double-quoted FTS5 string, so operators, column filters, parentheses and
    stray quotes in user input are searched for as words instead of being parsed.
    """
    if not text:
        return None
    terms: list[str] = []
    for match in _TERM.finditer(text):
        phrase, word = match.group(1), match.group(2)
        raw = phrase if phrase is not None else word
        prefix = word is not None and word.endswith("*")
        words = re.findall(r"\w+", raw.rstrip("*"), re.UNICODE)
        if not words:
            continue
        terms.append('"' + " ".join(words) + '"' + ("*" if prefix else ""))
        if len(terms) >= _MAX_TERMS:
            break
    return " ".join(terms) or None
