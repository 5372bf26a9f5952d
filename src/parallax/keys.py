"""The keys names are stored and compared under: one function per meaning.

- :func:`entity_slug`: the URL-safe key of an entity page and of the store's ``entities.key``
  ("Vladimir Putin" -> "vladimir-putin").
- :func:`name_key`: a speaker's name as the store keeps it in ``quotes.speaker_key`` when no entity claimed
  the quote ("Vladimir  Putin" -> "vladimir putin").
- :func:`mention_key`: what two mentions must share to be the same entity inside one comparison (persons by
  surname, "U.S." and "America" as "united states").

This module sits in the bottom layer (see :mod:`parallax`): it imports nothing of parallax but the records.
"""

from __future__ import annotations

import re
import unicodedata

from parallax.model import Mention

__all__ = ["entity_slug", "mention_key", "name_key"]

_SLUG_GAP = re.compile(r"[^a-z0-9]+")
_HONORIFIC = re.compile(r"^(?:the|mr\.?|mrs\.?|ms\.?|dr\.?|president|prime minister|gen\.?|sen\.?|rep\.?)\s+", re.I)
_POSSESSIVE = re.compile(r"[’']s?$")
# Abbreviations that name the same country or body; general, not tied to any story.
COUNTRY_ALIASES = {
    "u.s.": "united states", "us": "united states", "u.s.a.": "united states", "usa": "united states",
    "u.s": "united states", "america": "united states", "united states of america": "united states",
    "u.k.": "united kingdom", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "u.n.": "united nations", "un": "united nations",
    "e.u.": "european union", "eu": "european union", "russian federation": "russia",
}


def entity_slug(name: str) -> str:
    """A stable, URL-safe key for an entity's canonical name ("Vladimir Putin" -> "vladimir-putin")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return _SLUG_GAP.sub("-", folded).strip("-") or "entity"


def name_key(name: str | None) -> str:
    """A name case-folded with its whitespace collapsed ("" for no name): ``quotes.speaker_key`` of a
    speaker no entity claimed, and how an entity page finds those quotes."""
    return " ".join(name.casefold().split()) if name else ""


def mention_key(mention: Mention) -> str:
    """A comparable key for a mention within one comparison: persons by surname, abbreviations expanded."""
    text = _POSSESSIVE.sub("", mention.text.strip()).strip()
    for _ in range(2):
        text = _HONORIFIC.sub("", text)
    key = " ".join(text.lower().split())
    key = COUNTRY_ALIASES.get(key, key)
    if mention.label == "PERSON" and " " in key:
        key = key.split()[-1]
    return key
