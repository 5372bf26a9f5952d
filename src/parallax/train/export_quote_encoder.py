"""Export a fine-tuned MiniLM attribution tagger (parallax.train.quote_teacher) as the package's int8
ONNX encoder, and check the export on PolNeAR dev (training only).

Writes ``encoder.onnx`` (inputs: ``pieces`` [1, P], one window's WordPiece ids with [CLS]/[SEP] and no
padding, ``firsts`` [1, T] each word's first-piece position; output: ``probs`` [1, T, labels]) and
``encoder.json`` (layers, the mix weight, the unsure threshold of each quote mode that runs the
encoder, the dev tagger-span F1 of the
exported graph next to the PyTorch model's) to ``--out``. The weights are quantized to int8 (dynamic
quantization, as for the story embedder's MiniLM); the check shows what that costs.

Usage:
    .venv/bin/python -m parallax.train.export_quote_encoder --polnear ../shared/data/polnear \\
        --teacher /tmp/minilm-student --layers 4 --weight 0.5 --unsure-accurate 0.06 \\
        --unsure-default 0.11 --training "$TRAINING" --out build/quotes

where /tmp/minilm-student comes from ``train_quote_teacher.py --layers 4 --epochs 2 --init
/tmp/minilm-teacher/teacher.pt --distil /tmp/minilm-teacher/silver-probs.npz`` and ``$TRAINING`` is the
sentence that says so in the shipped ``encoder.json``

(the shipped encoder's command; weight and thresholds chosen on dev with parallax.train.quote_teacher_oracle
and ``parallax.eval.quotes --quote-mode accurate``, see docs/quotes.md; without ``--unsure-default`` the
default quote mode leaves the encoder out)
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import tempfile
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch import nn
from .quote_teacher import WIDTH, Teacher, label_probabilities, paragraphs, save_probs, span_f1, split_windows
from .quote_data import CACHE

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quotes.encoder import ENCODER_FILE, ENCODER_META_FILE, WordPieces, load_encoder
from parallax.analyze.quotes.net import wordpiece_tokenizer
from parallax.eval.polnear import load_split, parse_split

LOGGER = logging.getLogger("export_quote_encoder")
OPSET = 17


class Exported(nn.Module):
    """The teacher as the package runs it: one unpadded window per call, softmax on top.

    With no padding there is no mask to build, and every reshape can infer the window's length (-1), so
    the graph holds no shape arithmetic: about 25 % faster per call on CPU than the batched graph, whose
    attention and masks were written for training. The arithmetic is the teacher's; only float rounding
    differs.
    """

    def __init__(self, teacher: Teacher) -> None:
        super().__init__()
        self.teacher = teacher

    def forward(self, pieces: torch.Tensor, firsts: torch.Tensor) -> torch.Tensor:
        t = self.teacher
        ids = pieces[0]
        x = t.norm(t.word(ids) + t.position(torch.arange(ids.shape[0])) + t.segment)
        for block in t.blocks:
            heads, width = block.heads, WIDTH // block.heads
            query = block.query(x).reshape(-1, heads, width).transpose(0, 1)  # [heads, P, width]
            key = block.key(x).reshape(-1, heads, width).permute(1, 2, 0)  # [heads, width, P]
            value = block.value(x).reshape(-1, heads, width).transpose(0, 1)
            weights = torch.softmax(torch.matmul(query, key) * (1.0 / math.sqrt(width)), dim=-1)
            attended = torch.matmul(weights, value).transpose(0, 1).reshape(-1, WIDTH)
            x = block.norm1(x + block.merge(attended))
            x = block.norm2(x + block.down(nn.functional.gelu(block.up(x))))
        return torch.softmax(t.out(x[firsts[0]]), dim=-1)[None]


def export(teacher: Teacher, path: Path) -> None:
    teacher.eval()
    pieces = torch.tensor([[101, 2002, 2056, 1999, 102]])
    firsts = torch.tensor([[1, 2, 3]])
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "encoder-fp32.onnx"
        torch.onnx.export(
            Exported(teacher),
            (pieces, firsts),
            str(plain),
            input_names=["pieces", "firsts"],
            output_names=["probs"],
            dynamic_axes={"pieces": {1: "width"}, "firsts": {1: "words"}},  # one window per call
            opset_version=OPSET,
            dynamo=False,
        )
        quantize_dynamic(str(plain), str(path), weight_type=QuantType.QInt8, per_channel=True)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--teacher", type=Path, required=True, help="folder of train_quote_teacher.py's teacher.pt")
    parser.add_argument("--layers", type=int, required=True)
    parser.add_argument("--weight", type=float, required=True, help="the encoder's exponent in the mix")
    parser.add_argument(
        "--unsure-accurate", type=float, required=True, help="mean (1 - top probability) that calls for it (accurate mode)"
    )
    parser.add_argument("--unsure-default", type=float, help="the same for the default quote mode (none: not run there)")
    parser.add_argument("--training", default="", help="how --teacher was trained, for encoder.json's provenance")
    parser.add_argument("--out", type=Path, required=True, help="folder for encoder.onnx and encoder.json")
    parser.add_argument("--dev-probs", type=Path, help="also write the exported graph's dev probabilities here")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    teacher = Teacher(layers=args.layers)
    teacher.load_state_dict(torch.load(args.teacher / "teacher.pt"))
    args.out.mkdir(parents=True, exist_ok=True)
    export(teacher, args.out / ENCODER_FILE)
    meta = {
        "model": f"all-MiniLM-L6-v2's first {args.layers} layers + linear BILOU layer on each word's first WordPiece",
        "data": "PolNeAR v1.0.0 train (all annotators), github.com/networkdynamics/PolNeAR c3eee83",
        "trainer": "parallax.train.quote_teacher",
        **({"training": args.training} if args.training else {}),
        "layers": args.layers,
        "weight": args.weight,
        "unsure": {
            **({"default": args.unsure_default} if args.unsure_default is not None else {}),
            "accurate": args.unsure_accurate,
        },
    }
    (args.out / ENCODER_META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")

    # The check: dev tagger-span F1 of the PyTorch model and of the exported int8 graph.
    nlp = load_nlp()
    golds = load_split(args.polnear, "dev")
    docs = parse_split(nlp, golds, cache_dir=CACHE)
    items, lengths = split_windows(docs, golds, WordPieces(wordpiece_tokenizer()))
    gold_labels: list[list[int]] = [[] for _ in lengths]
    for w in items:
        gold_labels[w.sequence].extend(w.labels)
    torch_scores = span_f1(label_probabilities(teacher, items, lengths, 9600), gold_labels)
    encoder = load_encoder(args.out)
    if encoder is None:
        raise SystemExit(f"{args.out}: the encoder did not load")
    words = [w for doc, gold in zip(docs, golds) for w, _ in paragraphs(doc, gold)]
    exported = encoder.label_probs(words)
    onnx_scores = span_f1(exported, gold_labels)
    if args.dev_probs:
        save_probs(args.dev_probs, exported)
    meta["dev_tagger_span_f1"] = {"pytorch": torch_scores, "int8 onnx": onnx_scores}
    (args.out / ENCODER_META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    LOGGER.info("dev tagger-span F1: PyTorch %s, int8 ONNX %s", torch_scores, onnx_scores)
    LOGGER.info("wrote %s (%.1f MB)", args.out / ENCODER_FILE, (args.out / ENCODER_FILE).stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
