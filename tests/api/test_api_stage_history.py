"""`Account.stageHistory`: every recorded move of an account in the funnel, oldest first, read for
a whole page of accounts in one statement."""

from datetime import UTC, datetime, timedelta

import pytest
from api_graph import data_of, import_rows

from graphsvc.stages import evaluate_stages

pytestmark = pytest.mark.db

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
HISTORY = "{ accounts(first: 10) { edges { node { id stage stageHistory { previous stage at } } } } }"


async def test_stage_history_lists_each_move_with_its_time(empty_db):
    await import_rows(
        empty_db,
        {
            "accounts": [
                {"id": "a-1", "name": "One", "is_target": True},
                {"id": "a-2", "name": "Two", "is_target": True},
                {"id": "a-3", "name": "Three"},
            ]
        },
    )
    await evaluate_stages(empty_db, as_of=T0)  # targets enter the funnel at TARGET
    await import_rows(empty_db, {"accounts": [{"id": "a-2", "name": "Two", "is_target": False}]})
    await evaluate_stages(empty_db, ["a-2"], as_of=T0 + timedelta(days=3))  # and a-2 leaves it

    before = empty_db.round_trips
    nodes = {edge["node"]["id"]: edge["node"] for edge in (await data_of(empty_db, HISTORY))["accounts"]["edges"]}
    statements = empty_db.round_trips - before
    assert nodes["a-1"] == {
        "id": "a-1",
        "stage": "TARGET",
        "stageHistory": [{"previous": None, "stage": "TARGET", "at": T0.isoformat()}],
    }
    assert nodes["a-2"]["stage"] is None
    assert nodes["a-2"]["stageHistory"] == [
        {"previous": None, "stage": "TARGET", "at": T0.isoformat()},
        {"previous": "TARGET", "stage": None, "at": (T0 + timedelta(days=3)).isoformat()},
    ]
    assert nodes["a-3"]["stageHistory"] == []
    # The page of ids, the accounts, and one statement for every account's history (not one per account).
    assert statements == 3
