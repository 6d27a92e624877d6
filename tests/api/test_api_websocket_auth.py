"""API keys on WebSocket subscriptions, as a browser sends them.

Browsers cannot set headers on a WebSocket, so graphql-ws clients (the dashboard's included) send
the key as ``connectionParams``: ``{"Authorization": "Bearer <key>"}`` in ``connection_init``.
A valid key there is acknowledged and scopes the subscription like the header would; a missing,
unknown or malformed one closes the connection (4403) before any operation runs; a wrong key in
the upgrade request's header is refused at the door (4401).
"""

import asyncio
import json
import logging

import httpx
import pytest
import uvicorn
from api_graph import settings_for
from conftest import free_port, subscribers, until_subscribed
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from graphsvc.app import create_app
from graphsvc.ingest.importer import Importer
from graphsvc.scores.documents import save_document

pytestmark = pytest.mark.db

ADMIN_KEY = "admin-key-0a1b2c3d4e5f6a7b"
ANN_KEY = "rep-ann-key-1a2b3c4d5e6f7a8b"
CAT_KEY = "rep-cat-key-9f8e7d6c5b4a3210"
KEYS = {
    ADMIN_KEY: {"role": "ADMIN", "name": "ops"},
    ANN_KEY: {"role": "REP", "user_id": "u-ann", "name": "ann"},
    CAT_KEY: {"role": "REP", "user_id": "u-cat", "name": "cat"},
}
# A c_level lead scores 50 (demographic, no decay): the ABM threshold, so it goes to the owner, Ann.
SCORING_MODEL = {
    "version": 302,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {"weight": 50, "attributes": [{"field": "seniority", "weight": 100, "choices": {"c_level": 10}}]},
    "behavioral": {"weight": 50, "attributes": [{"event": "demo_request", "weight": 100, "choices": {"*": 10}}]},
}
SUBSCRIBE_ANN = {
    "id": "1",
    "type": "subscribe",
    "payload": {"query": 'subscription { routingDecisions(assigneeId: "u-ann") { id lead { id } } }'},
}


@pytest.fixture
async def server(embedded, empty_db):
    """The whole application on a loopback port, with keys, over a graph where a lead goes to Ann."""
    rows = {
        "users": [
            {"id": "u-ann", "name": "Ann", "role": "AE", "pools": "ae"},
            {"id": "u-cat", "name": "Cat", "role": "AE", "pools": "ae"},
        ],
        "accounts": [{"id": "acme", "name": "Acme", "domain": "acme.com", "is_target": True, "owner_id": "u-ann"}],
        "leads": [{"id": "l-1", "email": "pat@acme.com", "seniority": "c_level"}],
    }
    await save_document(empty_db, "scoring", SCORING_MODEL)
    importer = Importer(empty_db)
    for kind, items in rows.items():
        assert (await importer.import_rows(kind, enumerate(items, start=1))).errors == []
    port = free_port()
    served = uvicorn.Server(
        uvicorn.Config(create_app(settings_for(embedded, KEYS)), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(served.serve())
    try:
        while not served.started:
            await asyncio.sleep(0.05)
        yield port
    finally:
        served.should_exit = True
        await serving


async def _open(port: int, payload: object | None, headers: dict[str, str] | None = None):
    socket = await connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"], additional_headers=headers
    )
    await socket.send(json.dumps({"type": "connection_init"} | ({"payload": payload} if payload is not None else {})))
    return socket


async def test_a_key_in_connection_init_subscribes_as_its_caller(server):
    socket = await _open(server, {"Authorization": f"Bearer {ANN_KEY}"})
    async with socket:
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        listening = subscribers("u-ann")
        await socket.send(json.dumps(SUBSCRIBE_ANN))
        await until_subscribed("u-ann", listening)  # listening before the mutation runs
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}") as client:
            response = await client.post(
                "/graphql",
                json={"query": 'mutation { routeLead(leadId: "l-1") { id assignee { id } } }'},
                headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            )
        routed = response.json()["data"]["routeLead"]
        assert routed["assignee"] == {"id": "u-ann"}
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        assert message["type"] == "next"
        assert message["payload"]["data"]["routingDecisions"] == {"id": routed["id"], "lead": {"id": "l-1"}}


async def test_a_rep_keyed_in_connection_init_may_not_listen_to_another_reps_queue(server):
    socket = await _open(server, {"authorization": f"Bearer {CAT_KEY}"})  # the name is case-insensitive
    async with socket:
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps(SUBSCRIBE_ANN))
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        assert message["type"] == "next" and message["payload"]["data"] is None
        assert [error["extensions"]["code"] for error in message["payload"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        {"Authorization": "Bearer wrong-key-99887766554433221100"},
        {"Authorization": f"Token {ANN_KEY}"},
        {"Authorization": ["Bearer", ANN_KEY]},
        {"Authorization": f"Bearer {ANN_KEY}", "authorization": f"Bearer {CAT_KEY}"},
    ],
    ids=["no-payload", "empty", "unknown-key", "wrong-scheme", "not-a-string", "two-keys"],
)
async def test_a_missing_or_bad_key_in_connection_init_is_closed_before_any_operation(server, payload, caplog):
    caplog.set_level(logging.INFO, logger="graphsvc")
    socket = await _open(server, payload)
    with pytest.raises(ConnectionClosed) as closed:
        await socket.send(json.dumps(SUBSCRIBE_ANN))
        await asyncio.wait_for(socket.recv(), timeout=10)
    assert closed.value.rcvd.code == 4403
    assert "missing or unknown API key in connection_init" in caplog.text
    assert ANN_KEY not in caplog.text and CAT_KEY not in caplog.text


async def test_an_operation_before_connection_init_is_refused(server):
    async with connect(f"ws://127.0.0.1:{server}/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps(SUBSCRIBE_ANN))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), timeout=10)
    assert closed.value.rcvd.code == 4401


async def test_a_wrong_key_in_the_upgrade_header_is_refused_at_the_door(server):
    with pytest.raises((InvalidStatus, ConnectionClosed)) as refused:
        socket = await _open(
            server, {"Authorization": f"Bearer {ANN_KEY}"}, {"Authorization": "Bearer wrong-key-0000000000"}
        )
        await asyncio.wait_for(socket.recv(), timeout=10)
    error = refused.value
    # Closing before accepting becomes an HTTP 403 on the handshake; after accepting, a 4401 close.
    assert (isinstance(error, InvalidStatus) and error.response.status_code == 403) or error.rcvd.code == 4401


# -- the legacy graphql-ws protocol refuses alike ------------------------------------------------


@pytest.mark.parametrize(
    "payload", [None, {"Authorization": "Bearer wrong-key-99887766554433221100"}], ids=["no-key", "unknown-key"]
)
async def test_the_legacy_graphql_ws_protocol_closes_a_keyless_socket_with_4403(server, payload):
    async with connect(f"ws://127.0.0.1:{server}/graphql", subprotocols=["graphql-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init"} | ({"payload": payload} if payload else {})))
        refusal = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        assert refusal == {"type": "connection_error", "payload": {"message": "missing or unknown API key"}}
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), timeout=10)
    assert closed.value.rcvd.code == 4403


async def test_the_legacy_graphql_ws_protocol_acknowledges_a_valid_key(server):
    async with connect(f"ws://127.0.0.1:{server}/graphql", subprotocols=["graphql-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {ANN_KEY}"}}))
        assert json.loads(await asyncio.wait_for(socket.recv(), timeout=10))["type"] == "connection_ack"
