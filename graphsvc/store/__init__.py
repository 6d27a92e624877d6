"""Persistence: the Bolt driver's lifecycle, the embedded database, the Cypher registry, repositories."""

from graphsvc.store.connection import apply_schema, open_store
from graphsvc.store.database import Database

__all__ = ["Database", "apply_schema", "open_store"]
