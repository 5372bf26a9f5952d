"""A second opinion for the attribution tagger where it is unsure: MiniLM fine-tuned on PolNeAR.

The BiLSTM tagger (:mod:`parallax.analyze.quotes.net`) reads parse features; a transformer reads the
paragraph's words and makes different errors, so the two mixed (a product of experts) beat either. The
transformer costs far more than the BiLSTM, so it reads only the paragraphs the BiLSTM is unsure of:
those whose tokens' mean (1 - top label probability) exceeds the quote mode's threshold
(:meth:`QuoteEncoder.unsure_paragraphs`).

Quote modes (:mod:`parallax.quote_mode`): ``fast`` never runs the encoder; ``default`` and ``accurate``
run it when ``encoder.json`` gives them a threshold (the lower, the more paragraphs are re-read).

The encoder is all-MiniLM-L6-v2 (the story embedder's model) fine-tuned with a linear BILOU layer on the
first WordPiece of each spaCy token by ``parallax.train.quote_teacher``, and exported as an int8 ONNX
graph by ``parallax.train.export_quote_encoder`` (``encoder.onnx``: pieces and first-piece positions in,
label probabilities out). ``encoder.json`` holds the mix weight and the thresholds, chosen on PolNeAR
dev.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from parallax.quote_mode import quote_mode

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "ENCODER_FILE",
    "ENCODER_META_FILE",
    "QuoteEncoder",
    "Window",
    "WordPieces",
    "active_encoder",
    "cut_windows",
    "encoder_thresholds",
    "load_encoder",
    "piece_ids",
    "product_of_experts",
    "wordpiece_tokenizer",
]

LOGGER = logging.getLogger(__name__)

ENCODER_FILE = "encoder.onnx"
ENCODER_META_FILE = "encoder.json"
CLS, SEP, UNK = 101, 102, 100  # all-MiniLM-L6-v2's WordPiece ids
MAX_PIECES = 510  # 512 positions less [CLS] and [SEP]; a longer paragraph is cut at a word boundary
WORD_PIECES = 16  # a word's pieces beyond this are dropped (URLs, long numbers)
CACHE_LIMIT = 200_000


def product_of_experts(first: np.ndarray, second: np.ndarray, weight: float) -> np.ndarray:
    """Weighted geometric mean of two label distributions per token [T, labels], renormalised."""
    mixed = (1.0 - weight) * np.log(np.maximum(first, 1e-8)) + weight * np.log(np.maximum(second, 1e-8))
    mixed = np.exp(mixed - mixed.max(axis=1, keepdims=True))
    return (mixed / mixed.sum(axis=1, keepdims=True)).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Window:
    """A paragraph, or a part of a long one, as the encoder reads it."""

    paragraph: int  # its index among the paragraphs read together
    offset: int  # its first word's position in the paragraph
    pieces: list[int]  # [CLS] ... [SEP]
    firsts: list[int]  # per word: the position of its first piece in ``pieces``


def piece_ids(tokenizer: Tokenizer, words: Sequence[str]) -> list[list[int]]:
    """The WordPiece ids of each word on its own (no special tokens); empty for whitespace."""
    return [enc.ids for enc in tokenizer.encode_batch(list(words), add_special_tokens=False)]


@functools.cache
def wordpiece_tokenizer() -> Tokenizer:
    """all-MiniLM-L6-v2's uncased WordPiece tokenizer, without padding or truncation (one per process)."""
    from tokenizers import Tokenizer

    from parallax.weights import model_package

    tokenizer = Tokenizer.from_file(str(model_package().path("tokenizer", "tokenizer.json")))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


class WordPieces:
    """Each word's WordPiece ids ([UNK] for a word with none; at most WORD_PIECES), cached."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.cache: dict[str, list[int]] = {}

    def __call__(self, words: Sequence[str]) -> list[list[int]]:
        cache = self.cache
        missing = list({w for w in words if w not in cache})
        if missing:
            if len(cache) + len(missing) > CACHE_LIMIT:
                cache.clear()
                missing = list(set(words))
            for word, ids in zip(missing, piece_ids(self.tokenizer, missing)):
                cache[word] = ids[:WORD_PIECES] or [UNK]
        return [cache[w] for w in words]


def cut_windows(paragraph: int, word_pieces: Sequence[list[int]]) -> list[Window]:
    """A paragraph (its words' pieces) as encoder inputs: one window, or several cut at word boundaries."""
    out: list[Window] = []
    ids, firsts, start = [CLS], [], 0
    for k, pieces in enumerate(word_pieces):
        if len(ids) - 1 + len(pieces) > MAX_PIECES:
            out.append(Window(paragraph, start, [*ids, SEP], firsts))
            ids, firsts, start = [CLS], [], k
        firsts.append(len(ids))
        ids.extend(pieces)
    out.append(Window(paragraph, start, [*ids, SEP], firsts))
    return out


@dataclass(frozen=True, slots=True)
class QuoteEncoder:
    """The exported encoder and how its probabilities are mixed into the tagger's."""

    session: Any  # onnxruntime.InferenceSession of encoder.onnx
    pieces: WordPieces
    weight: float  # the encoder's exponent in the product of experts
    # Per quote mode that runs the encoder: a paragraph is re-read when its tokens' mean
    # (1 - top probability) exceeds this.
    unsure: Mapping[str, float]
    counts: Counter[str] = field(default_factory=Counter)  # tokens offered and re-read (benchmarks)

    def label_probs(self, paragraphs: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Label probabilities [words, labels] of each paragraph (lower-cased words).

        One window per call, as the exported graph expects: no padding to pay for (batching measured
        slower on CPU), and a window's probabilities never depend on what else is read with it (dynamic
        int8 quantization scales each call's activations by their range, padding included).
        """
        labels = self.session.get_outputs()[0].shape[2]
        out = [np.empty((len(words), labels), dtype=np.float32) for words in paragraphs]
        for k, words in enumerate(paragraphs):
            if not words:
                continue
            for w in cut_windows(k, self.pieces(words)):
                pieces = np.array([w.pieces], dtype=np.int64)
                firsts = np.array([w.firsts], dtype=np.int64)
                probs = self.session.run(None, {"pieces": pieces, "firsts": firsts})[0]
                out[k][w.offset : w.offset + len(w.firsts)] = probs[0]
        return out

    def unsure_paragraphs(
        self, probs: Sequence[np.ndarray], threshold: float | None = None, *, mode: str | None = None
    ) -> list[int]:
        """Indices of the paragraphs (label probabilities [T, labels] each) worth a second reading, at
        ``threshold`` (default: the threshold of quote mode ``mode``, else of the one in force)."""
        limit = self.unsure[mode or quote_mode()] if threshold is None else threshold
        return [k for k, p in enumerate(probs) if len(p) and float(1.0 - p.max(axis=1).mean()) > limit]

    def refine(
        self, probs: list[np.ndarray], words: Sequence[Sequence[str]], *, mode: str | None = None
    ) -> list[np.ndarray]:
        """The tagger's per-paragraph probabilities, mixed with the encoder's where the tagger is unsure
        (at the threshold of quote mode ``mode``, else of the one in force)."""
        chosen = self.unsure_paragraphs(probs, mode=mode)
        self.counts["tokens"] += sum(len(p) for p in probs)
        self.counts["reread"] += sum(len(probs[k]) for k in chosen)
        if not chosen:
            return probs
        theirs = self.label_probs([words[k] for k in chosen])
        out = list(probs)
        for k, other in zip(chosen, theirs):
            out[k] = product_of_experts(probs[k], other, self.weight)
        return out


def active_encoder(model_dir: Path, mode: str | None = None) -> QuoteEncoder | None:
    """The encoder in ``model_dir`` when quote mode ``mode`` (None: the one in force, read at each call)
    runs it (``encoder.json`` gives the mode a threshold), else None. The encoder loads once per process."""
    mode = mode or quote_mode()
    if mode == "fast":
        return None
    if mode not in encoder_thresholds(model_dir) and mode != "accurate":
        return None  # this folder's default is the BiLSTM alone
    encoder = load_encoder(model_dir)  # the accurate mode asked for it: a missing encoder is worth a warning
    return encoder if encoder is not None and mode in encoder.unsure else None


@functools.lru_cache(maxsize=4)
def encoder_thresholds(model_dir: Path) -> dict[str, float]:
    """The quote modes ``model_dir``'s encoder serves, with their thresholds ({} without an encoder)."""
    path = model_dir / ENCODER_META_FILE
    if not path.is_file() or not (model_dir / ENCODER_FILE).is_file():
        return {}
    return {mode: float(v) for mode, v in json.loads(path.read_text(encoding="utf-8"))["unsure"].items()}


@functools.lru_cache(maxsize=2)
def load_encoder(model_dir: Path) -> QuoteEncoder | None:
    """The exported encoder in ``model_dir`` (once per process), or None, with a warning, when it has none."""
    if not (model_dir / ENCODER_FILE).is_file():
        LOGGER.warning("%s: no %s, so quotes are tagged without it (as in the fast quote mode)", model_dir, ENCODER_FILE)
        return None
    from parallax.weights import onnx_session

    meta = json.loads((model_dir / ENCODER_META_FILE).read_text(encoding="utf-8"))
    # One thread, like the tagger's graphs: the pipeline already runs a process per core.
    session = onnx_session(model_dir / ENCODER_FILE, threads=1)
    LOGGER.info("loaded attribution encoder from %s (%d layers)", model_dir, meta["layers"])
    return QuoteEncoder(session, WordPieces(wordpiece_tokenizer()), float(meta["weight"]), encoder_thresholds(model_dir))
