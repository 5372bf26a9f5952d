"""A neural attribution tagger: embedded parse features and spaCy's token vectors through a BiLSTM.

The earlier CRF tagger (:mod:`parallax.analyze.quotes.tagger`) sees a window of two tokens either side; content spans run
for dozens. This tagger reads each paragraph whole: every token is the sum of the embeddings of its own
parse features (the CRF's per-token features) next to the 96 contextual values the parser's tok2vec
already computed (``doc.tensor``), a two-layer bidirectional LSTM reads the paragraph, and a softmax gives
each token's BILOU label probabilities. Decoding keeps the spans more likely right than wrong under the
well-formed BILOU sequences (:func:`likely_spans`); the probabilities feed the edge re-ranker as the
CRF's marginals did.

Several such taggers can vote (:class:`NetEnsemble`, members in ``member-N`` sub-folders): the
feature strings are built once per document and each member's label log-probabilities are averaged.
The shipped folder holds one tagger (self-trained, see docs/quotes.md), which scores as well as two
voting ones. A tagger may also add each word's all-MiniLM-L6-v2 WordPiece vector (:class:`PieceVectors`).
Where the folder also holds an attribution encoder (:mod:`parallax.analyze.quotes.encoder`), the
paragraphs the taggers are unsure of are re-read by it and its label probabilities mixed into theirs.

The LSTMs run in ONNX Runtime (``tagger.onnx``, written from the same weights by
``parallax.train.export_quote_onnx``); the numpy LSTM here (sequences left-aligned in a batch, each reversed
within its own length for the backward direction, so padding never reaches a real token) is the fallback
and the reference the tests compare the graph with. Weights ship as float16 (``tagger.npz``,
``embeddings.npy``); ``parallax.train.quote_net`` trains them on PolNeAR train with PyTorch, a
training-only dependency.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from spacy.tokens import Doc
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from tokenizers import Tokenizer

from .encoder import QuoteEncoder, active_encoder, piece_ids, wordpiece_tokenizer
from .features import Layout, Paragraph, TokenArrays, _token_features

__all__ = [
    "LABELS",
    "NET_FILE",
    "ONNX_FILE",
    "NetEnsemble",
    "NetTagger",
    "Transitions",
    "allowed_transitions",
    "likely_spans",
    "load_net",
    "PieceVectors",
    "paragraph_keys",
    "piece_ids",
    "viterbi",
    "wordpiece_tokenizer",
]

LOGGER = logging.getLogger(__name__)

ROLES = ("Source", "Cue", "Content")
LABELS: tuple[str, ...] = ("O", *(f"{p}-{r}" for r in ROLES for p in "BILU"))
NET_FILE = "tagger.npz"
EMBED_FILE = "embeddings.npy"
VOCAB_FILE = "vocab.json"
NET_META_FILE = "net.json"
PIECES_FILE = "wordpieces.npy"
ONNX_FILE = "tagger.onnx"  # the LSTM and output layer of tagger.npz as an ONNX graph (rows, lengths -> logp)
TENSOR_WIDTH = 96  # en_core_web_sm's tok2vec width


def paragraph_keys(
    arrays: TokenArrays, paragraph: Paragraph, depths: Sequence[int], cue_rates: Mapping[str, str]
) -> list[list[str]]:
    """The per-token feature strings of one paragraph (the CRF's own-token features and quote depth)."""
    out = []
    for k, i in enumerate(paragraph.tokens):
        feats = _token_features(arrays, i, cue_rates)
        feats.append(f"q={depths[k]}")
        feats.append(f"pk={min(k, 3)}")
        out.append(feats)
    return out


def allowed_transitions() -> np.ndarray:
    """``allowed[a, b]``: label b may follow label a in BILOU (start and end handled by :func:`viterbi`)."""
    n = len(LABELS)
    allowed = np.zeros((n, n), dtype=bool)
    for a, left in enumerate(LABELS):
        for b, right in enumerate(LABELS):
            lp, _, lrole = left.partition("-")
            rp, _, rrole = right.partition("-")
            if lp in ("B", "I"):
                allowed[a, b] = rp in ("I", "L") and rrole == lrole
            else:  # O, L, U close whatever was open
                allowed[a, b] = rp in ("O", "B", "U")
    return allowed


_ALLOWED = allowed_transitions()
_LABEL_NAMES = np.array(LABELS, dtype=object)
_PENALTY = np.where(_ALLOWED, 0.0, -1e9)
_START_OK = np.array([label.partition("-")[0] in ("O", "B", "U") for label in LABELS])
_END_OK = np.array([label.partition("-")[0] in ("O", "L", "U") for label in LABELS])


@dataclass(frozen=True, slots=True)
class Transitions:
    """Learned label-pair, first-label and last-label scores (a CRF output layer); zeros = none learned."""

    pair: np.ndarray  # [labels, labels]
    first: np.ndarray  # [labels]
    last: np.ndarray  # [labels]

    @classmethod
    def none(cls) -> Transitions:
        n = len(LABELS)
        return cls(np.zeros((n, n)), np.zeros(n), np.zeros(n))


def viterbi(logp: np.ndarray, transitions: Transitions | None = None) -> list[str]:
    """The best well-formed BILOU label sequence under per-token scores ``logp`` [T, labels].

    ``transitions`` adds learned scores for label pairs and for the first and last label; ill-formed
    sequences are never chosen either way.
    """
    steps = logp.shape[0]
    if steps == 0:
        return []
    if transitions is None:
        # With no learned transitions, a well-formed sequence of per-token best labels is the optimum.
        greedy = logp.argmax(axis=1)
        if _START_OK[greedy[0]] and _END_OK[greedy[-1]] and _ALLOWED[greedy[:-1], greedy[1:]].all():
            return [LABELS[k] for k in greedy]
    trans = transitions or _NO_TRANSITIONS
    pair = trans.pair + _PENALTY
    score = np.where(_START_OK, logp[0] + trans.first, -1e9)
    back = np.zeros((steps, len(LABELS)), dtype=np.int64)
    for t in range(1, steps):
        total = score[:, None] + pair
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + logp[t]
    score = np.where(_END_OK, score + trans.last, -1e9)
    best = [int(score.argmax())]
    for t in range(steps - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return [LABELS[k] for k in reversed(best)]


_NO_TRANSITIONS = Transitions.none()


@dataclass(frozen=True, slots=True)
class LstmLayer:
    """One bidirectional LSTM layer, both directions stacked on a leading axis of size 2.

    ``w_ih`` [2, in, 4H], ``w_hh`` [2, H, 4H], ``bias`` [2, 4H], gate order input, forget, cell, output
    (PyTorch's). The input, forget and output gate columns are pre-scaled by 1/2 (see :meth:`of`) so one
    ``tanh`` serves every gate: sigmoid(z) = (tanh(z / 2) + 1) / 2.
    """

    w_ih: np.ndarray
    w_hh: np.ndarray
    bias: np.ndarray

    @classmethod
    def of(cls, w_ih: Sequence[np.ndarray], w_hh: Sequence[np.ndarray], bias: Sequence[np.ndarray]) -> LstmLayer:
        """From PyTorch-shaped weights per direction: [4H, in], [4H, H], [4H] (forward, backward)."""
        size = w_hh[0].shape[1]
        scale = np.full(4 * size, 0.5, dtype=np.float32)
        scale[2 * size : 3 * size] = 1.0
        return cls(
            np.stack([(w * scale[:, None]).T for w in w_ih]).astype(np.float32),
            np.stack([(w * scale[:, None]).T for w in w_hh]).astype(np.float32),
            np.stack([b * scale for b in bias]).astype(np.float32),
        )

    def run(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Outputs [B, T, 2H] for inputs [B, T, in]; sequences left-aligned, ``lengths`` non-increasing.

        The backward direction reads each sequence reversed within its own length, so padding (at the end
        of every sequence in both directions) never reaches a real token.
        """
        batch, steps, _ = x.shape
        size = self.w_hh.shape[1]
        flip = _reversal(lengths, steps)
        both = np.stack([x, x[flip]]).reshape(2, batch * steps, -1)
        projected = (np.matmul(both, self.w_ih) + self.bias[:, None, :]).reshape(2, batch, steps, 4 * size)
        h = np.zeros((2, batch, size), dtype=np.float32)
        c = np.zeros((2, batch, size), dtype=np.float32)
        out = np.zeros((2, batch, steps, size), dtype=np.float32)
        active = np.searchsorted(-lengths, -np.arange(1, steps + 1), side="right")  # sequences longer than t
        for t in range(steps):
            n = int(active[t])
            z = np.tanh(projected[:, :n, t] + np.matmul(h[:, :n], self.w_hh))
            z[..., : 2 * size] += 1.0
            z[..., 3 * size :] += 1.0
            c[:, :n] = 0.5 * (z[..., size : 2 * size] * c[:, :n] + z[..., :size] * z[..., 2 * size : 3 * size])
            h[:, :n] = 0.5 * z[..., 3 * size :] * np.tanh(c[:, :n])
            out[:, :n, t] = h[:, :n]
        return np.concatenate([out[0], out[1][flip]], axis=2)


def _reversal(lengths: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Fancy index that reverses each sequence within its own length (padding stays at the end)."""
    rows = np.repeat(np.arange(len(lengths))[:, None], steps, axis=1)
    cols = np.arange(steps)[None, :].repeat(len(lengths), axis=0)
    cols = np.where(cols < lengths[:, None], lengths[:, None] - 1 - cols, cols)
    return rows, cols


class PieceVectors:
    """A word's vector is the mean of its WordPiece rows in ``table`` (zeros when it has no pieces).

    The table is all-MiniLM-L6-v2's input embedding of each WordPiece already multiplied by the tagger's
    learned projection (the mean of projected rows is the projection of the mean), so a word costs one
    small gather; words are cached (their vectors in one growing matrix), as news text repeats them.
    """

    CACHE_LIMIT = 200_000

    def __init__(self, table: np.ndarray, tokenizer: Tokenizer) -> None:
        self.table = table.astype(np.float32)
        self._tokenizer = tokenizer
        self._clear()

    def _clear(self) -> None:
        self._ids: dict[str, int] = {}
        self._vectors = np.zeros((1024, self.table.shape[1]), dtype=np.float32)

    def rows(self, words: Sequence[str]) -> np.ndarray:
        """[len(words), width]: one vector per word."""
        ids = self._ids
        missing = list({w for w in words if w not in ids})
        if missing:
            if len(ids) + len(missing) > self.CACHE_LIMIT:
                self._clear()
                ids = self._ids
                missing = list(set(words))
            needed = len(ids) + len(missing)
            if needed > len(self._vectors):
                grown = np.zeros((max(needed, 2 * len(self._vectors)), self.table.shape[1]), dtype=np.float32)
                grown[: len(ids)] = self._vectors[: len(ids)]
                self._vectors = grown
            for word, pieces in zip(missing, piece_ids(self._tokenizer, missing)):
                row = len(ids)
                ids[word] = row
                self._vectors[row] = self.table[pieces].mean(axis=0) if pieces else 0.0
        index = np.fromiter((ids[w] for w in words), dtype=np.int64, count=len(words))
        return self._vectors[index]


@dataclass(frozen=True, slots=True)
class NetTagger:
    """The exported tagger: feature vocabulary, embedding table, BiLSTM layers and output layer."""

    vocab: dict[str, int]
    embeddings: np.ndarray  # [vocab + 1, width] float32 (float16 on disk); row 0 (unknown features) is zero
    layers: tuple[LstmLayer, ...]
    out_weight: np.ndarray  # [labels, 2H]
    out_bias: np.ndarray  # [labels]
    cue_rates: dict[str, str]
    transitions: Transitions | None = None
    pieces: PieceVectors | None = None  # WordPiece vectors added to the summed feature embeddings
    session: Any = None  # onnxruntime.InferenceSession of tagger.onnx: the LSTM and output layer

    def feature_index(self, keys: list[list[str]]) -> sparse.csr_matrix:
        """[N, vocab + 1] counts of N tokens' known feature strings (column 0: unknown ones, a zero
        embedding): the summed embeddings are one sparse product, with no padded gather."""
        lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        ids = np.fromiter(
            map(self.vocab.get, itertools.chain.from_iterable(keys), itertools.repeat(0)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        starts = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        ones = np.ones(len(ids), dtype=np.float32)
        return sparse.csr_matrix((ones, ids, starts), shape=(len(keys), len(self.embeddings)))

    def inputs(self, words: Sequence[str], index: sparse.csr_matrix, vectors: np.ndarray) -> np.ndarray:
        """The network's input rows [N, width] for N tokens: their summed feature embeddings (``index``
        from :meth:`feature_index`), any WordPiece vectors of their lower-cased ``words`` (the WordPiece
        vocabulary is uncased), then their ``doc.tensor`` rows (``vectors``)."""
        summed = np.asarray(index @ self.embeddings, dtype=np.float32)
        if self.pieces is not None:
            summed += self.pieces.rows(words)
        return np.concatenate([summed, vectors], axis=1)

    def log_probs(self, rows: list[np.ndarray]) -> list[np.ndarray]:
        """Per-token log-probabilities [T, labels] for each paragraph's input rows (one batch)."""
        if self.session is not None:
            return self._session_log_probs(rows)
        order = sorted(range(len(rows)), key=lambda k: -len(rows[k]))
        lengths = np.array([len(rows[k]) for k in order])
        x = np.zeros((len(rows), int(lengths[0]), rows[0].shape[1]), dtype=np.float32)
        for slot, k in enumerate(order):
            x[slot, : len(rows[k])] = rows[k]
        for layer in self.layers:
            x = layer.run(x, lengths)
        logits = x @ self.out_weight.T + self.out_bias
        logp = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)
        out: list[np.ndarray] = [np.empty(0)] * len(rows)
        for slot, k in enumerate(order):
            out[k] = logp[slot, : lengths[slot]]
        return out

    def _session_log_probs(self, rows: list[np.ndarray]) -> list[np.ndarray]:
        """:meth:`log_probs` through ONNX Runtime's LSTM (same weights, exported by the trainer): the
        recurrence runs in C++ instead of one numpy call per step, about 9x faster."""
        lengths = np.array([len(r) for r in rows], dtype=np.int32)
        x = np.zeros((int(lengths.max()), len(rows), rows[0].shape[1]), dtype=np.float32)  # [T, B, in]
        for slot, r in enumerate(rows):
            x[: len(r), slot] = r
        logp = self.session.run(None, {"rows": x, "lengths": lengths})[0]  # [T, B, labels]
        return [logp[: len(r), slot] for slot, r in enumerate(rows)]

    def doc_log_probs(
        self, paragraphs: Sequence[Paragraph], words: Sequence[str], index: sparse.csr_matrix, vectors: np.ndarray
    ) -> np.ndarray:
        """Label log-probabilities [N, labels] of all the paragraphs' tokens, in order (each paragraph
        read as its own sequence). ``words``, ``index`` and ``vectors`` hold the lower-cased text,
        feature ids and ``doc.tensor`` rows of those tokens."""
        bounds = np.cumsum([0, *(len(p.tokens) for p in paragraphs)])
        rows = np.split(self.inputs(words, index, vectors), bounds[1:-1])
        out = np.empty((int(bounds[-1]), len(LABELS)), dtype=np.float32)
        # Paragraphs of similar length share a batch, so a long one does not pad many short ones.
        for chunk in _length_chunks(rows, BATCH_TOKENS):
            for k, logp in zip(chunk, self.log_probs([rows[k] for k in chunk])):
                out[bounds[k] : bounds[k + 1]] = logp
        return out


@dataclass(frozen=True, slots=True)
class NetEnsemble:
    """One or more taggers trained alike; their label log-probabilities are averaged (and renormalised).

    Members share the feature strings (and ``cue_rates``), computed once per document; each has its own
    vocabulary, embeddings and LSTM.
    """

    members: tuple[NetTagger, ...]
    model_dir: Path | None = None  # where an attribution encoder may live (quote modes that run it)

    @property
    def encoder(self) -> QuoteEncoder | None:
        """The encoder that re-reads the paragraphs the taggers are unsure of, when the quote mode in force
        runs it (:func:`parallax.analyze.quotes.encoder.active_encoder`)."""
        return self.encoder_for(None)

    def encoder_for(self, mode: str | None) -> QuoteEncoder | None:
        """The encoder quote mode ``mode`` (None: the one in force) runs, or None."""
        return active_encoder(self.model_dir, mode) if self.model_dir is not None else None

    @property
    def cue_rates(self) -> dict[str, str]:
        return self.members[0].cue_rates

    def tag_paragraphs(
        self, doc: Doc, layout: Layout, *, mode: str | None = None
    ) -> list[tuple[list[str], np.ndarray]]:
        """Labels and per-token label probabilities [T, labels] of every paragraph of ``doc``, in quote
        mode ``mode`` (default: the one in force, :func:`parallax.quote_mode.quote_mode`)."""
        # The products are small: a second BLAS thread only spins (measured: 2x the CPU time, no faster).
        with _blas_controller().limit(limits=1, user_api="blas"):
            return self._tag_paragraphs(doc, layout, mode)

    def _tag_paragraphs(self, doc: Doc, layout: Layout, mode: str | None) -> list[tuple[list[str], np.ndarray]]:
        paragraphs, arrays = layout.paragraphs, layout.arrays
        if not paragraphs:
            return []
        keys = [
            feats
            for p in paragraphs
            for feats in paragraph_keys(arrays, p, [layout.depth[i] for i in p.tokens], self.cue_rates)
        ]
        tokens = [i for p in paragraphs for i in p.tokens]
        vectors = token_vectors(doc, tokens)
        words = [arrays.lower[i] for i in tokens]
        # Members trained on the same data share one vocabulary (load_net makes it one object): the
        # feature ids are looked up once.
        indexes: dict[int, sparse.csr_matrix] = {}
        outputs = []
        for m in self.members:
            if id(m.vocab) not in indexes:
                indexes[id(m.vocab)] = m.feature_index(keys)
            outputs.append(m.doc_log_probs(paragraphs, words, indexes[id(m.vocab)], vectors))
        if len(outputs) == 1:
            logp = outputs[0]
        else:
            # A product of experts: the normalised mean of the members' log-probabilities (dev exact
            # F1 .797/.743/.669 against .795/.740/.667 for the mean of their probabilities).
            logp = np.mean(outputs, axis=0)
            logp -= np.logaddexp.reduce(logp, axis=1, keepdims=True)
        transitions = self.members[0].transitions if len(outputs) == 1 else None
        lengths = [len(p.tokens) for p in paragraphs]
        probs = np.exp(logp)
        encoder = self.encoder_for(mode)
        if encoder is not None:
            bounds = np.cumsum([0, *lengths])
            mixed = encoder.refine(
                np.split(probs, bounds[1:-1]), [words[bounds[k] : bounds[k + 1]] for k in range(len(lengths))], mode=mode
            )
            probs = np.concatenate(mixed)
            logp = np.log(np.maximum(probs, _TINY))
        return _decode(logp, probs, lengths, transitions)


def _decode(
    logp: np.ndarray, probs: np.ndarray, lengths: list[int], transitions: Transitions | None
) -> list[tuple[list[str], np.ndarray]]:
    """Labels and probabilities of each paragraph, from the document's [N, labels] scores.

    With no learned transitions, each paragraph keeps the spans more likely right than wrong
    (:func:`likely_spans`); with learned ones, the best sequence under them (:func:`viterbi`).
    """
    bounds = np.cumsum([0, *lengths])
    if transitions is None:
        labels = likely_spans(probs, lengths)
        return [(labels[k], probs[bounds[k] : bounds[k + 1]]) for k in range(len(lengths))]
    return [
        (viterbi(logp[bounds[k] : bounds[k + 1]], transitions), probs[bounds[k] : bounds[k + 1]])
        for k in range(len(lengths))
    ]


_ROLE_COLUMNS = {role: tuple(LABELS.index(f"{p}-{role}") for p in "BILU") for role in ROLES}
_O = LABELS.index("O")
_TINY = 1e-30


def likely_spans(probs: np.ndarray, lengths: Sequence[int]) -> list[list[str]]:
    """Each paragraph's labels: every span whose probability of being exactly right exceeds one half.

    ``probs`` [N, labels] are the paragraphs' per-token label probabilities one after another. A label
    sequence's probability is the product of its tokens' probabilities, renormalised over the
    well-formed BILOU sequences; a span's probability is the total of the sequences that hold it exactly
    (forward-backward over the allowed transitions). Two different spans that overlap cannot both be
    exactly right, so the spans above one half never overlap, and together they are the labelling with
    the best expected count of exact spans less wrong ones (minimum Bayes risk for exact spans). The
    single most probable sequence (Viterbi) keeps an edge token's best label even when the probability
    is spread over several edges; this keeps a span only when it is more likely right than not. Dev
    exact F1 (source / cue / content) .814 / .752 / .689 against .815 / .750 / .685 with Viterbi and the
    same edge re-ranker (docs/quotes.md, ninth round).
    """
    lengths = list(lengths)
    out: list[list[str]] = [["O"] * n for n in lengths]
    bounds = np.cumsum([0, *lengths])
    # A shortcut: a paragraph with no token below one half for "O" is left all "O" (on dev, decoding
    # every paragraph gives the same spans).
    rows = {
        k: probs[bounds[k] : bounds[k + 1]]
        for k in range(len(lengths))
        if lengths[k] and (probs[bounds[k] : bounds[k + 1], _O] < 0.5).any()
    }
    keys = list(rows)
    for chunk in _length_chunks([rows[k] for k in keys], SPAN_BATCH_TOKENS):
        for n, labels in zip(chunk, _likely_spans_padded([rows[keys[n]] for n in chunk])):
            out[keys[n]] = labels
    return out


SPAN_BATCH_TOKENS = 4096  # padded tokens per forward-backward batch


def _likely_spans_padded(rows: list[np.ndarray]) -> list[list[str]]:
    """:func:`likely_spans` for paragraphs run side by side, each padded with certain "O" tokens."""
    steps = max(len(r) for r in rows)
    x = np.zeros((len(rows), steps + 1, len(LABELS)))
    x[:, :, _O] = 1.0  # the pad also closes any span left open at a paragraph's end
    for k, r in enumerate(rows):
        x[k, : len(r)] = np.maximum(r, _TINY)
    allowed = _ALLOWED.astype(np.float64)
    # Scaled forward-backward: alpha and beta renormalised at each step by the forward pass's totals.
    alpha = np.empty_like(x)
    scale = np.empty(x.shape[:2])
    for t in range(steps + 1):
        a = x[:, 0] * _START_OK if t == 0 else (alpha[:, t - 1] @ allowed) * x[:, t]
        scale[:, t] = a.sum(axis=1)
        alpha[:, t] = a / scale[:, t, None]
    beta = np.empty_like(x)
    beta[:, steps] = 1.0
    for t in range(steps - 1, -1, -1):
        beta[:, t] = ((x[:, t + 1] * beta[:, t + 1]) @ allowed.T) / scale[:, t + 1, None]
    posterior = alpha * beta
    # Inside a span every step is allowed, so each token adds its own factor relative to the scale.
    log_relative = np.log(np.maximum(x / scale[:, :, None], _TINY))
    labels = np.full(x.shape[:2], _O)
    for role in ROLES:
        b, i, last, u = _ROLE_COLUMNS[role]
        labels[posterior[:, :, u] > 0.5] = u
        inside = np.cumsum(log_relative[:, :, i], axis=1)
        for k, start in zip(*np.nonzero(posterior[:, :, b] > 0.5)):
            # An end likely above one half between start and end would rule the span out (the two events
            # exclude each other), so only the first such end after the start can close it.
            ends = np.nonzero(posterior[k, start + 1 :, last] > 0.5)[0]
            if not len(ends):
                continue
            end = start + 1 + int(ends[0])
            log_p = (
                np.log(alpha[k, start, b])
                + inside[k, end - 1]
                - inside[k, start]
                + log_relative[k, end, last]
                + np.log(beta[k, end, last])
            )
            if log_p > np.log(0.5):
                labels[k, start] = b
                labels[k, start + 1 : end] = i
                labels[k, end] = last
    return [_LABEL_NAMES[labels[k, : len(r)]].tolist() for k, r in enumerate(rows)]


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


BATCH_TOKENS = 512  # padded tokens per batch: ONNX Runtime pays for padding, little per call (256-512 fastest)


def _length_chunks(rows: list[np.ndarray], budget: int) -> list[list[int]]:
    order = sorted(range(len(rows)), key=lambda k: -len(rows[k]))
    chunks: list[list[int]] = []
    for k in order:
        if chunks and len(rows[chunks[-1][0]]) * (len(chunks[-1]) + 1) <= budget:
            chunks[-1].append(k)
        else:
            chunks.append([k])
    return chunks


def token_vectors(doc: Doc, tokens: Sequence[int]) -> np.ndarray:
    """``doc.tensor`` rows of ``tokens`` as float32 (zeros when the pipeline left no tensor)."""
    tensor = doc.tensor
    if tensor is None or getattr(tensor, "shape", (0,))[0] != len(doc) or tensor.shape[1] != TENSOR_WIDTH:
        return np.zeros((len(tokens), TENSOR_WIDTH), dtype=np.float32)
    return np.asarray(tensor[list(tokens)], dtype=np.float32)


MEMBER_PREFIX = "member-"  # further ensemble members live in sub-folders member-1, member-2, ...


@functools.lru_cache(maxsize=2)
def load_net(model_dir: Path) -> NetEnsemble | None:
    """The exported neural tagger in ``model_dir`` (with any further members in its ``member-N``
    sub-folders), or None when it holds none."""
    if not (model_dir / NET_FILE).is_file():
        return None
    rates = json.loads((model_dir / "cue_rates.json").read_text(encoding="utf-8"))
    numbered = [p for p in model_dir.glob(f"{MEMBER_PREFIX}*") if p.name.removeprefix(MEMBER_PREFIX).isdigit()]
    folders = [model_dir, *sorted(numbered, key=lambda p: int(p.name.removeprefix(MEMBER_PREFIX)))]
    vocabularies: dict[str, dict[str, int]] = {}  # one object per distinct vocab.json: ids looked up once
    members = tuple(_load_member(folder, rates, model_dir, vocabularies) for folder in folders)
    LOGGER.info("loaded neural attribution tagger from %s (%d member(s))", model_dir, len(members))
    return NetEnsemble(members, model_dir)


def _load_member(
    model_dir: Path, rates: dict[str, str], parent: Path, vocabularies: dict[str, dict[str, int]]
) -> NetTagger:
    """One member; a member folder without ``vocab.json`` uses the top folder's (same features)."""
    with np.load(model_dir / NET_FILE) as saved:
        weights = {name: saved[name].astype(np.float32) for name in saved.files}
    layers = []
    for number in range(int(weights["layers"][0])):
        part = {name: [weights[f"{number}.{side}.{name}"] for side in ("fw", "bw")] for name in ("w_ih", "w_hh", "bias")}
        layers.append(LstmLayer.of(part["w_ih"], part["w_hh"], part["bias"]))
    transitions = None
    if "pair" in weights:
        transitions = Transitions(
            weights["pair"].astype(np.float64), weights["first"].astype(np.float64), weights["last"].astype(np.float64)
        )
    vocab_file = model_dir / VOCAB_FILE if (model_dir / VOCAB_FILE).is_file() else parent / VOCAB_FILE
    text = vocab_file.read_text(encoding="utf-8")
    if text not in vocabularies:
        vocabularies[text] = {k: i for i, k in enumerate(json.loads(text), start=1)}
    embeddings = np.load(model_dir / EMBED_FILE).astype(np.float32)  # float16 on disk; float32 sums 3x faster
    pieces = None
    if (model_dir / PIECES_FILE).is_file():
        pieces = PieceVectors(np.load(model_dir / PIECES_FILE), wordpiece_tokenizer())
    return NetTagger(
        vocabularies[text],
        embeddings,
        tuple(layers),
        weights["out.weight"],
        weights["out.bias"],
        rates,
        transitions,
        pieces,
        _session(model_dir / ONNX_FILE) if (model_dir / ONNX_FILE).is_file() else None,
    )


def _session(path: Path) -> Any:
    from parallax.weights import onnx_session

    # One thread: the graphs are small and the pipeline already runs a process per core.
    return onnx_session(path, threads=1)
