"""The demo data set shipped in ``seeds/demo``, loaded into an empty database by ``serve --demo``."""

from __future__ import annotations

import csv
import logging
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path

from graphsvc.datagen import LEAD_STATUS_CHANGES
from graphsvc.ingest.files import read_rows
from graphsvc.ingest.importer import Importer, ImportReport
from graphsvc.ingest.records import KINDS, RECORD_TYPES
from graphsvc.lifecycle import StatusChange, replay_status_changes
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store.database import Database

__all__ = ["DEMO_END", "load_demo"]

log = logging.getLogger(__name__)

# The demo set was generated with its newest events on this day (see graphsvc.datagen).
DEMO_END = datetime(2026, 11, 1, tzinfo=UTC)


async def load_demo(db: Database, now: datetime | None = None) -> list[ImportReport] | None:
    """Import the demo set unless the database already holds accounts, then recompute.

    Event times are moved forward by whole days so the newest demo events are as recent as
    ``now``: a demo loaded next year still shows engaged accounts, decay and surges as intended.
    The leads' past status moves (``lead_status_changes.csv``) are replayed into their histories.
    Returns the import reports, or None when the database was not empty.
    """
    if (await db.read("demo/account_count"))[0]["accounts"] > 0:
        log.info("database already holds accounts; demo data not loaded")
        return None
    shift = timedelta(days=max(0, ((now or datetime.now(UTC)) - DEMO_END).days))
    importer = Importer(db)
    reports = []
    with as_file(files("graphsvc.seeds") / "demo") as folder:
        changes = _status_changes(Path(folder) / f"{LEAD_STATUS_CHANGES}.csv", shift)
        moved = {change.lead_id for change in changes}
        for kind in KINDS:
            path = Path(folder) / f"{kind}.csv"
            _, rows = read_rows(path, kind)
            times = RECORD_TYPES[kind].event_times
            shifted = ((line, _shift(cells, times, shift)) for line, cells in rows)
            if kind == "leads":  # a lead with a past arrives NEW; the replay below moves it
                shifted = (
                    (line, {**cells, "status": ""} if cells["id"] in moved else cells) for line, cells in shifted
                )
            reports.append(await importer.import_rows(kind, shifted, source=f"demo/{path.name}"))
    for report in reports:
        log.info("demo %s: %d imported, %d failed", report.kind, report.imported, report.failed)
    log.info("demo: %d lead status changes replayed", await replay_status_changes(db, changes))
    # Stored scores, stages and inferred roles, as after a nightly recompute.
    await recompute_graph(db)
    return reports


def _status_changes(path: Path, shift: timedelta) -> list[StatusChange]:
    """The demo's lead status moves (``lead_status_changes.csv``, see :mod:`graphsvc.datagen`), shifted."""
    with path.open(encoding="utf-8", newline="") as file:
        return [
            StatusChange(
                row["lead_id"],
                row["status"],
                row["previous"] or None,
                datetime.fromisoformat(row["at"].replace("Z", "+00:00")) + shift,
                row["by"],
                row["reason"] or None,
            )
            for row in csv.DictReader(file)
        ]


def _shift(cells: dict[str, str], times: tuple[str, ...], shift: timedelta) -> dict[str, str]:
    for name in times:
        if cells.get(name):
            moment = datetime.fromisoformat(cells[name].replace("Z", "+00:00")) + shift
            cells[name] = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return cells
