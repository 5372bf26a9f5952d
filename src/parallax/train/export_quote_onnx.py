"""Write ``tagger.onnx`` beside an exported neural attribution tagger's ``tagger.npz``.

The graph holds the tagger's LSTM layers and output layer (inputs ``rows`` [T, B, width] float32 and
``lengths`` [B] int32; output ``logp`` [T, B, labels]), so that ONNX Runtime, already a runtime dependency
for sentence embeddings, runs the recurrence in C++. The weights are those of ``tagger.npz``; the numpy
LSTM in ``parallax.analyze.quotes.net`` stays the reference the tests compare the graph with.

Needs the ``onnx`` package (a training extra: ``pip install -e '.[train]'``).
Usage:
    .venv/bin/python -m parallax.train.export_quote_onnx build/quotes [more model folders ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from parallax.analyze.quotes.net import LABELS, NET_FILE, ONNX_FILE

OPSET = 17


def _onnx_gates(matrix: np.ndarray, size: int) -> np.ndarray:
    """PyTorch stacks LSTM gates input, forget, cell, output; ONNX wants input, output, forget, cell."""
    i, f, g, o = (matrix[k * size : (k + 1) * size] for k in range(4))
    return np.concatenate([i, o, f, g])


def tagger_graph(weights: dict[str, np.ndarray]) -> onnx.ModelProto:
    """The LSTM stack and output layer of one ``tagger.npz`` as an ONNX model."""
    layers = int(weights["layers"][0])
    size = weights["0.fw.w_hh"].shape[1]
    width = weights["0.fw.w_ih"].shape[1]
    initialisers, nodes = [], []
    current = "rows"
    for number in range(layers):

        def both(name: str, number: int = number) -> np.ndarray:
            return np.stack(
                [_onnx_gates(weights[f"{number}.{side}.{name}"].astype(np.float32), size) for side in ("fw", "bw")]
            )

        # ONNX adds an input bias and a recurrent bias; the npz already holds their sum.
        bias = np.concatenate([both("bias"), np.zeros((2, 4 * size), dtype=np.float32)], axis=1)
        initialisers += [
            numpy_helper.from_array(both("w_ih"), f"W{number}"),
            numpy_helper.from_array(both("w_hh"), f"R{number}"),
            numpy_helper.from_array(bias, f"B{number}"),
            numpy_helper.from_array(np.array([0, 0, 2 * size], dtype=np.int64), f"shape{number}"),
        ]
        nodes += [
            helper.make_node(
                "LSTM",
                [current, f"W{number}", f"R{number}", f"B{number}", "lengths"],
                [f"Y{number}"],
                hidden_size=size,
                direction="bidirectional",
            ),
            # [T, directions, B, H] -> [T, B, directions * H], forward half first (as torch and numpy).
            helper.make_node("Transpose", [f"Y{number}"], [f"YT{number}"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [f"YT{number}", f"shape{number}"], [f"H{number}"]),
        ]
        current = f"H{number}"
    initialisers += [
        numpy_helper.from_array(weights["out.weight"].astype(np.float32).T.copy(), "out_weight"),
        numpy_helper.from_array(weights["out.bias"].astype(np.float32), "out_bias"),
    ]
    nodes += [
        helper.make_node("MatMul", [current, "out_weight"], ["product"]),
        helper.make_node("Add", ["product", "out_bias"], ["logits"]),
        helper.make_node("LogSoftmax", ["logits"], ["logp"], axis=2),
    ]
    graph = helper.make_graph(
        nodes,
        "attribution_tagger",
        [
            helper.make_tensor_value_info("rows", TensorProto.FLOAT, ["steps", "batch", width]),
            helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"]),
        ],
        [helper.make_tensor_value_info("logp", TensorProto.FLOAT, ["steps", "batch", len(LABELS)])],
        initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="parallax")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_onnx(folder: Path) -> Path:
    """Write ``folder/tagger.onnx`` from ``folder/tagger.npz``; returns its path. Learned transitions
    (``pair``/``first``/``last``, a CRF output layer) stay out of the graph: the decoder adds them to
    its per-token log-probabilities, and a per-token constant does not change the best sequence."""
    with np.load(folder / NET_FILE) as saved:
        weights = {name: saved[name] for name in saved.files}
    target = folder / ONNX_FILE
    onnx.save(tagger_graph(weights), str(target))
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="folders holding tagger.npz")
    args = parser.parse_args(argv)
    for folder in args.folders:
        path = write_onnx(folder)
        sys.stdout.write(f"wrote {path} ({path.stat().st_size:,} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
