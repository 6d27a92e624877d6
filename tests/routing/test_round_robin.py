"""Smooth weighted round robin: the pure step, and the rotation kept in the real database (SPEC §9.5)."""

import asyncio
import time
from collections import Counter

import pytest
from routing_graph import T0, USERS, import_rows, load_sales_graph, volume_leads

from graphsvc.routing.decisions import DecisionStatus, RoutingRule, read_decisions
from graphsvc.routing.engine import route_lead
from graphsvc.routing.round_robin import read_pool, smooth_weighted_choice
from graphsvc.routing.sla import accept_decision


def _picks(weights, turns, current=None):
    current, picks = current or {}, []
    for _ in range(turns):
        chosen, current = smooth_weighted_choice(weights, current)
        picks.append(chosen)
    return picks, current


def test_smooth_weighted_round_robin_spreads_by_weight():
    # nginx's own example: weights 5, 1, 1 give a a b a c a a, and the rotation is back at zero.
    picks, current = _picks({"a": 5, "b": 1, "c": 1}, 7)
    assert "".join(picks) == "aabacaa"
    assert current == {"a": 0, "b": 0, "c": 0}
    picks, _ = _picks({"a": 2, "b": 1}, 6)
    assert picks == ["a", "b", "a", "a", "b", "a"]


def test_a_member_sitting_out_keeps_its_current_weight():
    _, current = _picks({"a": 2, "b": 1}, 1)  # a: 2 - 3 = -1, b: 1
    chosen, after = smooth_weighted_choice({"a": 2}, current)
    assert (chosen, after) == ("a", {"a": -1 + 2 - 2, "b": 1})
    assert smooth_weighted_choice({}, current) == (None, current)


async def _route_all(db, prefix, count):
    await import_rows(db, volume_leads(prefix, count))
    return [await route_lead(db, f"{prefix}-{i:03d}", now=T0) for i in range(count)]


@pytest.mark.db
async def test_weights_two_to_one_split_300_leads_exactly_two_to_one(empty_db):
    await load_sales_graph(empty_db)
    decisions = await _route_all(empty_db, "v", 300)

    assert Counter(d.assignee_id for d in decisions) == {"u-bea": 200, "u-ben": 100}
    assert [d.assignee_id for d in decisions[:6]] == ["u-bea", "u-ben", "u-bea"] * 2
    assert [d.pool_slot for d in decisions] == list(range(1, 301))
    # The position is in the database: a new read (a restart, another instance) continues it.
    pool = await read_pool(empty_db, "bdr")
    assert pool.version == 300
    assert pool.current == {"u-bea": 0.0, "u-ben": 0.0, "u-bo": 0.0}


@pytest.mark.db
async def test_members_at_capacity_are_skipped_and_nobody_left_means_unassigned(empty_db):
    await load_sales_graph(empty_db)
    capacities = {"u-bea": 2, "u-ben": 1}
    await import_rows(
        empty_db, {"users": [{**u, "capacity": capacities[u["id"]]} for u in USERS if u["id"] in capacities]}
    )

    decisions = await _route_all(empty_db, "c", 5)
    assert [d.assignee_id for d in decisions] == ["u-bea", "u-ben", "u-bea", None, None]
    assert [d.status for d in decisions[3:]] == [DecisionStatus.UNASSIGNED] * 2
    assert decisions[3].rule is RoutingRule.MQL_THRESHOLD
    assert decisions[3].reasons[-1] == (
        "nobody in pool bdr can take the lead: Bea (u-bea) at capacity 2/2; Ben (u-ben) at capacity 1/1; Bo (u-bo) inactive"
    )
    assert (await read_pool(empty_db, "bdr")).version == 3  # unassigned leads take no slot

    # Accepting frees a slot: Bea has one PENDING decision left.
    await accept_decision(empty_db, decisions[0].id, now=T0)
    await import_rows(empty_db, volume_leads("d", 1))
    assert (await route_lead(empty_db, "d-000", now=T0)).assignee_id == "u-bea"


@pytest.mark.db
async def test_concurrent_routings_never_share_a_slot_nor_exceed_a_capacity(empty_db):
    """50 routings at once on one Database: the same assignments as one after another.

    bea 2, ben 1 (capacity 10), bex 1 (capacity 5): bex fills after 20 leads (10/5/5), ben
    after 35 (20/10/5), bea takes the other 15 → 35/10/5.
    """
    await load_sales_graph(empty_db)
    await import_rows(
        empty_db,
        {
            "users": [
                {"id": "u-ben", "name": "Ben", "role": "BDR", "active": True, "capacity": 10, "pools": "bdr:1"},
                {"id": "u-bex", "name": "Bex", "role": "BDR", "active": True, "capacity": 5, "pools": "bdr:1"},
            ],
            **volume_leads("p", 50),
        },
    )
    started, trips = time.perf_counter(), empty_db.round_trips
    decisions = await asyncio.gather(*(route_lead(empty_db, f"p-{i:03d}", now=T0) for i in range(50)))
    seconds, trips = time.perf_counter() - started, empty_db.round_trips - trips

    assert Counter(d.assignee_id for d in decisions) == {"u-bea": 35, "u-ben": 10, "u-bex": 5}
    assert sorted(d.pool_slot for d in decisions) == list(range(1, 51))  # every slot once
    stored = await read_decisions(empty_db, [d.id for d in decisions])
    assert [(d.assignee_id, d.pool_slot) for d in stored] == [(d.assignee_id, d.pool_slot) for d in decisions]
    pool = await read_pool(empty_db, "bdr")
    assert pool.version == 50
    open_assignments = {member.id: member.open_assignments for member in pool.members}
    assert open_assignments == {"u-bea": 35, "u-ben": 10, "u-bex": 5, "u-bo": 0}

    # One after another, the same leads take the same slots: the claims serialise the rotation.
    await load_sales_graph(empty_db)
    await import_rows(
        empty_db,
        {
            "users": [
                {"id": "u-ben", "name": "Ben", "role": "BDR", "active": True, "capacity": 10, "pools": "bdr:1"},
                {"id": "u-bex", "name": "Bex", "role": "BDR", "active": True, "capacity": 5, "pools": "bdr:1"},
            ]
        },
    )
    sequential = await _route_all(empty_db, "p", 50)
    assert {d.pool_slot: d.assignee_id for d in sequential} == {d.pool_slot: d.assignee_id for d in decisions}
    print(f"50 concurrent routings: {seconds:.2f} s, {trips} statements (batched: a few per write transaction)")
