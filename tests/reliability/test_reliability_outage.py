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
import threading
from pathlib import Path

import httpx
import pytest
from conftest import GUARD, ServeProcess, arcadedb_processes, wait_until

from graphsvc.errors import DatabaseUnavailable
from graphsvc.store.database import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

pytestmark = pytest.mark.db

IMPORT = 'mutation($rows: [JSON!]!) { importRecords(kind: "accounts", rows: $rows) { imported failed } }'
ACCOUNTS = "{ accounts(first: 5) { totalCount edges { node { id } } } }"
ROWS = [{"id": f"out-{n}", "name": f"Outage {n}"} for n in range(3)]


def _post(serve: ServeProcess, query: str, **variables: object) -> httpx.Response:
    return httpx.post(f"{serve.url}/graphql", json={"query": query, "variables": variables}, timeout=60)


def _readyz(serve: ServeProcess) -> int:
    return httpx.get(f"{serve.url}/readyz", timeout=30).status_code


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _answers(serve: ServeProcess) -> bool:
    return _post(serve, ACCOUNTS).json().get("data") is not None


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
        response = _post(serve, ACCOUNTS)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["DATABASE_UNAVAILABLE"]
        # Ended by GRAPHSVC_DB_TIMEOUT (3 s), not after the driver's 15 s retry budget.
        assert "no answer within 3 s" in body["errors"][0]["message"]
        assert _readyz(serve) == 503  # its probe has its own short limit
        assert httpx.get(f"{serve.url}/healthz", timeout=5).status_code == 200  # the process itself is fine
    finally:
        os.kill(server, signal.SIGCONT)
    assert wait_until(lambda: _readyz(serve) == 200)
    assert serve.graphql(ACCOUNTS)["data"]["accounts"]["totalCount"] == 3
    assert arcadedb_processes(serve.data_dir) == [server]  # thawed, not restarted
    assert serve.process.poll() is None


def test_a_killed_database_is_restarted_on_the_same_ports_and_requests_succeed_again(serve):
    state = json.loads((serve.data_dir / "server.json").read_text())
    [server] = arcadedb_processes(serve.data_dir)
    # Hold the data directory's lock (released by the dead server) so the outage lasts until we let go:
    # the supervisor's restart waits for the lock, and the checks below see the outage, however fast
    # the restart would have been. graphsvc is paused meanwhile, so its supervisor cannot take the
    # lock first, however busy the machine.
    lock_fd = os.open(serve.data_dir / "graphsvc.lock", os.O_RDWR)
    os.kill(serve.process.pid, signal.SIGSTOP)
    try:
        os.kill(server, signal.SIGKILL)
        assert wait_until(lambda: _try_lock(lock_fd), step=0.01)
    finally:
        os.kill(serve.process.pid, signal.SIGCONT)
    try:
        assert wait_until(lambda: _readyz(serve) == 503)
        # /readyz may fail on the refused connection before the supervisor has seen the death.
        assert wait_until(lambda: f"(pid {server}) died unexpectedly" in serve.log.read_text())
        for _ in range(3):
            response = _post(serve, ACCOUNTS)
            assert response.status_code == 200
            errors = response.json().get("errors", [])
            assert [error["extensions"]["code"] for error in errors] == ["DATABASE_UNAVAILABLE"], response.text
            # Failed at once on the supervisor's word, not after the driver's retry budget.
            assert "the database server is down" in errors[0]["message"], response.text
        assert serve.process.poll() is None
    finally:
        os.close(lock_fd)  # releases the lock

    # It comes back by itself, on the same ports, with its data; graphsvc was never restarted. (The
    # first calls may still meet connections to the dead server and, with a 3 s limit, time out.)
    assert wait_until(lambda: _readyz(serve) == 200), serve.log.read_text()[-3000:]
    assert wait_until(lambda: _answers(serve)), serve.log.read_text()[-3000:]
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
    embedded = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    embedded.start()
    yield embedded
    embedded.stop()


def _kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    assert wait_until(
        lambda: not Path(f"/proc/{pid}/cmdline").exists() or not Path(f"/proc/{pid}/cmdline").read_bytes(), step=0.01
    )


async def test_a_transaction_cut_by_a_server_death_is_retried_and_commits_once(server):
    info = server.status()
    db = Database.connect(
        str(info["bolt_uri"]), ROOT_USER, server.password(), DATABASE_NAME, GUARD, lambda: server.available
    )
    attempts = 0

    async def work(tx):
        # The first attempt writes, then the server dies under it before the commit: the driver
        # must run the whole transaction function again once the supervisor has restarted it.
        nonlocal attempts
        attempts += 1
        await tx.run(
            "ingest/accounts", rows=[{"id": "retried", "props": {"name": "Retried"}}], at="2026-01-01T00:00:00Z"
        )
        if attempts == 1:
            await asyncio.to_thread(_kill_and_wait, int(info["pid"]))
            # This attempt fails only once the supervisor has the server back: otherwise the
            # driver's retries (15 s in all) race a restart that takes longer on a busy machine.
            assert await asyncio.to_thread(wait_until, lambda: server.restarts == 1 and server.available)
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
        assert await asyncio.to_thread(wait_until, lambda: _try_lock(lock), GUARD, 0.005)
        assert await asyncio.to_thread(wait_until, lambda: not server.available, GUARD, 0.01)
        # "the database server is down" is the supervisor's answer, given without trying the driver.
        with pytest.raises(DatabaseUnavailable, match="the database server is down"):
            await db.read("admin/node_counts")
        assert not await db.ping()
        assert await asyncio.to_thread(wait_until, lambda: "failed (attempt 1, next in 1.0 s)" in caplog.text)
        fcntl.flock(lock, fcntl.LOCK_UN)
        assert await asyncio.to_thread(wait_until, lambda: server.available)
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
    threads = set(threading.enumerate())
    server = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    server.start()
    assert server.available
    assert server.stop()
    assert not server.available
    # Its supervisor has ended with the stop (it was joined), so nothing can come back.
    assert set(threading.enumerate()) <= threads
    assert arcadedb_processes(tmp_path) == []
    assert server.restarts == 0
    assert "died unexpectedly" not in caplog.text
    assert not (tmp_path / "server.json").exists()
