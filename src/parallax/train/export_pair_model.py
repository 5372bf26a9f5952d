"""Export a trained sentence-pair cross-encoder (parallax.train.pair_model) as the package's int8 ONNX
pair model, choose its threshold on MRPC val and check the export there (training only).

Writes to ``--out`` (e.g. ``build/pairs``): ``pairs.onnx`` (inputs ``ids``, ``types``,
``mask`` [B, P] int64, a batch of padded ``[CLS] a [SEP] b [SEP]`` sequences; output ``logits`` [B]) with
its weights quantized to int8 (dynamic quantization, as for the quote encoder), and ``pairs.json``: the
threshold (the one of the int8 graph's val probabilities with the best accuracy + F1), whether both
orders are scored, the maximum length, provenance, the training command and the val scores of the
PyTorch model and of the int8 graph.

Usage:
    .venv/bin/python -m parallax.train.export_pair_model --model /tmp/pair-model --mrpc ../shared/data/paraphrase \\
        --training "$TRAINING" [--one-order] --out build/pairs
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch import nn
from .pair_model import PairNet, probabilities, sequences
from .quote_teacher import WIDTH

from parallax.compare import pair_model
from parallax.compare.pair_model import META_FILE, MODEL_FILE, PairModel
from parallax.eval.pairs import load_pairs, scores_of

LOGGER = logging.getLogger("export_pair_model")
OPSET = 17


class Exported(nn.Module):
    """The trained model as the package runs it: a padded batch in, one logit per sequence out, with the
    attention written out (matmul, additive mask, softmax) so that the graph is plain ONNX operators."""

    def __init__(self, model: PairNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m, e = self.model, self.model.encoder
        positions = torch.arange(ids.shape[1])
        x = e.word(ids) + e.position(positions)[None] + e.segment + types[:, :, None].float() * m.type_shift
        x = e.norm(x)
        keep = mask.float()
        bias = ((1.0 - keep) * -1e4)[:, None, None, :]
        for block in e.blocks:
            heads, width = block.heads, WIDTH // block.heads
            b = x.shape[0]

            def split(h: torch.Tensor) -> torch.Tensor:
                return h.reshape(b, -1, heads, width).transpose(1, 2)  # [B, heads, P, width]

            scores = torch.matmul(split(block.query(x)), split(block.key(x)).transpose(2, 3)) * (1.0 / math.sqrt(width))
            attended = torch.matmul(torch.softmax(scores + bias, dim=-1), split(block.value(x)))
            x = block.norm1(x + block.merge(attended.transpose(1, 2).reshape(b, -1, WIDTH)))
            x = block.norm2(x + block.down(nn.functional.gelu(block.up(x))))
        if m.pool == "cls":
            pooled = x[:, 0]
        else:
            pooled = (x * keep[:, :, None]).sum(1) / keep.sum(1, keepdim=True)
        return m.out(pooled)[:, 0]


def export(model: PairNet, path: Path) -> None:
    model.eval()
    ids = torch.tensor([[101, 2002, 2056, 102, 2016, 102], [101, 2002, 102, 2016, 102, 0]])
    types = torch.tensor([[0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 0]])
    mask = (ids != 0).long()
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "pairs-fp32.onnx"
        torch.onnx.export(
            Exported(model),
            (ids, types, mask),
            str(plain),
            input_names=["ids", "types", "mask"],
            output_names=["logits"],
            dynamic_axes={name: {0: "batch", 1: "width"} for name in ("ids", "types", "mask")} | {"logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
        quantize_dynamic(str(plain), str(path), weight_type=QuantType.QInt8, per_channel=True)


def best_threshold(probs: np.ndarray, gold: list[bool]) -> float:
    """The threshold (a midpoint between sorted probabilities) with the best accuracy + F1 on ``gold``."""
    values = np.unique(probs)
    candidates = np.concatenate([[0.5], (values[1:] + values[:-1]) / 2])
    best, chosen = -1.0, 0.5
    for t in candidates:
        s = scores_of("", gold, list(probs >= t))
        if s.accuracy + s.f1 > best + 1e-9:
            best, chosen = s.accuracy + s.f1, float(t)
    return round(chosen, 4)


def summary(probs: np.ndarray, gold: list[bool], threshold: float) -> dict[str, float]:
    s = scores_of("", gold, list(probs >= threshold))
    return {"threshold": threshold, "accuracy": round(s.accuracy, 4), "precision": round(s.precision, 4),
            "recall": round(s.recall, 4), "f1": round(s.f1, 4)}


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="folder of train_pair_model.py's pairs.pt")
    parser.add_argument("--mrpc", type=Path, required=True, help="folder of msr-para-val.tsv")
    parser.add_argument("--training", default="", help="the command that trained --model, for pairs.json")
    parser.add_argument("--one-order", action="store_true", help="score each pair in its given order only")
    parser.add_argument("--out", type=Path, required=True, help="folder for pairs.onnx and pairs.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    trained = json.loads((args.model / "pairs-train.json").read_text(encoding="utf-8"))
    settings = trained["args"]
    model = PairNet(pool=settings["pool"], load=False)
    model.load_state_dict(torch.load(args.model / "pairs.pt"))
    args.out.mkdir(parents=True, exist_ok=True)
    export(model, args.out / MODEL_FILE)

    val = load_pairs(args.mrpc / "msr-para-val.tsv")
    gold = [p.same for p in val]
    max_length = int(settings["max_length"])
    both = probabilities(model, sequences(val, max_length, both_orders=True))
    torch_probs = both[: len(val)] if args.one_order else (both[: len(val)] + both[len(val) :]) / 2
    meta = {
        "model": "all-MiniLM-L6-v2 cross-encoder ([CLS] a [SEP] b [SEP], token types) + linear layer on the "
        f"{settings['pool']}-pooled last states, one logit; int8 dynamic quantization",
        "data": "Microsoft Research Paraphrase Corpus train (3,576 pairs, both orders); val (500) picks the "
        "epoch and the threshold",
        "trainer": "parallax.train.pair_model, exported by parallax.train.export_pair_model",
        **({"training": args.training} if args.training else {}),
        "training_args": {k: settings[k] for k in ("epochs", "lr", "batch", "freeze", "pool", "seed", "max_length")},
        "kept_epoch": trained["kept"]["epoch"],
        "max_length": max_length,
        "symmetric": not args.one_order,
        "threshold": 0.5,
    }
    (args.out / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    # The check, on what ships: the int8 graph's val probabilities pick the threshold.
    pair_model._load.cache_clear()  # PairModel.load caches by folder: read the new files
    shipped = PairModel.load(args.out)
    onnx_probs = shipped.score([(p.first, p.second) for p in val])
    threshold = best_threshold(onnx_probs, gold)
    meta["threshold"] = threshold
    meta["val"] = {
        "pytorch fp32 at 0.5": summary(torch_probs, gold, 0.5),
        "int8 onnx at 0.5": summary(onnx_probs, gold, 0.5),
        "int8 onnx at the threshold (chosen on these same pairs: optimistic)": summary(onnx_probs, gold, threshold),
        "majority class": summary(np.ones(len(gold)), gold, 0.5),
    }
    (args.out / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    LOGGER.info("val: %s", json.dumps(meta["val"], indent=1))
    LOGGER.info("wrote %s (%.1f MB)", args.out / MODEL_FILE, (args.out / MODEL_FILE).stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
