"""parallax's MRPC sentence-pair model: data only. ``parallax.weights.pair_models`` reads it; see meta.json."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
