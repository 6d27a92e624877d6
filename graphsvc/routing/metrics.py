"""Team SLA metrics (SPEC §9): how quickly sales take up routed leads, by routing path.

Over the decisions made in ``[since, until)``, per path and in total:

``decisions``
    every routing decision on the path (nurtured and unassigned ones included).
``assignments``
    decisions assigning the lead to someone, escalations included: each one is an SLA clock.
``settled``
    assignments whose outcome is known at ``until``: closed (accepted, rejected, escalated,
    recycled) or still PENDING past their due time.
``accepted``, ``accepted_within_sla``
    assignments accepted, and accepted at or before their ``sla_due_at``.
``share_accepted_within_sla``
    ``accepted_within_sla / settled`` (None when nothing is settled): an assignment still
    running inside its SLA counts neither way.
``median_hours_to_accept``
    median hours from an assignment to its acceptance (None when none was accepted).
``escalations``, ``recycles``, ``rejections``
    assignments escalated by the SLA sweep, recycled after the last escalation, rejected.
``pending``, ``overdue``
    assignments still PENDING at the time of the query, and those of them past due at ``until``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from graphsvc.algorithms.scoring import to_utc
from graphsvc.errors import InvalidInput
from graphsvc.routing.decisions import DecisionStatus, RoutingPath
from graphsvc.store.database import Database

__all__ = ["sla_metrics", "summarize"]

_MS_PER_HOUR = 3_600_000.0


async def sla_metrics(
    db: Database,
    since: datetime,
    until: datetime | None = None,
    *,
    tier: int | None = None,
    owner_id: str | None = None,
    industry: str | None = None,
) -> dict[str, Any]:
    """SLA metrics of the decisions made in ``[since, until)`` (``until`` default now).

    ``tier``, ``owner_id`` and ``industry`` (lower case) keep the decisions about leads matched to
    an account of that tier or owner, and in that segment (the account's industry, else the lead's).

    Returns
    -------
    dict
        ``{"since", "until", "by_path": {"ABM": {...}, "TRADITIONAL": {...}}, "total": {...}}``
        with the figures of the module docstring; JSON-ready.
    """
    since, until = to_utc(since), to_utc(until) if until else datetime.now(UTC)
    if until <= since:
        raise InvalidInput(f"the SLA window is empty: until {until.isoformat()} is not after since {since.isoformat()}")
    rows = await db.read(
        "routing/decisions_between",
        since=since.isoformat(),
        until=until.isoformat(),
        tier=tier,
        owner_id=owner_id,
        industry=industry,
    )
    until_ms = int(until.timestamp() * 1000)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "by_path": {str(path): summarize((r for r in rows if r["path"] == path), until_ms) for path in RoutingPath},
        "total": summarize(rows, until_ms),
    }


def summarize(rows: Iterable[dict[str, Any]], until_ms: int) -> dict[str, Any]:
    """The figures of the module docstring over rows of ``routing/decisions_between``."""
    rows = list(rows)
    assigned = [r for r in rows if r["assigned"]]
    accepted = [r for r in assigned if r["status"] == DecisionStatus.ACCEPTED]
    pending = [r for r in assigned if r["status"] == DecisionStatus.PENDING]
    overdue = [r for r in pending if r["sla_due_at"] is not None and r["sla_due_at"] < until_ms]
    settled = len(assigned) - len(pending) + len(overdue)
    within = [r for r in accepted if r["sla_due_at"] is None or r["closed_at"] <= r["sla_due_at"]]
    hours = [(r["closed_at"] - r["decided_at"]) / _MS_PER_HOUR for r in accepted]
    return {
        "decisions": len(rows),
        "assignments": len(assigned),
        "settled": settled,
        "accepted": len(accepted),
        "accepted_within_sla": len(within),
        "share_accepted_within_sla": len(within) / settled if settled else None,
        "median_hours_to_accept": statistics.median(hours) if hours else None,
        "escalations": sum(r["status"] == DecisionStatus.ESCALATED for r in assigned),
        "recycles": sum(r["status"] == DecisionStatus.RECYCLED for r in assigned),
        "rejections": sum(r["status"] == DecisionStatus.REJECTED for r in assigned),
        "pending": len(pending),
        "overdue": len(overdue),
    }
