"""Importing past lead status moves (kind ``lead_status_changes``) against the real database:
validation per row, the lead's present status following its history, the arrival an import guessed
giving way to the history, idempotent re-import, and no webhook for the past."""

from pathlib import Path

import pytest

from graphsvc.ingest.importer import Importer
from graphsvc.lifecycle import read_status_histories
from graphsvc.webhooks.hooks import add_webhook, read_deliveries

pytestmark = pytest.mark.db

LEADS = """id,email,status,created_at
l1,a@acme.com,SAL,2026-01-01T00:00:00Z
l2,b@acme.com,,2026-01-01T00:00:00Z
"""
CONTACTS = "id,email\nc1,c@acme.com\n"
MOVES = """id,lead_id,status,previous,at,reason,by
ls-2,l1,SAL,MQL,2026-03-01T00:00:00Z,accepted by sales,ann
ls-1,l1,mql,NEW,2026-02-01T00:00:00Z,,
ls-3,l2,MQL,NEW,2026-02-01T00:00:00Z,score,routing
ls-4,l404,MQL,NEW,2026-02-01T00:00:00Z,,
ls-5,c1,MQL,NEW,2026-02-01T00:00:00Z,,
ls-6,l2,WARM,NEW,2026-02-01T00:00:00Z,,
ls-7,l2,MQL,MQL,2026-02-01T00:00:00Z,,
ls-8,l2,SAL,MQL,2099-01-01T00:00:00Z,,
ls-9,l2,SAL,MQL,,,
ls-10,l2,,MQL,2026-03-01T00:00:00Z,,
"""


async def _import(db, folder: Path) -> dict:
    reports = await Importer(db, batch_size=3).import_files(sorted(folder.glob("*.csv")))
    return {report.kind: report for report in reports}


@pytest.fixture
async def imported(empty_db, tmp_path: Path):
    hook = await add_webhook(empty_db, "http://127.0.0.1:9/hook", ["lead.status_changed"], allow_private=True)
    (tmp_path / "leads.csv").write_text(LEADS)
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "lead_status_changes.csv").write_text(MOVES)
    return empty_db, tmp_path, await _import(empty_db, tmp_path), hook


async def _statuses(db) -> dict[str, str]:
    (answer,) = await db.read("api/leads_by_ids", ids=["l1", "l2"])
    return {row["id"]: row["status"] for row in answer["rows"]}


async def test_good_rows_land_and_each_bad_row_is_reported(imported):
    _, _, reports, _ = imported
    report = reports["lead_status_changes"]
    assert report.imported == 3
    assert [(error.line, error.field) for error in report.errors] == [
        (5, "lead_id"),  # no such lead
        (6, "lead_id"),  # a contact, not a lead
        (7, "status"),  # not a lead status
        (8, None),  # does not move
        (9, "at"),  # in the future
        (10, "at"),  # missing time
        (11, "status"),  # missing status
    ]
    assert report.errors[0].message.endswith("unknown lead 'l404'")
    assert report.errors[1].message.endswith("unknown lead 'c1'")
    assert report.errors[3].message.endswith("status and previous are both MQL: a change must move the lead")


async def test_the_history_replaces_the_guessed_arrival_and_the_lead_follows_its_newest_move(imported):
    db, _, _, _ = imported
    histories = await read_status_histories(db, ["l1", "l2"])
    # l1 arrived as SAL (the import guessed "SAL since created_at"); its history now tells how.
    assert [(c["previous"], c["status"], c["reason"], c["by"]) for c in histories["l1"]] == [
        ("NEW", "MQL", None, "import"),
        ("MQL", "SAL", "accepted by sales", "ann"),
    ]
    # l2 arrived NEW (no entry); its imported move takes it to MQL.
    assert [(c["previous"], c["status"], c["by"]) for c in histories["l2"]] == [("NEW", "MQL", "routing")]
    assert await _statuses(db) == {"l1": "SAL", "l2": "MQL"}


async def test_the_past_sends_no_webhook(imported):
    db, _, _, hook = imported
    assert await read_deliveries(db, hook.id, 100) == []


async def _every_stored_value(db) -> list[str]:
    nodes = [repr(sorted(row.items())) for row in await db.read("admin/node_properties")]
    links = [repr(sorted(row.items())) for row in await db.read("admin/relationship_properties")]
    return sorted(nodes + links)


async def test_importing_everything_again_changes_no_stored_value(imported):
    db, folder, _, _ = imported
    before = await _every_stored_value(db)
    reports = await _import(db, folder)
    assert reports["lead_status_changes"].imported == 3
    assert await _every_stored_value(db) == before


async def test_a_move_set_later_stays_the_present_when_the_older_history_comes_again(imported, tmp_path):
    db, folder, _, _ = imported
    later = tmp_path / "later"
    later.mkdir()
    (later / "lead_status_changes.csv").write_text(
        "id,lead_id,status,previous,at,reason,by\nls-3,l2,NURTURE,NEW,2026-02-01T00:00:00Z,,\n"
        "ls-11,l2,MQL,NURTURE,2026-04-01T00:00:00Z,,\n"
    )
    await _import(db, later)
    assert (await _statuses(db))["l2"] == "MQL"
    history = (await read_status_histories(db, ["l2"]))["l2"]
    assert [(c["previous"], c["status"]) for c in history] == [("NEW", "NURTURE"), ("NURTURE", "MQL")]
    # The first file again: ls-3 is replaced whole (NEW to MQL on 2026-02-01); ls-11 is still the newest.
    await _import(db, folder)
    history = (await read_status_histories(db, ["l2"]))["l2"]
    assert [(c["previous"], c["status"]) for c in history] == [("NEW", "MQL"), ("NURTURE", "MQL")]
