"""End to end: ``graphsvc serve --workers 2``, two worker processes behind one port.

Which worker answers a new connection is the kernel's choice, so the tests find each worker by
asking ``/healthz`` (it names the process) over fresh connections until both have answered.
"""

import asyncio
import json
import os
import re
import signal
from datetime import UTC, datetime, timedelta

import httpx
import psutil
import pytest
from conftest import GUARD, ServeProcess, wait_until
from websockets.asyncio.client import connect

from graphsvc.routing.decisions import DecisionStatus, read_decision, read_decisions
from graphsvc.routing.engine import route_lead
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

pytestmark = pytest.mark.db

DUTIES = re.compile(r"process (\d+) runs the background duties: SLA sweep")


def _pid(client: httpx.Client) -> int:
    """The worker process behind ``client``'s connection (kept alive, so the same one on the next request)."""
    response = client.get("/healthz")
    assert response.status_code == 200, response.text
    return response.json()["pid"]


def _workers(serve: ServeProcess, count: int, besides: frozenset[int] = frozenset()) -> set[int]:
    """The pids of the workers, once ``count`` of them other than ``besides`` have answered on fresh connections."""
    seen: set[int] = set()

    def all_answered() -> bool:
        with httpx.Client(base_url=serve.url, timeout=30) as client:
            seen.add(_pid(client))
        return len(seen - besides) >= count

    assert wait_until(all_answered), (seen, serve.log.read_text()[-3000:])
    return seen


def _client_of(serve: ServeProcess, pid: int) -> httpx.Client:
    """A client whose connection worker ``pid`` serves."""
    found: list[httpx.Client] = []

    def connected() -> bool:
        client = httpx.Client(base_url=serve.url, timeout=30)
        if _pid(client) == pid:
            found.append(client)
            return True
        client.close()
        return False

    assert wait_until(connected)
    return found[0]


def _duty_holders(serve: ServeProcess) -> list[int]:
    """Pids that took the background duties, in order, from the log."""
    return [int(pid) for pid in DUTIES.findall(serve.log.read_text(errors="replace"))]


def _serving_pid(workers: set[int], port: int, client_port: int) -> int:
    """The worker holding the server end of the TCP connection from ``client_port``."""
    for pid in workers:
        for connection in psutil.Process(pid).net_connections(kind="tcp"):
            if connection.laddr.port == port and connection.raddr and connection.raddr.port == client_port:
                return pid
    raise AssertionError(f"no worker of {workers} holds the connection from port {client_port}")


async def _hear_through_the_other_worker(serve: ServeProcess, workers: set[int], lead_id: str) -> tuple[int, int]:
    """Subscribe on one worker, route ``lead_id`` through the other; the decision the subscriber hears."""
    async with connect(f"ws://127.0.0.1:{serve.port}/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = "subscription { routingDecisions { id status lead { id } } }"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        listening = _serving_pid(workers, serve.port, socket.local_address[1])
        [other] = workers - {listening}
        client = _client_of(serve, other)
        try:
            routed = client.post("/graphql", json={"query": f'mutation {{ routeLead(leadId: "{lead_id}") {{ id }} }}'})
        finally:
            client.close()
        decision_id = routed.json()["data"]["routeLead"]["id"]
        # Relayed through the database: the other worker published it to its own subscribers only.
        message = json.loads(await asyncio.wait_for(socket.recv(), GUARD))
        assert message["type"] == "next", message
        assert message["payload"]["data"]["routingDecisions"] == {
            "id": decision_id,
            "status": "PENDING",
            "lead": {"id": lead_id},
        }
        return listening, other


async def test_two_workers_share_one_port_the_duties_run_once_and_a_dead_worker_is_replaced(tmp_path):
    data_dir = tmp_path / "data"
    serve = ServeProcess(data_dir, "--workers", "2", "--demo", env={"GRAPHSVC_SLA_SWEEP_SECONDS": "0.5"})
    try:
        serve.wait_ready()
        # One port, two processes, neither of them the parent (which runs the database and the workers).
        workers = _workers(serve, 2)
        assert serve.process.pid not in workers and len(workers) == 2

        # Both workers serve, one of them runs the SLA sweep.
        [holder] = _duty_holders(serve)
        assert holder in workers

        # A subscriber on one worker hears a decision made through the other.
        await _hear_through_the_other_worker(serve, workers, "lead-000006")

        # A decision overdue since yesterday (routed three days ago, 24 h SLA) is escalated by the sweep.
        embedded = EmbeddedServer(data_dir)
        db = Database.connect(str(embedded.status()["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME)
        try:
            started = datetime.now(UTC)
            overdue = await route_lead(db, "lead-000002", now=started - timedelta(days=3))
            assert overdue.status is DecisionStatus.PENDING and overdue.sla_due_at < started

            async def escalated() -> bool:
                return (await read_decision(db, overdue.id)).status is DecisionStatus.ESCALATED

            async with asyncio.timeout(GUARD):
                while not await escalated():
                    await asyncio.sleep(0.1)

            # The duty holder dies: the other worker takes the duties over, and a new worker replaces it.
            os.kill(holder, signal.SIGKILL)
            [survivor] = workers - {holder}
            assert wait_until(lambda: _duty_holders(serve) == [holder, survivor]), serve.log.read_text()[-3000:]
            # Every request is answered meanwhile (each one asserts 200).
            [replacement] = _workers(serve, 1, besides=frozenset(workers)) - workers
            assert replacement != serve.process.pid
            answer = httpx.post(f"{serve.url}/graphql", json={"query": "{ accounts { totalCount } }"}, timeout=30)
            assert answer.json()["data"]["accounts"]["totalCount"] > 0

            # However many sweeps ran, and in however many processes: one escalation of the overdue decision.
            changed = await db.read("routing/decisions_changed_since", since=started.isoformat())
            decisions = await read_decisions(db, [row["id"] for row in changed])
            escalations = [d for d in decisions if d.escalated_from == overdue.id]
            assert len(escalations) == 1 and escalations[0].status is DecisionStatus.PENDING, escalations
        finally:
            await db.close()
        assert _duty_holders(serve) == [holder, survivor]
    finally:
        assert serve.stop()
