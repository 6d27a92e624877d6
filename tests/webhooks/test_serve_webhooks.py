"""End to end: webhooks sent by real ``graphsvc serve`` processes to a real receiver.

A change committed before a ``kill -9`` is delivered by the next process, and two processes on one
database deliver each event once between them.
"""

import os
import signal
import subprocess
import sys

import pytest
from conftest import GUARD, ServeProcess, arcadedb_processes, wait_until
from receiver import ReceiverServer

pytestmark = pytest.mark.db

ENV = {
    "GRAPHSVC_WEBHOOK_ALLOW_PRIVATE": "true",
    "GRAPHSVC_WEBHOOK_POLL_SECONDS": "0.1",
    "GRAPHSVC_WEBHOOK_TIMEOUT_SECONDS": "1",
    "GRAPHSVC_WEBHOOK_RETRY_BASE_SECONDS": "0.1",
    "GRAPHSVC_WEBHOOK_RETRY_MAX_DELAY_SECONDS": "0.5",
}
ADD = """mutation($url: String!) { addWebhook(url: $url, events: ["lead.status_changed"]) { id secret } }"""
IMPORT = """mutation($rows: [JSON!]!) { importRecords(kind: "leads", rows: $rows) { imported failed } }"""
LOG = """query($id: ID!) { webhookDeliveries(webhookId: $id, first: 100) { id status attempts payload } }"""


def _data(serve, query, **variables):
    answer = serve.graphql(query, **variables)
    assert "errors" not in answer, answer
    return answer["data"]


def _change_statuses(serve, count):
    """``count`` leads imported NEW, then moved to MQL: one lead.status_changed event each."""
    leads = [{"id": f"l-{i:03d}"} for i in range(count)]
    assert _data(serve, IMPORT, rows=leads)["importRecords"] == {"imported": count, "failed": 0}
    moved = [{**lead, "status": "MQL"} for lead in leads]
    assert _data(serve, IMPORT, rows=moved)["importRecords"] == {"imported": count, "failed": 0}


def _all_delivered(serve, hook_id, count):
    log = _data(serve, LOG, id=hook_id)["webhookDeliveries"]
    return log if len(log) == count and all(d["status"] == "DELIVERED" for d in log) else None


def test_an_event_in_flight_at_a_kill_9_is_delivered_after_the_restart(tmp_path):
    data_dir = tmp_path / "data"
    with ReceiverServer() as receiver:
        first = ServeProcess(data_dir, env=ENV)
        try:
            first.wait_ready()
            hook = _data(first, ADD, url=receiver.url)["addWebhook"]
            receiver.hang()
            _change_statuses(first, 1)
            # The delivery is claimed and in flight: the receiver holds the request without answering.
            assert wait_until(lambda: receiver.requests())
        finally:
            first.process.send_signal(signal.SIGKILL)
            first.process.wait()
        assert wait_until(lambda: not arcadedb_processes(data_dir))
        assert receiver.delivered_ids() == []
        receiver.recover()

        second = ServeProcess(data_dir, env=ENV)
        try:
            second.wait_ready()
            log = []
            assert wait_until(lambda: log.append(_all_delivered(second, hook["id"], 1)) or log[-1])
        finally:
            assert second.stop()
    [delivery] = log[-1]
    assert receiver.delivered_ids() == [delivery["payload"]["id"]]  # once, by the restarted process
    assert all(r.signed_with(hook["secret"]) for r in receiver.requests())
    assert {r.payload["id"] for r in receiver.requests()} == {delivery["payload"]["id"]}


def _graphsvc(data_dir, *args):
    env = {**os.environ, "GRAPHSVC_DATA_DIR": str(data_dir), "GRAPHSVC_EMBEDDED_HEAP": "1g"}
    env.pop("GRAPHSVC_NEO4J_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", *args], env=env, capture_output=True, text=True, timeout=GUARD
    )


def test_two_serve_processes_deliver_each_event_once_between_them(tmp_path):
    data_dir = tmp_path / "data"
    started = _graphsvc(data_dir, "db", "start")
    assert started.returncode == 0, started.stderr
    serves = []
    try:
        with ReceiverServer() as receiver:
            serves = [ServeProcess(data_dir, env=ENV), ServeProcess(data_dir, env=ENV)]
            for serve in serves:
                serve.wait_ready()
            hook = _data(serves[0], ADD, url=receiver.url)["addWebhook"]
            _change_statuses(serves[1], 40)
            log = []
            assert wait_until(lambda: log.append(_all_delivered(serves[0], hook["id"], 40)) or log[-1])
            ids = receiver.delivered_ids()
            assert len(ids) == len(set(ids)) == 40
            assert len(receiver.requests()) == 40  # no event was sent twice
            assert {d["attempts"] for d in log[-1]} == {1}
    finally:
        for serve in serves:
            assert serve.stop()
        assert _graphsvc(data_dir, "db", "stop").returncode == 0
