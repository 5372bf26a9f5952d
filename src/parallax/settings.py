"""Settings: one typed, frozen object built once where a run starts (the CLI, the web server) and passed down.

Each setting is declared once below with its environment variable, default and help. Precedence: the
command line, then the environment, then the default. Library code never reads the environment; a
server's worker processes receive the parent's settings as one serialised value (:meth:`Settings.to_json`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parallax.errors import ConfigError
from parallax.quote_mode import QUOTE_MODES

__all__ = ["SETTINGS", "Settings"]

# name -> (environment variable, help); the defaults are the dataclass's.
SETTINGS: dict[str, tuple[str, str]] = {
    "db_path": ("PARALLAX_DB", "the SQLite store"),
    "quote_mode": ("PARALLAX_QUOTE_MODE", f"how hard the quote stage works: {', '.join(QUOTE_MODES)}"),
    "embed_threads": ("PARALLAX_EMBED_THREADS", "ONNX Runtime threads of the sentence encoder per process"),
    "ingest_token": ("PARALLAX_TOKEN", "enables ingest over HTTP; every write must carry it"),
    "outlet_aliases": ("PARALLAX_OUTLET_ALIASES", "TOML file of more outlet spellings"),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run is configured by."""

    db_path: Path = Path("parallax.db")
    quote_mode: str = "default"
    embed_threads: int = 2
    ingest_token: str | None = None
    outlet_aliases: Path | None = None

    def __post_init__(self) -> None:
        if self.quote_mode not in QUOTE_MODES:
            raise ConfigError(f"quote mode {self.quote_mode!r} is not one of {', '.join(QUOTE_MODES)}; set"
                              " --quote-mode or $PARALLAX_QUOTE_MODE to one of them")
        if self.embed_threads < 1:
            raise ConfigError(f"embed threads must be at least 1, got {self.embed_threads}; fix"
                              " $PARALLAX_EMBED_THREADS")

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **given: Any) -> Settings:
        """Settings from ``given`` (the command line; None means not given), else ``environ``, else defaults.

        Raises:
            ConfigError: a value is malformed or unknown.
        """
        environ = os.environ if environ is None else environ
        unknown = set(given) - set(SETTINGS)
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, (variable, _) in SETTINGS.items():
            raw = given.get(name)
            if raw is None:
                raw = environ.get(variable) or None
            if raw is not None:
                values[name] = _typed(name, variable, raw)
        return cls(**values)

    def to_json(self) -> str:
        """One serialised value (for a worker process started by a server)."""
        return json.dumps({k: None if v is None else str(v) if isinstance(v, Path) else v
                           for k, v in dataclasses.asdict(self).items()})

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        return cls(**{name: _typed(name, SETTINGS[name][0], value) for name, value in data.items() if value is not None})


def _typed(name: str, variable: str, raw: Any) -> Any:
    if name in {"db_path", "outlet_aliases"}:
        return Path(raw)
    if name == "embed_threads":
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"${variable}={raw!r} is not a whole number; unset it or give one") from None
    return str(raw)
