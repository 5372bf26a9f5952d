"""The learned attribution tagger: Source / Cue / Content spans (BILOU) for every paragraph of a Doc.

Two models share this interface. The shipped one is the neural tagger of :mod:`.quote_net` (BiLSTM over
parse features and spaCy's token vectors, run in numpy); a folder holding only a CRFsuite model
(``scripts/train_quotes.py``, the earlier tagger: a linear-chain CRF over windowed parse features) is
still read. Weights ship inside the package (``parallax/models/quotes``); nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pycrfsuite
from spacy.tokens import Doc

from parallax.errors import InputError

from .quote_features import Layout, Paragraph, paragraph_features
from .quote_net import LABELS as NET_LABELS
from .quote_net import EMBED_FILE, NET_FILE, VOCAB_FILE, NetEnsemble, load_net

if TYPE_CHECKING:
    from .quote_bounds import Marginals

__all__ = ["MODEL_DIR", "RoleSpan", "TaggerModel", "load_tagger", "spans_from_labels"]

LOGGER = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "quotes"
MODEL_FILE = "attribution.crfsuite"
CUE_RATES_FILE = "cue_rates.json"
META_FILE = "meta.json"


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """A tagged span in token indices of the Doc (``end`` exclusive), within one paragraph."""

    role: str  # "Source", "Cue", "Content"
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class TaggerModel:
    tagger: pycrfsuite.Tagger | None
    cue_rates: dict[str, str]
    feature_version: int = 2
    net: NetEnsemble | None = None  # the neural tagger; used instead of the CRF when present

    def tag(self, doc: Doc, layout: Layout | None = None) -> list[RoleSpan]:
        """Every Source, Cue and Content span the model finds in ``doc``."""
        return self.tag_with_marginals(doc, layout, marginals=False)[0]

    def tag_with_marginals(
        self, doc: Doc, layout: Layout | None = None, *, marginals: bool = True
    ) -> tuple[list[RoleSpan], Marginals]:
        """The spans of :meth:`tag` and the Content marginals of every token of a paragraph with a span."""
        from .quote_bounds import Marginals

        layout = layout or Layout.of(doc)
        arrays = layout.arrays
        spans: list[RoleSpan] = []
        marg = Marginals.zeros(len(doc))
        if self.net is not None:
            tagged = self.net.tag_paragraphs(doc, layout)
            for number, (paragraph, (labels, probs)) in enumerate(zip(layout.paragraphs, tagged)):
                spans.extend(spans_from_labels(paragraph, labels, number))
                if marginals and any(label != "O" for label in labels):
                    _fill_net_marginals(probs, paragraph.tokens, marg)
            return spans, marg
        assert self.tagger is not None
        known = set(self.tagger.labels()) if marginals else set()
        for number, paragraph in enumerate(layout.paragraphs):
            depths = [layout.depth[i] for i in paragraph.tokens]
            feats = paragraph_features(doc, paragraph, self.cue_rates, depths, arrays, self.feature_version)
            labels = self.tagger.tag(feats)
            spans.extend(spans_from_labels(paragraph, labels, number))
            if marginals and any(label != "O" for label in labels):
                _fill_marginals(self.tagger, known, paragraph.tokens, marg)
        return spans, marg


def _fill_marginals(tagger: pycrfsuite.Tagger, known: set[str], tokens: tuple[int, ...], marg: Marginals) -> None:
    """Content and Cue marginals of the sequence the tagger last tagged, written at its tokens' Doc indices."""
    def column(label: str) -> list[float]:
        if label not in known:
            return [0.0] * len(tokens)
        return [tagger.marginal(label, k) for k in range(len(tokens))]

    b, i, last, u = (column(f"{p}-Content") for p in "BILU")
    cb, ci, cl, cu = (column(f"{p}-Cue") for p in "BILU")
    for k, token in enumerate(tokens):
        marg.begin[token] = b[k] + u[k]
        marg.end[token] = last[k] + u[k]
        marg.inside[token] = b[k] + i[k] + last[k] + u[k]
        marg.cue_end[token] = cl[k] + cu[k]
        marg.cue_inside[token] = cb[k] + ci[k] + cl[k] + cu[k]


def _fill_net_marginals(probs: np.ndarray, tokens: tuple[int, ...], marg: Marginals) -> None:
    """The same five marginals from the neural tagger's per-token label probabilities [T, labels]."""
    col = {label: probs[:, k] for k, label in enumerate(NET_LABELS)}
    begin = col["B-Content"] + col["U-Content"]
    end = col["L-Content"] + col["U-Content"]
    inside = begin + col["I-Content"] + col["L-Content"]
    cue_end = col["L-Cue"] + col["U-Cue"]
    cue_inside = cue_end + col["B-Cue"] + col["I-Cue"]
    at = list(tokens)
    marg.begin[at] = begin
    marg.end[at] = end
    marg.inside[at] = inside
    marg.cue_end[at] = cue_end
    marg.cue_inside[at] = cue_inside


@functools.lru_cache(maxsize=2)
def load_tagger(model_dir: Path = MODEL_DIR) -> TaggerModel:
    """The shipped tagger (cached per process): the neural tagger when the folder holds one, else the CRF."""
    neural = (model_dir / NET_FILE).is_file()
    needed = (NET_FILE, EMBED_FILE, VOCAB_FILE, CUE_RATES_FILE) if neural else (MODEL_FILE, CUE_RATES_FILE, META_FILE)
    missing = [name for name in needed if not (model_dir / name).is_file()]
    if missing:
        raise InputError(
            str(model_dir),
            f"the quote attribution model is incomplete (missing {', '.join(missing)})",
            "reinstall parallax with its package data, or rebuild it with scripts/train_quote_net.py",
        )
    rates = json.loads((model_dir / CUE_RATES_FILE).read_text(encoding="utf-8"))
    if neural:
        return TaggerModel(None, rates, net=load_net(model_dir))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_dir / MODEL_FILE))
    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    LOGGER.info("loaded CRF attribution tagger from %s (%d cue lemmas)", model_dir, len(rates))
    return TaggerModel(tagger, rates, int(meta.get("feature_version", 2)))


def spans_from_labels(paragraph: Paragraph, labels: list[str], number: int) -> list[RoleSpan]:
    """Turn BIO or BILOU labels into spans; an I- or L- without a matching open span starts one."""
    out: list[RoleSpan] = []
    role: str | None = None
    start = 0
    for k, label in enumerate([*labels, "O"]):
        prefix, _, name = label.partition("-")
        if role is not None and (prefix not in ("I", "L") or name != role):
            out.append(RoleSpan(role, paragraph.tokens[start], paragraph.tokens[k - 1] + 1, number))
            role = None
        if prefix in ("B", "I", "L", "U") and role is None:
            role, start = name, k
        if prefix in ("L", "U") and role is not None:
            out.append(RoleSpan(role, paragraph.tokens[start], paragraph.tokens[k] + 1, number))
            role = None
    return out
