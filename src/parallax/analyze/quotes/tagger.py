"""The learned attribution tagger: Source / Cue / Content spans (BILOU) for every paragraph of a Doc.

The tagger is the neural one of :mod:`.net` (BiLSTM over parse features and spaCy's token vectors,
in ONNX Runtime and numpy). Its weights ship in the model package ``parallax-models`` (folder
``quotes``), located by :mod:`parallax.weights`; nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
import numpy as np
from spacy.tokens import Doc

from parallax.errors import InputError
from parallax.weights import model_package

from .features import Layout, Paragraph
from .net import LABELS as NET_LABELS
from .net import EMBED_FILE, NET_FILE, VOCAB_FILE, NetEnsemble, load_net
from .runner import step
from .state import QuoteState

__all__ = [
    "CUE_RATES_FILE", "Marginals", "RoleSpan", "TaggerModel", "load_tagger", "quote_model_dir", "spans_from_labels",
    "tag",
]

LOGGER = logging.getLogger(__name__)

CUE_RATES_FILE = "cue_rates.json"


def quote_model_dir(model_dir: Path | None = None) -> Path:
    """``model_dir`` when given, else the ``quotes`` folder of the installed model package."""
    return model_dir if model_dir is not None else model_package().path("quotes")


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """A tagged span in token indices of the Doc (``end`` exclusive), within one paragraph."""

    role: str  # "Source", "Cue", "Content"
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Marginals:
    """The tagger's marginal probabilities per Doc token for the Content role (0 where untagged)."""

    begin: np.ndarray  # P(B-Content) + P(U-Content)
    end: np.ndarray  # P(L-Content) + P(U-Content)
    inside: np.ndarray  # P(any Content label)
    cue_end: np.ndarray  # P(L-Cue) + P(U-Cue)
    cue_inside: np.ndarray  # P(any Cue label)

    @classmethod
    def zeros(cls, n: int) -> Marginals:
        return cls(*(np.zeros(n, np.float32) for _ in range(5)))


@dataclass(frozen=True, slots=True)
class TaggerModel:
    net: NetEnsemble

    @property
    def cue_rates(self) -> dict[str, str]:
        """How often each lemma heads a gold cue, bucketed ("hi", "mid", "lo"): part of the model."""
        return self.net.cue_rates

    def tag(self, doc: Doc, layout: Layout | None = None, *, mode: str | None = None) -> list[RoleSpan]:
        """Every Source, Cue and Content span the model finds in ``doc``, in quote mode ``mode`` (default:
        the one in force, :func:`parallax.quote_mode.quote_mode`)."""
        return self.tag_with_marginals(doc, layout, marginals=False, mode=mode)[0]

    def tag_with_marginals(
        self, doc: Doc, layout: Layout | None = None, *, marginals: bool = True, mode: str | None = None
    ) -> tuple[list[RoleSpan], Marginals]:
        """The spans of :meth:`tag` and the Content marginals of every token of a paragraph with a span."""
        layout = layout or Layout.of(doc)
        spans: list[RoleSpan] = []
        marg = Marginals.zeros(len(doc))
        tagged = self.net.tag_paragraphs(doc, layout, mode=mode)
        for number, (paragraph, (labels, probs)) in enumerate(zip(layout.paragraphs, tagged)):
            spans.extend(spans_from_labels(paragraph, labels, number))
            if marginals and any(label != "O" for label in labels):
                _fill_net_marginals(probs, paragraph.tokens, marg)
        return spans, marg

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


def load_tagger(model_dir: Path | None = None) -> TaggerModel:
    """The tagger in ``model_dir`` (default: the model package's), loaded once per process and folder."""
    return _load_tagger(quote_model_dir(model_dir))


@functools.lru_cache(maxsize=2)
def _load_tagger(model_dir: Path) -> TaggerModel:
    needed = (NET_FILE, EMBED_FILE, VOCAB_FILE, CUE_RATES_FILE)
    missing = [name for name in needed if not (model_dir / name).is_file()]
    net = load_net(model_dir) if not missing else None
    if net is None:
        raise InputError(
            str(model_dir),
            f"the quote attribution model is incomplete (missing {', '.join(missing) or NET_FILE})",
            "reinstall the model package (`make setup`), or rebuild it with `python -m parallax.train quotes`",
        )
    return TaggerModel(net)


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


@step("tag", requires=["layout"], assigns=["tagged", "marginals", "cue_rates"])
def tag(state: QuoteState) -> None:
    """Tag every paragraph with Source, Cue and Content spans, in the configured quote mode."""
    assert state.layout is not None
    tagger = state.tagger or load_tagger(state.config.models)
    state.tagged, state.marginals = tagger.tag_with_marginals(state.doc, state.layout, mode=state.config.mode)
    state.cue_rates = tagger.cue_rates
