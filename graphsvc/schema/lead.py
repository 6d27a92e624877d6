"""The Lead type and its query."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc import lifecycle
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.ranges import stored_time
from graphsvc.schema.arguments import given
from graphsvc.schema.context import Context
from graphsvc.schema.engagement import Engagement, person_timeline
from graphsvc.schema.enums import LeadStatus, MatchMethod, parse_enum
from graphsvc.schema.match import AccountMatch
from graphsvc.schema.pagination import (
    Connection,
    SortKey,
    count_statement,
    decode_seek_cursor,
    encode_seek_cursor,
    page_size,
    seek_orders,
    seek_page,
)
from graphsvc.schema.permissions import CanRead, CanSetLeadStatus, sees_person_at, visible_account
from graphsvc.schema.score import LeadScore, person_score
from graphsvc.store.database import Record

if TYPE_CHECKING:
    from graphsvc.schema.routing import RoutingDecision

__all__ = ["Lead", "LeadMutation", "LeadQuery", "LeadStatusChange", "leads_of"]


@strawberry.type(description="One move of a lead's status.")
class LeadStatusChange:
    status: LeadStatus
    previous: LeadStatus | None = strawberry.field(
        description="The status left; null when the lead arrived with this one."
    )
    at: datetime
    reason: str | None
    by: str | None = strawberry.field(
        description="Who moved it: a user's id or an API key's name, routing, sla or import."
    )


@strawberry.type(description="A person who showed interest, before or beside the CRM's contacts.")
class Lead:
    id: strawberry.ID
    email: str | None
    name: str | None
    company: str | None
    title: str | None
    status: LeadStatus

    record: strawberry.Private[Record]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Lead:
        """The lead of an ``api/leads_by_ids`` record; a lead without a known status is NEW."""
        return cls(
            id=strawberry.ID(record["id"]),
            email=record["email"],
            name=" ".join(part for part in (record["first_name"], record["last_name"]) if part) or None,
            company=record["company"],
            title=record["title"],
            status=parse_enum(LeadStatus, record["status"]) or LeadStatus.NEW,
            record=record,
        )

    @strawberry.field(description="The account the lead is matched to (MATCHED_TO), and how; null when unmatched.")
    async def match(self, info: Info[Context, None]) -> AccountMatch | None:
        account_record = await visible_account(info.context, self.record["account_id"])
        method = parse_enum(MatchMethod, self.record["match_method"])
        if account_record is None or method is None:
            return None
        return AccountMatch.from_record(
            {"account": account_record, "method": method, "confidence": self.record["match_confidence"]}
        )

    @strawberry.field(description="The lead's score at asOf (default now): fit, behaviour, grade, nurture.")
    async def score(self, info: Info[Context, None], as_of: datetime | None = strawberry.UNSET) -> LeadScore:
        return await person_score(info.context, self.record["id"], given(as_of))

    @strawberry.field(description="What the lead did, newest first (equal times by id).")
    async def engagements(
        self, info: Info[Context, None], first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> Connection[Engagement]:
        return await person_timeline(info, "api/lead_engagement_pages", self.record, given(first), given(after))

    @strawberry.field(description="Every move of the lead's status, oldest first.")
    async def status_history(self, info: Info[Context, None]) -> list[LeadStatusChange]:
        changes = await info.context.loaders.status_history.load(self.record["id"])
        return [
            LeadStatusChange(
                status=LeadStatus(c["status"]),
                previous=parse_enum(LeadStatus, c["previous"]),
                at=at,
                reason=c["reason"],
                by=c["by"],
            )
            for c in changes
            if (at := stored_time(c["at"])) is not None
        ]

    @strawberry.field(description="The newest routing decision about the lead; null when never routed or not yours.")
    async def routing(
        self, info: Info[Context, None]
    ) -> Annotated[RoutingDecision, strawberry.lazy("graphsvc.schema.routing")] | None:
        from graphsvc.schema.routing import latest_decision

        return await latest_decision(info.context, self.record["id"])


async def leads_of(context: Context, lead_ids: list[str]) -> list[Lead | None]:
    """The leads of ``lead_ids`` in order; None for an unknown id."""
    records = await context.loaders.lead.load_many(lead_ids)
    return [Lead.from_record(record) if record is not None else None for record in records]


# The orders `leads(orderBy:)` accepts, composed as the account list's are (graphsvc.schema.pagination.seek_orders):
# the score is the one the last recompute stored on the lead (score_total); leads without the key come last, by id.
LEAD_KEYS = (
    SortKey("score", "score_total", float, lowest=-sys.float_info.max, highest=sys.float_info.max),
    SortKey("createdAt", "created_at", str, lowest="0001-01-01T00:00:00Z", highest="9999-12-31T23:59:59Z", moment=True),
)
LEAD_ORDER_NAMES = ("-score", "score", "-createdAt", "createdAt")
# Which leads a page starts from: all (walking the key's index), those matched to one account (accountId), or to
# the accounts of one owner (a REP's own).
LEAD_ORDERS = {
    start: seek_orders(f"{start}_leads", f"lists/leads_{start}", "lists/lead_filters", LEAD_KEYS, LEAD_ORDER_NAMES)
    for start in ("all", "at_account", "owned")
}
LEAD_COUNT = count_statement("leads", "lists/leads_all", "lists/lead_filters")


@strawberry.type
class LeadQuery:
    @strawberry.field(
        description='Leads, filtered; orderBy is one of "-score" (default), "score", "-createdAt", "createdAt" (ties '
        "by id; leads without the key last). The score is the one the last recompute stored. A REP sees the leads "
        "matched to its own accounts.",
        permission_classes=[CanRead],
    )
    async def leads(
        self,
        info: Info[Context, None],
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        status: LeadStatus | None = strawberry.UNSET,
        account_id: strawberry.ID | None = strawberry.UNSET,
        order_by: str | None = strawberry.UNSET,
    ) -> Connection[Lead]:
        context = info.context
        order = given(order_by) or "-score"
        if order not in LEAD_ORDER_NAMES:
            raise InvalidInput(f"unknown orderBy {order!r}; expected one of {', '.join(LEAD_ORDER_NAMES)}")
        size = page_size(given(first), context.limits)
        cursor = given(after)
        position = decode_seek_cursor(cursor, LEAD_ORDERS["all"][order]) if cursor is not None else None
        lead_status, account = given(status), given(account_id)
        filters = {
            "status": lead_status.value if lead_status else None,
            "account_id": str(account) if account is not None else None,
            "visible_to": context.caller.owner_scope if context.caller else None,
        }
        if filters["account_id"] is not None:
            page = await seek_page(context.db, LEAD_ORDERS["at_account"][order], position, size, **filters)
        elif filters["visible_to"] is not None:
            page = await seek_page(
                context.db, LEAD_ORDERS["owned"][order], position, size, owner=filters["visible_to"], **filters
            )
        else:
            page = await seek_page(context.db, LEAD_ORDERS["all"][order], position, size, **filters)

        async def count() -> int:
            return (await context.db.read(LEAD_COUNT, **filters))[0]["total"]

        return Connection.from_edges(
            [encode_seek_cursor(order, row["key"], row["id"]) for row in page.rows],
            await leads_of(context, [row["id"] for row in page.rows]),
            page.has_next_page,
            position is not None,
            count,
        )

    @strawberry.field(
        description="One lead by id; null when there is none or the caller may not see it.",
        permission_classes=[CanRead],
    )
    async def lead(self, info: Info[Context, None], id: strawberry.ID) -> Lead | None:
        record = await info.context.loaders.lead.load(str(id))
        if record is None or not await sees_person_at(info.context, record["account_id"]):
            return None
        return Lead.from_record(record)


async def _settable_lead(context: Context, lead_id: str) -> Record:
    """The lead's record when the caller may move its status: it sees the lead, or the lead is assigned to it."""
    from graphsvc.schema.routing import latest_decision

    record = await context.loaders.lead.load(lead_id)
    if record is not None and await sees_person_at(context, record["account_id"]):
        return record
    decision = await latest_decision(context, lead_id) if record is not None else None
    if decision is None or context.caller is None or decision.record.assignee_id != context.caller.user_id:
        # As if missing: FORBIDDEN would tell which lead ids exist.
        raise NotFound(f"no lead {lead_id!r}")
    return record


@strawberry.type
class LeadMutation:
    @strawberry.mutation(
        description="Move a lead's status (the moves the funnel allows, else INVALID_INPUT), recorded in its "
        "statusHistory with the reason and the caller.",
        permission_classes=[CanSetLeadStatus],
    )
    async def set_lead_status(
        self,
        info: Info[Context, None],
        lead_id: strawberry.ID,
        status: LeadStatus,
        reason: str | None = strawberry.UNSET,
    ) -> Lead:
        context = info.context
        record = await _settable_lead(context, str(lead_id))
        by = context.caller.author if context.caller else "anonymous"  # the permission lets no anonymous caller in
        await lifecycle.set_lead_status(context.db, record["id"], status, given(reason), by, context.now)
        context.loaders.forget(context.loaders.lead, record["id"])
        context.loaders.forget(context.loaders.status_history, record["id"])
        return Lead.from_record(await context.loaders.lead.load(record["id"]))
