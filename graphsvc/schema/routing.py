"""Routing in the API: decisions, the caller's queue, routeLead / accept / reject, and the live feed.

A REP sees only decisions assigned to its own user, may accept or reject only those, and
subscribes only to its own; ADMIN sees and does everything; INTEGRATION may route leads (a CRM
sync routes what it pushes) but read nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from graphsvc.auth import Role
from graphsvc.errors import Forbidden, NotFound
from graphsvc.routing import decisions as domain
from graphsvc.routing import engine
from graphsvc.routing.events import subscribe
from graphsvc.routing.sla import accept_decision, reject_decision
from graphsvc.schema.arguments import given
from graphsvc.schema.context import Context
from graphsvc.schema.pagination import Connection, PageWindow
from graphsvc.schema.permissions import CanActOnRouting, CanRead, CanRouteLeads
from graphsvc.schema.user import User
from graphsvc.store.database import Record

if TYPE_CHECKING:
    from graphsvc.schema.lead import Lead

__all__ = [
    "DecisionStatus",
    "RoutingDecision",
    "RoutingMutation",
    "RoutingPath",
    "RoutingQuery",
    "RoutingSubscription",
    "lead_record",
]

# The lead module is above this one (a lead shows its routing): its type is resolved when used.
_LEAD = strawberry.LazyType("Lead", "graphsvc.schema.lead")

RoutingPath = strawberry.enum(domain.RoutingPath, description="ABM (account owner) or traditional (BDR pool) routing.")
DecisionStatus = strawberry.enum(domain.DecisionStatus, description="Where a routing decision is in its SLA lifecycle.")


@strawberry.type(description="Who got a lead, why, and by when it must be accepted (SPEC §9).")
class RoutingDecision:
    id: strawberry.ID
    path: RoutingPath | None
    rule: str
    threshold: float | None
    score: float
    status: DecisionStatus
    reasons: list[str]
    decided_at: datetime
    sla_due_at: datetime | None

    record: strawberry.Private[domain.RoutingDecision]

    @classmethod
    def from_record(cls, record: domain.RoutingDecision) -> RoutingDecision:
        return cls(
            id=strawberry.ID(record.id),
            path=record.path,
            rule=str(record.rule),
            threshold=record.threshold,
            score=record.score,
            status=record.status,
            reasons=list(record.reasons),
            decided_at=record.decided_at,
            sla_due_at=record.sla_due_at,
            record=record,
        )

    @strawberry.field(description="The lead routed.")
    async def lead(self, info: Info[Context, None]) -> Annotated[Lead, strawberry.lazy("graphsvc.schema.lead")]:
        record = await info.context.loaders.lead.load(self.record.lead_id)
        return _LEAD.resolve_type().from_record(record)

    @strawberry.field(description="The user the lead is assigned to; null when nobody could take it.")
    async def assignee(self, info: Info[Context, None]) -> User | None:
        if self.record.assignee_id is None:
            return None
        record = await info.context.loaders.user.load(self.record.assignee_id)
        return User.from_record(record) if record is not None else None


def lead_record(facts: engine.LeadFacts) -> Record:
    """The lead's record as ``api/leads_by_ids`` reads it, built from routing's facts."""
    lead = facts.lead
    return {
        "id": lead["id"],
        **{field: lead.get(field) for field in ("email", "first_name", "last_name", "company", "title", "status")},
        "account_id": facts.account["id"] if facts.account else None,
        "match_method": facts.match_method,
        "match_confidence": facts.match_confidence,
    }


def _visible(context: Context, decision: domain.RoutingDecision) -> bool:
    caller = context.caller
    return caller is not None and (caller.role is not Role.REP or decision.assignee_id == caller.user_id)


async def latest_decision(context: Context, lead_id: str) -> RoutingDecision | None:
    """The newest stored decision about a lead, if the caller may see it."""
    decision_id = await context.loaders.latest_decision.load(lead_id)
    if decision_id is None:
        return None
    decisions = await domain.read_decisions(context.db, [decision_id])
    if not decisions or not _visible(context, decisions[0]):
        return None
    return RoutingDecision.from_record(decisions[0])


async def _own_decision(context: Context, decision_id: str) -> domain.RoutingDecision:
    decision = await domain.read_decision(context.db, decision_id)
    if not _visible(context, decision):
        # As if missing (read_decision's answer): FORBIDDEN would tell which decision ids exist.
        raise NotFound(f"no routing decision {decision_id!r}")
    return decision


@strawberry.type
class RoutingQuery:
    @strawberry.field(
        description="The caller's open (PENDING) routing decisions, soonest SLA first; for a key without a user "
        "(ADMIN, STRATEGIST) every open decision.",
        permission_classes=[CanRead],
    )
    async def my_queue(
        self, info: Info[Context, None], first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> Connection[RoutingDecision]:
        context = info.context
        window = PageWindow.of(given(first), given(after), context.limits)
        assignee = context.caller.user_id if context.caller else None
        rows = await context.db.read("api/queue_page", assignee=assignee, skip=window.offset, limit=window.size + 1)
        ids = [row["id"] for row in rows]
        records = await domain.read_decisions(context.db, ids[: window.size])

        async def count() -> int:
            return (await context.db.read("api/queue_count", assignee=assignee))[0]["total"]

        nodes = [RoutingDecision.from_record(record) for record in records]
        return Connection.from_page(nodes, window, len(ids) > window.size, count)


@strawberry.type
class RoutingMutation:
    @strawberry.mutation(
        description="Route a lead (SPEC §9): ABM path to the account owner at the abm threshold, traditional path "
        "to the BDR pool at the mql threshold, else nurture. dryRun decides without writing.",
        permission_classes=[CanRouteLeads],
    )
    async def route_lead(
        self, info: Info[Context, None], lead_id: strawberry.ID, dry_run: bool | None = False
    ) -> RoutingDecision:
        routed = await engine.route(info.context.db, str(lead_id), dry_run=bool(dry_run), now=info.context.now)
        # The answer's `lead` and `assignee` need no read of their own: routing has them.
        if routed.lead is not None:
            info.context.loaders.lead.prime(routed.lead.id, lead_record(routed.lead))
        if routed.assignee is not None:
            info.context.loaders.user.prime(routed.assignee["id"], routed.assignee)
        return RoutingDecision.from_record(routed.decision)

    @strawberry.mutation(
        description="Accept a routed lead: the decision is ACCEPTED, the lead SAL (when its status allows).",
        permission_classes=[CanActOnRouting],
    )
    async def accept_routing(self, info: Info[Context, None], decision_id: strawberry.ID) -> RoutingDecision:
        context = info.context
        await _own_decision(context, str(decision_id))
        caller = context.caller
        by = caller.author if caller else None
        return RoutingDecision.from_record(await accept_decision(context.db, str(decision_id), context.now, by))

    @strawberry.mutation(
        description="Reject a routed lead with a reason: the decision is REJECTED, the lead RECYCLED.",
        permission_classes=[CanActOnRouting],
    )
    async def reject_routing(
        self, info: Info[Context, None], decision_id: strawberry.ID, reason: str
    ) -> RoutingDecision:
        context = info.context
        await _own_decision(context, str(decision_id))
        caller = context.caller
        by = caller.author if caller else None
        return RoutingDecision.from_record(await reject_decision(context.db, str(decision_id), reason, context.now, by))


@strawberry.type
class RoutingSubscription:
    @strawberry.subscription(
        description="Every routing decision and SLA transition as it happens; assigneeId keeps one user's. A REP "
        "hears only its own.",
        permission_classes=[CanRead],
    )
    async def routing_decisions(
        self, info: Info[Context, None], assignee_id: strawberry.ID | None = strawberry.UNSET
    ) -> AsyncGenerator[RoutingDecision, None]:
        caller = info.context.caller
        wanted = given(assignee_id)
        if caller is not None and caller.role is Role.REP:
            if wanted is not None and str(wanted) != caller.user_id:
                raise Forbidden("a REP key may subscribe only to its own routing decisions")
            wanted = caller.user_id
        async with subscribe(str(wanted) if wanted is not None else None) as feed:
            async for decision in feed:
                yield RoutingDecision.from_record(decision)
