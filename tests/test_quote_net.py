"""The neural attribution tagger: BILOU decoding, the shipped files, and tagging a parsed article."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from parallax.analyze.quotes.tagger import load_tagger, quote_model_dir, spans_from_labels
from parallax.analyze.quotes.net import (
    LABELS,
    Transitions,
    allowed_transitions,
    likely_spans,
    load_net,
    viterbi,
)
from parallax.errors import InputError

MODEL_DIR = quote_model_dir()


def well_formed(labels: list[str]) -> bool:
    open_role = None
    for label in labels:
        prefix, _, role = label.partition("-")
        if open_role is None and prefix in ("I", "L"):
            return False
        if open_role is not None and (prefix not in ("I", "L") or role != open_role):
            return False
        open_role = role if prefix in ("B", "I") else None
    return open_role is None


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 30), st.just(len(LABELS))), elements=st.floats(-20, 0)))
def test_viterbi_always_decodes_well_formed_bilou(logp: np.ndarray) -> None:
    labels = viterbi(logp)
    assert len(labels) == logp.shape[0]
    assert well_formed(labels)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 25), st.just(len(LABELS))), elements=st.floats(-20, 0)))
def test_greedy_shortcut_finds_the_same_best_score_as_the_full_search(logp: np.ndarray) -> None:
    def score(labels: list[str]) -> float:
        return float(sum(logp[t, LABELS.index(label)] for t, label in enumerate(labels)))

    # Zero transitions take the full dynamic programme; no transitions may take the greedy shortcut.
    assert score(viterbi(logp)) == pytest.approx(score(viterbi(logp, Transitions.none())))


def test_viterbi_follows_confident_scores_and_repairs_broken_ones() -> None:
    def at(*names: str) -> np.ndarray:
        logp = np.full((len(names), len(LABELS)), -10.0)
        for row, name in enumerate(names):
            logp[row, LABELS.index(name)] = 0.0
        return logp

    clean = ["U-Source", "U-Cue", "B-Content", "I-Content", "L-Content"]
    assert viterbi(at(*clean)) == clean
    # An I- with nothing open, and a span left open at the end, are not allowed to stand.
    assert well_formed(viterbi(at("O", "I-Content", "I-Content")))


def test_transitions_close_spans_only_with_their_own_role() -> None:
    allowed = allowed_transitions()
    assert allowed[LABELS.index("B-Cue"), LABELS.index("L-Cue")]
    assert not allowed[LABELS.index("B-Cue"), LABELS.index("L-Content")]
    assert not allowed[LABELS.index("O"), LABELS.index("I-Source")]
    assert allowed[LABELS.index("L-Source"), LABELS.index("U-Cue")]


def test_a_folder_without_the_network_has_no_neural_tagger(tmp_path: Path) -> None:
    assert load_net(tmp_path) is None


def test_shipped_network_tags_an_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    tagger = load_tagger(MODEL_DIR)
    assert tagger.net is not None, "the shipped model folder should hold the neural tagger"
    text = (
        "The mayor of Lindenfeld said on Tuesday that the new bridge would open in the spring.\n\n"
        '"We are proud of it," said Anna Keller, the city engineer.'
    )
    doc = nlp(text)
    spans, marginals = tagger.tag_with_marginals(doc)
    roles = {(s.role, doc[s.start : s.end].text) for s in spans}
    assert ("Cue", "said") in roles
    assert any(role == "Content" and "bridge would open" in t for role, t in roles)
    assert any(role == "Source" and "Keller" in t for role, t in roles)
    assert max(marginals.inside) > 0.5
    for span in spans:
        assert 0 <= span.start < span.end <= len(doc)


def test_spans_from_net_labels_stay_inside_their_paragraph() -> None:
    from parallax.analyze.quotes.features import Paragraph

    paragraph = Paragraph((4, 5, 6, 7))
    spans = spans_from_labels(paragraph, ["U-Source", "U-Cue", "B-Content", "L-Content"], 0)
    assert [(s.role, s.start, s.end) for s in spans] == [("Source", 4, 5), ("Cue", 5, 6), ("Content", 6, 8)]


def _reference_lstm(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One direction, one sequence, written out as the textbook equations (PyTorch gate order)."""
    size = w_hh.shape[1]
    h, c, out = np.zeros(size), np.zeros(size), []
    for row in x:
        z = w_ih @ row + w_hh @ h + bias
        i, f, g, o = (z[k * size : (k + 1) * size] for k in range(4))
        sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        out.append(h)
    return np.array(out)


def test_batched_lstm_matches_the_textbook_equations_for_every_sequence_length() -> None:
    from parallax.analyze.quotes.net import LstmLayer

    rng = np.random.default_rng(3)
    width, size = 6, 4
    weights = [rng.normal(size=(4 * size, width)) for _ in range(2)]
    recurrent = [rng.normal(size=(4 * size, size)) for _ in range(2)]
    biases = [rng.normal(size=4 * size) for _ in range(2)]
    layer = LstmLayer.of(weights, recurrent, biases)
    lengths = np.array([7, 4, 4, 1])
    x = np.zeros((4, 7, width), dtype=np.float32)
    seqs = [rng.normal(size=(n, width)).astype(np.float32) for n in lengths]
    for k, seq in enumerate(seqs):
        x[k, : len(seq)] = seq
    out = layer.run(x, lengths)
    for k, seq in enumerate(seqs):
        forward = _reference_lstm(seq, weights[0], recurrent[0], biases[0])
        backward = _reference_lstm(seq[::-1], weights[1], recurrent[1], biases[1])[::-1]
        np.testing.assert_allclose(out[k, : len(seq)], np.hstack([forward, backward]), atol=1e-5)


def test_a_folder_without_the_network_is_a_clear_error(tmp_path: Path) -> None:
    """A model folder that lacks the tagger's files names the folder and what is missing."""
    (tmp_path / "cue_rates.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="missing tagger.npz, embeddings.npy, vocab.json"):
        load_tagger(tmp_path)


def test_shipped_onnx_graph_matches_the_numpy_lstm() -> None:
    """tagger.onnx (ONNX Runtime's LSTM) and the numpy layers give the same log-probabilities."""
    import dataclasses

    ensemble = load_net(MODEL_DIR)
    assert ensemble is not None
    for member in ensemble.members:
        assert member.session is not None, "every shipped member should have its tagger.onnx"
        reference = dataclasses.replace(member, session=None)
        rng = np.random.default_rng(5)
        width = member.embeddings.shape[1] + 96
        rows = [rng.normal(size=(n, width)).astype(np.float32) for n in (23, 1, 9, 23)]
        for fast, slow in zip(member.log_probs(rows), reference.log_probs(rows)):
            np.testing.assert_allclose(fast, slow, atol=1e-4)


def test_ensemble_members_are_read_from_member_folders(tmp_path: Path) -> None:
    import shutil

    for name in ("tagger.npz", "embeddings.npy", "vocab.json", "cue_rates.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    (tmp_path / "member-1").mkdir()
    for name in ("tagger.npz", "embeddings.npy", "vocab.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / "member-1" / name)
    ensemble = load_net(tmp_path)
    assert ensemble is not None and len(ensemble.members) == 2
    # No tagger.onnx copied: both members fall back to the numpy LSTM.
    assert all(m.session is None for m in ensemble.members)


def test_token_arrays_agree_with_spacy_token_attributes(nlp) -> None:  # type: ignore[no-untyped-def]
    from parallax.analyze.quotes.features import TokenArrays

    doc = nlp(
        "“We will not back down,” said Dr. Ana Ruiz, the U.S. envoy — speaking in Geneva on Monday.\n\n"
        "The talks, which began in 2019, resumed; 42 delegates attended."
    )
    a = TokenArrays.of(doc)
    for t in doc:
        i = t.i
        assert (a.lower[i], a.lemma[i], a.pos[i], a.tag[i], a.dep[i]) == (
            t.lower_, t.lemma_.lower(), t.pos_, t.tag_, t.dep_
        )
        assert a.ent[i] == t.ent_iob_ + t.ent_type_
        assert (a.head[i], a.left[i], a.right[i]) == (t.head.i, t.left_edge.i, t.right_edge.i)
        assert (a.sent_start[i], a.sent_end[i]) == (int(bool(t.is_sent_start)), int(bool(t.is_sent_end)))
    assert a.shape[doc[0].i] == "P" and "T" in a.shape and "N" in a.shape


def test_piece_vectors_average_a_words_wordpiece_rows() -> None:
    from parallax.analyze.quotes.net import PieceVectors, piece_ids, wordpiece_tokenizer

    tokenizer = wordpiece_tokenizer()
    table = np.arange(30522 * 2, dtype=np.float32).reshape(30522, 2)
    vectors = PieceVectors(table, tokenizer)
    words = ["said", "Peskov", "\n", "said"]
    rows = vectors.rows(words)
    pieces = piece_ids(tokenizer, ["Peskov"])[0]
    assert len(pieces) > 1, "a rare name splits into several WordPieces"
    np.testing.assert_allclose(rows[1], table[pieces].mean(axis=0))
    np.testing.assert_allclose(rows[0], rows[3])
    assert not rows[2].any(), "whitespace has no pieces and gets a zero vector"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=6), st.integers(0, 2**31 - 1))
def test_document_decoding_equals_decoding_each_paragraph(lengths: list[int], seed: int) -> None:
    from parallax.analyze.quotes.net import _decode

    rng = np.random.default_rng(seed)
    # Peaked random scores: some paragraphs have confident spans, some none, some ambiguous edges.
    logits = rng.normal(size=(sum(lengths), len(LABELS))) * 3
    logp = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    decoded = _decode(logp, np.exp(logp), lengths, None)
    start = 0
    for n, (labels, probs) in zip(lengths, decoded):
        assert labels == likely_spans(np.exp(logp[start : start + n]), [n])[0]
        assert probs.shape == (n, len(LABELS))
        start += n
    # Learned transitions take the best sequence under them instead.
    learned = _decode(logp, np.exp(logp), lengths, Transitions.none())
    start = 0
    for n, (labels, _) in zip(lengths, learned):
        assert labels == viterbi(logp[start : start + n], Transitions.none())
        start += n


def _exact_span_probabilities(probs: np.ndarray) -> dict[tuple[str, int, int], float]:
    """Brute force: every well-formed sequence's renormalised probability, summed per span it holds."""
    import itertools

    totals: dict[tuple[str, int, int], float] = {}
    z = 0.0
    for seq in itertools.product(range(len(LABELS)), repeat=len(probs)):
        labels = [LABELS[k] for k in seq]
        if not well_formed(labels):
            continue
        p = float(np.prod([probs[t, k] for t, k in enumerate(seq)]))
        z += p
        for span in spans_of(labels):
            totals[span] = totals.get(span, 0.0) + p
    return {span: p / z for span, p in totals.items()}


def spans_of(labels: list[str]) -> set[tuple[str, int, int]]:
    out = set()
    start = 0
    for t, label in enumerate(labels):
        prefix, _, role = label.partition("-")
        if prefix in ("B", "U"):
            start = t
        if prefix in ("L", "U"):
            out.add((role, start, t))
    return out


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(0, 2**31 - 1), st.floats(0.5, 4))
def test_likely_spans_are_exactly_the_spans_above_one_half(steps: int, seed: int, peak: float) -> None:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(steps, len(LABELS))) * peak
    probs = np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))
    labels = likely_spans(probs, [steps])[0]
    assert well_formed(labels)
    exact = _exact_span_probabilities(probs)
    # Spans within a hair of one half may fall either way by rounding.
    assert {s for s, p in exact.items() if p > 0.5 + 1e-9} <= spans_of(labels)
    assert spans_of(labels) <= {s for s, p in exact.items() if p > 0.5 - 1e-9}


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 40), st.just(len(LABELS))), elements=st.floats(-20, 0)))
def test_likely_spans_always_decode_well_formed_bilou(logp: np.ndarray) -> None:
    probs = np.exp(logp - np.logaddexp.reduce(logp, axis=1, keepdims=True)) if len(logp) else np.exp(logp)
    labels = likely_spans(probs, [len(probs)])[0]
    assert len(labels) == len(probs)
    assert well_formed(labels)


def test_likely_spans_keep_confident_spans_and_drop_a_span_whose_end_is_a_coin_toss() -> None:
    def at(*rows: dict[str, float]) -> np.ndarray:
        probs = np.full((len(rows), len(LABELS)), 1e-4)
        for t, row in enumerate(rows):
            for name, p in row.items():
                probs[t, LABELS.index(name)] = p
        return probs / probs.sum(axis=1, keepdims=True)

    clean = ["U-Source", "U-Cue", "B-Content", "I-Content", "L-Content"]
    assert likely_spans(at(*({name: 1.0} for name in clean)), [5])[0] == clean
    # The content surely starts at token 2 and ends at token 3, 4 or 5 (about 0.21 / 0.40 / 0.40 once
    # the sequences are renormalised). Viterbi still picks an end; no span is more likely right than wrong.
    ambiguous = at(
        {"U-Cue": 1.0},
        {"O": 1.0},
        {"B-Content": 1.0},
        {"L-Content": 0.34, "I-Content": 0.66},
        {"O": 0.34, "L-Content": 0.33, "I-Content": 0.33},
        {"L-Content": 0.5, "O": 0.5},
    )
    assert max(p for (role, _, _), p in _exact_span_probabilities(ambiguous).items() if role == "Content") < 0.45
    assert "B-Content" in viterbi(np.log(ambiguous))
    assert likely_spans(ambiguous, [6])[0] == ["U-Cue", "O", "O", "O", "O", "O"]
