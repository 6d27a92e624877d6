"""End to end: ``graphsvc serve --demo`` as a user runs it, queried over HTTP."""

import csv
import os
import signal
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
from conftest import GUARD, ServeProcess, arcadedb_processes, free_port, wait_until

pytestmark = pytest.mark.db


def _first_demo_account() -> dict[str, str]:
    with (files("graphsvc.seeds") / "demo" / "accounts.csv").open(encoding="utf-8") as handle:
        return next(csv.DictReader(handle))


def test_serve_demo_answers_keeps_data_across_restarts_and_leaves_no_orphan(tmp_path):
    account = _first_demo_account()
    query = "query($id: ID!) { account(id: $id) { id name isTarget } }"
    data_dir = tmp_path / "data"

    first = ServeProcess(data_dir, "--demo")
    try:
        first.wait_ready()
        answer = first.graphql(query, id=account["id"])
        assert answer == {
            "data": {
                "account": {"id": account["id"], "name": account["name"], "isTarget": account["is_target"] == "true"}
            }
        }
        assert first.graphql(query, id="no-such-account") == {"data": {"account": None}}
    finally:
        assert first.stop()
    assert arcadedb_processes(data_dir) == []

    # Started again without --demo: the data is still there.
    second = ServeProcess(data_dir)
    try:
        second.wait_ready()
        assert second.graphql(query, id=account["id"])["data"]["account"]["name"] == account["name"]
        servers = arcadedb_processes(data_dir)
        assert len(servers) == 1
    finally:
        second.process.send_signal(signal.SIGKILL)
        second.process.wait()
    assert wait_until(lambda: not arcadedb_processes(data_dir)), arcadedb_processes(data_dir)


def _server_starts(data_dir: Path) -> int:
    """How many times an ArcadeDB server has started on ``data_dir``, by its log."""
    return (data_dir / "arcadedb.log").read_text("utf-8", errors="replace").count("is starting up")


def _graphsvc(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """Run one graphsvc command on ``data_dir`` (the timeout only guards against a hang)."""
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(data_dir),
        "GRAPHSVC_EMBEDDED_HEAP": "512m",
        "GRAPHSVC_EMBEDDED_START_TIMEOUT": str(GUARD),
    }
    env.pop("GRAPHSVC_NEO4J_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", *args], env=env, capture_output=True, text=True, timeout=GUARD
    )


def _readyz(serve: ServeProcess) -> int:
    try:
        return httpx.get(f"{serve.url}/readyz", timeout=30).status_code
    except httpx.HTTPError:
        return 0


def test_a_second_graphsvc_on_a_served_data_directory_names_the_serve_in_one_line(tmp_path):
    data_dir = tmp_path / "data"
    first = ServeProcess(data_dir)
    try:
        first.wait_ready()
        servers = arcadedb_processes(data_dir)
        starts = _server_starts(data_dir)
        for args in (["serve", "--port", str(free_port())], ["route", "lead-1"], ["db", "start"]):
            refused = _graphsvc(data_dir, *args)
            assert refused.returncode == 1, (args, refused.stderr)
            lines = refused.stderr.strip().splitlines()
            assert len(lines) == 1, (args, refused.stderr)
            assert str(data_dir) in lines[0] and f"pid {first.process.pid}" in lines[0], lines[0]
            assert "graphsvc serve --port" in lines[0], lines[0]
        # Each was refused before it started a server of its own.
        assert arcadedb_processes(data_dir) == servers
        # (The running server keeps logging its own work, so the log is compared by its start lines.)
        assert _server_starts(data_dir) == starts
        stop = _graphsvc(data_dir, "db", "stop")  # not a detached server: db stop leaves it alone
        assert stop.returncode == 1 and f"pid {first.process.pid}" in stop.stderr
        assert arcadedb_processes(data_dir) == servers
    finally:
        assert first.stop()


def test_an_attached_serve_finds_the_database_again_after_db_stop_and_db_start(tmp_path):
    data_dir = tmp_path / "data"
    started = _graphsvc(data_dir, "db", "start")
    assert started.returncode == 0, started.stderr
    serve = ServeProcess(data_dir)
    try:
        serve.wait_ready()
        stopped = _graphsvc(data_dir, "db", "stop")
        assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped", stopped
        # It says who is attached.
        assert f"pid {serve.process.pid}" in stopped.stderr and "graphsvc serve" in stopped.stderr, stopped.stderr
        assert wait_until(lambda: _readyz(serve) == 503)
        # Started again, it listens on other ports: the serve must find it there.
        restarted = _graphsvc(data_dir, "db", "start")
        assert restarted.returncode == 0, restarted.stderr
        assert restarted.stdout != started.stdout
        assert wait_until(lambda: _readyz(serve) == 200), serve.log.read_text()[-3000:]
        assert serve.graphql('{ account(id: "no-such-account") { id } }') == {"data": {"account": None}}
    finally:
        assert serve.stop()
        _graphsvc(data_dir, "db", "stop")
    assert arcadedb_processes(data_dir) == []
