"""Token features for the attribution tagger, all read off the parse the pipeline already made.

A sequence is one paragraph (text between blank lines), the unit PolNeAR splits discontinuous spans at;
whitespace tokens are left out. Features are plain strings for CRFsuite.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from spacy.attrs import (
    DEP,
    ENT_IOB,
    ENT_TYPE,
    HEAD,
    IS_PUNCT,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LENGTH,
    LIKE_NUM,
    LOWER,
    ORTH,
    POS,
    SENT_START,
    TAG,
)
from spacy.tokens import Doc, Token

from .runner import step
from .state import QuoteState

__all__ = ["Layout", "Paragraph", "TokenArrays", "lay_out", "paragraphs", "quote_depths"]

LOGGER = logging.getLogger(__name__)

OPEN_QUOTES = frozenset({"“", "«", "„", "‘", "‹"})
CLOSE_QUOTES = frozenset({"”", "»", "’", "›"})
STRAIGHT_QUOTES = frozenset({'"', "''", "``"})
# Beyond this many ancestors the walk to a reporting verb stops: deeper trees are parser noise on long runs.
MAX_ANCESTOR_STEPS = 12


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Token indices (into the Doc) of one tagging sequence."""

    tokens: tuple[int, ...]


def paragraphs(doc: Doc, arrays: TokenArrays | None = None) -> list[Paragraph]:
    """Split the doc into tagging sequences at whitespace tokens that hold a line break (spaCy keeps a
    token's own trailing whitespace to one space, so line breaks are always whitespace tokens)."""
    a = arrays or TokenArrays.of(doc)
    out: list[Paragraph] = []
    current: list[int] = []
    for i, (space, text) in enumerate(zip(a.space, a.text)):
        if space:
            if current and "\n" in text:
                out.append(Paragraph(tuple(current)))
                current = []
            continue
        current.append(i)
    if current:
        out.append(Paragraph(tuple(current)))
    return out


@dataclass(frozen=True, slots=True)
class Layout:
    """Per-document facts every step of the quote stage reads, computed once per Doc."""

    paragraphs: tuple[Paragraph, ...]
    depth: tuple[int, ...]  # quote depth of every token (see :func:`quote_depths`), 0 on whitespace
    sentence: tuple[int, ...]  # sentence number of every token
    bounds: tuple[tuple[int, int], ...]  # token range of every sentence
    arrays: TokenArrays  # the Doc's token attributes, read once for every step

    @classmethod
    def of(cls, doc: Doc) -> Layout:
        arrays = TokenArrays.of(doc)
        paras = tuple(paragraphs(doc, arrays))
        depth = [0] * len(doc)
        for paragraph in paras:
            for i, d in zip(paragraph.tokens, quote_depths(doc, paragraph, arrays.text)):
                depth[i] = d
        starts = [i for i, first in enumerate(arrays.sent_start) if first]
        bounds = tuple(zip(starts, [*starts[1:], len(doc)]))
        sentence = [n - 1 for n in arrays.sent_id]
        return cls(paras, tuple(depth), tuple(sentence), bounds, arrays)

    def sentence_bounds(self, token: int) -> tuple[int, int]:
        return self.bounds[self.sentence[token]]


def quote_depths(doc: Doc, paragraph: Paragraph, texts: list[str] | None = None) -> list[int]:
    """For each token: 1 inside a quotation, 2 on a quotation mark, 0 outside.

    Curly marks pair by direction and straight marks toggle; a quotation left open runs to the end of the
    paragraph, the newswire convention for quotes that continue in the next paragraph. ``texts``: every
    token's text, when the caller has read them already.
    """
    depths = []
    inside = False
    for i in paragraph.tokens:
        text = texts[i] if texts is not None else doc[i].text
        if text in OPEN_QUOTES and not (text == "‘" and inside):
            if text == "‘" and not _is_single_open(doc[i]):
                depths.append(1 if inside else 0)
                continue
            inside = True
            depths.append(2)
        elif text in CLOSE_QUOTES:
            if text == "’" and not inside:
                depths.append(0)
                continue
            inside = False
            depths.append(2)
        elif text in STRAIGHT_QUOTES:
            inside = not inside
            depths.append(2)
        else:
            depths.append(1 if inside else 0)
    return depths


def _is_single_open(token: Token) -> bool:
    """A left single quote opens a quotation only when a word follows it (not an elided year: ‘16)."""
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return nxt is not None and nxt.is_alpha


@dataclass(frozen=True, slots=True)
class TokenArrays:
    """Token attributes as plain lists: one pass over the Doc instead of many Token objects per feature."""

    lower: list[str]
    lemma: list[str]  # lower-cased
    pos: list[str]
    tag: list[str]
    dep: list[str]
    ent: list[str]
    shape: list[str]
    head: list[int]
    left: list[int]  # left edge of the token's subtree
    right: list[int]
    sent_start: list[int]
    sent_end: list[int]
    sent_id: list[int]  # running sentence number
    text: list[str]
    space: list[bool]  # a whitespace token
    punct: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> TokenArrays:
        n = len(doc)
        table = doc.to_array(_ARRAY_ATTRS)
        strings = doc.vocab.strings
        names: dict[int, str] = {}

        def text(column: int) -> list[str]:
            out = []
            for key in table[:, column].tolist():
                name = names.get(key)
                if name is None:
                    name = names[key] = strings[key]
                out.append(name)
            return out

        ent = [_IOB[iob] + kind for iob, kind in zip(table[:, 5].tolist(), text(6))]
        head = [i + offset for i, offset in enumerate(table[:, 7].astype(np.int64).tolist())]
        sent_start = [int(v == 1) for v in table[:, 8].astype(np.int64).tolist()]
        if n:
            sent_start[0] = 1
        punct = table[:, 9].astype(bool).tolist()
        flags = zip(*(table[:, c].tolist() for c in range(9, 14)))
        shape = [
            "P" if punct else "U" if upper and length > 1 else "T" if title else "N" if num else "x"
            for punct, upper, title, num, length in flags
        ]
        left, right = _subtree_edges(head)
        sent_id = np.cumsum(sent_start).tolist()
        return cls(
            text(0),
            [lemma.lower() for lemma in text(1)],
            text(2),
            text(3),
            text(4),
            ent,
            shape,
            head,
            left,
            right,
            sent_start,
            [*sent_start[1:], 1] if n else [],
            sent_id,
            text(14),
            table[:, 15].astype(bool).tolist(),
            punct,
        )


# One ``Doc.to_array`` call reads every attribute the features need (string ids, offsets and flags).
_ARRAY_ATTRS = [
    LOWER, LEMMA, POS, TAG, DEP, ENT_IOB, ENT_TYPE, HEAD, SENT_START, IS_PUNCT, IS_UPPER, IS_TITLE, LIKE_NUM, LENGTH,
    ORTH, IS_SPACE,
]
_IOB = ("", "I", "O", "B")


def _subtree_edges(head: list[int]) -> tuple[list[int], list[int]]:
    """Leftmost and rightmost token of every token's subtree, from the head indices (children are
    folded into their heads deepest first)."""
    n = len(head)
    depth = [-1] * n
    for i in range(n):
        path = []
        j = i
        while depth[j] < 0 and head[j] != j and len(path) <= n:
            path.append(j)
            j = head[j]
        known = depth[j] if depth[j] >= 0 else 0
        if depth[j] < 0:
            depth[j] = 0
        for k in reversed(path):
            known += 1
            depth[k] = known
    left, right = list(range(n)), list(range(n))
    for i in sorted(range(n), key=depth.__getitem__, reverse=True):
        h = head[i]
        if h != i:
            if left[i] < left[h]:
                left[h] = left[i]
            if right[i] > right[h]:
                right[h] = right[i]
    return left, right


def _token_features(a: TokenArrays, i: int, cue_rates: Mapping[str, str]) -> list[str]:
    """Features of one token that need no neighbours."""
    lemma = a.lemma[i]
    head = a.head[i]
    dep = a.dep[i]
    feats = [
        "b",
        f"w={a.lower[i]}",
        f"l={lemma}",
        f"s3={a.lower[i][-3:]}",
        f"p={a.pos[i]}",
        f"t={a.tag[i]}",
        f"d={dep}",
        f"e={a.ent[i]}",
        f"sh={a.shape[i]}",
        f"cr={cue_rates.get(lemma, 'no')}",
        f"hl={a.lemma[head]}",
        f"hp={a.pos[head]}|{dep}",
        f"hcr={cue_rates.get(a.lemma[head], 'no')}|{dep}",
        f"ss={a.sent_start[i]}",
        f"le={int(i == a.left[head])}{int(i == a.right[head])}|{dep}",
        f"se={a.sent_end[i]}",
    ]
    feats.extend(_cue_path(a, i, cue_rates))
    return feats


CUE_POS = frozenset({"VERB", "NOUN", "ADP", "AUX"})


def _cue_path(a: TokenArrays, token: int, cue_rates: Mapping[str, str]) -> list[str]:
    """Where the token hangs below the nearest likely reporting verb: its branch label and side."""
    child = node = token
    for _ in range(MAX_ANCESTOR_STEPS):
        rate = cue_rates.get(a.lemma[node])
        if rate in ("hi", "mid") and a.pos[node] in CUE_POS:
            branch = "SELF" if node == token else a.dep[child]
            side = "L" if token < node else "R" if token > node else "S"
            # Edges of the branch below the cue are where gold source and content spans start and end.
            edge = ("<" if token == a.left[child] else "") + (">" if token == a.right[child] else "")
            distance = abs(token - node)
            return [
                f"cb={branch}",
                f"cbs={branch}|{side}|{rate}",
                f"cl={a.lemma[node]}|{branch}",
                f"ce={branch}|{edge}",
                f"cd={distance if distance < 8 else 'far'}|{side}",
            ]
        if a.head[node] == node:
            break
        child, node = node, a.head[node]
    return ["cb=none"]


@step("layout", assigns=["layout"])
def lay_out(state: QuoteState) -> None:
    """Read the document's paragraphs, sentences, quotation depths and token attributes once."""
    state.layout = Layout.of(state.doc)
