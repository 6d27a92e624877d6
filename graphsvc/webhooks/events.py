"""Webhook events: their names, their payloads, and the outbox they are written to.

An event is written to the outbox in the transaction of the change it reports
(:func:`record_events`, one ``webhooks/record_events`` statement run through the change's own
:class:`~graphsvc.store.database.Transaction`): one ``WebhookDelivery`` node per event and per
active webhook subscribed to its name. A crash after the commit loses none of them, and a
rollback (or a retried transaction's discarded attempt) queues none. No event node is kept
beside the deliveries: an event that no webhook wants writes nothing.

Every delivery of one event carries the same body (:meth:`Event.body`)::

    {"id": "evt-…", "event": "routing.accepted", "occurredAt": "2026-06-01T12:00:00+00:00", "data": {…}}

``id`` is the event's, the same for every webhook and every attempt, so a receiver deduplicates by it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from graphsvc.store.database import Transaction

if TYPE_CHECKING:  # routing writes events: importing it here at run time would be circular
    from graphsvc.routing.decisions import RoutingDecision

__all__ = [
    "Event",
    "WebhookEvent",
    "account_stage_events",
    "decision_data",
    "lead_status_event",
    "record_events",
    "routing_event",
]


class WebhookEvent(StrEnum):
    """The events a webhook may subscribe to."""

    ROUTING_DECIDED = "routing.decided"  # a routing decision was stored (an escalation's new one too)
    ROUTING_ACCEPTED = "routing.accepted"
    ROUTING_REJECTED = "routing.rejected"
    ROUTING_ESCALATED = "routing.escalated"  # an overdue decision was passed on
    ACCOUNT_STAGE_CHANGED = "account.stage_changed"
    ACCOUNT_MQA = "account.mqa"  # an account's stage became MQA
    LEAD_STATUS_CHANGED = "lead.status_changed"


@dataclass(frozen=True)
class Event:
    """One change to report, with the id receivers deduplicate by."""

    event: WebhookEvent
    occurred_at: datetime
    data: dict[str, Any]
    id: str = field(default_factory=lambda: f"evt-{uuid.uuid4().hex}")

    def body(self) -> str:
        """The JSON every delivery of this event sends, byte for byte (it is what is signed)."""
        payload = {"id": self.id, "event": str(self.event), "occurredAt": self.occurred_at.isoformat()}
        return json.dumps({**payload, "data": self.data}, ensure_ascii=False, separators=(",", ":"))


async def record_events(tx: Transaction, events: Iterable[Event]) -> None:
    """Queue ``events`` for every active webhook subscribed to them, inside the change's transaction ``tx``."""
    rows = [{"id": e.id, "event": str(e.event), "payload": e.body()} for e in events]
    if rows:
        await tx.run("webhooks/record_events", events=rows, now=datetime.now(UTC).isoformat())


def _moment(value: datetime | None) -> str | None:
    return value and value.isoformat()


def decision_data(decision: RoutingDecision) -> dict[str, Any]:
    """A routing decision as events show it (the API's field names, ids for the nodes it points at)."""
    return {
        "id": decision.id,
        "leadId": decision.lead_id,
        "accountId": decision.account_id,
        "status": str(decision.status),
        "path": decision.path and str(decision.path),
        "rule": str(decision.rule),
        "threshold": decision.threshold,
        "score": decision.score,
        "assigneeId": decision.assignee_id,
        "assignedBy": decision.assigned_by and str(decision.assigned_by),
        "pool": decision.pool,
        "reasons": list(decision.reasons),
        "decidedAt": _moment(decision.decided_at),
        "slaDueAt": _moment(decision.sla_due_at),
        "escalationLevel": decision.escalation_level,
        "escalatedFrom": decision.escalated_from,
        "closedAt": _moment(decision.closed_at),
        "closeReason": decision.close_reason,
    }


def routing_event(event: WebhookEvent, decision: RoutingDecision, **extra: Any) -> Event:
    """``routing.*``: ``{"decision": …}`` (and ``extra``), at the moment the decision was made or closed."""
    at = decision.closed_at if event is not WebhookEvent.ROUTING_DECIDED and decision.closed_at else decision.decided_at
    return Event(event, at, {"decision": decision_data(decision), **extra})


def lead_status_event(
    lead_id: str, previous: str | None, status: str | None, at: datetime, decision_id: str | None = None
) -> list[Event]:
    """``lead.status_changed`` when ``status`` differs from ``previous`` (none otherwise, nor for a new lead).

    ``decisionId`` names the routing decision that moved the lead; null when an import did.
    """
    if previous is None or status is None or previous == status:
        return []
    data = {"leadId": lead_id, "status": status, "previous": previous, "decisionId": decision_id}
    return [Event(WebhookEvent.LEAD_STATUS_CHANGED, at, data)]


def account_stage_events(account_id: str, previous: str | None, stage: str | None, at: datetime) -> list[Event]:
    """``account.stage_changed``, and ``account.mqa`` as well when the new stage is MQA (null: out of the funnel)."""
    data = {"accountId": account_id, "stage": stage, "previous": previous}
    events = [Event(WebhookEvent.ACCOUNT_STAGE_CHANGED, at, data)]
    if stage == "MQA":
        events.append(Event(WebhookEvent.ACCOUNT_MQA, at, data))
    return events
