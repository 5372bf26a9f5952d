"""Framing: how prominently each outlet features each entity, the labels it attaches to them, and the
words most distinctive of each outlet in the story.

Distinctive words use the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn
2008, "Fightin' Words", eq. 16-22): for outlet *i* against the other outlets *j* of the story,

    delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
    var_w  ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w),      z_w = delta_w / sqrt(var_w)

with the prior ``a_w`` proportional to the word's frequency in a background of the whole story.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from parallax.model import AnalyzedArticle, EntityProminence, FramingTerm, Label, OutletFraming

from parallax.keys import mention_key

from .features import content_tokens, demonym_map
from .labels import entity_labels

__all__ = ["PRIOR_SCALE", "TOP_TERMS", "framing", "log_odds_z"]

LOGGER = logging.getLogger(__name__)

PRIOR_SCALE = 1.0  # a_0 = this x story token count: the prior weighs as much as the story itself
TOP_TERMS = 15
LEAD_SENTENCES = 2  # "in the lead" = named in the first two sentences
NAMED = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})  # names left out of the distinctive terms


def log_odds_z(counts_i: Mapping[str, int], counts_j: Mapping[str, int], prior: Mapping[str, float]) -> dict[str, float]:
    """z-scores of the log-odds ratio of every word between two corpora under an informative prior.

    Args:
        counts_i: word counts of the focus corpus.
        counts_j: word counts of the comparison corpus.
        prior: Dirichlet pseudo-counts ``a_w`` (every word of either corpus must have one > 0).
    """
    vocab = sorted(set(counts_i) | set(counts_j))
    if not vocab:
        return {}
    y_i = np.array([counts_i.get(w, 0) for w in vocab], dtype=float)
    y_j = np.array([counts_j.get(w, 0) for w in vocab], dtype=float)
    a = np.array([prior[w] for w in vocab], dtype=float)
    return dict(zip(vocab, _z_scores(y_i, y_j, a).tolist()))


# Verbs every report uses whatever its slant ("said", "came", "took"): never an outlet's framing.
GENERIC_VERBS = frozenset(
    "say says said saying tell tells told telling add adds added come comes came coming bring brings brought "
    "take takes took taking make makes made making go goes went going get gets got getting give gives gave "
    "ask asks asked put puts set sets".split()
)


# Pieces of words that say nothing of a framing: negated auxiliaries split from "n't" ("doesn", "didn't" as
# some texts tokenise them) and the abbreviated titles before names ("Sen.", "Gov.").
_FRAGMENTS = frozenset(
    "didn doesn don isn wasn weren hasn haven hadn couldn wouldn shouldn aren mustn needn ain "
    "sen rep gov gen lt col sgt capt adm cmdr atty mr mrs ms dr jr sr st".split()
)


def _terms(text: str) -> list[str]:
    """Unigrams and adjacent-content-word bigrams ("regime change"), reporting and light verbs left out."""
    words = [w for w in content_tokens(text)
             if w not in GENERIC_VERBS and (head := w.replace("’", "'").split("'")[0]) not in STOP_WORDS  # not "i’m"
             and head not in _FRAGMENTS]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _article_terms(item: AnalyzedArticle) -> list[str]:
    """The terms of an article's text outside the names it mentions: who is named, and how often, is the
    prominence table's; the words around the names are the outlet's framing."""
    text = item.article.text
    out: list[str] = []
    at = 0
    for mention in sorted(item.mentions, key=lambda m: m.start):
        if mention.label in NAMED and mention.start >= at:
            out += _terms(text[at : mention.start])
            at = mention.end
    return out + _terms(text[at:])


def _outlet_terms(analyzed: Sequence[AnalyzedArticle]) -> dict[str, tuple[FramingTerm, ...]]:
    counts: dict[str, Counter[str]] = {}
    for item in analyzed:
        counts.setdefault(item.article.outlet, Counter()).update(_article_terms(item))
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    size = sum(total.values()) or 1
    # One outlet's words and the rest's together are the story's words: every outlet is scored over the same
    # sorted vocabulary, the rest's counts being the story's less the outlet's (log_odds_z, one array step
    # per outlet instead of a Counter of the other outlets built word by word).
    # a name the tagger missed in one place ("Mattis’" with its bare apostrophe) is still no framing word
    names = {w.strip("’'").lower() for item in analyzed for m in item.mentions if m.label == "PERSON"
             for w in m.text.split() if w[:1].isupper()}
    vocab = sorted(total)
    column = {w: k for k, w in enumerate(vocab)}
    story = np.array([total[w] for w in vocab], dtype=float)
    prior = PRIOR_SCALE * story  # a_w = scale * a_0-share * a_0 simplifies to this
    out: dict[str, tuple[FramingTerm, ...]] = {}
    for outlet, mine in counts.items():
        y_i = np.zeros(len(vocab))
        y_i[[column[w] for w in mine]] = list(mine.values())
        y_j = story - y_i
        if not y_j.any():
            out[outlet] = ()
            continue
        z = _z_scores(y_i, y_j, prior)
        top = sorted((w for w in mine if mine[w] >= 2 and not set(w.split()) & names),
                     key=lambda w: -z[column[w]])[:TOP_TERMS]
        out[outlet] = tuple(FramingTerm(w, round(float(z[column[w]]), 3), mine[w]) for w in top if z[column[w]] > 0)
    LOGGER.debug("framing terms over %d tokens", size)
    return out


def _z_scores(y_i: np.ndarray, y_j: np.ndarray, a: np.ndarray) -> np.ndarray:
    """:func:`log_odds_z` over counts and prior given as arrays of one vocabulary."""
    a0, n_i, n_j = a.sum(), y_i.sum(), y_j.sum()
    delta = np.log((y_i + a) / (n_i + a0 - y_i - a)) - np.log((y_j + a) / (n_j + a0 - y_j - a))
    z: np.ndarray = delta / np.sqrt(1.0 / (y_i + a) + 1.0 / (y_j + a))
    return z


def _prominence(analyzed: Sequence[AnalyzedArticle], canonical: Mapping[str, str]) -> dict[str, tuple[EntityProminence, ...]]:
    stats: dict[str, dict[str, list[int]]] = {}  # outlet -> entity -> sentence indices
    demonyms = demonym_map({mention_key(m) for a in analyzed for m in a.mentions})
    for item in analyzed:
        per = stats.setdefault(item.article.outlet, {})
        for m in item.mentions:
            if m.label in NAMED:
                key = mention_key(m)
                name = canonical.get(m.entity_id or "", "") or demonyms.get(key, key)
                per.setdefault(name, []).append(m.sentence)
    return {
        outlet: tuple(sorted(
            (EntityProminence(name, outlet, len(s), min(s), min(s) < LEAD_SENTENCES) for name, s in per.items()),
            key=lambda p: (-p.count, p.first_sentence),
        ))
        for outlet, per in stats.items()
    }


def framing(analyzed: Sequence[AnalyzedArticle], *, canonical: Mapping[str, str] | None = None) -> tuple[OutletFraming, ...]:
    """Per outlet: distinctive terms, entity labels and entity prominence."""
    canonical = canonical or {}
    terms = _outlet_terms(analyzed)
    prominence = _prominence(analyzed, canonical)
    labels: dict[str, list[Label]] = {}
    for label in entity_labels(analyzed, canonical=canonical):
        labels.setdefault(label.outlet, []).append(label)
    return tuple(
        OutletFraming(outlet, terms.get(outlet, ()), tuple(labels.get(outlet, ())), prominence.get(outlet, ()))
        for outlet in sorted(terms)
    )
