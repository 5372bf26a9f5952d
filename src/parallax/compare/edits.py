"""What changed between two versions of one article: sentences added, removed and reworded, and the
figures a reworded sentence changed ("17 dead" where it said "14 dead").

Edits after publication often carry updated facts and quotes (the NewsEdits observation), so these are
what the article page and the story timeline show of a new version.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

__all__ = ["FigureChange", "SentenceEdit", "VersionDiff", "diff_versions", "split_sentences"]

# Two sentences at one place of the text are one sentence reworded when their character similarity
# (rapidfuzz ratio, 0-100) reaches this; set by judgement on made-up edits (a changed figure or an
# added clause scores 80-95, an unrelated replacement sentence 30-50), not calibrated on a data set.
REWORDED_MIN = 60.0
_SENTENCE_END = re.compile(r"[.!?][\"”’']?(?=\s+[\"“‘'(]?[A-Z0-9])")
# Words that say nothing about what a figure counts ("rose to 17"): skipped when naming it.
_LINKING = frozenset("a an the to of at by from in on was were is are rose fell now had has have been about "
                     "some nearly almost least more than".split())
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")  # "14," in "rose to 14, officials said" is 14
_WORD = re.compile(r"[A-Za-z][\w'-]*")


@dataclass(frozen=True, slots=True)
class FigureChange:
    """A number a sentence changed, with the words next to it ("death toll", "dead")."""

    old: str
    new: str
    context: str

    def __str__(self) -> str:
        return f"{self.context} {self.old} → {self.new}".strip()


@dataclass(frozen=True, slots=True)
class SentenceEdit:
    kind: str  # "added", "removed", "reworded"
    old: str | None
    new: str | None
    figures: tuple[FigureChange, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionDiff:
    edits: tuple[SentenceEdit, ...]
    kept: int  # sentences unchanged

    def of_kind(self, kind: str) -> tuple[SentenceEdit, ...]:
        return tuple(e for e in self.edits if e.kind == kind)

    @property
    def figures(self) -> tuple[FigureChange, ...]:
        return tuple(f for e in self.edits for f in e.figures)


def split_sentences(text: str) -> list[str]:
    """Sentences of plain article text: each paragraph split after a full stop, ? or ! before a capital."""
    out: list[str] = []
    for paragraph in text.splitlines():
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            out.append(paragraph[start:match.end()].strip())
            start = match.end()
        out.append(paragraph[start:].strip())
    return [s for s in out if s]


def diff_versions(old_text: str, new_text: str) -> VersionDiff:
    """The sentence edits that turn ``old_text`` into ``new_text``, in the new text's order."""
    old, new = split_sentences(old_text), split_sentences(new_text)
    matcher = difflib.SequenceMatcher(a=[" ".join(s.split()) for s in old], b=[" ".join(s.split()) for s in new],
                                      autojunk=False)
    edits: list[SentenceEdit] = []
    kept = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            kept += i2 - i1
            continue
        edits.extend(_pair(old[i1:i2], new[j1:j2]))
    return VersionDiff(tuple(edits), kept)


def _pair(removed: list[str], added: list[str]) -> list[SentenceEdit]:
    """Removed and added sentences of one changed stretch: the most similar pairs are rewordings."""
    scores = sorted(((fuzz.ratio(a, b), i, j) for i, a in enumerate(removed) for j, b in enumerate(added)),
                    reverse=True)
    used_old: set[int] = set()
    pairs: dict[int, int] = {}
    for score, i, j in scores:
        if score < REWORDED_MIN:
            break
        if i not in used_old and j not in pairs:
            used_old.add(i)
            pairs[j] = i
    edits = [SentenceEdit("removed", s, None) for i, s in enumerate(removed) if i not in used_old]
    for j, sentence in enumerate(added):
        if j in pairs:
            old = removed[pairs[j]]
            edits.append(SentenceEdit("reworded", old, sentence, _figures(old, sentence)))
        else:
            edits.append(SentenceEdit("added", None, sentence))
    return edits


def _figures(old: str, new: str) -> tuple[FigureChange, ...]:
    """Numbers that differ at the same place of a reworded sentence, named by the words before them."""
    a, b = list(_NUMBER.finditer(old)), list(_NUMBER.finditer(new))
    if len(a) != len(b):
        return ()
    changes = []
    for x, y in zip(a, b):
        if x.group() != y.group():
            before = [w for w in _WORD.findall(new[: y.start()]) if w.lower() not in _LINKING][-2:]
            after = _WORD.findall(new[y.end():])[:1]
            context = " ".join(before) if before else " ".join(after)
            changes.append(FigureChange(x.group(), y.group(), context))
    return tuple(changes)
