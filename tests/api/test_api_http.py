"""End to end over HTTP: the whole application with its lifespan, API keys in headers."""

import gc
import json
import logging
import os

import pytest
from api_graph import api_client, load_sales_graph, settings_for
from pydantic import SecretStr

from graphsvc.app import create_app
from graphsvc.auth import ApiKeys, Role
from graphsvc.errors import InvalidInput

pytestmark = pytest.mark.db

ADMIN_KEY = "admin-key-0123456789abcdef"
STRATEGIST_KEY = "strategist-key-0123456789"
REP_KEY = "rep-ann-key-0123456789abc"
INTEGRATION_KEY = "integration-key-012345678"
KEYS = {
    ADMIN_KEY: {"role": "ADMIN", "name": "ops"},
    STRATEGIST_KEY: {"role": "STRATEGIST"},
    REP_KEY: {"role": "REP", "user_id": "u-ann", "name": "ann"},
    INTEGRATION_KEY: {"role": "INTEGRATION", "name": "crm-sync"},
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


@pytest.fixture(scope="module")
async def client(embedded, sales_graph):
    async with api_client(embedded, KEYS) as http:
        yield http


async def graphql(client, key, query, **variables):
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=bearer(key))
    assert response.status_code == 200, response.text
    return response.json()


# -- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {ADMIN_KEY}"},
        {"Authorization": ADMIN_KEY},
        {"Authorization": "Bearer not-a-configured-key-000"},
        {"Authorization": f"Bearer {ADMIN_KEY}x"},
    ],
    ids=["missing", "empty", "basic", "no-scheme", "unknown", "longer"],
)
async def test_missing_or_unknown_keys_get_401(client, headers):
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_graphiql_page_needs_no_key_but_a_query_by_get_does(client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert (await client.get("/graphql", params={"query": "{ __typename }"})).status_code == 401
    answered = await client.get("/graphql", params={"query": "{ __typename }"}, headers=bearer(STRATEGIST_KEY))
    assert answered.json() == {"data": {"__typename": "Query"}}


async def test_health_readiness_and_metrics_need_no_key(client):
    # The application runs in this process (an ASGI client): the pid that answers is this one.
    assert (await client.get("/healthz")).json() == {"status": "ok", "pid": os.getpid()}
    assert (await client.get("/readyz")).json() == {"ready": True}
    assert (await client.get("/metrics")).status_code == 200


async def test_keys_are_never_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    for key in KEYS:
        await client.post("/graphql", json={"query": "{ accounts { totalCount } }"}, headers=bearer(key))
    await client.post("/graphql", json={"query": "{ __typename }"}, headers=bearer("wrong-key-but-secret-1234"))
    assert "refused POST /graphql" in caplog.text
    for key in [*KEYS, "wrong-key-but-secret-1234"]:
        assert key not in caplog.text


# -- every operation over HTTP ----------------------------------------------------------------


async def test_every_query_over_http(client):
    response = await client.post(
        "/graphql",
        headers=bearer(STRATEGIST_KEY),
        json={
            "query": """{
        account(id: "acme") { name owner { name openAssignments } contacts(first: 1) { totalCount edges { node { name } } } }
        accounts(isTarget: true, orderBy: "-employees") { totalCount edges { node { id } } }
        lead(id: "l-uwe") { status match { method account { name } } }
        contact(id: "c-al") { name roles account { name } }
    }"""
        },
    )
    assert response.status_code == 200
    assert len(response.headers["x-request-id"]) == 32
    assert response.json() == {
        "data": {
            "account": {
                "name": "Acme Corp",
                "owner": {"name": "Ann Archer", "openAssignments": 2},
                "contacts": {"totalCount": 3, "edges": [{"node": {"name": "Jo Doe"}}]},
            },
            "accounts": {"totalCount": 2, "edges": [{"node": {"id": "acme"}}, {"node": {"id": "acme-de"}}]},
            "lead": {"status": "SAL", "match": {"method": "NAME", "account": {"name": "Acme Germany"}}},
            "contact": {
                "name": "Al Roe",
                "roles": ["CHAMPION", "TECHNICAL_EVALUATOR"],
                "account": {"name": "Acme Corp"},
            },
        }
    }


async def test_every_mutation_over_http(client):
    imported = await graphql(
        client,
        INTEGRATION_KEY,
        """mutation($rows: [JSON!]!) {
        importRecords(kind: "contacts", rows: $rows) { imported failed errors { row field message } } }""",
        rows=[
            {"id": "c-new", "account_id": "gamma", "first_name": "Nia", "last_name": "New"},
            {"id": "c-bad", "account_id": "nowhere"},
        ],
    )
    assert imported == {
        "data": {
            "importRecords": {
                "imported": 1,
                "failed": 1,
                "errors": [{"row": 2, "field": "account_id", "message": "unknown account 'nowhere'"}],
            }
        }
    }
    role = await graphql(
        client, ADMIN_KEY, 'mutation { setBuyingRole(personId: "c-new", role: "BLOCKER") { name roles } }'
    )
    assert role == {"data": {"setBuyingRole": {"name": "Nia New", "roles": ["BLOCKER"]}}}
    target = await graphql(
        client,
        STRATEGIST_KEY,
        'mutation { setTarget(accountId: "gamma", isTarget: true, tier: 2) { isTarget tier '
        "contacts { edges { node { id roles } } } } }",
    )
    assert target == {
        "data": {
            "setTarget": {
                "isTarget": True,
                "tier": 2,
                "contacts": {"edges": [{"node": {"id": "c-new", "roles": ["BLOCKER"]}}]},
            }
        }
    }


async def test_roles_apply_over_http(client):
    rep = await graphql(client, REP_KEY, '{ accounts { totalCount } account(id: "beta") { id } }')
    assert rep == {"data": {"accounts": {"totalCount": 2}, "account": None}}
    integration = await graphql(client, INTEGRATION_KEY, '{ account(id: "acme") { id } }')
    assert integration["data"] == {"account": None}
    assert integration["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    strategist = await graphql(
        client, STRATEGIST_KEY, 'mutation { importRecords(kind: "users", rows: []) { imported } }'
    )
    assert strategist["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


async def test_metrics_count_operations_by_name_and_database_statements(client):
    for _ in range(2):
        await graphql(client, STRATEGIST_KEY, "query AccountPage { accounts(first: 2) { edges { node { id } } } }")
    await graphql(client, STRATEGIST_KEY, 'query Broken { accounts(orderBy: "nope") { totalCount } }')
    text = (await client.get("/metrics")).text
    assert 'graphsvc_graphql_operations_total{operation="AccountPage",outcome="ok",type="query"} 2.0' in text
    assert 'graphsvc_graphql_operations_total{operation="Broken",outcome="error",type="query"} 1.0' in text
    assert 'graphsvc_graphql_operation_seconds_count{operation="AccountPage"} 2.0' in text
    statements = next(line for line in text.splitlines() if line.startswith("graphsvc_db_statements_total "))
    assert float(statements.split()[1]) >= 4  # 2 x (page of ids + accounts by id), at least


# -- open mode --------------------------------------------------------------------------------


async def test_without_keys_the_api_is_open_as_admin_on_loopback_only(embedded, caplog):
    caplog.set_level(logging.WARNING, logger="graphsvc.auth")
    async with api_client(embedded) as local:
        answer = await local.post(
            "/graphql", json={"query": 'mutation { setTarget(accountId: "beta", isTarget: false) { isTarget } }'}
        )
        assert answer.json() == {"data": {"setTarget": {"isTarget": False}}}
    assert "no API keys configured" in caplog.text
    async with api_client(embedded, base_url="http://192.0.2.10") as remote:
        refused = await remote.post("/graphql", json={"query": "{ __typename }"})
        assert refused.status_code == 401


def test_without_keys_a_non_loopback_host_is_refused_at_start(embedded):
    with pytest.raises(InvalidInput, match=r"refusing to serve the API on 0\.0\.0\.0 without API keys"):
        create_app(settings_for(embedded, host="0.0.0.0"))
    create_app(settings_for(embedded, KEYS, host="0.0.0.0"))  # with keys it may listen anywhere


# -- the key setting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a-list-of-keys-0000"]', "must be a JSON object"),
        ('{"short": {"role": "ADMIN"}}', "key #1 is shorter than 16 characters"),
        ('{"rep-without-user-0000": {"role": "REP"}}', "key #1: a REP key needs a user_id"),
        ('{"ok-key-000000000000000": {"role": "ADMIN"}, "pilot-key-000000000000": {"role": "PILOT"}}', "key #2: role"),
        ('{"typo-key-0000000000000": {"role": "ADMIN", "user": "u1"}}', "key #1: user"),
    ],
)
def test_malformed_key_settings_are_refused_without_echoing_keys(setting, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        ApiKeys.parse(SecretStr(setting))
    for secret in ("rep-without-user-0000", "pilot-key-000000000000", "typo-key-0000000000000"):
        assert secret not in str(refused.value)


def test_each_key_authenticates_as_its_own_grant():
    keys = ApiKeys.parse(SecretStr(json.dumps(KEYS)))
    assert keys.authenticate(f"Bearer {REP_KEY}").role is Role.REP
    assert keys.authenticate(f"bearer {REP_KEY}").user_id == "u-ann"
    assert keys.authenticate(f"Bearer {INTEGRATION_KEY}").name == "crm-sync"
    assert keys.authenticate(f"Bearer {STRATEGIST_KEY}").name == "key-2"
    assert keys.authenticate(f"Bearer {REP_KEY[:-1]}") is None
    assert keys.authenticate(None) is None


async def test_a_subscription_over_http_is_refused_as_invalid_not_internal(client):
    # Subscriptions run over WebSocket only; over POST (or GET) the document is valid but not allowed there.
    subscription = "subscription { routingDecisions { id } }"
    for response in (
        await client.post("/graphql", json={"query": subscription}, headers=bearer(ADMIN_KEY)),
        await client.get("/graphql", params={"query": subscription}, headers=bearer(ADMIN_KEY)),
    ):
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", response.text
        assert "subscribe over a WebSocket at /graphql" in error["message"]


async def test_a_started_application_keeps_what_it_started_with_out_of_the_collectors_walks(embedded):
    gc.unfreeze()
    async with api_client(embedded) as local:
        assert (await local.get("/healthz")).status_code == 200
        assert gc.get_freeze_count() > 10_000  # the modules, the schema, the driver
