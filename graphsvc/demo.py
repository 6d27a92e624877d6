"""The demo data set shipped in ``seeds/demo``, loaded into an empty database by ``serve --demo``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path

from graphsvc.ingest.files import read_rows
from graphsvc.ingest.importer import Importer, ImportReport
from graphsvc.ingest.records import KINDS, RECORD_TYPES
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
    Returns the import reports, or None when the database was not empty.
    """
    if (await db.read("demo/account_count"))[0]["accounts"] > 0:
        log.info("database already holds accounts; demo data not loaded")
        return None
    shift = timedelta(days=max(0, ((now or datetime.now(UTC)) - DEMO_END).days))
    importer = Importer(db)
    reports = []
    with as_file(files("graphsvc.seeds") / "demo") as folder:
        for kind in KINDS:
            path = Path(folder) / f"{kind}.csv"
            _, rows = read_rows(path, kind)
            times = RECORD_TYPES[kind].event_times
            shifted = ((line, _shift(cells, times, shift)) for line, cells in rows)
            reports.append(await importer.import_rows(kind, shifted, source=f"demo/{path.name}"))
    for report in reports:
        log.info("demo %s: %d imported, %d failed", report.kind, report.imported, report.failed)
    # Stored scores, stages and inferred roles, as after a nightly recompute.
    await recompute_graph(db)
    return reports


def _shift(cells: dict[str, str], times: tuple[str, ...], shift: timedelta) -> dict[str, str]:
    for name in times:
        if cells.get(name):
            moment = datetime.fromisoformat(cells[name].replace("Z", "+00:00")) + shift
            cells[name] = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return cells
