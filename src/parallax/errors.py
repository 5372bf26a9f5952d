"""One base exception; each subclass formats its own message, saying what failed and what to do next."""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "ParallaxError", "StoreError", "NotFoundError"]


class ParallaxError(Exception):
    """Base of every error parallax raises on purpose; the CLI and web turn it into one clear line."""

    exit_code = 1


class InputError(ParallaxError):
    """An input file (or one item inside it) cannot be read as an article."""

    exit_code = 1

    def __init__(self, path: str, problem: str, hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        message = f"{self.path}: {self.problem}"
        return f"{message}; {self.hint}" if self.hint else message


class ConfigError(ParallaxError):
    """A setting is unknown or has an invalid value."""

    exit_code = 3


class StoreError(ParallaxError):
    """The database cannot be opened or migrated."""

    exit_code = 4


class NotFoundError(ParallaxError):
    """A story, article or entity named by the user does not exist."""

    exit_code = 5

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"no {kind} {key!r} in the store; list them with `parallax {kind.split()[0]}s`")
