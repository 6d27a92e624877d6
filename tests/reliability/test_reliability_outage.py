"""Database outages while graphsvc runs: fail fast, report not ready, recover without a restart of graphsvc.

The embedded server is supervised (graphsvc/store/embedded.py): killed, it comes back by itself on
the same ports; frozen, calls time out cleanly. Either way graphsvc keeps running.
"""

import asyncio
import fcntl
import json
import logging
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from conftest import ServeProcess, arcadedb_processes

from graphsvc.errors import DatabaseUnavailable
from graphsvc.store.database import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

pytestmark = pytest.mark.db

IMPORT = 'mutation($rows: [JSON!]!) { importRecords(kind: "accounts", rows: $rows) { imported failed } }'
ACCOUNTS = "{ accounts(first: 5) { totalCount edges { node { id } } } }"
ROWS = [{"id": f"out-{n}", "name": f"Outage {n}"} for n in range(3)]


def _post(serve: ServeProcess, query: str, **variables: object) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.post(f"{serve.url}/graphql", json={"query": query, "variables": variables}, timeout=60)
    return time.monotonic() - started, response


def _readyz(serve: ServeProcess) -> int:
    return httpx.get(f"{serve.url}/readyz", timeout=30).status_code


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_for(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("outage") / "data"
    process = ServeProcess(data_dir, env={"GRAPHSVC_DB_TIMEOUT": "3"})
    try:
        process.wait_ready()
        assert process.graphql(IMPORT, rows=ROWS) == {"data": {"importRecords": {"imported": 3, "failed": 0}}}
        yield process
    finally:
        assert process.stop()
    assert arcadedb_processes(data_dir) == []


def test_a_frozen_database_times_out_cleanly_and_service_resumes_when_it_thaws(serve):
    [server] = arcadedb_processes(serve.data_dir)
    os.kill(server, signal.SIGSTOP)
    try:
        elapsed, response = _post(serve, ACCOUNTS)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["DATABASE_UNAVAILABLE"]
        assert "no answer within 3 s" in body["errors"][0]["message"]
        assert elapsed < 10  # GRAPHSVC_DB_TIMEOUT is 3 s; the driver's 15 s retry budget does not apply
        started = time.monotonic()
        assert _readyz(serve) == 503
        assert time.monotonic() - started < 6
        assert httpx.get(f"{serve.url}/healthz", timeout=5).status_code == 200  # the process itself is fine
    finally:
        os.kill(server, signal.SIGCONT)
    assert _wait_for(lambda: _readyz(serve) == 200, 30)
    assert serve.graphql(ACCOUNTS)["data"]["accounts"]["totalCount"] == 3
    assert arcadedb_processes(serve.data_dir) == [server]  # thawed, not restarted
    assert serve.process.poll() is None


def test_a_killed_database_is_restarted_on_the_same_ports_and_requests_succeed_again(serve):
    state = json.loads((serve.data_dir / "server.json").read_text())
    [server] = arcadedb_processes(serve.data_dir)
    os.kill(server, signal.SIGKILL)

    # Hold the data directory's lock (released by the dead server) so the outage lasts until we let go:
    # the supervisor's restart waits for the lock, and the checks below see the outage, however fast
    # the restart would have been.
    lock_fd = os.open(serve.data_dir / "graphsvc.lock", os.O_RDWR)
    try:
        assert _wait_for(lambda: _try_lock(lock_fd), 10, 0.01)
        assert _wait_for(lambda: _readyz(serve) == 503, 20)
        outage = []
        for _ in range(3):
            elapsed, response = _post(serve, ACCOUNTS)
            assert response.status_code == 200
            codes = [error["extensions"]["code"] for error in response.json().get("errors", [])]
            assert codes == ["DATABASE_UNAVAILABLE"], response.text
            outage.append(elapsed)
        assert max(outage) < 1.5, outage  # failed at once, not after the driver's retry budget
        assert serve.process.poll() is None
    finally:
        os.close(lock_fd)  # releases the lock

    # It comes back by itself, on the same ports, with its data; graphsvc was never restarted.
    assert _wait_for(lambda: _readyz(serve) == 200, 120), serve.log.read_text()[-3000:]
    data = serve.graphql(ACCOUNTS)
    assert data["data"]["accounts"]["totalCount"] == 3, data
    assert serve.process.poll() is None
    [restarted] = arcadedb_processes(serve.data_dir)
    assert restarted != server
    again = json.loads((serve.data_dir / "server.json").read_text())
    assert (again["pid"], again["bolt_port"], again["http_port"]) == (restarted, state["bolt_port"], state["http_port"])
    log = serve.log.read_text()
    assert f"embedded ArcadeDB server (pid {server}) died unexpectedly" in log
    assert f"(pid {restarted}, restart #1)" in log
    # Writes work again too.
    more = [{"id": "out-after", "name": "After the outage"}]
    assert serve.graphql(IMPORT, rows=more) == {"data": {"importRecords": {"imported": 1, "failed": 0}}}


# -- in process: the driver's retries, backoff, a clean stop ------------------------------------


@pytest.fixture
def server(tmp_path: Path):
    embedded = EmbeddedServer(tmp_path, heap="512m")
    embedded.start()
    yield embedded
    embedded.stop()


def _kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    assert _wait_for(
        lambda: not Path(f"/proc/{pid}/cmdline").exists() or not Path(f"/proc/{pid}/cmdline").read_bytes(), 10, 0.01
    )


async def test_a_transaction_cut_by_a_server_death_is_retried_and_commits_once(server):
    info = server.status()
    db = Database.connect(
        str(info["bolt_uri"]), ROOT_USER, server.password(), DATABASE_NAME, 30.0, lambda: server.available
    )
    attempts = 0

    async def work(tx):
        # The first attempt writes, then the server dies under it before the commit: the driver
        # must run the whole transaction function again once the supervisor has restarted it.
        nonlocal attempts
        attempts += 1
        await tx.run("ingest/accounts", rows=[{"id": "retried", "props": {"name": "Retried"}}])
        if attempts == 1:
            await asyncio.to_thread(_kill_and_wait, int(info["pid"]))
        return await tx.run("admin/node_counts")

    try:
        assert await db.transaction("probe", work) == [{"label": "Account", "nodes": 1}]
        assert attempts >= 2
        assert server.restarts == 1
        assert await db.read("admin/node_counts") == [{"label": "Account", "nodes": 1}]
    finally:
        await db.close()


async def test_while_the_server_is_down_calls_fail_fast_and_failed_restarts_back_off(server, caplog):
    caplog.set_level(logging.INFO, logger="graphsvc.store.embedded")
    info = server.status()
    db = Database.connect(
        str(info["bolt_uri"]), ROOT_USER, server.password(), DATABASE_NAME, 30.0, lambda: server.available
    )
    lock = os.open(server.data_dir / "graphsvc.lock", os.O_RDWR)
    try:
        await asyncio.to_thread(_kill_and_wait, int(info["pid"]))
        # Hold the data directory's lock as another owner would: the first restart must fail.
        assert await asyncio.to_thread(_wait_for, lambda: _try_lock(lock), 5, 0.005)
        assert await asyncio.to_thread(_wait_for, lambda: not server.available, 5, 0.01)
        # "the database server is down" is the supervisor's answer, given without trying the driver.
        with pytest.raises(DatabaseUnavailable, match="the database server is down"):
            await db.read("admin/node_counts")
        assert not await db.ping()
        assert await asyncio.to_thread(_wait_for, lambda: "failed (attempt 1, next in 1.0 s)" in caplog.text, 30)
        fcntl.flock(lock, fcntl.LOCK_UN)
        assert await asyncio.to_thread(_wait_for, lambda: server.available, 60)
        assert await db.ping()
        assert server.restarts == 1
    finally:
        os.close(lock)
        await db.close()
    assert any(
        record.levelno == logging.ERROR and "died unexpectedly" in record.getMessage() for record in caplog.records
    )
    assert any(record.levelno == logging.WARNING and "restart #1" in record.getMessage() for record in caplog.records)


def test_stop_is_a_clean_stop_not_a_crash(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="graphsvc.store.embedded")
    server = EmbeddedServer(tmp_path, heap="512m")
    server.start()
    assert server.available
    assert server.stop()
    assert not server.available
    time.sleep(2)  # several supervisor polls: nothing may come back
    assert arcadedb_processes(tmp_path) == []
    assert server.restarts == 0
    assert "died unexpectedly" not in caplog.text
    assert not (tmp_path / "server.json").exists()
