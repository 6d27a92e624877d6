"""The Account type and the queries that return accounts."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graphsvc.schema.context import Context

__all__ = ["Account", "AccountQuery"]


@strawberry.type
class Account:
    id: strawberry.ID
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    annual_revenue: float | None
    country: str | None
    is_target: bool
    tier: int | None

    record: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Account:
        return cls(
            id=strawberry.ID(record["id"]),
            name=record["name"],
            domain=record.get("domain"),
            industry=record.get("industry"),
            employees=record.get("employees"),
            annual_revenue=record.get("annual_revenue"),
            country=record.get("country"),
            is_target=bool(record.get("is_target")),
            tier=record.get("tier"),
            record=record,
        )


@strawberry.type
class AccountQuery:
    @strawberry.field(description="One account by id, or null when there is none.")
    async def account(self, info: Info[Context, None], id: strawberry.ID) -> Account | None:
        rows = await info.context.db.read("accounts/by_ids", ids=[str(id)])
        return Account.from_record(rows[0]["account"]) if rows else None
