"""Normalising entity names: honorifics, initials, possessives, transliteration folds, acronyms."""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "acronym_of",
    "clean_name",
    "fold",
    "is_acronym",
    "name_tokens",
    "strip_titles",
]

# Words that precede a name without being part of it; lower-case, without the trailing dot.
TITLES = frozenset(
    """mr mrs ms miss mx dr prof sir dame lord lady rev fr sen senator rep representative gov governor
    president pres vice prime minister premier chancellor secretary general gen lt col maj capt sgt adm
    judge justice chief king queen prince princess pope ayatollah sheikh imam rabbi cardinal bishop
    mayor ambassador spokesman spokeswoman spokesperson foreign defense defence deputy former late
    the st saint chairman chairwoman director officer commissioner attorney agent coach""".split()
)
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})
STOP_PARTS = frozenset({"of", "the", "and", "for", "&", "de", "du", "des", "la", "le", "al", "el", "von",
                        "van", "der", "den", "bin", "ibn", "da", "di"})
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s&-]+")
_SPACE = re.compile(r"\s+")

# Spelling folds that make romanisations of the same name (Cyrillic, Arabic, Persian) compare equal.
# Applied in order to a lower-case, accent-free token.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("kh", "h"), ("ck", "k"), ("ph", "f"), ("q", "k"), ("x", "ks"), ("w", "v"), ("ou", "u"),
    ("ii", "y"), ("iy", "y"), ("yi", "y"), ("ij", "y"), ("ei", "ey"), ("ai", "ay"), ("oi", "oy"),
    ("i", "y"), ("j", "y"), ("ee", "y"),
)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def clean_name(text: str) -> str:
    """Strip possessive endings, punctuation and extra spaces; keep case."""
    text = _ascii(text.replace("’", "'")).strip()
    text = re.sub(r"^(?:the)\s+", "", text, flags=re.IGNORECASE)
    text = _POSSESSIVE.sub("", text)
    text = _PUNCT.sub(" ", text.replace(".", ". "))
    return _SPACE.sub(" ", text).strip()


def strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles/honorifics and trailing suffixes ("Jr.")."""
    start = 0
    while start < len(tokens) - 1 and tokens[start].lower().rstrip(".") in TITLES:
        start += 1
    end = len(tokens)
    while end > start + 1 and tokens[end - 1].lower().rstrip(".") in SUFFIXES:
        end -= 1
    return tokens[start:end]


def name_tokens(text: str, *, person: bool) -> list[str]:
    """Lower-case name tokens; for people, titles and middle initials are removed."""
    tokens = clean_name(text).split()
    if person:
        tokens = strip_titles(tokens)
        if len(tokens) > 2:
            tokens = [tokens[0]] + [t for t in tokens[1:-1] if len(t.rstrip(".")) > 1] + [tokens[-1]]
    return [t.lower().rstrip(".") for t in tokens if t.rstrip(".")]


@functools.lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """A transliteration-insensitive key for one name token (Dmitri/Dmitry, Sergei/Sergey). Cached: a story
    folds the same few thousand tokens tens of thousands of times."""
    token = _ascii(token.lower())
    for old, new in _FOLDS:
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)


def is_acronym(text: str) -> bool:
    """"IAEA", "U.N.", "NATO": two to six capitals, maybe with dots."""
    bare = text.replace(".", "").replace("&", "")
    return 2 <= len(bare) <= 6 and bare.isalpha() and bare.isupper()


def acronym_of(text: str) -> str:
    """Initials of the significant words of an expansion ("International Atomic Energy Agency" → IAEA)."""
    words = [w for w in clean_name(text).replace("-", " ").split() if w.lower() not in STOP_PARTS]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()
