"""``parallax serve``: the web app on uvicorn, bound to loopback unless told otherwise."""

from __future__ import annotations

import logging
from pathlib import Path

__all__ = ["serve"]

LOGGER = logging.getLogger(__name__)


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000, ingest_token: str | None = None) -> None:
    """Run the web app and REST API over ``db_path`` until interrupted.

    Args:
        db_path: the SQLite store.
        host: interface to bind; loopback by default, so nothing is exposed unless asked.
        port: TCP port.
        ingest_token: enables ``POST /api/ingest``; every write must present it.
    """
    import uvicorn

    from .app import create_app

    if host not in {"127.0.0.1", "localhost", "::1"}:
        LOGGER.warning("serving on %s: reachable from other machines; reads are open to anyone who can connect", host)
    app = create_app(db_path, ingest_token=ingest_token)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
