"""Importing past stage changes (kind ``stage_changes``) against the real database: validation per
row, the account's present stage following its history, idempotent re-import, and a stage
evaluation continuing the imported history."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphsvc.funnel import AccountStage
from graphsvc.ingest.importer import Importer
from graphsvc.stages import evaluate_stages, stage_history

pytestmark = pytest.mark.db

ACCOUNTS = "id,name,is_target\na1,Acme,true\na2,Beta,false\n"
CHANGES = """id,account_id,stage,previous,at
sc-1,a1,TARGET,,2026-01-01T00:00:00Z
sc-3,a1,mqa,AWARE,2026-03-01T00:00:00Z
sc-2,a1,AWARE,TARGET,2026-02-01T00:00:00
sc-4,a2,AWARE,,2026-02-01T00:00:00Z
sc-5,a404,AWARE,,2026-02-01T00:00:00Z
sc-6,a2,WARM,AWARE,2026-02-01T00:00:00Z
sc-7,a2,ENGAGED,AWARE,2099-01-01T00:00:00Z
sc-8,a2,ENGAGED,ENGAGED,2026-02-01T00:00:00Z
sc-9,a2,ENGAGED,AWARE,
sc-1,a2,ENGAGED,AWARE,2026-03-01T00:00:00Z
sc-10,a2,ENGAGED,AWARE,1960-01-01T00:00:00Z
sc-11,a2,,AWARE,2026-04-01T00:00:00Z
"""
DAY_MS = 86_400_000


def _ms(text: str) -> int:
    return round(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
async def imported(empty_db, tmp_path: Path):
    (tmp_path / "accounts.csv").write_text(ACCOUNTS)
    (tmp_path / "stage_changes.csv").write_text(CHANGES)
    reports = await Importer(empty_db, batch_size=3).import_files(sorted(tmp_path.iterdir()))
    return empty_db, tmp_path, {report.kind: report for report in reports}


async def _account(db, account_id: str) -> dict:
    return (await db.read("accounts/by_ids", ids=[account_id]))[0]["account"]


async def test_good_rows_land_and_each_bad_row_is_reported(imported):
    db, _, reports = imported
    report = reports["stage_changes"]
    assert report.imported == 5
    assert [(error.line, error.field) for error in report.errors] == [
        (6, "account_id"),  # no such account
        (7, "stage"),  # not a funnel stage
        (8, "at"),  # in the future
        (9, None),  # does not move
        (10, "at"),  # missing time
        (11, "id"),  # sc-1 again
        (12, "at"),  # before the range of times
    ]
    assert "unknown account 'a404'" in report.errors[0].message
    assert report.errors[3].message == "stage and previous are both ENGAGED: a change must move the account"
    history = await stage_history(db, "a1")
    assert [(c.id, c.previous, c.stage, c.at.isoformat()) for c in history] == [
        ("sc-1", None, AccountStage.TARGET, "2026-01-01T00:00:00+00:00"),
        ("sc-2", AccountStage.TARGET, AccountStage.AWARE, "2026-02-01T00:00:00+00:00"),
        ("sc-3", AccountStage.AWARE, AccountStage.MQA, "2026-03-01T00:00:00+00:00"),
    ]
    # The present stage is the newest change's; a2 left the funnel on 2026-04-01.
    assert (await _account(db, "a1"))["stage"] == "MQA"
    rows = await db.read("scorecards/stages", ids=["a1", "a2"])
    by_id = {row["account_id"]: row for row in rows}
    assert by_id["a1"]["stage_since"] == _ms("2026-03-01T00:00:00")
    assert by_id["a2"]["stage"] is None and by_id["a2"]["stage_since"] == _ms("2026-04-01T00:00:00")
    assert [(c.previous, c.stage) for c in await stage_history(db, "a2")] == [
        (None, AccountStage.AWARE),
        (AccountStage.AWARE, None),
    ]


async def _every_stored_value(db) -> list[str]:
    nodes = [repr(sorted(row.items())) for row in await db.read("admin/node_properties")]
    links = [repr(sorted(row.items())) for row in await db.read("admin/relationship_properties")]
    return sorted(nodes + links)


async def test_importing_again_changes_no_stored_value(imported):
    db, folder, _ = imported
    before = await _every_stored_value(db)
    report = await Importer(db).import_file(folder / "stage_changes.csv")
    assert report.imported == 5
    assert await _every_stored_value(db) == before


async def test_a_change_imported_again_is_replaced_whole_and_moves_to_its_account(imported, tmp_path):
    db, _, _ = imported
    path = tmp_path / "more-stage_changes.csv"
    path.write_text("id,account_id,stage,previous,at\nsc-3,a2,ENGAGED,,2026-05-01T00:00:00Z\n")
    assert (await Importer(db).import_file(path)).imported == 1
    assert [c.id for c in await stage_history(db, "a1")] == ["sc-1", "sc-2"]
    moved = (await stage_history(db, "a2"))[-1]
    assert (moved.id, moved.previous, moved.stage) == ("sc-3", None, AccountStage.ENGAGED)
    assert (await _account(db, "a2"))["stage"] == "ENGAGED"


async def test_stage_evaluation_continues_the_imported_history(imported):
    db, folder, _ = imported
    # a1 is a target account without engagement or opportunities: its stage now is TARGET.
    now = datetime.now(UTC).replace(microsecond=0)
    report = await evaluate_stages(db, ["a1"], as_of=now)
    assert report.changed == {"a1": (AccountStage.MQA, AccountStage.TARGET)}
    history = await stage_history(db, "a1")
    assert [(c.previous, c.stage) for c in history][-2:] == [
        (AccountStage.AWARE, AccountStage.MQA),
        (AccountStage.MQA, AccountStage.TARGET),
    ]
    # The old history imported again leaves the present stage alone: it is older.
    await Importer(db).import_file(folder / "stage_changes.csv")
    assert (await _account(db, "a1"))["stage"] == "TARGET"
    assert len(await stage_history(db, "a1")) == 4
