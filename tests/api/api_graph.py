"""A small hand-made sales graph for the API tests, and helpers to query it.

Who owns what (the access-control tests rely on it)::

    acme         "Acme Corp"     owner ann   target tier 1   contacts jo, al, kim   leads sam, pat (DOMAIN)
    └─ acme-de   "Acme Germany"  owner bob   target tier 2   contact max            lead uwe (NAME 0.9)
       └─ acme-berlin "Acme Berlin" owner ann
    beta         "Beta LLC"      owner bob                   contact eve
    gamma        "Gamma SA"      no owner
    (no account)                                             contact solo           lead free (unmatched)

Ann has two PENDING routing decisions and one ACCEPTED; Bob has none. Leads are matched and
decisions created here with Cypher of the test's own (the importer does neither), through a
separate driver to the same server.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from neo4j import AsyncGraphDatabase
from pydantic import SecretStr
from strawberry.types import ExecutionResult

from graphsvc.app import create_app
from graphsvc.auth import Caller, Role
from graphsvc.config import Settings
from graphsvc.ingest.importer import Importer
from graphsvc.schema import create_schema
from graphsvc.schema import schema as default_schema
from graphsvc.schema.context import Context
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits
from graphsvc.store import Database
from graphsvc.store.cypher import statement
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

ADMIN = Caller(Role.ADMIN, name="admin")
STRATEGIST = Caller(Role.STRATEGIST, name="strategist")
REP_ANN = Caller(Role.REP, "u-ann", name="ann")
INTEGRATION = Caller(Role.INTEGRATION, name="crm-sync")

ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        {"id": "u-ann", "name": "Ann Archer", "email": "ann@seller.io", "role": "AE", "active": True, "capacity": 10},
        {"id": "u-bob", "name": "Bob Baker", "email": "bob@seller.io", "role": "AE", "active": False, "capacity": 5},
        {"id": "u-meg", "name": "Meg Moss", "role": "MANAGER"},
    ],
    "accounts": [
        {
            "id": "acme",
            "name": "Acme Corp",
            "domain": "acme.com",
            "industry": "software",
            "employees": 5000,
            "annual_revenue": 1e9,
            "country": "US",
            "owner_id": "u-ann",
            "is_target": True,
            "tier": 1,
        },
        {
            "id": "acme-de",
            "name": "Acme Germany",
            "domain": "acme.de",
            "employees": 300,
            "country": "DE",
            "parent_id": "acme",
            "owner_id": "u-bob",
            "is_target": True,
            "tier": 2,
        },
        {
            "id": "acme-berlin",
            "name": "Acme Berlin",
            "employees": 40,
            "country": "DE",
            "parent_id": "acme-de",
            "owner_id": "u-ann",
        },
        {"id": "beta", "name": "Beta LLC", "industry": "retail", "owner_id": "u-bob"},
        {"id": "gamma", "name": "Gamma SA", "employees": 12, "country": "FR"},
    ],
    "contacts": [
        {
            "id": "c-jo",
            "account_id": "acme",
            "first_name": "Jo",
            "last_name": "Doe",
            "email": "jo@acme.com",
            "title": "CFO",
            "roles": ["ECONOMIC_BUYER"],
        },
        {
            "id": "c-al",
            "account_id": "acme",
            "first_name": "Al",
            "last_name": "Roe",
            "email": "al@acme.com",
            "title": "CTO",
            "roles": ["TECHNICAL_EVALUATOR", "CHAMPION"],
        },
        {"id": "c-kim", "account_id": "acme", "first_name": "Kim", "last_name": "Lee", "title": "Receptionist"},
        {
            "id": "c-max",
            "account_id": "acme-de",
            "first_name": "Max",
            "last_name": "Mustermann",
            "roles": ["DECISION_MAKER"],
        },
        {"id": "c-eve", "account_id": "beta", "first_name": "Eve", "last_name": "Stone", "roles": ["CHAMPION"]},
        {"id": "c-solo", "first_name": "Solo", "last_name": "Person"},
    ],
    "leads": [
        {
            "id": "l-sam",
            "email": "sam@acme.com",
            "first_name": "Sam",
            "last_name": "Hill",
            "company": "Acme",
            "title": "VP Sales",
            "status": "MQL",
            "created_at": "2026-10-01T09:00:00Z",
        },
        {
            "id": "l-pat",
            "email": "pat@acme.com",
            "first_name": "Pat",
            "last_name": "Kay",
            "company": "Acme",
            "created_at": "2026-10-05T09:00:00Z",
        },
        {
            "id": "l-uwe",
            "email": "uwe@acme-gmbh.de",
            "first_name": "Uwe",
            "company": "Acme Germany GmbH",
            "status": "SAL",
            "created_at": "2026-09-01T09:00:00Z",
        },
        {"id": "l-free", "email": "someone@gmail.com", "created_at": "2026-10-02T09:00:00Z"},
    ],
}

MATCHES = [
    {"lead": "l-sam", "account": "acme", "method": "DOMAIN", "confidence": 1.0},
    {"lead": "l-pat", "account": "acme", "method": "DOMAIN", "confidence": 1.0},
    {"lead": "l-uwe", "account": "acme-de", "method": "NAME", "confidence": 0.9},
]
DECISIONS = [
    {"id": "d-1", "user": "u-ann", "status": "PENDING"},
    {"id": "d-2", "user": "u-ann", "status": "PENDING"},
    {"id": "d-3", "user": "u-ann", "status": "ACCEPTED"},
]

_MATCH_LEADS = """
UNWIND $rows AS r
MATCH (l:Lead {id: r.lead})
MATCH (a:Account {id: r.account})
MERGE (l)-[m:MATCHED_TO]->(a)
SET m.method = r.method, m.confidence = r.confidence
"""
_DECIDE = """
UNWIND $rows AS r
MATCH (u:User {id: r.user})
MERGE (d:RoutingDecision {id: r.id})
SET d.status = r.status
MERGE (d)-[:ASSIGNED_TO]->(u)
"""


async def run_cypher(embedded: EmbeddedServer, text: str, **params: Any) -> list[dict[str, Any]]:
    """Run test-only Cypher (fixtures the service never writes, checks of what it wrote) with a driver of its own,
    then give the graph a new data version, as every graphsvc write does (what a process keeps under the old
    one must not outlive a fixture's change)."""
    uri = str(embedded.status()["bolt_uri"])
    async with AsyncGraphDatabase.driver(uri, auth=(ROOT_USER, embedded.password())) as driver:
        records, _, _ = await driver.execute_query(text, params, database_=DATABASE_NAME)
        await driver.execute_query(statement("store/bump_data_version"), token=uuid.uuid4().hex, database_=DATABASE_NAME)
    return [record.data() for record in records]


async def import_rows(db: Database, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Import ``rows`` per kind through the real importer; every row must land."""
    importer = Importer(db)
    for kind, kind_rows in rows.items():
        report = await importer.import_rows(kind, enumerate(kind_rows, start=1))
        assert not report.errors, report.errors


async def load_sales_graph(db: Database, embedded: EmbeddedServer) -> None:
    """Empty the database and load the graph described above."""
    await db.write("admin/delete_all")
    await import_rows(db, ROWS)
    await run_cypher(embedded, _MATCH_LEADS, rows=MATCHES)
    await run_cypher(embedded, _DECIDE, rows=DECISIONS)


async def execute(
    db: Database, query: str, caller: Caller | None = ADMIN, limits: ApiLimits | None = None, **variables: Any
) -> ExecutionResult:
    """Run ``query`` as ``caller`` against the real database, under ``limits`` when given."""
    schema = default_schema if limits is None else create_schema(limits)
    context = Context(db, caller, limits=limits or DEFAULT_LIMITS)
    return await schema.execute(query, variable_values=variables, context_value=context)


async def data_of(db: Database, query: str, caller: Caller | None = ADMIN, **variables: Any) -> dict[str, Any]:
    """The data of a query that must succeed."""
    result = await execute(db, query, caller, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def codes(result: ExecutionResult) -> list[str]:
    """The ``extensions.code`` of each error, in order."""
    return [(error.extensions or {}).get("code") for error in result.errors or []]


def settings_for(
    embedded: EmbeddedServer, api_keys: dict[str, Any] | None = None, host: str = "127.0.0.1", **overrides: Any
) -> Settings:
    """Settings that point the application at the session's server as if it were a Neo4j URI; ``overrides``
    set other settings."""
    return Settings(
        _env_file=None,
        neo4j_uri=str(embedded.status()["bolt_uri"]),
        neo4j_user=ROOT_USER,
        neo4j_password=SecretStr(embedded.password()),
        neo4j_database=DATABASE_NAME,
        host=host,
        api_keys=SecretStr(json.dumps(api_keys) if api_keys else ""),
        **overrides,
    )


@asynccontextmanager
async def api_client(
    embedded: EmbeddedServer,
    api_keys: dict[str, Any] | None = None,
    limits: ApiLimits = DEFAULT_LIMITS,
    base_url: str = "http://127.0.0.1",
    **overrides: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the whole application, its lifespan running (the store opens and closes); ``overrides``
    set settings (``settings_for``)."""
    app = create_app(settings_for(embedded, api_keys, **overrides), limits=limits)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=30) as client:
            yield client
