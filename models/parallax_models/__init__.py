"""parallax's run-time models: data only. ``parallax.weights`` reads them; see meta.json."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
