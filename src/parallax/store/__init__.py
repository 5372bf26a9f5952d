"""The store: SQLite by default, behind one interface."""

from .db import ANALYSIS_VERSION, Database, InsertOutcome, default_db_path, open_existing

__all__ = ["ANALYSIS_VERSION", "Database", "InsertOutcome", "default_db_path", "open_existing"]
