"""The store: SQLite by default, behind one interface (:class:`Database`); the only package that runs SQL."""

from .articles import InsertOutcome
from .db import ANALYSIS_VERSION, COMPARISON_VERSION, Database, open_existing

__all__ = ["ANALYSIS_VERSION", "COMPARISON_VERSION", "Database", "InsertOutcome", "open_existing"]
