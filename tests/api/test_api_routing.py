"""Routing through the API: routeLead, the lead's decision, myQueue, accept / reject, who may do
what, and the routingDecisions subscription over a real WebSocket.

The graph: a scoring model where a c_level lead at a software account scores 25 + 25 = 50
(demographic only, so the score does not decay), a target account ``acme`` (software) owned by
Ann, and Cat, another AE. A c_level lead at acme meets the ABM threshold (50) and goes to Ann.
"""

import asyncio
import json
from datetime import datetime, timedelta

import httpx
import pytest
import uvicorn
from api_graph import ADMIN, REP_ANN, STRATEGIST, codes, data_of, execute, settings_for
from conftest import free_port, subscribers, until_subscribed
from websockets.asyncio.client import connect

from graphsvc.app import create_app
from graphsvc.auth import Caller, Role
from graphsvc.ingest.importer import Importer
from graphsvc.scores.documents import save_document

pytestmark = pytest.mark.db

REP_CAT = Caller(Role.REP, "u-cat", name="cat")
SCORING_MODEL = {
    "version": 301,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {
        "weight": 50,
        "attributes": [
            {"field": "seniority", "weight": 50, "choices": {"c_level": 10, "director": 8}},
            {"field": "industry", "weight": 50, "choices": {"software": 10}},
        ],
    },
    "behavioral": {"weight": 50, "attributes": [{"event": "demo_request", "weight": 100, "choices": {"*": 10}}]},
}
DECISION = "id path rule threshold score status reasons decidedAt slaDueAt assignee { id } lead { id status }"


@pytest.fixture(autouse=True)
async def graph(empty_db):
    await save_document(empty_db, "scoring", SCORING_MODEL)
    importer = Importer(empty_db)
    rows = {
        "users": [
            {"id": "u-ann", "name": "Ann", "role": "AE", "capacity": 5, "pools": "ae"},
            {"id": "u-cat", "name": "Cat", "role": "AE", "pools": "ae"},
        ],
        "accounts": [
            {
                "id": "acme",
                "name": "Acme",
                "domain": "acme.com",
                "industry": "software",
                "is_target": True,
                "owner_id": "u-ann",
            },
        ],
        "leads": [
            {"id": "l-ceo", "email": "ceo@acme.com", "seniority": "c_level"},
            {"id": "l-dir", "email": "dir@acme.com", "seniority": "director"},
        ],
    }
    for kind, items in rows.items():
        report = await importer.import_rows(kind, enumerate(items, start=1))
        assert report.errors == []


async def _route(db, lead_id, caller=ADMIN, dry_run=False):
    return await execute(
        db,
        f"mutation($id: ID!, $dry: Boolean) {{ routeLead(leadId: $id, dryRun: $dry) {{ {DECISION} }} }}",
        caller,
        id=lead_id,
        dry=dry_run,
    )


async def test_route_a_target_account_lead_to_its_owner_and_read_it_back(db):
    result = await _route(db, "l-ceo")
    assert result.errors is None, result.errors
    decision = result.data["routeLead"]
    assert decision["path"] == "ABM"
    assert decision["score"] == pytest.approx(50.0) and decision["threshold"] == 50.0
    assert decision["status"] == "PENDING"
    assert decision["assignee"] == {"id": "u-ann"}
    assert decision["lead"] == {"id": "l-ceo", "status": "MQL"}  # qualified by routing, until accepted
    assert decision["reasons"]
    decided, due = (datetime.fromisoformat(decision[k]) for k in ("decidedAt", "slaDueAt"))
    assert due - decided == timedelta(hours=4)  # the ABM SLA

    data = await data_of(db, '{ lead(id: "l-ceo") { routing { id status assignee { name } } } }')
    assert data["lead"]["routing"] == {"id": decision["id"], "status": "PENDING", "assignee": {"name": "Ann"}}


async def test_a_dry_run_decides_without_writing(db):
    result = await _route(db, "l-ceo", dry_run=True)
    assert result.data["routeLead"]["assignee"] == {"id": "u-ann"}
    data = await data_of(db, '{ lead(id: "l-ceo") { routing { id } } }')
    assert data["lead"]["routing"] is None


async def test_a_lead_below_the_abm_threshold_is_nurtured(db):
    result = await _route(db, "l-dir")  # director 20 + software 25 = 45 < 50, account not at MQA
    decision = result.data["routeLead"]
    assert decision["path"] == "ABM" and decision["assignee"] is None
    assert decision["lead"]["status"] == "NURTURE"


async def test_my_queue_accept_and_who_may_act(db):
    decision_id = (await _route(db, "l-ceo")).data["routeLead"]["id"]
    queue = "{ myQueue(first: 10) { totalCount edges { node { id status lead { id } } } } }"
    ann = await data_of(db, queue, REP_ANN)
    assert ann["myQueue"]["totalCount"] == 1
    assert [edge["node"]["id"] for edge in ann["myQueue"]["edges"]] == [decision_id]
    assert (await data_of(db, queue, REP_CAT))["myQueue"] == {"totalCount": 0, "edges": []}
    # Cat cannot see or act on Ann's decision; a strategist cannot route.
    accept = "mutation($id: ID!) { acceptRouting(decisionId: $id) { status lead { status } } }"
    # Another rep's decision answers like a missing one (no existence oracle).
    assert codes(await execute(db, accept, REP_CAT, id=decision_id)) == ["NOT_FOUND"]
    assert codes(await execute(db, accept, REP_CAT, id="no-such-decision")) == ["NOT_FOUND"]
    assert codes(await _route(db, "l-dir", STRATEGIST)) == ["FORBIDDEN"]
    assert (await data_of(db, '{ lead(id: "l-ceo") { routing { id } } }', REP_CAT))["lead"] is None

    accepted = await data_of(db, accept, REP_ANN, id=decision_id)
    assert accepted["acceptRouting"] == {"status": "ACCEPTED", "lead": {"status": "SAL"}}
    assert (await data_of(db, queue, REP_ANN))["myQueue"]["totalCount"] == 0


async def test_reject_recycles_the_lead_with_the_reason(db):
    decision_id = (await _route(db, "l-ceo")).data["routeLead"]["id"]
    data = await data_of(
        db,
        'mutation($id: ID!) { rejectRouting(decisionId: $id, reason: "not a buyer") { status reasons lead { status } } }',
        REP_ANN,
        id=decision_id,
    )
    rejected = data["rejectRouting"]
    assert rejected["status"] == "REJECTED" and rejected["lead"]["status"] == "RECYCLED"
    unknown = await execute(db, 'mutation { acceptRouting(decisionId: "nope") { id } }')
    assert codes(unknown) == ["NOT_FOUND"]


async def test_a_subscriber_receives_the_decision_a_mutation_makes(embedded, db):
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings_for(embedded)), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        async with connect(f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]) as socket:
            await socket.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            listening = subscribers("u-ann")
            await socket.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {
                            "query": 'subscription { routingDecisions(assigneeId: "u-ann") { id status lead { id } } }'
                        },
                    }
                )
            )
            await until_subscribed("u-ann", listening)  # listening before the mutation runs
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                response = await client.post(
                    "/graphql", json={"query": 'mutation { routeLead(leadId: "l-ceo") { id } }'}
                )
            routed = response.json()["data"]["routeLead"]["id"]
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            assert message["type"] == "next" and message["id"] == "1"
            assert message["payload"]["data"]["routingDecisions"] == {
                "id": routed,
                "status": "PENDING",
                "lead": {"id": "l-ceo"},
            }
    finally:
        server.should_exit = True
        await serving
