"""``parallax serve``: the web app on uvicorn, bound to loopback unless told otherwise.

Pages are built in Python, so one process serves one request at a time on one core; ``workers`` runs
that many processes on the same port (uvicorn's process manager), each with its own read connections and
page cache. Writes stay serialised across them by the writer's file lock (see ``pool.Writer``).
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from parallax.settings import Settings

__all__ = ["app_from_environment", "default_workers", "prepare_store", "serve"]

LOGGER = logging.getLogger(__name__)

# How a worker process gets its configuration: uvicorn starts workers from an import string, so the parent
# hands them its settings and host names as one serialised value in this variable.
_CONFIG_VARIABLE = "PARALLAX_SERVE_CONFIG"


def default_workers() -> int:
    """Two worker processes per CPU, at most eight. Each keep-alive connection stays with the worker that
    accepted it, and the kernel does not spread connections evenly: with one worker per core, three of
    four connections often share one worker while the other core idles (story-page p50 on the 10k store
    doubled in such runs). More workers than cores let the scheduler even the load out."""
    return max(1, min(8, 2 * (os.cpu_count() or 1)))


def app_from_environment() -> Starlette:
    """The app a worker process serves, configured by :func:`serve` through one serialised value."""
    from .app import create_app

    config = json.loads(os.environ[_CONFIG_VARIABLE])
    return _ready(create_app(Settings.from_json(config["settings"]), hosts=config["hosts"] or None))


def prepare_store(settings: Settings, *, on_progress: Any = None) -> None:
    """Bring the store up to date before serving it: migrations, comparisons kept whole cut into rows, kept
    entity pages, story pages rendered ahead (those of comparisons made since the last time); jobs a stopped
    server left running are queued again."""
    from parallax import api
    from parallax.store import Database

    from .app import create_app
    from .views import keep_story_renders

    with Database(settings.db_path) as db:
        api.upgrade(db, on_progress=on_progress)
        keep_story_renders(create_app(settings), db, on_progress=on_progress)
        requeued = db.requeue_interrupted_jobs()
    if requeued:
        LOGGER.info("%d job(s) left running by a stopped server are queued again", requeued)


def _ready(app: Starlette) -> Starlette:
    """Compile every template, then freeze what the process holds so far out of the garbage collector's
    reach: its full collections then walk only what requests allocate. Rendering the 200 largest story
    pages of the 10k store in one process spent 400 ms in the collector (longest pause 45 ms) before,
    133 ms (longest 2 ms) after."""
    env = app.state.env
    for name in env.list_templates():
        env.get_template(name)
    gc.collect()
    gc.freeze()
    return app


def serve(
    settings: Settings | str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    allowed_hosts: Sequence[str] = (),
) -> None:
    """Run the web app and REST API over ``settings.db_path`` until interrupted.

    Args:
        settings: the store, the ingest token (None: no writes over HTTP) and the analysis settings; a
            path stands for default settings over that store (no writes over HTTP).
        host: interface to bind; loopback by default, so nothing is exposed unless asked.
        port: TCP port.
        workers: server processes; more than one uses more cores for concurrent readers.
        allowed_hosts: ``Host`` names answered besides the loopback names and ``host`` itself (unless it is
            a wildcard address); any other name gets 400.
    """
    from .app import create_app
    from .hosts import allowed_hosts as answered

    hosts = answered(allowed_hosts, bind_host=host)
    if host not in {"127.0.0.1", "localhost", "::1"}:
        LOGGER.warning("serving on %s: reachable from other machines; reads are open to anyone who can connect;"
                       " requests are answered for the host names %s (add others with --allowed-host)",
                       host, ", ".join(hosts))
    options = {"host": host, "port": port, "log_level": "info", "server_header": False, "proxy_headers": False}
    from parallax.store import Database

    if not isinstance(settings, Settings):
        settings = Settings(db_path=Path(settings))
    with Database(settings.db_path) as db:  # create and migrate once, before the workers open it
        db.requeue_interrupted_jobs()
    if workers <= 1:
        uvicorn.run(_ready(create_app(settings, hosts=hosts)), **options)
        return
    settings = dataclasses.replace(settings, db_path=Path(settings.db_path).resolve())
    os.environ[_CONFIG_VARIABLE] = json.dumps({"settings": settings.to_json(), "hosts": list(hosts)})
    from uvicorn.supervisors import Multiprocess

    config = _TcpConfig("parallax.web.server:app_from_environment", factory=True, workers=workers, **options)
    Multiprocess(config, sockets=[config.bind_socket()]).run()


class _TcpConfig(uvicorn.Config):
    """uvicorn's configuration with one change: the listening socket of worker processes is made with
    ``IPPROTO_TCP``. asyncio disables Nagle's algorithm only on connections accepted from such a socket;
    uvicorn's own (protocol 0) leaves it on, and every keep-alive response then waits ~40 ms for the
    client's delayed ACK (measured: /api/health 44 ms instead of 1 ms)."""

    def bind_socket(self) -> socket.socket:
        if self.uds is not None or self.fd is not None:
            return super().bind_socket()
        family = socket.AF_INET6 if self.host and ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        LOGGER.info("serving on http://%s:%d with %d worker processes", self.host, self.port, self.workers)
        return sock
