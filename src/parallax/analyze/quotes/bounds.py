"""Content edges: a learned re-ranker that moves each content span's start and end onto PolNeAR's extent.

The tagger finds where a content lies (token-overlap F1 ≈ 0.85 on PolNeAR dev) but misses its exact
edges about one time in four: an indirect content's object phrase, a trailing participle or "and" clause,
a leading "to". Every token within a window of the proposed start is a candidate start, every token
within a window of the proposed end a candidate end. A log-linear model scores each candidate from the
parse (the edge word, its part of speech and dependency, which subtree starts or ends there and how that
subtree hangs below the cue), the quotation layout and the tagger's own marginal probabilities; the best
start and the best end are kept. Start and end are chosen independently (the end never before the start).

Weights: ``bounds.npz`` in the model package's ``quotes`` folder, trained by ``parallax.train.quote_bounds`` on jackknifed tagger
output over PolNeAR train (a model trained on half the articles tags the other half, so the re-ranker
learns from the errors the tagger makes on text it has not seen).
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from .features import Layout
from .runner import step
from .state import Attribution, QuoteState
from .tagger import Marginals, RoleSpan, quote_model_dir

__all__ = [
    "BOUNDS_FILE", "BoundaryModel", "Marginals", "cue_end_candidates", "cue_end_features", "end_candidates",
    "end_features", "load_bounds", "refine_edges", "save_bounds", "start_candidates", "start_features",
]

LOGGER = logging.getLogger(__name__)

BOUNDS_FILE = "bounds.npz"  # per scorer a names array and a float64 weights array, and a meta JSON string
SCORERS = ("start", "end", "cue_end")
# Candidate windows in tokens around the proposed edge (before, after). On PolNeAR train, jackknifed, the
# gold edge lies inside these windows for most contents whose edge the tagger missed (see the script).
START_WINDOW = (8, 8)
END_WINDOW = (10, 10)
CUE_END_WINDOW = (3, 4)
# The climb from an edge token to the largest subtree it opens or closes stops here (parser noise beyond).
MAX_CLIMB = 8


def _paragraph_range(layout: Layout, span: RoleSpan) -> tuple[int, int]:
    tokens = layout.paragraphs[span.paragraph].tokens
    return tokens[0], tokens[-1] + 1


def start_candidates(doc: Doc, layout: Layout, content: RoleSpan) -> list[int]:
    """Token indices that may start ``content``: non-space tokens of its paragraph near its start."""
    lo, hi = _paragraph_range(layout, content)
    first = max(lo, content.start - START_WINDOW[0])
    last = min(content.end - 1, content.start + START_WINDOW[1], hi - 1)
    space = layout.arrays.space
    return [t for t in range(first, last + 1) if not space[t]]


def end_candidates(doc: Doc, layout: Layout, content: RoleSpan) -> list[int]:
    """Exclusive token ends that may close ``content``: after its start, inside its paragraph."""
    lo, hi = _paragraph_range(layout, content)
    first = max(content.start + 1, content.end - END_WINDOW[0])
    last = min(hi, content.end + END_WINDOW[1])
    space = layout.arrays.space
    return [e for e in range(first, last + 1) if not space[e - 1]]


def cue_end_candidates(doc: Doc, layout: Layout, cue: RoleSpan) -> list[int]:
    """Exclusive token ends that may close ``cue``: inside its sentence, a few tokens either side."""
    _, sent_end = layout.sentence_bounds(cue.start)
    first = max(cue.start + 1, cue.end - CUE_END_WINDOW[0])
    last = min(sent_end, cue.end + CUE_END_WINDOW[1])
    space = layout.arrays.space
    return [e for e in range(first, last + 1) if not space[e - 1]]


def _bucket(p: float) -> str:
    return "0" if p < 0.05 else "1" if p < 0.3 else "2" if p < 0.7 else "3"


def _largest_subtree(token: int, head: list[int], edge: list[int]) -> int | None:
    """The highest ancestor (or ``token`` itself) whose subtree has ``token`` at the given edge (``edge``:
    every token's leftmost or rightmost subtree token); None when no subtree has it there."""
    best = token if edge[token] == token else None
    node = token
    for _ in range(MAX_CLIMB):
        up = head[node]
        if up == node or edge[up] != token:
            break
        best = node = up
    return best


def _cue_relation(layout: Layout, node: int | None, cue: RoleSpan | None) -> str:
    """How a subtree hangs below the cue: its dependency when its head is in the cue, else where it is."""
    if node is None:
        return "none"
    dep = layout.arrays.dep[node]
    if cue is None:
        return f"nocue:{dep}"
    if cue.start <= layout.arrays.head[node] < cue.end:
        return f"cue:{dep}"
    if cue.start <= node < cue.end:
        return "incue"
    return f"other:{dep}"


def _side(i: int, cue: RoleSpan | None) -> str:
    if cue is None:
        return "nocue"
    return "before" if i < cue.start else "in" if i < cue.end else "after"


def start_features(
    doc: Doc, layout: Layout, t: int, content: RoleSpan, cue: RoleSpan | None, marg: Marginals
) -> dict[str, float]:
    """Features of starting ``content`` at token ``t``."""
    a = layout.arrays
    lo, _ = _paragraph_range(layout, content)
    has_prev = t - 1 >= lo
    word, pos, dep = a.lower[t], a.pos[t], a.dep[t]
    pw = a.lower[t - 1] if has_prev else "<par>"
    ppos = a.pos[t - 1] if has_prev else "<par>"
    pdep = a.dep[t - 1] if has_prev else "<par>"
    off = max(-START_WINDOW[0], min(START_WINDOW[1], t - content.start))
    sent_start = layout.sentence_bounds(t)[0]
    opened = _largest_subtree(t, a.head, a.left)
    rel = _cue_relation(layout, opened, cue)
    d0 = layout.depth[t]
    d1 = layout.depth[t - 1] if has_prev else 0
    mb = float(marg.begin[t])
    mi = float(marg.inside[t])
    mp = float(marg.inside[t - 1]) if has_prev else 0.0
    feats = {
        f"off={off}": 1.0,
        f"w={word}": 1.0,
        f"pw={pw}": 1.0,
        f"pw|w={pw}|{word}": 1.0,
        f"pos={pos}": 1.0,
        f"tag={a.tag[t]}": 1.0,
        f"dep={dep}": 1.0,
        f"ppos={ppos}": 1.0,
        f"pdep={pdep}": 1.0,
        f"ppos|pos={ppos}|{pos}": 1.0,
        f"pdep|dep={pdep}|{dep}": 1.0,
        f"sent0={int(t == sent_start)}": 1.0,
        f"q={d1}{d0}": 1.0,
        f"side={_side(t, cue)}": 1.0,
        f"atcue={int(cue is not None and t == cue.end)}": 1.0,
        f"rel={rel}": 1.0,
        f"rel|pw={rel}|{pw}": 1.0,
        f"rel|side={rel}|{_side(t, cue)}": 1.0,
        f"mb={_bucket(mb)}": 1.0,
        f"mbi={_bucket(mb)}{_bucket(mi)}{_bucket(mp)}": 1.0,
        "mb": mb,
        "mi-mp": mi - mp,
        f"off|mb={off}|{_bucket(mb)}": 1.0,
    }
    if opened is not None:
        feats[f"odep={a.dep[opened]}|{a.pos[a.head[opened]]}"] = 1.0
        feats["olen"] = math.log1p(a.right[opened] - t) / 4.0
    return feats


def end_features(
    doc: Doc, layout: Layout, e: int, content: RoleSpan, cue: RoleSpan | None, marg: Marginals
) -> dict[str, float]:
    """Features of ending ``content`` before token ``e`` (its last token is ``e - 1``)."""
    a = layout.arrays
    _, hi = _paragraph_range(layout, content)
    last = e - 1
    nxt = e if e < hi else None
    while nxt is not None and a.space[nxt] and nxt + 1 < hi:
        nxt += 1
    word, pos, dep = a.lower[last], a.pos[last], a.dep[last]
    nw = a.lower[nxt] if nxt is not None else "<par>"
    npos = a.pos[nxt] if nxt is not None else "<par>"
    ndep = a.dep[nxt] if nxt is not None else "<par>"
    off = max(-END_WINDOW[0], min(END_WINDOW[1], e - content.end))
    sent_end = layout.sentence_bounds(last)[1]
    closed = _largest_subtree(last, a.head, a.right)
    rel = _cue_relation(layout, closed, cue)
    d0 = layout.depth[last]
    d1 = layout.depth[nxt] if nxt is not None else 0
    me = float(marg.end[last])
    mi = float(marg.inside[last])
    mn = float(marg.inside[nxt]) if nxt is not None else 0.0
    at_sent_end = e == sent_end or (nxt is not None and a.punct[nxt] and nxt + 1 == sent_end)
    feats = {
        f"off={off}": 1.0,
        f"w={word}": 1.0,
        f"nw={nw}": 1.0,
        f"w|nw={word}|{nw}": 1.0,
        f"pos={pos}": 1.0,
        f"tag={a.tag[last]}": 1.0,
        f"dep={dep}": 1.0,
        f"npos={npos}": 1.0,
        f"ndep={ndep}": 1.0,
        f"pos|npos={pos}|{npos}": 1.0,
        f"dep|ndep={dep}|{ndep}": 1.0,
        f"send={int(at_sent_end)}": 1.0,
        f"q={d0}{d1}": 1.0,
        f"side={_side(last, cue)}": 1.0,
        f"atcue={int(cue is not None and nxt is not None and nxt == cue.start)}": 1.0,
        f"rel={rel}": 1.0,
        f"rel|nw={rel}|{nw}": 1.0,
        f"rel|side={rel}|{_side(last, cue)}": 1.0,
        f"me={_bucket(me)}": 1.0,
        f"mei={_bucket(me)}{_bucket(mi)}{_bucket(mn)}": 1.0,
        "me": me,
        "mi-mn": mi - mn,
        f"off|me={off}|{_bucket(me)}": 1.0,
    }
    if closed is not None:
        feats[f"cdep={a.dep[closed]}|{a.pos[a.head[closed]]}"] = 1.0
        feats["clen"] = math.log1p(last - a.left[closed]) / 4.0
    return feats


def cue_end_features(
    doc: Doc,
    layout: Layout,
    e: int,
    cue: RoleSpan,
    content: RoleSpan | None,
    marg: Marginals,
    root: int | None = None,
) -> dict[str, float]:
    """Features of ending ``cue`` before token ``e`` (``root``: the cue's syntactic root, when the caller
    scores several ends of one cue)."""
    a = layout.arrays
    last = e - 1
    nxt = e if e < len(a.lower) else None
    word = a.lower[last]
    nw = a.lower[nxt] if nxt is not None else "<end>"
    npos = a.pos[nxt] if nxt is not None else "<end>"
    if root is None:
        root = doc[cue.start : cue.end].root.i
    lemma = a.lemma[root]
    off = max(-CUE_END_WINDOW[0], min(CUE_END_WINDOW[1], e - cue.end))
    me = float(marg.cue_end[last])
    mn = float(marg.cue_inside[nxt]) if nxt is not None else 0.0
    at_content = content is not None and nxt is not None and nxt == content.start
    in_content = content is not None and content.start <= last < content.end
    return {
        f"off={off}": 1.0,
        f"w={word}": 1.0,
        f"nw={nw}": 1.0,
        f"w|nw={word}|{nw}": 1.0,
        f"pos|npos={a.pos[last]}|{npos}": 1.0,
        f"dep={a.dep[last]}": 1.0,
        f"lemma|w={lemma}|{word}": 1.0,
        f"lemma|off={lemma}|{off}": 1.0,
        f"headroot={int(a.head[last] == root or last == root)}|{a.dep[last]}": 1.0,
        f"content={int(at_content)}{int(in_content)}": 1.0,
        f"me={_bucket(me)}{_bucket(mn)}": 1.0,
        "me": me,
        "mn": mn,
        f"off|me={off}|{_bucket(me)}": 1.0,
    }


def _score(weights: dict[str, float], feats: dict[str, float]) -> float:
    # map() keeps the per-feature work in C: this runs for every candidate edge of every quote.
    return sum(map(operator.mul, map(weights.get, feats, itertools.repeat(0.0)), feats.values()))


@dataclass(frozen=True, slots=True)
class BoundaryModel:
    """Weights of the start and end scorers (feature name → weight)."""

    start: dict[str, float]
    end: dict[str, float]
    cue_end: dict[str, float]

    def refine(
        self,
        doc: Doc,
        layout: Layout,
        content: RoleSpan,
        cue: RoleSpan | None,
        marg: Marginals,
        frame: Sequence[RoleSpan] = (),
    ) -> RoleSpan:
        """``content`` with its start and end moved to the best-scoring candidates (an edge whose scorer
        has no weights stays the tagger's). ``frame``: the attribution's cue and source; the content
        never grows into one of them (“…,” Ms. X said — the end stays before "Ms. X")."""
        starts = start_candidates(doc, layout, content) if self.start else [content.start]
        ends = end_candidates(doc, layout, content) if self.end else [content.end]
        before = [s.end for s in frame if s.end <= content.start]
        after = [s.start for s in frame if s.start >= content.end]
        if before:
            starts = [t for t in starts if t >= max(before)]
        if after:
            ends = [e for e in ends if e <= min(after)]
        if not starts or not ends:
            return content
        start = max(starts, key=lambda t: _score(self.start, start_features(doc, layout, t, content, cue, marg)))
        ends = [e for e in ends if e > start] or [content.end]
        end = max(ends, key=lambda e: _score(self.end, end_features(doc, layout, e, content, cue, marg)))
        if (start, end) == (content.start, content.end):
            return content
        return RoleSpan("Content", start, end, content.paragraph)

    def refine_cue(
        self, doc: Doc, layout: Layout, cue: RoleSpan, content: RoleSpan | None, marg: Marginals
    ) -> RoleSpan:
        """``cue`` with its end moved to the best-scoring candidate (its start is the tagger's)."""
        if not self.cue_end:
            return cue
        ends = cue_end_candidates(doc, layout, cue)
        if not ends:
            return cue
        root = doc[cue.start : cue.end].root.i
        end = max(
            ends, key=lambda e: _score(self.cue_end, cue_end_features(doc, layout, e, cue, content, marg, root))
        )
        return cue if end == cue.end else RoleSpan("Cue", cue.start, end, cue.paragraph)

    @classmethod
    def read(cls, path: Path) -> BoundaryModel:
        """The re-ranker saved by :func:`save_bounds` (weights are float64, as written)."""
        with np.load(path) as saved:
            weights = [dict(zip(saved[f"{n}.names"].tolist(), saved[f"{n}.weights"].tolist())) for n in SCORERS]
        return cls(*weights)


def save_bounds(path: Path, scorers: dict[str, dict[str, float]], meta: dict[str, object]) -> None:
    """Write a re-ranker's weights (``scorers``: name -> feature -> weight) and its training notes."""
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for name in SCORERS:
        weights = scorers.get(name, {})
        arrays[f"{name}.names"] = np.array(list(weights), dtype=str)
        arrays[f"{name}.weights"] = np.array(list(weights.values()), dtype=np.float64)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


def load_bounds(model_dir: Path | None = None) -> BoundaryModel | None:
    """The boundary re-ranker in ``model_dir`` (default: the model package's), or None (contents keep the
    tagger's edges) when it is absent."""
    return _load_bounds(quote_model_dir(model_dir))


@functools.lru_cache(maxsize=2)
def _load_bounds(model_dir: Path) -> BoundaryModel | None:
    path = model_dir / BOUNDS_FILE
    if not path.is_file():
        LOGGER.warning("no content-boundary model at %s; content edges are the tagger's", path)
        return None
    return BoundaryModel.read(path)


def top_weights(weights: dict[str, float]) -> dict[str, float]:
    """Weights rounded for shipping, dropping those too small to change a choice."""
    return {k: round(v, 4) for k, v in sorted(weights.items()) if abs(v) >= 1e-3}


@step("boundaries", requires=["layout", "framed", "marginals"], assigns=["refined"])
def refine_edges(state: QuoteState) -> None:
    """Move each content's edges, and each cue's end, where the re-ranker scores them best; without a
    re-ranker (or with ``config.refine`` off) the tagger's edges stay."""
    assert state.layout is not None and state.framed is not None and state.marginals is not None
    bounds = state.bounds or (load_bounds(state.config.models) if state.config.refine else None)
    if not state.config.refine or bounds is None:
        state.refined = list(state.framed)
        return
    doc, layout, marginals = state.doc, state.layout, state.marginals
    state.refined = [
        Attribution(
            bounds.refine(doc, layout, a.content, a.cue, marginals, [s for s in (a.cue, a.source) if s]),
            a.cue and bounds.refine_cue(doc, layout, a.cue, a.content, marginals),
            a.source,
        )
        for a in state.framed
    ]
