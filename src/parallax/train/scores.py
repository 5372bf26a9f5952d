"""The rebuilt models' scores beside the shipped ones (the model packages' meta.json)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from parallax.weights import META_FILE, model_package, pair_models

__all__ = ["score_table"]

_OUT_OF_FOLD = re.compile(r"F1 (\d\.\d+) out of fold")


def _row(name: str, shipped: str, rebuilt: str) -> str:
    return f"{name:<38} {shipped:>24} {rebuilt:>24}"


def _quotes(out: Path, data: Path) -> list[str]:
    """PolNeAR dev exact F1 of the rebuilt quote models, in the default quote mode."""
    from parallax.analyze.quotes import extract_quotes
    from parallax.eval.quotes import evaluate

    shipped = model_package().meta["components"]["quotes"]["scores"]["polnear_dev_exact_f1"]["default"]
    folder = out / "quotes"
    if not (folder / "tagger.npz").is_file():
        return [_row("quotes, dev exact F1 S/C/C", _triple(shipped), "(not built)")]
    scores = evaluate(data / "polnear", "dev", extractor=functools.partial(extract_quotes, model_dir=folder))
    exact = scores.as_dict()["exact"]
    rebuilt = {role: exact[role]["f1"] for role in ("source", "cue", "content")}  # type: ignore[index]
    note = "" if (folder / "encoder.onnx").is_file() else " (no encoder yet)"
    return [_row("quotes, dev exact F1 S/C/C", _triple(shipped), _triple(rebuilt) + note)]


def _triple(scores: dict[str, float]) -> str:
    return " / ".join(f"{scores[role]:.3f}" for role in ("source", "cue", "content"))


def _same_fact(out: Path) -> list[str]:
    """The out-of-fold mean of shared and omission F1 that chose the link thresholds."""
    shipped_model = model_package().path("alignment", "same_fact.json")
    rebuilt_model = out / "alignment" / "same_fact.json"

    def figure(path: Path) -> str:
        if not path.is_file():
            return "(not built)"
        found = _OUT_OF_FOLD.search(json.loads(path.read_text(encoding="utf-8")).get("provenance", ""))
        return found.group(1) if found else "?"

    return [_row("same fact, out-of-fold mean F1", figure(shipped_model), figure(rebuilt_model))]


def _pairs(out: Path, data: Path) -> list[str]:
    """MRPC val accuracy / F1 at each model's own threshold, both scored now."""
    from parallax.eval.pairs import evaluate

    val = data / "paraphrase" / "msr-para-val.tsv"

    def figure(folder: Path | None) -> str:
        first = evaluate(val, model_dir=folder).scores[0]
        return f"{first.accuracy:.3f} / {first.f1:.3f}"

    rebuilt = figure(out / "pairs") if (out / "pairs" / "pairs.onnx").is_file() else "(not built)"
    return [_row("pairs, MRPC val accuracy / F1", figure(pair_models().root), rebuilt)]


def score_table(out: Path, data: Path) -> str:
    """A table of each model's score: shipped (installed packages) and rebuilt (``out``)."""
    lines = [_row("model", "shipped", f"rebuilt ({out})"), *_same_fact(out), *_quotes(out, data), *_pairs(out, data)]
    return "\n".join(lines)


def write_meta(out: Path) -> None:
    """``out/meta.json``: the shipped package's, marked as a rebuild, so that ``out`` reads as a model folder."""
    meta = dict(model_package().meta)
    meta["version"] = f"{meta['version']}+rebuilt"
    (out / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
