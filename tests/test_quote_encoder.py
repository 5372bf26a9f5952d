"""The attribution encoder: MiniLM layers that re-read the paragraphs the BiLSTM tagger is unsure of."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from parallax.analyze.quotes.encoder import (
    CLS,
    MAX_PIECES,
    SEP,
    UNK,
    WORD_PIECES,
    WordPieces,
    active_encoder,
    cut_windows,
    encoder_thresholds,
    load_encoder,
    product_of_experts,
)
from parallax.analyze.quotes.tagger import quote_model_dir
from parallax.analyze.quotes.net import LABELS, load_net, wordpiece_tokenizer
from parallax.errors import ConfigError
from parallax.quote_mode import MODE_VARIABLE, QUOTE_MODES, quote_mode, using_quote_mode

MODEL_DIR = quote_model_dir()


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    loaded = load_encoder(MODEL_DIR)
    assert loaded is not None, f"no attribution encoder in {MODEL_DIR}"
    return loaded


def test_word_pieces_are_cached_and_never_empty() -> None:
    pieces = WordPieces(wordpiece_tokenizer())
    got = pieces(["peskov", "said", " ", "peskov", "abcdefghij" * 9])
    assert got[0] == got[3] and len(got[0]) > 1  # an unusual name: several pieces
    assert got[2] == [UNK]  # whitespace has no pieces
    assert len(got[4]) == WORD_PIECES
    assert set(pieces.cache) == {"peskov", "said", " ", "abcdefghij" * 9}


def test_long_paragraphs_are_cut_into_windows_at_word_boundaries() -> None:
    pieces = WordPieces(wordpiece_tokenizer())
    words = ["unprecedented", "escalation"] * 400  # several pieces each: well over one window
    cut = cut_windows(7, pieces(words))
    assert len(cut) > 1 and all(w.paragraph == 7 for w in cut)
    assert all(len(w.pieces) <= MAX_PIECES + 2 and w.pieces[0] == CLS and w.pieces[-1] == SEP for w in cut)
    # Every word once, in order: offsets chain, and each first piece is the word's first piece.
    assert [w.offset for w in cut] == [sum(len(v.firsts) for v in cut[:k]) for k in range(len(cut))]
    assert sum(len(w.firsts) for w in cut) == len(words)
    word_pieces = pieces(words)
    for w in cut:
        assert w.firsts[0] == 1
        for k, first in enumerate(w.firsts):
            assert w.pieces[first] == word_pieces[w.offset + k][0]


def test_product_of_experts_mixes_two_opinions() -> None:
    first = np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0]], dtype=np.float32)
    second = np.array([[0.6, 0.3, 0.1], [0.1, 0.9, 0.0]], dtype=np.float32)
    assert np.allclose(product_of_experts(first, second, 0.0), first, atol=1e-6)
    assert np.allclose(product_of_experts(first, second, 1.0), second, atol=1e-6)
    mixed = product_of_experts(first, second, 0.5)
    assert np.allclose(mixed.sum(axis=1), 1.0)
    # Where both favour a label, their product favours it more than either's mean.
    assert mixed[0, 0] > (first[0, 0] + second[0, 0]) / 2
    # A label that one rules out stays ruled out.
    assert mixed[1, 2] < 1e-6


def test_encoder_tags_a_quote_and_reads_long_paragraphs_whole(encoder) -> None:  # type: ignore[no-untyped-def]
    words = "the minister said the talks had failed .".split()
    long = ["the", "committee", "met", "again", "."] * 150  # 750 words: cut into windows
    probs = encoder.label_probs([words, long])
    assert [p.shape for p in probs] == [(len(words), len(LABELS)), (len(long), len(LABELS))]
    for p in probs:
        assert np.allclose(p.sum(axis=1), 1.0, atol=1e-4)
    top = [LABELS[k] for k in probs[0].argmax(axis=1)]
    assert top[:3] == ["B-Source", "L-Source", "U-Cue"]
    assert top[3].endswith("-Content") and top[6].endswith("-Content")
    # A paragraph's probabilities do not depend on what else is read with it.
    alone = encoder.label_probs([words])[0]
    assert np.array_equal(alone, probs[0])


def test_only_unsure_paragraphs_are_reread(encoder) -> None:  # type: ignore[no-untyped-def]
    sure = np.full((4, len(LABELS)), 1e-4, dtype=np.float32)
    sure[:, 0] = 1.0 - 1e-4 * (len(LABELS) - 1)
    unsure = np.full((3, len(LABELS)), 1.0 / len(LABELS), dtype=np.float32)
    words = [["a", "b", "c", "d"], ["she", "said", "so"]]
    with using_quote_mode("accurate"):
        assert encoder.unsure_paragraphs([sure, unsure, sure[:0]]) == [1]
        mixed = encoder.refine([sure, unsure], words)
    assert encoder.unsure_paragraphs([sure, unsure], threshold=1.0) == []
    assert mixed[0] is sure  # not re-read
    assert not np.allclose(mixed[1], unsure)  # the encoder's opinion moved the uniform guess
    assert np.allclose(mixed[1].sum(axis=1), 1.0, atol=1e-4)


def test_each_quote_mode_runs_the_encoder_only_when_it_has_a_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    net = load_net(MODEL_DIR)
    assert net is not None
    thresholds = encoder_thresholds(MODEL_DIR)
    assert "accurate" in thresholds and "fast" not in thresholds
    monkeypatch.delenv(MODE_VARIABLE, raising=False)
    assert quote_mode() == "default"
    assert (net.encoder is not None) == ("default" in thresholds)
    monkeypatch.setenv(MODE_VARIABLE, "fast")
    assert active_encoder(MODEL_DIR) is None and net.encoder is None
    # The switch is read at use: it takes effect on a tagger that has already loaded.
    monkeypatch.setenv(MODE_VARIABLE, "accurate")
    assert net.encoder is not None and net.encoder is load_encoder(MODEL_DIR)


def test_a_quote_mode_block_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "fast")
    with using_quote_mode("accurate"):
        assert quote_mode() == "accurate" and active_encoder(MODEL_DIR) is not None
        with using_quote_mode("fast"):
            assert active_encoder(MODEL_DIR) is None
        assert quote_mode() == "accurate"
    assert quote_mode() == "fast"
    with pytest.raises(ValueError, match="quick"):
        with using_quote_mode("quick"):
            pass


def test_an_unknown_quote_mode_in_the_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "turbo")
    with pytest.raises(ConfigError, match=r"PARALLAX_QUOTE_MODE='turbo' is not a quote mode; use one of fast"):
        quote_mode()
    assert QUOTE_MODES == ("fast", "default", "accurate")


def test_a_missing_encoder_is_reported_not_fatal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "accurate")
    assert active_encoder(tmp_path) is None
    assert "encoder.onnx" in caplog.text and str(tmp_path) in caplog.text


def test_accurate_quotes_change_the_tagging_only_where_the_tagger_is_unsure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The whole path: the CLI switch, the tagger's ensemble, the encoder, the decoder."""
    from parallax.analyze.nlp import load_nlp
    from parallax.analyze.quotes.features import Layout
    from parallax.cli import main

    from parallax.store import Database

    from parallax.cli import _settings, build_parser

    monkeypatch.setenv(MODE_VARIABLE, "fast")  # restored when the test ends
    Database(tmp_path / "p.db").close()  # read commands refuse a store that does not exist
    assert main(["--accurate-quotes", "--db", str(tmp_path / "p.db"), "stories"]) == 0
    # The flags win over $PARALLAX_QUOTE_MODE in the settings the CLI passes down (analysis runs under them).
    assert _settings(build_parser().parse_args(["--accurate-quotes", "stories"])).quote_mode == "accurate"
    assert _settings(build_parser().parse_args(["stories"])).quote_mode == "fast"
    text = (
        "The minister said the talks had failed. \"We will not go back,\" she told reporters on Monday.\n\n"
        "Officials in the capital, who asked not to be named, suggested the offer could still be revived "
        "if the other side agreed to what they called reasonable terms."
    )
    doc = load_nlp()(text)
    layout = Layout.of(doc)
    net = load_net(MODEL_DIR)
    monkeypatch.setenv(MODE_VARIABLE, "fast")
    plain = net.tag_paragraphs(doc, layout)
    monkeypatch.setenv(MODE_VARIABLE, "accurate")
    encoder = net.encoder
    assert encoder is not None
    before = encoder.counts.copy()
    accurate = net.tag_paragraphs(doc, layout)
    counts = encoder.counts - before
    assert counts["tokens"] == sum(len(p.tokens) for p in layout.paragraphs)
    reread = set(encoder.unsure_paragraphs([probs for _, probs in plain]))
    assert reread and counts["reread"] == sum(len(layout.paragraphs[k].tokens) for k in reread)
    for k, ((labels, probs), (_, before)) in enumerate(zip(accurate, plain)):
        if k in reread:
            assert not np.allclose(probs, before)
        else:
            assert np.array_equal(probs, before)
        assert len(labels) == len(probs)
