"""Shared fixtures: one real embedded ArcadeDB server per test session, reached over Bolt.

Tests wait for conditions, never for a fixed time; the limits below only end a wait that would
otherwise hang, so they are generous: on a busy machine (load 15 on two cores) a Java server has
taken 55 s to answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings

from graphsvc.store import Database, apply_schema
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class ServeProcess:
    """``graphsvc serve`` in a child process, on a free port and its own data directory; one worker process
    unless ``args`` say ``--workers``."""

    def __init__(self, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        environment = {
            **os.environ,
            "GRAPHSVC_DATA_DIR": str(data_dir),
            "GRAPHSVC_EMBEDDED_HEAP": "1g",
            "GRAPHSVC_EMBEDDED_START_TIMEOUT": str(GUARD),
            **(env or {}),
        }
        environment.pop("GRAPHSVC_NEO4J_URI", None)
        self.log = data_dir.parent / f"serve-{self.port}.log"
        workers = () if "--workers" in args else ("--workers", "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graphsvc", "serve", "--port", str(self.port), *workers, *args],
            env=environment,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = GUARD) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"graphsvc serve exited {self.process.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"graphsvc serve not ready after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def graphql(self, query: str, **variables: object) -> dict:
        response = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=30)
        response.raise_for_status()
        return response.json()

    def stop(self) -> bool:
        """SIGTERM, as a service manager stops it; True when it shut down cleanly."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=GUARD)
        # uvicorn re-raises the signal after a graceful shutdown, so -SIGTERM is a clean exit.
        return self.process.returncode in (0, -signal.SIGTERM)
