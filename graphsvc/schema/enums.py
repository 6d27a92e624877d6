"""The contract's enums, served from the domain's own enums where the domain has one."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

import strawberry

from graphsvc import funnel
from graphsvc.algorithms import matching
from graphsvc.ingest import records

__all__ = ["AccountStage", "LeadStatus", "MatchMethod", "parse_enum"]

E = TypeVar("E", bound=StrEnum)


AccountStage = strawberry.enum(
    funnel.AccountStage,
    description="An account's stage in the one shared funnel (SPEC §8); null when not in the funnel.",
)
LeadStatus = strawberry.enum(records.LeadStatus, description="Where a lead is in its lifecycle (SPEC §8).")
MatchMethod = strawberry.enum(matching.MatchMethod, description="How a lead was associated with its account (SPEC §4).")


def parse_enum(kind: type[E], value: str | None) -> E | None:
    """The member of ``kind`` a stored value names (case-insensitively), or None."""
    if value is None:
        return None
    try:
        return kind(value.upper())
    except ValueError:
        return None
