"""The per-request GraphQL context: the store and the caller."""

from __future__ import annotations

from strawberry.fastapi import BaseContext

from graphsvc.store.database import Database

__all__ = ["Context"]


class Context(BaseContext):
    """Built once per request by FastAPI; resolvers reach the store through it."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
