"""The SLA lifecycle on the real database: accept, reject, escalate, recycle, publish, measure."""

import asyncio
from datetime import timedelta

import pytest
from conftest import GUARD
from routing_graph import T0, hours, load_sales_graph

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.lifecycle import read_status_histories
from graphsvc.routing import events
from graphsvc.routing.decisions import AssignedBy, DecisionStatus, RoutingRule, read_decision
from graphsvc.routing.engine import route_lead
from graphsvc.routing.metrics import sla_metrics
from graphsvc.routing.sla import accept_decision, reject_decision, sla_sweep, sla_sweep_loop

pytestmark = pytest.mark.db


async def _status(db, lead_id):
    return (await db.read("routing/lead_facts", ids=[lead_id], known_documents=[]))[0]["lead"]["status"]


async def test_accept_makes_the_lead_sal_and_reject_recycles_it_with_the_reason(empty_db):
    await load_sales_graph(empty_db)
    owner = await route_lead(empty_db, "l-55", now=T0)
    pooled = await route_lead(empty_db, "l-100", now=T0)

    accepted = await accept_decision(empty_db, owner.id, now=hours(1))
    assert (accepted.status, accepted.closed_at) == (DecisionStatus.ACCEPTED, hours(1))
    assert await _status(empty_db, "l-55") == "SAL"

    rejected = await reject_decision(empty_db, pooled.id, "  student project, not a buyer ", now=hours(2))
    assert (rejected.status, rejected.close_reason) == (DecisionStatus.REJECTED, "student project, not a buyer")
    assert await _status(empty_db, "l-100") == "RECYCLED"

    # Routing a lead sales already accepted assigns it again but does not send it back to MQL.
    rerouted = await route_lead(empty_db, "l-55", now=T0)
    assert rerouted.id != owner.id and rerouted.assignee_id == "u-ann"
    assert await _status(empty_db, "l-55") == "SAL"

    with pytest.raises(InvalidInput, match="is ACCEPTED; only a PENDING decision can be accepted"):
        await accept_decision(empty_db, owner.id)
    with pytest.raises(InvalidInput, match="needs a reason"):
        await reject_decision(empty_db, owner.id, " ")
    with pytest.raises(NotFound):
        await accept_decision(empty_db, "rd-none")
    # A recycled lead can be routed again.
    again = await route_lead(empty_db, "l-100", now=T0)  # at T0: 3 h of decay would take it below 100
    assert again.status is DecisionStatus.PENDING and await _status(empty_db, "l-100") == "MQL"


async def test_overdue_pool_decision_is_escalated_through_the_pool_then_the_manager_then_recycled(empty_db):
    await load_sales_graph(empty_db)
    feed = events.subscribe()
    bea_feed = events.subscribe("u-bea")
    first = await route_lead(empty_db, "l-100", now=T0)  # bea, due T0 + 24 h
    assert first.assignee_id == "u-bea"

    assert (await sla_sweep(empty_db, hours(23))).overdue == 0
    report = await sla_sweep(empty_db, hours(25))
    [second] = report.escalated
    # Bea held it; Bo is inactive: Ben is the only pool member left.
    assert (second.assignee_id, second.assigned_by, second.escalation_level) == ("u-ben", AssignedBy.POOL, 1)
    assert (second.rule, second.escalated_from, second.status) == (
        RoutingRule.SLA_ESCALATION,
        first.id,
        DecisionStatus.PENDING,
    )
    assert second.sla_due_at == hours(25 + 24)
    assert second.reasons[0] == f"Bea (u-bea) did not accept within 24 h (due {hours(24).isoformat()})"
    assert (second.score, second.path) == (first.score, first.path)
    old = await read_decision(empty_db, first.id)
    assert (old.status, old.closed_at, old.close_reason) == (DecisionStatus.ESCALATED, hours(25), second.reasons[0])
    assert await read_decision(empty_db, second.id) == second

    # Nobody in the pool is left, so Ben's manager Meg takes it.
    [third] = (await sla_sweep(empty_db, hours(50))).escalated
    assert (third.assignee_id, third.assigned_by, third.escalation_level) == ("u-meg", AssignedBy.MANAGER, 2)
    assert third.escalated_from == second.id
    assert "escalated to Ben (u-ben)'s manager Meg (u-meg)" in third.reasons

    # Depth 2 reached: the next miss recycles the lead.
    report = await sla_sweep(empty_db, hours(75))
    assert report.escalated == []
    [recycled] = report.recycled
    assert (recycled.id, recycled.status, recycled.closed_at) == (third.id, DecisionStatus.RECYCLED, hours(75))
    assert recycled.close_reason == "not accepted within its SLA, escalated 2 times"
    assert await _status(empty_db, "l-100") == "RECYCLED"
    # The history: routing made it MQL at T0, the sweep recycled it (escalations moved no status).
    history = (await read_status_histories(empty_db, ["l-100"]))["l-100"]
    assert [(c["status"], c["previous"], c["at"], c["reason"], c["by"]) for c in history] == [
        ("MQL", "NEW", T0.timestamp() * 1000, "routing rule MQL_THRESHOLD", "routing"),
        ("RECYCLED", "MQL", hours(75).timestamp() * 1000, "not accepted within its SLA, escalated 2 times", "sla"),
    ]
    assert (await sla_sweep(empty_db, hours(100))).overdue == 0

    published = [feed._queue.get_nowait() for _ in range(feed._queue.qsize())]
    assert [(d.id, d.status) for d in published] == [
        (first.id, DecisionStatus.PENDING),
        (first.id, DecisionStatus.ESCALATED),
        (second.id, DecisionStatus.PENDING),
        (second.id, DecisionStatus.ESCALATED),
        (third.id, DecisionStatus.PENDING),
        (third.id, DecisionStatus.RECYCLED),
    ]
    assert [(d.id, d.status) for d in [bea_feed._queue.get_nowait() for _ in range(bea_feed._queue.qsize())]] == [
        (first.id, DecisionStatus.PENDING),
        (first.id, DecisionStatus.ESCALATED),
    ]
    feed.close()
    bea_feed.close()


async def test_overdue_owner_decision_goes_to_the_owners_manager(empty_db):
    await load_sales_graph(empty_db)
    owner = await route_lead(empty_db, "l-55", now=T0)  # ann, ABM: due in 4 h
    [escalated] = (await sla_sweep(empty_db, hours(5))).escalated
    assert (escalated.assignee_id, escalated.assigned_by) == ("u-meg", AssignedBy.MANAGER)
    assert escalated.sla_due_at == hours(5 + 4)
    assert escalated.reasons[0] == f"Ann (u-ann) did not accept within 4 h (due {hours(4).isoformat()})"
    # Accepting the escalated decision closes the lead's SLA clock.
    await accept_decision(empty_db, escalated.id, now=hours(6))
    assert await _status(empty_db, "l-55") == "SAL"
    assert (await read_decision(empty_db, owner.id)).status is DecisionStatus.ESCALATED


async def test_concurrent_sweeps_escalate_a_decision_once(empty_db):
    await load_sales_graph(empty_db)
    first = await route_lead(empty_db, "l-100", now=T0)
    reports = await asyncio.gather(*(sla_sweep(empty_db, hours(25)) for _ in range(5)))
    escalated = [d for report in reports for d in report.escalated]
    assert len(escalated) == 1 and escalated[0].escalated_from == first.id
    rows = await empty_db.read("routing/open_decision", lead_id="l-100")
    assert rows == [{"id": escalated[0].id}]


async def test_subscribers_hear_decisions_as_they_are_made(empty_db):
    await load_sales_graph(empty_db)
    feed = events.subscribe("u-ann")
    waiting = asyncio.ensure_future(anext(feed))
    await asyncio.sleep(0)
    decision = await route_lead(empty_db, "l-55", now=T0)
    assert (await asyncio.wait_for(waiting, 5)) == decision
    feed.close()
    with pytest.raises(StopAsyncIteration):
        await anext(feed)


async def test_the_sweep_loop_runs_until_cancelled(empty_db):
    await load_sales_graph(empty_db)
    decision = await route_lead(empty_db, "l-55", now=T0)  # T0 + 4 h is long past
    task = asyncio.ensure_future(sla_sweep_loop(empty_db, interval_seconds=0.05))
    async with asyncio.timeout(GUARD):
        while (await read_decision(empty_db, decision.id)).status is DecisionStatus.PENDING:
            await asyncio.sleep(0.05)
    task.cancel()
    assert (await read_decision(empty_db, decision.id)).status is DecisionStatus.ESCALATED


async def test_sla_metrics_by_path(empty_db):
    """ABM: one assignment accepted after 2 h (SLA 4 h). Traditional: l-100 escalated from Bea to
    Ben at 25 h, accepted by Ben at 30 h; l-95 nurtured; another lead rejected after 1 h."""
    await load_sales_graph(empty_db)
    abm = await route_lead(empty_db, "l-55", now=T0)
    await accept_decision(empty_db, abm.id, now=hours(2))
    await route_lead(empty_db, "l-100", now=T0)
    await route_lead(empty_db, "l-95", now=T0)
    [escalated] = (await sla_sweep(empty_db, hours(25))).escalated
    await accept_decision(empty_db, escalated.id, now=hours(30))
    rejected = await route_lead(empty_db, "l-leaf", now=T0)  # ABM, Cat
    await reject_decision(empty_db, rejected.id, "wrong region", now=hours(1))

    metrics = await sla_metrics(empty_db, T0 - timedelta(hours=1), hours(100))
    assert metrics["by_path"]["ABM"] == {
        "decisions": 2,
        "assignments": 2,
        "settled": 2,
        "accepted": 1,
        "accepted_within_sla": 1,
        "share_accepted_within_sla": 0.5,
        "median_hours_to_accept": 2.0,
        "escalations": 0,
        "recycles": 0,
        "rejections": 1,
        "pending": 0,
        "overdue": 0,
    }
    assert metrics["by_path"]["TRADITIONAL"] == {
        "decisions": 3,
        "assignments": 2,
        "settled": 2,
        "accepted": 1,
        "accepted_within_sla": 1,
        "share_accepted_within_sla": 0.5,
        "median_hours_to_accept": 5.0,
        "escalations": 1,
        "recycles": 0,
        "rejections": 0,
        "pending": 0,
        "overdue": 0,
    }
    total = metrics["total"]
    assert (total["decisions"], total["accepted"], total["median_hours_to_accept"]) == (5, 2, 3.5)
    # The window holds the decisions made in it: the escalation at 25 h is outside this one.
    early = await sla_metrics(empty_db, T0 - timedelta(hours=1), T0 + timedelta(minutes=1))
    assert early["by_path"]["TRADITIONAL"]["decisions"] == 2  # l-100 and l-95; the escalation came later
    with pytest.raises(InvalidInput):
        await sla_metrics(empty_db, hours(2), hours(1))
