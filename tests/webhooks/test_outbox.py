"""The outbox: each change queues its webhook events in its own transaction, on the real database.

No delivery worker runs here; what is checked is what each change leaves queued (and what a
rollback does not). The graph is the routing tests' (``routing_graph``): l-55 (score 55, c_level
at target acme, owned by ann) routes on the ABM path to u-ann with a 4 h SLA.
"""

from datetime import timedelta

import pytest
from webhook_support import NOWHERE, SCORING_MODEL, T0, deliveries, engagements, hours, import_rows, load_sales_graph
from webhook_support import payloads as queued

from graphsvc.routing import decisions
from graphsvc.routing.engine import route_lead
from graphsvc.routing.sla import accept_decision, reject_decision, sla_sweep
from graphsvc.scores.documents import save_document
from graphsvc.scores.recompute import recompute_graph
from graphsvc.stages import evaluate_stages
from graphsvc.webhooks.hooks import add_webhook, remove_webhook

pytestmark = pytest.mark.db


async def _hook(db, *events):
    return await add_webhook(db, NOWHERE, list(events), allow_private=True)


def _decision(decision, **changes):
    """The ``data.decision`` of an event about ``decision`` at T0 on the ABM path to ann (l-55)."""
    return {
        "id": decision.id,
        "leadId": "l-55",
        "accountId": "acme",
        "status": "PENDING",
        "path": "ABM",
        "rule": "ABM_THRESHOLD",
        "threshold": 50.0,
        "score": 55.0,
        "assigneeId": "u-ann",
        "assignedBy": "ACCOUNT_OWNER",
        "pool": None,
        "reasons": list(decision.reasons),
        "decidedAt": "2026-06-01T12:00:00+00:00",
        "slaDueAt": "2026-06-01T16:00:00+00:00",
        "escalationLevel": 0,
        "escalatedFrom": None,
        "closedAt": None,
        "closeReason": None,
        **changes,
    }


async def test_routing_and_accepting_queue_their_events_for_the_webhooks_subscribed(empty_db):
    db = empty_db
    await load_sales_graph(db)
    routing = await _hook(db, "routing.decided", "lead.status_changed")
    accepting = await _hook(db, "routing.accepted")
    stages_only = await _hook(db, "account.stage_changed")

    decision = await route_lead(db, "l-55", now=T0)
    events = await queued(db, routing.id)
    assert [(p["event"], p["occurredAt"]) for p in events] == [
        ("lead.status_changed", "2026-06-01T12:00:00+00:00"),
        ("routing.decided", "2026-06-01T12:00:00+00:00"),
    ]
    assert events[0]["data"] == {"leadId": "l-55", "status": "MQL", "previous": "NEW", "decisionId": decision.id}
    assert events[1]["data"] == {"decision": _decision(decision)}
    # One delivery per event and webhook, named by both; every event has an id of its own.
    assert [d.id for d in await deliveries(db, routing.id)] == [f"{p['id']}:{routing.id}" for p in events]
    assert len({p["id"] for p in events}) == 2
    assert {(d.status, d.attempts) for d in await deliveries(db, routing.id)} == {("PENDING", 0)}
    assert await queued(db, accepting.id) == [] and await queued(db, stages_only.id) == []

    accepted = await accept_decision(db, decision.id, now=hours(1))
    [event] = await queued(db, accepting.id)
    assert event["event"] == "routing.accepted" and event["occurredAt"] == "2026-06-01T13:00:00+00:00"
    assert event["data"] == {
        "decision": _decision(accepted, status="ACCEPTED", closedAt="2026-06-01T13:00:00+00:00")
    }
    status_changes = [p["data"] for p in await queued(db, routing.id) if p["event"] == "lead.status_changed"]
    assert {"leadId": "l-55", "status": "SAL", "previous": "MQL", "decisionId": decision.id} in status_changes
    assert await queued(db, stages_only.id) == []


async def test_a_rolled_back_change_queues_nothing(empty_db, monkeypatch):
    db = empty_db
    await load_sales_graph(db)
    hook = await _hook(db, "routing.decided", "routing.accepted", "lead.status_changed")
    decision = await route_lead(db, "l-55", now=T0)
    before = await deliveries(db, hook.id)
    assert len(before) == 2

    original = decisions.record_events

    async def then_fail(tx, events):
        await original(tx, events)  # the events are written in the transaction...
        raise RuntimeError("the process fails before the commit")  # ...which then rolls back

    monkeypatch.setattr(decisions, "record_events", then_fail)
    with pytest.raises(RuntimeError, match="before the commit"):
        await accept_decision(db, decision.id, now=hours(1))
    assert await deliveries(db, hook.id) == before
    assert (await decisions.read_decision(db, decision.id)).status is decisions.DecisionStatus.PENDING


async def test_rejection_and_escalation_queue_theirs(empty_db):
    db = empty_db
    await load_sales_graph(db)
    hook = await _hook(db, "routing.rejected", "routing.escalated", "routing.decided")
    owned = await route_lead(db, "l-55", now=T0)  # u-ann, due at 4 h
    pooled = await route_lead(db, "l-100", now=T0)  # the bdr pool, due at 24 h
    await reject_decision(db, pooled.id, "not a buyer", now=hours(1))
    report = await sla_sweep(db, now=hours(5))  # l-55's decision is overdue: to ann's manager meg
    [escalation] = report.escalated
    assert escalation.assignee_id == "u-meg"

    by_event = {}
    for payload in await queued(db, hook.id):
        by_event.setdefault(payload["event"], []).append(payload)
    [rejected] = by_event["routing.rejected"]
    assert rejected["data"]["decision"]["id"] == pooled.id
    assert rejected["data"]["decision"]["closeReason"] == "not a buyer"
    [escalated] = by_event["routing.escalated"]
    assert escalated["occurredAt"] == "2026-06-01T17:00:00+00:00"
    assert escalated["data"]["decision"]["id"] == owned.id
    assert escalated["data"]["decision"]["status"] == "ESCALATED"
    assert escalated["data"]["escalation"]["id"] == escalation.id
    assert escalated["data"]["escalation"]["escalatedFrom"] == owned.id
    # The new decision is a decision too.
    assert {p["data"]["decision"]["id"] for p in by_event["routing.decided"]} == {owned.id, pooled.id, escalation.id}


async def test_stage_changes_queue_stage_events_and_entering_mqa_its_own(empty_db):
    """t-mqa: two engaged committee members (150 points, engaged coverage 0.5) make it MQA at T0."""
    db = empty_db
    hook = await _hook(db, "account.stage_changed", "account.mqa")
    await import_rows(
        db,
        {
            "accounts": [{"id": "t-mqa", "name": "Mqa", "is_target": True}],
            "contacts": [
                {"id": "c-eb", "account_id": "t-mqa", "roles": "ECONOMIC_BUYER"},
                {"id": "c-dm", "account_id": "t-mqa", "roles": "DECISION_MAKER"},
            ],
            "engagements": [*engagements("c-eb", "demo", "pricing"), *engagements("c-dm", "demo", "pricing")],
        },
    )
    await save_document(db, "scoring", SCORING_MODEL)
    await recompute_graph(db, T0)
    mqa = {"accountId": "t-mqa", "stage": "MQA", "previous": None}
    assert [(p["event"], p["data"], p["occurredAt"]) for p in await queued(db, hook.id)] == [
        ("account.mqa", mqa, "2026-06-01T12:00:00+00:00"),
        ("account.stage_changed", mqa, "2026-06-01T12:00:00+00:00"),
    ]

    # Moving on from MQA is a stage change only.
    await import_rows(db, {"opportunities": [{"id": "o-1", "account_id": "t-mqa", "status": "OPEN"}]})
    await evaluate_stages(db, ["t-mqa"], as_of=T0 + timedelta(days=1))
    later = [p["data"] for p in await queued(db, hook.id) if p["occurredAt"] == "2026-06-02T12:00:00+00:00"]
    assert later == [{"accountId": "t-mqa", "stage": "OPPORTUNITY", "previous": "MQA"}]


async def test_an_import_that_changes_a_lead_status_queues_it_and_a_new_lead_does_not(empty_db):
    db = empty_db
    hook = await _hook(db, "lead.status_changed")
    await import_rows(db, {"leads": [{"id": "l-1", "email": "a@x.com"}, {"id": "l-2", "status": "MQL"}]})
    assert await queued(db, hook.id) == []  # new leads: no status changed

    await import_rows(
        db,
        {"leads": [{"id": "l-1", "status": "NURTURE"}, {"id": "l-2", "status": "MQL"}, {"id": "l-3", "email": "c@x"}]},
    )
    [event] = await queued(db, hook.id)
    assert event["data"] == {"leadId": "l-1", "status": "NURTURE", "previous": "NEW", "decisionId": None}


async def test_a_removed_webhook_gets_nothing_more_and_its_waiting_deliveries_are_cancelled(empty_db):
    db = empty_db
    hook = await _hook(db, "lead.status_changed")
    await import_rows(db, {"leads": [{"id": "l-1"}]})
    await import_rows(db, {"leads": [{"id": "l-1", "status": "MQL"}]})
    assert await remove_webhook(db, hook.id) is True
    assert await remove_webhook(db, hook.id) is False  # removed before
    await import_rows(db, {"leads": [{"id": "l-1", "status": "NURTURE"}]})
    assert [(d.status, d.payload["data"]["status"]) for d in await deliveries(db, hook.id)] == [("CANCELLED", "MQL")]
