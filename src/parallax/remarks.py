"""Remarks: a speaker's quotes grouped into what they said, each with the outlets' wordings of it.

Works on stored quote records alone (no store, no spaCy), so the entity pages of the web app and of
library users group the same way. A stage beside ``compare/`` rather than inside it: importing anything
under ``parallax.compare`` loads spaCy and the comparison models (3-4 s), which a web worker would pay on
its first entity page (measured: 9.8-11.7 s for that request under load).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from parallax.model import QuoteHit, QuoteVariant, Wording

__all__ = ["group_variants", "word_diff"]

# Two quotes are wordings of one remark when rapidfuzz's token_set_ratio reaches this; set by eye on the
# seed pair (translated Putin remarks score 70-85, unrelated remarks by the same speaker stay under 50).
_VARIANT_SIMILARITY = 62.0


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def group_variants(quotes: Sequence[QuoteHit]) -> tuple[QuoteVariant, ...]:
    """Group quotes (oldest first) into remarks; within each, identical normalised text is one wording."""
    groups: list[list[QuoteHit]] = []
    heads: list[str] = []
    for quote in quotes:
        norm = _normal(quote.content)
        for i, head in enumerate(heads):
            if fuzz.token_set_ratio(norm, head) >= _VARIANT_SIMILARITY:
                groups[i].append(quote)
                break
        else:
            groups.append([quote])
            heads.append(norm)
    variants = [_variant(group) for group in groups]
    variants.sort(key=lambda v: (-len(v.outlets), -sum(len(w.quotes) for w in v.wordings), v.first_date or ""))
    return tuple(variants)


def _variant(group: list[QuoteHit]) -> QuoteVariant:
    by_text: dict[str, list[QuoteHit]] = {}
    for quote in group:
        by_text.setdefault(_normal(quote.content), []).append(quote)
    wordings: list[Wording] = []
    base_tokens: list[str] | None = None
    for items in by_text.values():
        text = items[0].content
        tokens = text.split()
        diff = () if base_tokens is None else word_diff(base_tokens, tokens)
        base_tokens = tokens if base_tokens is None else base_tokens
        wordings.append(
            Wording(
                text=text,
                outlets=tuple(dict.fromkeys(q.outlet for q in items)),
                first_date=items[0].date,
                quotes=tuple(items),
                diff=diff,
            )
        )
    return QuoteVariant(
        first_date=group[0].date,
        outlets=tuple(dict.fromkeys(q.outlet for q in group)),
        wordings=tuple(wordings),
    )


def word_diff(a: Sequence[str], b: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Token diff of ``b`` against ``a`` as ("=", "-", "+", token) pairs."""
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=[t.casefold() for t in a], b=[t.casefold() for t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.extend(("=", t) for t in b[j1:j2])
            continue
        ops.extend(("-", t) for t in a[i1:i2])
        ops.extend(("+", t) for t in b[j1:j2])
    return tuple(ops)
