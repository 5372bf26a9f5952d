"""One base exception; each subclass formats its own message, saying what failed and what to do next."""

from __future__ import annotations

__all__ = ["AmbiguousError", "ConfigError", "InputError", "NotFoundError", "ParallaxError", "StoreError"]


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


# Where a user finds the names of each kind of record: a command that exists (there is no `parallax articles`).
_LISTED_BY = {
    "story": "list them with `parallax stories`",
    "article": "`parallax stories --format json` lists each story's article ids",
    "entity": "`parallax serve` lists them at /entities",
    "feed": "list them with `parallax feeds list`",
}


class NotFoundError(ParallaxError):
    """A story, article or entity named by the user does not exist."""

    exit_code = 5

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        hint = _LISTED_BY.get(kind)
        super().__init__(f"no {kind} {key!r} in the store" + (f"; {hint}" if hint else ""))


class AmbiguousError(ParallaxError):
    """A prefix names several stories (or other records) where one is needed."""

    exit_code = 5

    def __init__(self, kind: str, key: str, matches: list[str], more: int = 0) -> None:
        self.kind = kind
        self.key = key
        self.matches = matches
        shown = ", ".join(matches) + (f" and {more} more" if more else "")
        super().__init__(f"{key!r} matches {len(matches) + more} {kind} ids: {shown}; give more of the id")
