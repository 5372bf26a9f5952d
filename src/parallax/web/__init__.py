"""The web app and REST API: every HTML page has a JSON twin on the same route."""

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
