"""Decayed sums kept by engagement imports, checked against a whole-graph recompute of the same graph.

On the hand graph of tests/hand_graph.py (G under C under R, S under R; p1 in G, p2 in C, p3 in
R, p4 in S). The importer prefetches the trees of the persons a batch names; an engagement moved
to another person takes its old contribution back from the first one, whose tree only the
transaction's own read supplies.
"""

import math

import pytest
from hand_graph import at, load_hand_graph

from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db

SUMS = ("score_decay_sum", "score_engagement_sum", "score_rolled_sum")


async def _stored_sums(db) -> dict[tuple[str, str], float]:
    return {
        (row["properties"]["id"], name): row["properties"].get(name, 0.0)
        for row in await db.read("admin/node_properties")
        if "Engagement" not in row.get("labels", []) and "id" in row["properties"]
        for name in SUMS
        if name in row["properties"]
    }


def _differences(imported: dict, recomputed: dict) -> dict:
    return {
        key: (imported.get(key, 0.0), value)
        for key, value in recomputed.items()
        if not math.isclose(imported.get(key, 0.0), value, rel_tol=1e-8, abs_tol=1e-7)
    }


async def test_sums_follow_new_moved_and_changed_engagements_across_batches(empty_db):
    importer = await load_hand_graph(empty_db)
    await recompute_graph(empty_db)
    importer.batch_size = 2  # several pipelined batches

    rows = [
        {"id": "n1", "person_id": "p1", "type": "demo_request", "occurred_at": at(1)},
        {"id": "n2", "person_id": "p4", "type": "web_visit", "detail": "pricing", "occurred_at": at(2)},
        {"id": "n3", "person_id": "p2", "type": "unsubscribe", "occurred_at": at(3)},
        {"id": "n4", "person_id": "p3", "type": "demo_request", "occurred_at": at(4)},
        {"id": "n5", "person_id": "p1", "type": "web_visit", "detail": "careers", "occurred_at": at(5)},
    ]
    assert (await importer.import_rows("engagements", enumerate(rows, start=1))).errors == []
    # Moved to other persons (in other accounts) and changed: e1 of p1 and n4 of p3 go to p4 and p2.
    moved = [
        {"id": "e1", "person_id": "p4", "type": "demo_request", "occurred_at": at(30)},
        {"id": "n4", "person_id": "p2", "type": "web_visit", "detail": "pricing", "occurred_at": at(4)},
    ]
    assert (await importer.import_rows("engagements", enumerate(moved, start=1))).errors == []
    imported = await _stored_sums(empty_db)

    await recompute_graph(empty_db)
    recomputed = await _stored_sums(empty_db)
    assert {key for key in recomputed if key[0] == "p1"}, "the hand graph has sums for p1"
    wrong = _differences(imported, recomputed)
    assert not wrong, wrong
