"""Which ``Host`` names the server answers: loopback names by default, and those it was told to add.

A page on another site can point its own name at 127.0.0.1 (DNS rebinding) and then read a loopback server
as if it were itself; the browser still sends that site's name in ``Host``. Refusing unknown names closes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .negotiate import error_response

__all__ = ["LOOPBACK_HOSTS", "HostCheck", "allowed_hosts", "normalise_host"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::", "[::]", "*"})


def normalise_host(value: str) -> tuple[str, str | None]:
    """``Host`` header or configured name → (lower-case name, port or None); IPv6 literals keep brackets."""
    text = value.strip().lower().rstrip(".")
    if text.startswith("["):
        name, _, rest = text.partition("]")
        port = rest[1:] if rest.startswith(":") else None
        return name + "]", port or None
    if text.count(":") > 1:  # a bare IPv6 address, as given to --host
        return f"[{text}]", None
    name, _, port = text.partition(":")
    return name, port or None


def allowed_hosts(extra: Iterable[str] = (), *, bind_host: str | None = None) -> tuple[str, ...]:
    """The loopback names, ``extra`` and the address the server binds (unless it is a wildcard)."""
    names = list(LOOPBACK_HOSTS)
    if bind_host is not None and bind_host.strip().lower() not in WILDCARD_BINDS:
        names.append(bind_host)
    names.extend(extra)
    return tuple(dict.fromkeys(name.strip() for name in names if name.strip()))


class HostCheck:
    """Pure ASGI middleware: a request whose ``Host`` is not allowed gets 400 and reaches no route.

    An allowed name without a port matches any port; ``name:port`` matches only that port.
    """

    def __init__(self, app: ASGIApp, *, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = [normalise_host(host) for host in hosts]

    def allows(self, header: str) -> bool:
        name, port = normalise_host(header)
        return any(name == allowed and (allowed_port is None or port == allowed_port)
                   for allowed, allowed_port in self.hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if self.allows(header):
            await self.app(scope, receive, send)
            return
        shown = header[:100] or "(none)"
        message = (f"this server does not answer to the host name {shown!r}; open it by one of its names"
                   f" ({', '.join(name for name, _ in self.hosts)}) or restart it with --allowed-host NAME")
        response = await error_response(Request(scope, receive), HTTPException(400, message))
        await response(scope, receive, send)
