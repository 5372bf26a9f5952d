"""Content negotiation, the one error handler, and the security headers every response carries."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parallax.errors import InputError, NotFoundError, ParallaxError
from parallax.report.view import CONFLICTS_CAVEAT, quoted

__all__ = ["SecurityHeaders", "error_response", "make_env", "render", "wants_json"]

LOGGER = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none';"
    " base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI middleware adding the CSP and friends to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in _HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("parallax.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seg"] = _segment
    env.filters["safe_url"] = _safe_url
    env.filters["path"] = _path
    env.filters["quoted"] = quoted
    env.globals["conflicts_caveat"] = CONFLICTS_CAVEAT
    return env


def _segment(value: object) -> str:
    """A value made safe as one URL path segment."""
    return quote(str(value), safe="")


def _safe_url(value: object) -> str:
    """Only http(s) links from article data; anything else (``javascript:``, ``data:``) becomes ``#``."""
    text = str(value or "").strip()
    return text if urlsplit(text).scheme.lower() in {"http", "https"} else "#"


def _path(value: object) -> str:
    """A request path made safe for an ``href`` (escapes already in it kept as they are)."""
    return quote(str(value), safe="/%:@!$&'()*+,;=-._~")


def wants_json(request: Request) -> bool:
    """JSON when the path ends in ``.json``, ``format=json`` is asked, the path is under /api, or Accept prefers it."""
    path = request.url.path
    if path.endswith(".json") or path.startswith("/api/") or request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    if not accept or "text/html" in accept:
        return False
    return "application/json" in accept or "+json" in accept


def render(request: Request, template: str, context: dict[str, Any], data: Any, *, status: int = 200) -> Response:
    """The HTML page or its JSON twin (``data``) for the same route."""
    headers = {"Vary": "Accept"}
    if wants_json(request):
        return JSONResponse(data, status_code=status, headers=headers)
    env: Environment = request.app.state.env
    html = env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


_MESSAGES = {
    400: "bad request",
    401: "authentication required",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "request body too large",
    500: "internal server error",
}


# Where a reader of the site finds what exists, for a 404 of each kind (the CLI's own hint names commands).
_WEB_LISTS = {
    "story": "the stories are listed at /stories",
    "article": "each story's page at /stories links its articles",
    "entity": "people and organisations are listed at /entities",
}


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail or _MESSAGES.get(exc.status_code, "error"))
    if isinstance(exc, NotFoundError):
        hint = _WEB_LISTS.get(exc.kind)
        return 404, f"no {exc.kind} {exc.key!r} here" + (f"; {hint}" if hint else "")
    if isinstance(exc, InputError):
        return 400, str(exc)
    if isinstance(exc, ParallaxError):
        return 400, str(exc)
    LOGGER.exception("unhandled error", exc_info=exc)
    return 500, "internal server error; the server log has the details"


async def error_response(request: Request, exc: Exception) -> Response:
    """The one error handler: HTML page or ``{"error": {"status", "message"}}`` with the status."""
    status, message = _status_and_message(exc)
    headers = dict(getattr(exc, "headers", None) or {})
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)
    env: Environment = request.app.state.env
    html = env.get_template("error.html").render(request=request, status=status, message=message)
    return HTMLResponse(html, status_code=status, headers=headers)
