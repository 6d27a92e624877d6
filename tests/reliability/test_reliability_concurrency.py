"""Concurrent imports of overlapping data: no duplicate nodes, no double links, no lost updates.

The reference is a plain sequential import of the same files: concurrent importers (in one
process with asyncio, or two ``graphsvc import`` processes) must leave exactly its graph (the
whole-graph fingerprint: counts per label and type, and every property). Engagements updated by
several importers at once must leave decayed sums equal to a fresh recompute: each import takes
back the contribution actually stored, read in the transaction that writes (the bug this found:
the stored engagement was read before the transaction, and each concurrent update took the same
old contribution back, counting the change several times).
"""

import asyncio
import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from graph_fingerprint import fingerprint
from reliability_support import settings_env

from graphsvc.ingest.importer import Importer
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db

IMPORTERS = 4
BATCH = 300
SUMS = ("score_decay_sum", "score_engagement_sum", "score_rolled_sum")


@pytest.fixture(scope="module")
def data_set(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("overlap")
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "generate", "--accounts", "25", "--seed", "11", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return sorted(out.glob("*.csv"))


@pytest.fixture(scope="module")
def changed_engagements(data_set: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same engagements with another type and detail: every one is worth other points."""
    [source] = [path for path in data_set if path.name == "engagements.csv"]
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["type"], row["detail"] = "demo_request", "updated"
    path = tmp_path_factory.mktemp("changed") / "engagements.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
async def clean(db, data_set):
    """The fingerprint of one sequential import of the data set."""
    await db.write("admin/delete_all")
    await Importer(db, BATCH).import_files(data_set)
    return await fingerprint(db)


async def _stored_sums(db) -> dict[tuple[str, str], float]:
    return {
        (row["properties"]["id"], name): row["properties"][name]
        for row in await db.read("admin/node_properties")
        for name in SUMS
        if name in row["properties"]
    }


async def test_importers_racing_over_the_same_rows_leave_the_sequential_graph(db, data_set, clean):
    await db.write("admin/delete_all")
    reports = await asyncio.gather(*(Importer(db, BATCH).import_files(data_set) for _ in range(IMPORTERS)))
    for report in (report for run in reports for report in run):
        assert report.errors == [], report.errors[:3]
    expected = {Path(report.source).name: report.imported for report in reports[0]}
    assert all({Path(r.source).name: r.imported for r in run} == expected for run in reports)
    raced = await fingerprint(db)
    assert raced.counts == clean.counts  # no duplicate node, no link made twice
    assert raced.checksum == clean.checksum  # every property, decayed sums included


async def test_concurrent_updates_of_the_same_engagements_lose_nothing(db, data_set, changed_engagements, clean):
    await db.write("admin/delete_all")
    await Importer(db, BATCH).import_files(data_set)
    reports = await asyncio.gather(*(Importer(db, BATCH).import_file(changed_engagements) for _ in range(IMPORTERS)))
    assert all(report.errors == [] and report.imported == clean.counts["Engagement"] for report in reports)
    incremental = await _stored_sums(db)
    changed = await fingerprint(db)

    await recompute_graph(db)  # rescores everything from the engagements as stored
    recomputed = await _stored_sums(db)
    # A recompute also stores 0 for people without engagements, where imports stored nothing.
    assert incremental.keys() <= recomputed.keys()
    wrong = {
        key: (incremental.get(key, 0.0), value)
        for key, value in recomputed.items()
        if not math.isclose(incremental.get(key, 0.0), value, rel_tol=1e-9, abs_tol=1e-9)
    }
    assert not wrong, f"{len(wrong)} of {len(recomputed)} sums differ, e.g. {list(wrong.items())[:3]}"

    # And the graph is the one a single update gives.
    await db.write("admin/delete_all")
    await Importer(db, BATCH).import_files(data_set)
    await Importer(db, BATCH).import_file(changed_engagements)
    assert await fingerprint(db) == changed


def _import(env: dict[str, str], files: list[Path]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "graphsvc", "import", "--batch-size", str(BATCH), *map(str, files)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def test_two_import_processes_over_the_same_files_leave_the_sequential_graph(db, embedded, data_set, clean):
    await db.write("admin/delete_all")
    env = {**os.environ, **settings_env(embedded)}
    processes = [_import(env, data_set) for _ in range(2)]
    outputs = [await asyncio.to_thread(process.communicate, timeout=600) for process in processes]
    for process, (output, _) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
        assert output.count(" 0 failed") == len(data_set), output
    two = await fingerprint(db)
    assert two.counts == clean.counts
    assert two.checksum == clean.checksum


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (None, 8)])
async def test_write_transactions_queue_up_to_the_limit_of_the_store(embedded, limit, expected):
    # graphsvc runs the embedded ArcadeDB with a limit of one (graphsvc/store/connection.py): its
    # page-level conflicts made concurrent imports exhaust their retries in the soak.
    db = Database.connect(
        str(embedded.status()["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME, max_concurrent_writes=limit
    )
    inside = peak = 0
    # Each transaction stays open until `expected` are open at once: without a limit all eight must
    # get in together, however slowly they start; with one, a broken gate would let a second in.
    all_in = asyncio.Event()

    async def work(tx):
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        if inside == expected:
            all_in.set()
        await tx.run("health/ping")
        await all_in.wait()
        inside -= 1

    try:
        await asyncio.gather(*(db.transaction("queued", work) for _ in range(8)))
    finally:
        await db.close()
    assert peak == expected
