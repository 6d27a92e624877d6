"""Lead lifecycle: every move of a lead's status is kept, with its time, reason and author.

A move is recorded in the transaction that makes it (:func:`record_status_changes`): one
``(Lead)-[:STATUS_CHANGED]->(LeadStatusChange {status, previous, at, reason, by})`` node, and a
``lead.status_changed`` webhook event. A rollback keeps neither; a commit keeps both. Who moves
a status, and the ``by`` it is recorded with:

* ``setLeadStatus`` (:func:`set_lead_status`) — the caller: its user id, else its key's name;
  only the moves :data:`graphsvc.funnel.LEAD_TRANSITIONS` allows, any other is INVALID_INPUT;
* routing — ``"routing"`` when a decision moves the lead (MQL when routed, NURTURE, DISQUALIFIED;
  ``routing/record_decisions`` writes those entries itself, in the statement that moves the leads),
  the caller when it accepts (SAL) or rejects (RECYCLED, with the reason) a decision, ``"sla"``
  when the SLA sweep recycles it after the last escalation;
* an import — ``"import"``, when a row brings a status that differs from the stored one, at the
  time of the import; a new lead imported with a status other than NEW records it with
  ``previous`` null at the lead's ``created_at`` (the status came with it); a repeated import
  records nothing;
* an imported history (kind ``lead_status_changes``, e.g. a CRM's lifecycle history) — each row
  as it happened, with its own ``by``; it replaces the arrival guessed above, the lead takes the
  status of its newest move, and no webhook is sent (it is the past).

A new lead starts as NEW without a history entry, so a history lists the moves only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.funnel import LEAD_TRANSITIONS, LeadStatus, moves_into
from graphsvc.store.database import Database, Transaction
from graphsvc.webhooks.events import Event, lead_status_event, record_events

__all__ = [
    "IMPORT",
    "ROUTING",
    "SLA",
    "StatusChange",
    "read_status_histories",
    "record_status_changes",
    "set_lead_status",
    "status_events",
]

IMPORT = "import"
ROUTING = "routing"
SLA = "sla"


@dataclass(frozen=True)
class StatusChange:
    """One move of a lead's status; ``previous`` is None when the lead arrived with ``status``."""

    lead_id: str
    status: str
    previous: str | None
    at: datetime
    by: str
    reason: str | None = None
    decision_id: str | None = None  # the routing decision that moved the lead, for the webhook event


async def record_status_changes(tx: Transaction, changes: Iterable[StatusChange]) -> None:
    """Record ``changes`` (those that move the status) and their webhook events, inside ``tx``."""
    moves = [change for change in changes if change.status != change.previous]
    if not moves:
        return
    await tx.run(
        "leads/record_status_changes",
        changes=[
            {
                "lead_id": c.lead_id,
                "status": c.status,
                "previous": c.previous,
                "at": c.at.isoformat(),
                "reason": c.reason,
                "by": c.by,
            }
            for c in moves
        ],
    )
    await record_events(tx, status_events(moves))


def status_events(changes: Iterable[StatusChange]) -> list[Event]:
    """The ``lead.status_changed`` webhook events of ``changes`` (none for a lead that arrived with its status)."""
    return [e for c in changes for e in lead_status_event(c.lead_id, c.previous, c.status, c.at, c.decision_id)]


async def set_lead_status(
    db: Database, lead_id: str, status: LeadStatus, reason: str | None, by: str, at: datetime
) -> None:
    """Move lead ``lead_id`` to ``status`` and record the move.

    Raises
    ------
    NotFound
        No lead has that id.
    InvalidInput
        The lead's status does not allow the move (setting the status it already has included).
    """
    reason = reason.strip() or None if reason else None

    async def work(tx: Transaction) -> str:
        rows = await tx.run(
            "leads/set_status",
            id=lead_id,
            lock=uuid.uuid4().hex,
            status=str(status),
            at=at.isoformat(),
            moves_from=[s for s in moves_into(status) if s != str(status)],
        )
        if not rows:
            raise NotFound(f"no lead {lead_id!r}")
        previous = rows[0]["previous"]
        if not rows[0]["allowed"]:
            allowed = sorted(LEAD_TRANSITIONS[LeadStatus(previous)])
            to = ", ".join(allowed) if allowed else "nothing (it is final)"
            raise InvalidInput(f"status: lead {lead_id} is {previous} and may move to {to}, not to {status}")
        await record_status_changes(tx, [StatusChange(lead_id, str(status), previous, at, by, reason)])
        return previous

    await db.transaction(f"status of lead {lead_id}", work)


async def read_status_histories(db: Database, lead_ids: Sequence[str]) -> dict[str, list[dict]]:
    """Each lead's status changes, oldest first (leads without any are left out)."""
    (answer,) = await db.read("leads/status_histories", ids=list(lead_ids))
    return {row["id"]: row["changes"] for row in answer["rows"]}
