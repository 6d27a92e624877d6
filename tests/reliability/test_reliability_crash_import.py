"""A ``graphsvc import`` killed with SIGKILL mid-way, then run again, leaves exactly the graph of a clean import.

Each batch is one transaction (rows, relationships, matches, inferred roles and decayed sums
together), so a kill loses at most the batch in flight, and re-importing is idempotent: rows
already stored are upserted to the same values and engagements take back their old contribution
before adding it again. The check is the whole graph's fingerprint (tests/reliability/graph_fingerprint.py).
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import graph_counts
from graph_fingerprint import fingerprint
from reliability_support import settings_env

pytestmark = pytest.mark.db

BATCH = "1000"


def _graphsvc(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "graphsvc", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process: subprocess.Popen[str], timeout: float = 600) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


@pytest.fixture(scope="module")
def data_set(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("generated")
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "generate", "--accounts", "300", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return sorted(out.glob("*.csv"))


async def test_an_import_killed_midway_and_run_again_gives_the_clean_graph(db, embedded, data_set):
    env = {**os.environ, **settings_env(embedded)}
    command = ("import", "--batch-size", BATCH, *map(str, data_set))

    await db.write("admin/delete_all")
    await asyncio.to_thread(_finish, _graphsvc(*command, env=env))
    clean = await fingerprint(db)
    engagements = clean.counts["Engagement"]
    assert engagements > 20_000 and clean.counts["Contact"] > 2_000

    await db.write("admin/delete_all")
    crashed = _graphsvc(*command, env=env)
    try:
        # Kill it while engagements (the largest kind, with the decayed sums) stream in.
        deadline = time.monotonic() + 600
        while (await graph_counts(db)).get("Engagement", 0) < engagements // 4:
            assert crashed.poll() is None, crashed.communicate()[0]
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
        crashed.send_signal(signal.SIGKILL)
    finally:
        crashed.wait(timeout=60)
    assert crashed.returncode == -signal.SIGKILL
    partial = await graph_counts(db)
    assert engagements // 4 <= partial["Engagement"] < engagements  # really stopped half-way
    assert partial["Engagement"] % int(BATCH) == 0  # whole batches only: the one in flight rolled back
    assert partial["PERFORMED"] == partial["Engagement"]

    output = await asyncio.to_thread(_finish, _graphsvc(*command, env=env))
    assert "0 failed" in output
    resumed = await fingerprint(db)
    assert resumed.counts == clean.counts
    assert resumed.checksum == clean.checksum
