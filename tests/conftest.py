"""Shared fixtures: one real embedded ArcadeDB server per test session, reached over Bolt.

Tests wait for conditions, never for a fixed time; the limits below only end a wait that would
otherwise hang, so they are generous: on a busy machine (load 15 on two cores) a Java server has
taken 55 s to answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from graphsvc.store import Database, apply_schema
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

# Re-exported for the tests: the one way tests and bench start a server process.
from graphsvc.testing import ServeProcess, free_port  # noqa: F401

GUARD = 600.0  # seconds: the failure bound of any wait for a server or a process

# Hypothesis's per-example deadline and its data-generation speed check measure wall-clock time.
settings.register_profile("graphsvc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("graphsvc")


def wait_until(predicate: Callable[[], object], guard: float = GUARD, step: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true; False only when ``guard`` seconds pass first."""
    deadline = time.monotonic() + guard
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
    return True


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The session's embedded database server."""
    server = EmbeddedServer(tmp_path_factory.mktemp("graphsvc-data"), heap="1g", start_timeout=GUARD)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def db(embedded: EmbeddedServer) -> AsyncIterator[Database]:
    """A connected store with the schema applied; data persists across tests unless wiped."""
    info = embedded.status()
    database = Database.connect(str(info["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME)
    await apply_schema(database)
    yield database
    await database.close()


@pytest.fixture
async def empty_db(db: Database) -> Database:
    """The session store, emptied before the test."""
    await db.write("admin/delete_all")
    return db


async def graph_counts(db: Database) -> dict[str, int]:
    """Nodes per label and relationships per type, for before/after comparisons."""
    counts = {row["label"]: row["nodes"] for row in await db.read("admin/node_counts")}
    counts.update({row["type"]: row["relationships"] for row in await db.read("admin/relationship_counts")})
    return counts


def subscribers(assignee_id: str | None) -> int:
    """Routing subscribers of this process listening for ``assignee_id``'s decisions."""
    from graphsvc.routing import events

    return sum(feed.assignee_id == assignee_id for feed in events._feeds)


async def until_subscribed(assignee_id: str | None, more_than: int, guard: float = GUARD) -> None:
    """Wait until more than ``more_than`` subscribers listen for ``assignee_id`` (a new subscription is live)."""
    async with asyncio.timeout(guard):
        while subscribers(assignee_id) <= more_than:
            await asyncio.sleep(0.01)


def arcadedb_processes(data_dir: Path) -> list[int]:
    """Pids of ArcadeDB servers whose root is in ``data_dir``."""
    marker = f"-Darcadedb.server.rootPath={data_dir / 'arcadedb'}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids
