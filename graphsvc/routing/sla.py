"""The SLA lifecycle of a routing decision (SPEC §9.7).

An assignee accepts a PENDING decision (ACCEPTED, the lead becomes SAL) or rejects it with a
reason (REJECTED, the lead becomes RECYCLED). A PENDING decision still open at its ``sla_due_at``
is escalated by :func:`sla_sweep`:

- a decision that came from a pool goes to the pool's next member by round robin, skipping
  everyone who already held the lead; when nobody there can take it, to the assignee's manager
  (``REPORTS_TO``, active);
- any other decision (the account owner's) goes to the assignee's manager, else to the next
  member of its path's pool;
- the old decision becomes ESCALATED and the new one, PENDING with a fresh SLA of its path, is
  linked to it by ``ESCALATED_FROM``; after ``escalation_depth`` escalations (routing document)
  an overdue decision is RECYCLED, and so is its lead. A decision with nobody to escalate to is
  recycled at once.

Every move is published (:mod:`graphsvc.routing.events`) and queued for webhooks in its own
transaction (``routing.accepted``, ``routing.rejected``, ``routing.escalated`` with the new
decision's ``routing.decided``, and ``lead.status_changed``). Several sweeps may run at once (one per
graphsvc instance): a decision is escalated or recycled by one of them only.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.algorithms.scoring import to_utc
from graphsvc.errors import GraphsvcError, InvalidInput
from graphsvc.funnel import LeadStatus
from graphsvc.lifecycle import ROUTING
from graphsvc.routing import events
from graphsvc.routing.decisions import (
    AssignedBy,
    DecisionStatus,
    RoutingDecision,
    RoutingPath,
    RoutingRule,
    close_decision,
    new_id,
    open_decision_id,
    read_decision,
    read_decisions,
    record_decision,
)
from graphsvc.routing.round_robin import Pick, read_pool
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.store.database import Database
from graphsvc.webhooks.events import WebhookEvent, decision_data, routing_event

__all__ = ["SweepReport", "accept_decision", "reject_decision", "sla_sweep", "sla_sweep_loop"]

log = logging.getLogger(__name__)

_ATTEMPTS = 200  # as in the engine: each lost race means another routing took a pool slot


async def accept_decision(
    db: Database, decision_id: str, now: datetime | None = None, by: str | None = None
) -> RoutingDecision:
    """Accept a PENDING decision: ACCEPTED, and the lead becomes SAL (recorded as moved by ``by``).

    Raises
    ------
    NotFound
        No decision has that id.
    InvalidInput
        The decision is not PENDING (already accepted, rejected, escalated, recycled or unassigned).
    """
    return await _close(db, decision_id, DecisionStatus.ACCEPTED, LeadStatus.SAL, None, now, by)


async def reject_decision(
    db: Database, decision_id: str, reason: str, now: datetime | None = None, by: str | None = None
) -> RoutingDecision:
    """Reject a PENDING decision with a reason: REJECTED, and the lead is RECYCLED (moved by ``by``).

    Raises
    ------
    NotFound, InvalidInput
        As :func:`accept_decision`; also when the reason is blank.
    """
    if not reason or not reason.strip():
        raise InvalidInput("rejecting a routing decision needs a reason")
    return await _close(db, decision_id, DecisionStatus.REJECTED, LeadStatus.RECYCLED, reason.strip(), now, by)


async def _close(
    db: Database,
    decision_id: str,
    status: DecisionStatus,
    lead_status: LeadStatus,
    reason: str | None,
    now: datetime | None,
    by: str | None,
) -> RoutingDecision:
    moment = to_utc(now) if now else datetime.now(UTC)
    # Without a caller (the CLI, a script) the move is the routing's own.
    decision = await close_decision(db, decision_id, status, moment, lead_status, reason, by or ROUTING)
    if decision is None:
        current = await read_decision(db, decision_id)
        raise InvalidInput(
            f"routing decision {decision_id} is {current.status}; only a PENDING decision can be {status.lower()}"
        )
    events.publish(decision)
    return decision


@dataclass
class SweepReport:
    """What one sweep did: the new (escalated) decisions and the recycled ones."""

    at: datetime
    escalated: list[RoutingDecision] = field(default_factory=list)
    recycled: list[RoutingDecision] = field(default_factory=list)
    overdue: int = 0


async def sla_sweep(db: Database, now: datetime | None = None) -> SweepReport:
    """Escalate or recycle every PENDING decision whose SLA has passed at ``now`` (default now)."""
    now = to_utc(now) if now else datetime.now(UTC)
    documents = await documents_in_force(db)
    rows = await db.read("routing/overdue_decisions", now=now.isoformat())
    report = SweepReport(now, overdue=len(rows))
    decisions = {d.id: d for d in await read_decisions(db, [row["id"] for row in rows])}
    for row in rows:
        decision = decisions[row["id"]]
        if decision.escalation_level >= documents.routing.escalation_depth:
            times = "once" if decision.escalation_level == 1 else f"{decision.escalation_level} times"
            await _recycle(db, decision, now, f"not accepted within its SLA, escalated {times}", report)
            continue
        await _escalate(db, decision, row, documents, now, report)
    return report


async def _recycle(db: Database, decision: RoutingDecision, now: datetime, reason: str, report: SweepReport) -> None:
    recycled = await close_decision(db, decision.id, DecisionStatus.RECYCLED, now, LeadStatus.RECYCLED, reason)
    if recycled is not None:
        report.recycled.append(recycled)
        events.publish(recycled)


async def _escalate(
    db: Database,
    decision: RoutingDecision,
    row: dict[str, Any],
    documents: DocumentsInForce,
    now: datetime,
    report: SweepReport,
) -> None:
    rules = documents.routing
    path_rules = rules.abm if decision.path is RoutingPath.ABM else rules.traditional
    assignee = row["assignee"] or {"id": decision.assignee_id, "name": None}
    held = {decision.assignee_id, *row["earlier_assignees"]}
    manager = row["manager"]
    pool = decision.pool or path_rules.pool
    missed = _label(assignee) + (
        f" did not accept within {_hours(decision):g} h (due {decision.sla_due_at and decision.sla_due_at.isoformat()})"
    )
    for _ in range(_ATTEMPTS):
        pick = await _pick(db, pool, held)
        to_manager = manager is not None and manager.get("active") is not False and manager["id"] not in held
        # A pool decision stays in its pool while someone there can take it; others go up first.
        use_manager = to_manager and (decision.pool is None or pick.member is None)
        if not use_manager and pick.member is None:
            nobody = f"nobody to escalate to: {'; '.join(pick.reasons)}" + ("" if manager else "; no manager")
            await _recycle(db, decision, now, f"{missed}; {nobody}", report)
            return
        if use_manager:
            assignee_id, how = manager["id"], AssignedBy.MANAGER
            found: tuple[str, ...] = (f"escalated to {_label(assignee)}'s manager {_label(manager)}",)
            claim = None
        else:
            assert pick.member is not None
            assignee_id, how, found, claim = pick.member.id, AssignedBy.POOL, pick.reasons, pick.claim
        escalation = RoutingDecision(
            id=new_id(),
            lead_id=decision.lead_id,
            path=decision.path,
            rule=RoutingRule.SLA_ESCALATION,
            threshold=decision.threshold,
            score=decision.score,
            status=DecisionStatus.PENDING,
            reasons=(missed, *found),
            decided_at=now,
            sla_due_at=now + timedelta(hours=path_rules.sla_hours),
            assignee_id=assignee_id,
            assigned_by=how,
            account_id=decision.account_id,
            pool=pool if claim else None,
            pool_slot=claim.version + 1 if claim else None,
            escalation_level=decision.escalation_level + 1,
            escalated_from=decision.id,
            config_version=rules.version,
            scoring_version=decision.scoring_version,
        )
        escalated = replace(decision, status=DecisionStatus.ESCALATED, closed_at=now, close_reason=missed)
        webhook_events = [
            routing_event(WebhookEvent.ROUTING_ESCALATED, escalated, escalation=decision_data(escalation)),
            routing_event(WebhookEvent.ROUTING_DECIDED, escalation),
        ]
        if await record_decision(
            db, escalation, claim=claim, replaces=decision.id, replaced_reason=missed, events=webhook_events
        ):
            report.escalated.append(escalation)
            for moved in await read_decisions(db, [decision.id]):
                events.publish(moved)
            events.publish(escalation)
            return
        if await open_decision_id(db, decision.lead_id) != decision.id:
            return  # accepted, rejected or escalated meanwhile
    log.warning("escalating routing decision %s kept losing its pool slot; left for the next sweep", decision.id)


async def _pick(db: Database, pool: str, held: set[str | None]) -> Pick:
    return (await read_pool(db, pool)).next_member(exclude={i for i in held if i})


def _label(user: dict[str, Any]) -> str:
    return f"{user['name']} ({user['id']})" if user.get("name") else str(user["id"])


def _hours(decision: RoutingDecision) -> float:
    if decision.sla_due_at is None:
        return 0.0
    return round((decision.sla_due_at - decision.decided_at).total_seconds() / 3600.0, 2)


async def sla_sweep_loop(db: Database, interval_seconds: float = 60.0) -> None:
    """Run :func:`sla_sweep` every ``interval_seconds`` until cancelled (the server's background task).

    A failed sweep is logged and the next one runs on time.
    """
    while True:
        try:
            report = await sla_sweep(db)
            if report.escalated or report.recycled:
                log.info("SLA sweep: %d escalated, %d recycled", len(report.escalated), len(report.recycled))
        except GraphsvcError as exc:
            log.warning("SLA sweep failed: %s", exc)
        await asyncio.sleep(interval_seconds)
