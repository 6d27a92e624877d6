"""The AccountMatch type: an account a lead is (or could be) associated with, and how sure that is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graphsvc.schema import account
from graphsvc.schema.enums import MatchMethod

if TYPE_CHECKING:
    from graphsvc.schema.account import Account

__all__ = ["AccountMatch"]


@strawberry.type(description="An account matched to a lead: by domain, name, fuzzy name or by hand (SPEC §4).")
class AccountMatch:
    account: Annotated["Account", strawberry.lazy("graphsvc.schema.account")]
    method: MatchMethod
    confidence: float

    record: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AccountMatch:
        """The match of ``{"account": account record, "method": MatchMethod, "confidence": float}``."""
        return cls(
            account=account.Account.from_record(record["account"]),
            method=record["method"],
            confidence=float(record["confidence"] or 0.0),
            record=record,
        )
