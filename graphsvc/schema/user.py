"""The User type: a sales or marketing person who owns accounts and takes routed leads."""

from __future__ import annotations

from typing import Any

import strawberry

from graphsvc.ranges import stored_int
from graphsvc.store.database import Record

__all__ = ["User"]


@strawberry.type(description="A sales or marketing person (AE, BDR, SDR, MANAGER, MARKETING).")
class User:
    id: strawberry.ID
    name: str
    email: str | None
    role: str
    active: bool = strawberry.field(description="Inactive users take no routed leads; true unless imported as false.")
    capacity: int | None = strawberry.field(description="Open assignments the user can hold; null = no limit.")
    open_assignments: int = strawberry.field(description="PENDING routing decisions assigned to the user.")

    record: strawberry.Private[Record]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> User:
        """The user of an ``api/users_by_ids`` record."""
        return cls(
            id=strawberry.ID(record["id"]),
            name=record["name"],
            email=record["email"],
            role=record["role"],
            active=record["active"] is not False,
            capacity=stored_int(record["capacity"]),
            open_assignments=record["open_assignments"],
            record=record,
        )
