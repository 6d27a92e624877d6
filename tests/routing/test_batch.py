"""Routings asked for at once share one write transaction, with the decisions of one after another."""

import asyncio
from collections import Counter

import pytest
from conftest import graph_counts
from routing_graph import T0, import_rows, load_sales_graph, volume_leads

from graphsvc.errors import DatabaseUnavailable, NotFound
from graphsvc.routing import engine
from graphsvc.routing.decisions import AssignedBy, DecisionStatus, RoutingRule, read_decisions
from graphsvc.routing.engine import route
from graphsvc.routing.round_robin import read_pool
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db

# In the order asked: an account owner's lead, pool leads until Ben (capacity 1) is full, a lead
# that does not exist, a nurtured one, a lead asked for twice, a disqualified one.
ASKED = ["l-55", "l-100", "v-000", "nobody", "v-001", "l-95", "l-100", "v-002", "v-003", "l-dq"]


async def _graph(db):
    await load_sales_graph(db)
    await import_rows(
        db,
        {
            "users": [{"id": "u-ben", "name": "Ben", "role": "BDR", "active": True, "capacity": 1, "pools": "bdr:1"}],
            **volume_leads("v", 4),
        },
    )


def _outcome(routed):
    if isinstance(routed, Exception):
        return type(routed).__name__
    d = routed.decision
    assignee = routed.assignee and (routed.assignee["id"], routed.assignee["open_assignments"])
    return (d.lead_id, d.rule, d.status, d.assignee_id, d.assigned_by, d.pool_slot, d.reasons, assignee)


def _status(routed):
    return None if isinstance(routed, Exception) or routed.lead is None else routed.lead.lead["status"]


async def test_a_batch_decides_as_one_routing_after_another(empty_db):
    await _graph(empty_db)
    trips = empty_db.round_trips
    together = await asyncio.gather(*(route(empty_db, lead, now=T0) for lead in ASKED), return_exceptions=True)
    trips = empty_db.round_trips - trips
    stored = await read_decisions(empty_db, [r.decision.id for r in together if not isinstance(r, Exception)])

    # Worked out by hand: bdr is Bea 2, Ben 1 (capacity 1), Bo inactive, so the rotation gives
    # Bea, Ben, Bea, Bea, then Ben's turn, which he sits out at capacity: Bea.
    by_lead = dict(reversed(list(zip(ASKED, together, strict=True))))  # the first answer of each lead
    assert isinstance(by_lead["nobody"], NotFound)
    assert (by_lead["l-55"].decision.assignee_id, by_lead["l-55"].decision.assigned_by) == (
        "u-ann",
        AssignedBy.ACCOUNT_OWNER,
    )
    pool_leads = ["l-100", "v-000", "v-001", "v-002", "v-003"]
    assert [(by_lead[lead].decision.assignee_id, by_lead[lead].decision.pool_slot) for lead in pool_leads] == [
        ("u-bea", 1),
        ("u-ben", 2),
        ("u-bea", 3),
        ("u-bea", 4),
        ("u-bea", 5),
    ]
    assert (
        by_lead["v-003"].decision.reasons[-1] == "skipped in pool bdr: Ben (u-ben) at capacity 1/1; Bo (u-bo) inactive"
    )
    assert by_lead["v-003"].assignee == {**by_lead["v-003"].assignee, "open_assignments": 4}
    assert by_lead["l-95"].decision.rule is RoutingRule.NURTURE
    assert by_lead["l-dq"].decision.rule is RoutingRule.DISQUALIFIED
    # Asked twice: the second answer is the first decision, read back as the lead's open one.
    assert together[6].decision == together[1].decision
    assert together[6].lead.lead["status"] == together[1].lead.lead["status"] == "MQL"
    assert [d.id for d in stored] == [r.decision.id for r in together if not isinstance(r, Exception)]
    assert trips < len(ASKED)  # one at a time costs at least two statements each

    # One after another on the same graph: the same decisions, answers and stored rotation.
    pool = await read_pool(empty_db, "bdr")
    counts = await graph_counts(empty_db)
    await _graph(empty_db)
    one_by_one = []
    for lead in ASKED:
        try:
            one_by_one.append(await route(empty_db, lead, now=T0))
        except NotFound as exc:
            one_by_one.append(exc)
    assert [_outcome(r) for r in together] == [_outcome(r) for r in one_by_one]
    assert [_status(r) for r in together] == [_status(r) for r in one_by_one]
    assert await read_pool(empty_db, "bdr") == pool
    assert await graph_counts(empty_db) == counts


async def test_two_stores_routing_at_once_never_share_a_slot_nor_exceed_a_capacity(empty_db, embedded):
    """Two Databases (two processes' worth of batches) route one pool's leads at the same time."""
    await load_sales_graph(empty_db)
    await import_rows(
        empty_db,
        {
            "users": [{"id": "u-ben", "name": "Ben", "role": "BDR", "active": True, "capacity": 10, "pools": "bdr:1"}],
            **volume_leads("p", 40),
        },
    )
    info = embedded.status()
    other = Database.connect(str(info["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME)
    try:
        leads = [f"p-{i:03d}" for i in range(40)]
        routed = await asyncio.gather(
            *(route(empty_db if i % 2 else other, lead, now=T0) for i, lead in enumerate(leads)),
            *(route(other if i % 2 else empty_db, lead, now=T0) for i, lead in enumerate(leads)),  # each lead twice
        )
    finally:
        await other.close()

    decisions = {r.decision.id: r.decision for r in routed}
    assert len(decisions) == 40  # one decision per lead: the second asking read the first
    assert sorted(d.pool_slot for d in decisions.values()) == list(range(1, 41))
    assert Counter(d.assignee_id for d in decisions.values()) == {"u-bea": 30, "u-ben": 10}
    assert {d.status for d in decisions.values()} == {DecisionStatus.PENDING}
    pool = await read_pool(empty_db, "bdr")
    assert pool.version == 40
    assert {m.id: m.open_assignments for m in pool.members} == {"u-bea": 30, "u-ben": 10, "u-bo": 0}


async def test_a_failed_batch_fails_its_own_callers_and_the_next_batch_routes(empty_db, monkeypatch):
    await _graph(empty_db)
    route_batch, calls = engine._route_batch, []

    async def down_once(tx, db, batch):
        calls.append([request.lead_id for request in batch])
        if len(calls) == 1:
            raise DatabaseUnavailable("database unavailable while running routing/batch: test")
        return await route_batch(tx, db, batch)

    monkeypatch.setattr(engine, "_route_batch", down_once)
    failed = await asyncio.gather(
        *(route(empty_db, lead, now=T0) for lead in ("l-55", "l-100")), return_exceptions=True
    )
    assert [type(r) for r in failed] == [DatabaseUnavailable, DatabaseUnavailable]
    assert (await graph_counts(empty_db)).get("RoutingDecision", 0) == 0

    again = await asyncio.gather(*(route(empty_db, lead, now=T0) for lead in ("l-55", "l-100")))
    assert [r.decision.assignee_id for r in again] == ["u-ann", "u-bea"]
    assert calls == [["l-55", "l-100"], ["l-55", "l-100"]]
