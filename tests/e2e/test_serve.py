"""End to end: ``graphsvc serve --demo`` as a user runs it, queried over HTTP."""

import csv
import signal
import time
from importlib.resources import files

import pytest
from conftest import ServeProcess, arcadedb_processes

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
    deadline = time.monotonic() + 30
    while arcadedb_processes(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert arcadedb_processes(data_dir) == []
