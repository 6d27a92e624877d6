"""Routing decisions (SPEC §9.6): the record, and storing, closing and reading it.

A decision is stored as ``(RoutingDecision)-[:FOR]->(Lead)``, ``-[:ASSIGNED_TO]->(User)`` when
someone was assigned, and ``-[:ESCALATED_FROM]->(RoutingDecision)`` when it replaced an overdue
one. Its status starts PENDING (assigned) or UNASSIGNED (nurtured, disqualified, nobody able to
take the lead); a PENDING decision ends ACCEPTED, REJECTED, ESCALATED or RECYCLED, with the time
(``closed_at``) and reason of that move. A lead has at most one PENDING decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from graphsvc.errors import NotFound
from graphsvc.funnel import LeadStatus, moves_into
from graphsvc.lifecycle import SLA, StatusChange, record_status_changes
from graphsvc.store.database import Database, Record, Transaction
from graphsvc.webhooks.events import Event, WebhookEvent, record_events, routing_event

__all__ = [
    "NURTURE_RULES",
    "AssignedBy",
    "DecisionStatus",
    "PoolClaim",
    "RoutingDecision",
    "RoutingPath",
    "RoutingRule",
    "close_decision",
    "first_decisions",
    "new_id",
    "open_decision_id",
    "read_decision",
    "read_decisions",
    "record_decision",
]


class RoutingPath(StrEnum):
    """ABM (the lead's account is a target) or TRADITIONAL (every other lead)."""

    ABM = "ABM"
    TRADITIONAL = "TRADITIONAL"


class DecisionStatus(StrEnum):
    """Where a decision is in its SLA lifecycle."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ESCALATED = "ESCALATED"
    RECYCLED = "RECYCLED"
    UNASSIGNED = "UNASSIGNED"


class RoutingRule(StrEnum):
    """The rule that made a decision."""

    DISQUALIFIED = "DISQUALIFIED"  # never routed (SPEC §9.1)
    ABM_THRESHOLD = "ABM_THRESHOLD"  # lead score ≥ thresholds.abm at a target account
    ABM_ACCOUNT_STAGE = "ABM_ACCOUNT_STAGE"  # target account at MQA or beyond, lead score positive
    ABM_NURTURE = "ABM_NURTURE"  # target account, neither of the above
    MQL_THRESHOLD = "MQL_THRESHOLD"  # lead score ≥ thresholds.mql elsewhere
    NURTURE = "NURTURE"  # below the MQL threshold
    SLA_ESCALATION = "SLA_ESCALATION"  # the previous assignee let the SLA pass


NURTURE_RULES = frozenset({RoutingRule.ABM_NURTURE, RoutingRule.NURTURE})
"""The rules that send a lead to nurture instead of to sales."""


class AssignedBy(StrEnum):
    """How the assignee was found."""

    ACCOUNT_OWNER = "ACCOUNT_OWNER"
    ANCESTOR_OWNER = "ANCESTOR_OWNER"
    POOL = "POOL"
    MANAGER = "MANAGER"


@dataclass(frozen=True)
class RoutingDecision:
    """One routing decision about one lead.

    ``pool_slot`` is the pool rotation step a round-robin assignment took (1, 2, ... per pool);
    ``config_version`` and ``scoring_version`` are the routing and scoring documents it used.
    A dry-run decision (``dry_run``) was never stored.
    """

    id: str
    lead_id: str
    path: RoutingPath | None
    rule: RoutingRule
    threshold: float | None
    score: float
    status: DecisionStatus
    reasons: tuple[str, ...]
    decided_at: datetime
    sla_due_at: datetime | None = None
    assignee_id: str | None = None
    assigned_by: AssignedBy | None = None
    account_id: str | None = None
    pool: str | None = None
    pool_slot: int | None = None
    nurture_objectives: tuple[str, ...] = ()
    escalation_level: int = 0
    escalated_from: str | None = None
    config_version: int = 0
    scoring_version: int = 0
    closed_at: datetime | None = None
    close_reason: str | None = None
    dry_run: bool = field(default=False, compare=False)

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> RoutingDecision:
        """Build a decision from a row of ``routing/decisions_by_ids``."""
        d = row["decision"]
        return cls(
            id=d["id"],
            lead_id=row["lead_id"],
            path=RoutingPath(d["path"]) if d.get("path") else None,
            rule=RoutingRule(d["rule"]),
            threshold=d.get("threshold"),
            score=float(d.get("score") or 0.0),
            status=DecisionStatus(d["status"]),
            reasons=tuple(d.get("reasons") or ()),
            decided_at=_moment(row["decided_at"]),  # type: ignore[arg-type]
            sla_due_at=_moment(row["sla_due_at"]),
            assignee_id=row["assignee_id"],
            assigned_by=AssignedBy(d["assigned_by"]) if d.get("assigned_by") else None,
            account_id=d.get("account_id"),
            pool=d.get("pool"),
            pool_slot=d.get("pool_slot"),
            nurture_objectives=tuple(d.get("nurture_objectives") or ()),
            escalation_level=int(d.get("escalation_level") or 0),
            escalated_from=row["escalated_from"],
            config_version=int(d.get("config_version") or 0),
            scoring_version=int(d.get("scoring_version") or 0),
            closed_at=_moment(row["closed_at"]),
            close_reason=d.get("close_reason"),
        )

    def describe(self) -> str:
        """The decision as a few lines of text (the command line prints it)."""
        lines = [
            f"routing decision {self.id}{' (dry run, not stored)' if self.dry_run else ''} for lead {self.lead_id}",
            f"  path {self.path or 'none'}, rule {self.rule}, score {self.score:g}"
            + (f" (threshold {self.threshold:g})" if self.threshold is not None else ""),
            f"  status {self.status}"
            + (f", assigned to {self.assignee_id} ({self.assigned_by})" if self.assignee_id else "")
            + (f", SLA due {self.sla_due_at.isoformat()}" if self.sla_due_at else ""),
            f"  decided {self.decided_at.isoformat()}"
            f" under routing v{self.config_version}, scoring v{self.scoring_version}",
        ]
        return "\n".join([*lines, *(f"  - {reason}" for reason in self.reasons)])

    def properties(self) -> dict[str, Any]:
        """The node's stored properties other than id and times (relationships carry the rest)."""
        return {
            "path": self.path and str(self.path),
            "rule": str(self.rule),
            "threshold": self.threshold,
            "score": self.score,
            "status": str(self.status),
            "reasons": list(self.reasons),
            "assigned_by": self.assigned_by and str(self.assigned_by),
            "account_id": self.account_id,
            "pool": self.pool,
            "pool_slot": self.pool_slot,
            "nurture_objectives": list(self.nurture_objectives),
            "escalation_level": self.escalation_level,
            "config_version": self.config_version,
            "scoring_version": self.scoring_version,
        }


_CLOSE_EVENTS = {
    DecisionStatus.ACCEPTED: WebhookEvent.ROUTING_ACCEPTED,
    DecisionStatus.REJECTED: WebhookEvent.ROUTING_REJECTED,
}


def _moment(millis: int | None) -> datetime | None:
    return None if millis is None else datetime.fromtimestamp(millis / 1000.0, UTC)


def new_id() -> str:
    """A fresh decision id (also used as the lock value of one write attempt)."""
    return f"rd-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class PoolClaim:
    """The round-robin slot a decision takes: the pool's rotation as read, and as it becomes."""

    pool: str
    version: int
    members: tuple[str, ...]
    current: tuple[float, ...]


async def record_decision(
    db: Database,
    decision: RoutingDecision,
    *,
    claim: PoolClaim | None = None,
    lead_status: LeadStatus | None = None,
    replaces: str | None = None,
    replaced_reason: str | None = None,
    events: Sequence[Event] = (),
) -> Record | None:
    """Store ``decision`` if the facts it was made on still hold; None when they do not.

    The checks and the write are one statement (``routing/record_decision``): the lead's open
    decision is still ``replaces`` (none for a new routing), and with a ``claim`` the pool has
    not moved on and the assignee can still take the lead. ``lead_status`` is applied when the
    funnel allows the move from the lead's status at that moment. Returns the stored decision's
    ``id``, the lead's status after it (``lead_status``, null when the lead never had one) and the
    assignee with its open assignments after it (``assignee``, fields of ``api/users_by_ids``).
    ``events`` are queued for webhooks in the same transaction, when the decision is stored.
    """

    params = dict(
        id=decision.id,
        lock=decision.id,
        lead_id=decision.lead_id,
        replaces=replaces,
        replaced_reason=replaced_reason,
        pool=claim and claim.pool,
        pool_version=claim and claim.version,
        rotation_members=claim and list(claim.members),
        rotation_current=claim and list(claim.current),
        assignee_id=decision.assignee_id,
        props=decision.properties(),
        decided_at=decision.decided_at.isoformat(),
        sla_due_at=decision.sla_due_at and decision.sla_due_at.isoformat(),
        lead_status=lead_status and str(lead_status),
        lead_from=moves_into(lead_status) if lead_status else [],
    )

    async def work(tx: Transaction) -> list[Record]:
        rows = await tx.run("routing/record_decision", **params)
        if rows:
            await record_events(tx, events)
        return rows

    rows = await db.transaction("routing/record_decision", work)
    return rows[0] if rows else None


async def close_decision(
    db: Database,
    decision_id: str,
    status: DecisionStatus,
    at: datetime,
    lead_status: LeadStatus,
    reason: str | None = None,
    by: str = SLA,
) -> RoutingDecision | None:
    """Move a PENDING decision to ``status`` and its lead towards ``lead_status``; None if not PENDING.

    Returns the decision as closed. Its webhook events (``routing.accepted`` or ``routing.rejected``,
    and ``lead.status_changed`` when the lead moved) are queued, and the lead's move is added to its
    status history (by ``by``, with ``reason`` or else the decision's new status), in the same transaction.
    """

    async def work(tx: Transaction) -> RoutingDecision | None:
        rows = await tx.run(
            "routing/close_decision",
            id=decision_id,
            lock=new_id(),
            status=str(status),
            at=at.isoformat(),
            reason=reason,
            lead_status=str(lead_status),
            lead_from=moves_into(lead_status),
        )
        if not rows:
            return None
        row = rows[0]
        closed = RoutingDecision.from_record((await tx.run("routing/decisions_by_ids", ids=[decision_id]))[0])
        if status in _CLOSE_EVENTS:
            await record_events(tx, [routing_event(_CLOSE_EVENTS[status], closed)])
        change = StatusChange(
            row["lead_id"],
            row["lead_status"],
            row["previous_lead_status"],
            at,
            by,
            reason or f"routing decision {decision_id} {str(status).lower()}",
            decision_id,
        )
        await record_status_changes(tx, [change])
        return closed

    return await db.transaction("routing/close_decision", work)


async def read_decisions(db: Database, ids: Sequence[str]) -> list[RoutingDecision]:
    """The stored decisions among ``ids``, in the order given (unknown ids are left out)."""
    found = {row["decision"]["id"]: row for row in await db.read("routing/decisions_by_ids", ids=list(ids))}
    return [RoutingDecision.from_record(found[i]) for i in ids if i in found]


async def read_decision(db: Database, decision_id: str) -> RoutingDecision:
    """One stored decision; raises :class:`NotFound` when there is none with that id."""
    decisions = await read_decisions(db, [decision_id])
    if not decisions:
        raise NotFound(f"no routing decision {decision_id!r}")
    return decisions[0]


async def open_decision_id(db: Database, lead_id: str) -> str | None:
    """The id of the lead's PENDING decision, if any."""
    rows = await db.read("routing/open_decision", lead_id=lead_id)
    return rows[0]["id"] if rows else None


async def first_decisions(db: Database, lead_ids: Iterable[str]) -> dict[str, RoutingDecision]:
    """The first stored (non-escalation) decision of each lead that has one."""
    rows = await db.read("routing/lead_decisions", ids=list(lead_ids))
    by_decision = {row["decision_id"]: row["lead_id"] for row in rows}
    return {by_decision[d.id]: d for d in await read_decisions(db, list(by_decision))}
