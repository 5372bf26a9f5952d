"""Token features for the attribution tagger, all read off the parse the pipeline already made.

A sequence is one paragraph (text between blank lines), the unit PolNeAR splits discontinuous spans at;
whitespace tokens are left out. Features are plain strings for CRFsuite.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from spacy.tokens import Doc, Token

__all__ = ["Paragraph", "paragraph_features", "paragraphs", "quote_depths"]

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


def paragraphs(doc: Doc) -> list[Paragraph]:
    """Split the doc into tagging sequences at whitespace tokens that hold a line break."""
    out: list[Paragraph] = []
    current: list[int] = []
    for token in doc:
        if token.is_space:
            if "\n" in token.text and current:
                out.append(Paragraph(tuple(current)))
                current = []
            continue
        current.append(token.i)
        if "\n" in token.whitespace_ and current:
            out.append(Paragraph(tuple(current)))
            current = []
    if current:
        out.append(Paragraph(tuple(current)))
    return out


def quote_depths(doc: Doc, paragraph: Paragraph) -> list[int]:
    """For each token: 1 inside a quotation, 2 on a quotation mark, 0 outside.

    Curly marks pair by direction and straight marks toggle; a quotation left open runs to the end of the
    paragraph, the newswire convention for quotes that continue in the next paragraph.
    """
    depths = []
    inside = False
    for i in paragraph.tokens:
        text = doc[i].text
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


def paragraph_features(
    doc: Doc, paragraph: Paragraph, cue_rates: Mapping[str, str]
) -> list[list[str]]:
    """Feature strings of every token of one paragraph.

    ``cue_rates`` maps a lemma to a bucket ("hi", "mid", "lo") of how often it heads a gold cue in the
    training data; it is part of the shipped model.
    """
    depths = quote_depths(doc, paragraph)
    base = [_token_features(doc[i], cue_rates) for i in paragraph.tokens]
    words = [doc[i].lower_ for i in paragraph.tokens]
    tags = [doc[i].tag_ for i in paragraph.tokens]
    n = len(base)
    feats = []
    for k in range(n):
        f = base[k]
        f.append(f"q={depths[k]}")
        for off in (-2, -1, 1, 2):
            j = k + off
            if 0 <= j < n:
                f.append(f"w{off}={words[j]}")
                f.append(f"t{off}={tags[j]}")
                f.append(f"q{off}={depths[j]}")
            else:
                f.append(f"w{off}=<pad>")
        f.append(f"t-1t={tags[k - 1] if k else '<pad>'}|{tags[k]}")
        f.append(f"qpar={depths[0]}")
        feats.append(f)
    return feats


def _token_features(token: Token, cue_rates: Mapping[str, str]) -> list[str]:
    """Features of one token that need no neighbours."""
    lemma = token.lemma_.lower()
    head = token.head
    feats = [
        "b",
        f"w={token.lower_}",
        f"l={lemma}",
        f"s3={token.lower_[-3:]}",
        f"p={token.pos_}",
        f"t={token.tag_}",
        f"d={token.dep_}",
        f"e={token.ent_iob_}{token.ent_type_}",
        f"sh={_shape(token)}",
        f"cr={cue_rates.get(lemma, 'no')}",
        f"hl={head.lemma_.lower()}",
        f"hp={head.pos_}|{token.dep_}",
        f"hcr={cue_rates.get(head.lemma_.lower(), 'no')}|{token.dep_}",
        f"ss={int(token.is_sent_start or False)}",
        f"le={int(token.i == head.left_edge.i)}{int(token.i == head.right_edge.i)}|{token.dep_}",
        f"se={int(token.is_sent_end or False)}",
    ]
    feats.extend(_cue_path(token, cue_rates))
    return feats


def _shape(token: Token) -> str:
    if token.is_punct:
        return "P"
    if token.is_upper and len(token) > 1:
        return "U"
    if token.is_title:
        return "T"
    if token.like_num:
        return "N"
    return "x"


def _cue_path(token: Token, cue_rates: Mapping[str, str]) -> list[str]:
    """Where the token hangs below the nearest likely reporting verb: its branch label and side."""
    child = token
    node = token
    for _ in range(MAX_ANCESTOR_STEPS):
        rate = cue_rates.get(node.lemma_.lower())
        if rate in ("hi", "mid") and node.pos_ in ("VERB", "NOUN", "ADP", "AUX"):
            branch = "SELF" if node is token else child.dep_
            side = "L" if token.i < node.i else "R" if token.i > node.i else "S"
            # Edges of the branch below the cue are where gold source and content spans start and end.
            edge = ("<" if token.i == child.left_edge.i else "") + (">" if token.i == child.right_edge.i else "")
            return [
                f"cb={branch}",
                f"cbs={branch}|{side}|{rate}",
                f"cl={node.lemma_.lower()}|{branch}",
                f"ce={branch}|{edge}",
                f"cd={min(abs(token.i - node.i), 8) if abs(token.i - node.i) < 8 else 'far'}|{side}",
            ]
        if node.head is node:
            break
        child, node = node, node.head
    return ["cb=none"]
