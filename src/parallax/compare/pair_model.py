"""The learned "same fact" decision: do two sentences from different outlets say the same thing?

A cross-encoder: all-MiniLM-L6-v2 (the story embedder's model) reads ``[CLS] a [SEP] b [SEP]`` (token
types 0 and 1) and a linear layer on its mean-pooled last states gives one logit. It was fine-tuned on
the Microsoft Research Paraphrase Corpus train split (news sentence pairs from different outlets, the
very decision "the outlets agree on this") by ``parallax.train.pair_model`` and exported as an int8
ONNX graph by ``parallax.train.export_pair_model``; ``pairs.json`` beside it holds the decision threshold
(chosen on MRPC val), the maximum length, the val scores and the training command. See docs/pairs.md.

Public API::

    model = PairModel.load()
    probs = model.score([("Stocks rallied on Monday.", "On Monday, stocks rose sharply.")])
    same = probs >= model.threshold

Nothing here imports torch: the graph runs on onnxruntime, the WordPiece tokenizer on ``tokenizers``.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from parallax.errors import ParallaxError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["MODEL_FILE", "META_FILE", "PairModel", "PairModelMissingError", "pair_pieces"]

LOGGER = logging.getLogger(__name__)

MODEL_FILE = "pairs.onnx"
META_FILE = "pairs.json"
CLS, SEP = 101, 102  # all-MiniLM-L6-v2's WordPiece ids
BATCH_SIZE = 32


class PairModelMissingError(ParallaxError):
    """The pair model's files are not where the package expects them."""

    exit_code = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: the sentence-pair model is missing; install it (`pip install ./models/pairs`), "
            "or rebuild it with `python -m parallax.train pairs` (see docs/pairs.md)"
        )


def pair_pieces(first: Sequence[int], second: Sequence[int], max_length: int) -> tuple[list[int], list[int]]:
    """``[CLS] a [SEP] b [SEP]`` WordPiece ids and token types from each sentence's ids (no special
    tokens), the longer sentence cut first (at its end) until the whole fits ``max_length``."""
    budget = max_length - 3
    keep_a, keep_b = len(first), len(second)
    while keep_a + keep_b > budget:
        if keep_a >= keep_b:
            keep_a -= 1
        else:
            keep_b -= 1
    ids = [CLS, *first[:keep_a], SEP, *second[:keep_b], SEP]
    types = [0] * (keep_a + 2) + [1] * (keep_b + 1)
    return ids, types


@dataclass(frozen=True, slots=True)
class PairModel:
    """The exported cross-encoder and its calibration (``pairs.json``)."""

    session: Any  # onnxruntime.InferenceSession of pairs.onnx
    tokenizer: Tokenizer
    threshold: float  # probability at or above which a pair states the same fact (chosen on MRPC val)
    max_length: int  # WordPieces per pair, special tokens included
    symmetric: bool  # score both orders of a pair and average them
    meta: dict[str, Any]

    @classmethod
    def load(cls, model_dir: Path | None = None) -> PairModel:
        """The model in ``model_dir`` (default: the optional model package ``parallax-models-pairs``),
        loaded once per process.

        Raises:
            PairModelMissingError: the folder lacks ``pairs.onnx`` or ``pairs.json``.
            parallax.weights.ModelsMissingError: no folder given and the package is not installed.
        """
        from parallax.weights import pair_models

        return _load(model_dir or pair_models().root)

    def score(self, pairs: Sequence[tuple[str, str]], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Probability that each pair's two sentences state the same fact.

        Args:
            pairs: (sentence, sentence) pairs; the order within a pair does not matter when the model is
                symmetric (the mean of both orders).
            batch_size: sequences per call of the graph; sequences of similar length are batched together.

        Returns:
            float32 array [len(pairs)] of probabilities in [0, 1].
        """
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        texts = list({t for pair in pairs for t in pair})
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        ids = {t: e.ids for t, e in zip(texts, encoded)}
        orders = [(a, b) for a, b in pairs]
        if self.symmetric:
            orders += [(b, a) for a, b in pairs]
        sequences = [pair_pieces(ids[a], ids[b], self.max_length) for a, b in orders]
        logits = self._logits(sequences, batch_size)
        probs = 1.0 / (1.0 + np.exp(-logits))
        if self.symmetric:
            probs = (probs[: len(pairs)] + probs[len(pairs) :]) / 2.0
        return probs.astype(np.float32)

    def _logits(self, sequences: Sequence[tuple[list[int], list[int]]], batch_size: int) -> np.ndarray:
        """The graph's logit of each (ids, types) sequence, run in batches of similar length."""
        out = np.empty(len(sequences), dtype=np.float32)
        # By length, then content: the same sequences always batch alike, whatever order they came in
        # (int8 activations are scaled per batch), so a pair scores the same in either order.
        order = sorted(range(len(sequences)), key=lambda k: (len(sequences[k][0]), sequences[k]))
        for start in range(0, len(order), max(1, batch_size)):
            chunk = order[start : start + batch_size]
            width = max(len(sequences[k][0]) for k in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            types = np.zeros((len(chunk), width), dtype=np.int64)
            for row, k in enumerate(chunk):
                piece_ids, type_ids = sequences[k]
                ids[row, : len(piece_ids)] = piece_ids
                types[row, : len(type_ids)] = type_ids
            feed = {"ids": ids, "types": types, "mask": (ids != 0).astype(np.int64)}
            out[chunk] = self.session.run(None, feed)[0]
        return out


@functools.lru_cache(maxsize=2)
def _load(model_dir: Path) -> PairModel:
    graph, meta_path = model_dir / MODEL_FILE, model_dir / META_FILE
    for path in (graph, meta_path):
        if not path.is_file():
            raise PairModelMissingError(path)
    from parallax.analyze.quotes.encoder import wordpiece_tokenizer
    from parallax.weights import onnx_session

    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    # Two threads: a comparison runs in one process, and the machines it runs on have two cores.
    session = onnx_session(graph, threads=2)
    LOGGER.info("loaded sentence-pair model from %s", model_dir)
    return PairModel(
        session,
        wordpiece_tokenizer(),
        threshold=float(meta["threshold"]),
        max_length=int(meta["max_length"]),
        symmetric=bool(meta["symmetric"]),
        meta=meta,
    )
