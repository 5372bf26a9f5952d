"""One recipe that rebuilds every shipped model file from ../shared/data (the ``train`` extra).

``python -m parallax.train all --out build/`` runs every step in order and prints the rebuilt models'
scores beside the shipped ones (meta.json of the model packages); ``python -m parallax.train STEP`` runs
one step, reading what earlier steps left in ``--out``. Each module here is also a command of its own
(``python -m parallax.train.quote_net --help``) for the experiments docs/quotes.md and docs/pairs.md
describe. Nothing here is imported by the run-time package; torch and onnx come with ``[train]``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SHARED_DATA"]

# The shared data sits beside the repository (README); the commands are run from the repository root.
SHARED_DATA = Path("../shared/data")
