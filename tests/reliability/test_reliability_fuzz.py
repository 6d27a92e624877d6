"""Fuzzing the API: 2,000+ queries and mutations generated from the served schema by hypothesis-graphql.

The schema comes from the running application's own introspection; operations are valid
(``Mode.POSITIVE``) or carry one schema violation (``Mode.NEGATIVE``); IDs, strings, times and
JSON values are drawn from the real graph and from hostile text. They go over HTTP through the
whole application (lifespan, API keys, body limit, rate limits) as a random role, and then as
each role in turn (a key of every role, both reps). No answer may be a 5xx or an INTERNAL error,
a REP's answers never contain another rep's data, an INTEGRATION key's queries read nothing of
the graph, and the service stays ready.
"""

import json
from collections import Counter
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries
from reliability_support import ANN_HIDDEN, ROWS, api_client, load_access_graph

pytestmark = pytest.mark.db

KEYS = {
    "fuzz-admin-key-00112233445566": {"role": "ADMIN", "name": "fuzz-admin"},
    "fuzz-strategist-key-0011223344": {"role": "STRATEGIST", "name": "fuzz-strategist"},
    "fuzz-rep-ann-key-001122334455": {"role": "REP", "user_id": "u-ann", "name": "fuzz-ann"},
    "fuzz-rep-cat-key-001122334455": {"role": "REP", "user_id": "u-cat", "name": "fuzz-cat"},
    "fuzz-integration-key-00112233": {"role": "INTEGRATION", "name": "fuzz-integration"},
}
ANN_KEY = "fuzz-rep-ann-key-001122334455"
CAT_KEY = "fuzz-rep-cat-key-001122334455"
INTEGRATION_KEY = "fuzz-integration-key-00112233"
# Mutations mostly as ADMIN, so most of them run rather than stop at the permission check.
MUTATION_KEYS = [*KEYS, *["fuzz-admin-key-00112233445566"] * 5]

# Every code a caller may see; INTERNAL (a masked bug) is a finding.
EXPECTED_CODES = {
    "NOT_FOUND",
    "INVALID_INPUT",
    "DOCUMENT_INVALID",
    "FORBIDDEN",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COSTLY",
    "DEADLINE_EXCEEDED",
}
# Examples per test; 2,000 in all, then PER_ROLE more as each role.
BUDGET = {"queries": 800, "queries with a violation": 250, "mutations": 700, "mutations with a violation": 250}
PER_ROLE = 60
RUN: Counter[str] = Counter()
CODES: Counter[str] = Counter()

KNOWN_IDS = sorted(
    {row["id"] for kind in ROWS.values() for row in kind}
    | ANN_HIDDEN
    | {"acme-uk", "u-cat", "e-sam", "e-max", "e-dee", "rd-none"}
)
# What REP Cat (owner of delta only) must never see; Ann's decision id is added at load.
CAT_HIDDEN = frozenset(
    {"acme", "acme-de", "acme-berlin", "acme-uk", "beta", "gamma"}
    | {"c-jo", "c-al", "c-kim", "c-max", "c-eve", "c-solo", "l-sam", "l-pat", "l-uwe", "l-free"}
)
HOSTILE_TEXT = [
    "",
    " ",
    "'",
    '"',
    "\\",
    "' OR 1=1 //",
    "}) MATCH (n) DETACH DELETE n //",
    "$rows",
    "\u0000",
    "\ud7ff\ue000",
    "😀" * 50,
    "a" * 5000,
    "graphsvc:1",
    "Z3JhcGhzdmM6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # a cursor far beyond 64 bits
    "-name",
    "employees",
    "CHAMPION",
    "champion",
    "accounts",
    "users",
    "contacts",
    "leads",
    "engagements",
    "opportunities",
    "acme.com",
    "jane@eu.acme.com",
    "https://www.delta.io/x",
]
TIMES = [
    "2026-11-01T00:00:00Z",
    "2026-11-01T00:00:00+14:00",
    "2026-11-01",
    "2026-11-01T00:00:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2020-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "yesterday",
    "",
]


def _text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.sampled_from(KNOWN_IDS), st.text(max_size=40))


def _json_node(value: Any) -> graphql.ValueNode:
    """A GraphQL literal for a JSON value (the JSON scalar takes any literal)."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([_json_node(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=_json_node(item))
            for key, item in value.items()
        ]
    )


_NAMES = st.sampled_from(
    [
        *("id", "name", "account_id", "person_id", "type", "occurred_at", "owner_id", "parent_id", "employees"),
        *("roles", "email", "role", "capacity", "pools", "is_target", "tier", "version", "demographic", "weight"),
    ]
) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _text(),
    st.sampled_from(TIMES),
)
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_NAMES, inner, max_size=6), max_leaves=20
)

CUSTOM_SCALARS = {
    "ID": st.one_of(st.sampled_from(KNOWN_IDS), _text()).map(nodes.String),
    "String": _text().map(nodes.String),
    "DateTime": st.one_of(st.sampled_from(TIMES), st.datetimes().map(lambda moment: moment.isoformat())).map(
        nodes.String
    ),
    "JSON": _JSON.map(_json_node),
}


@pytest.fixture(scope="module")
async def decisions(db) -> dict[str, str]:
    return await load_access_graph(db)


@pytest.fixture(scope="module")
async def client(embedded, decisions):
    async with api_client(embedded, KEYS) as http:
        yield http


@pytest.fixture(scope="module")
async def served_schema(client) -> graphql.GraphQLSchema:
    """The schema as the running application describes itself."""
    response = await client.post(
        "/graphql",
        json={"query": graphql.get_introspection_query()},
        headers={"Authorization": "Bearer fuzz-admin-key-00112233445566"},
    )
    return graphql.build_client_schema(response.json()["data"])


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(set(), *(_strings(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(_strings(item) for item in value))
    return {value} if isinstance(value, str) else set()


def _hidden(decisions: dict[str, str], key: str, kind: str) -> frozenset[str]:
    """What the answers of ``key`` must never contain."""
    if key == ANN_KEY:
        return ANN_HIDDEN | {decisions["cat"]}
    if key == CAT_KEY:
        return CAT_HIDDEN | {decisions["ann"]}
    if key == INTEGRATION_KEY and kind == "queries":  # its mutations echo the rows it imports
        return frozenset(KNOWN_IDS) | set(decisions.values())
    return frozenset()


async def _send(client, decisions: dict[str, str], document: str, key: str, budget: str) -> None:
    response = await client.post("/graphql", json={"query": document}, headers={"Authorization": f"Bearer {key}"})
    RUN[budget] += 1
    assert response.status_code < 500, (response.status_code, document, response.text[:500])
    if response.status_code != 200:  # strawberry's own refusals (e.g. 400 for an empty document) are plain text
        return
    body = response.json()
    found = [(error.get("extensions") or {}).get("code") for error in body.get("errors") or []]
    CODES.update(found)
    unexpected = [code for code in found if code not in EXPECTED_CODES]
    assert not unexpected, (document, KEYS[key]["role"], json.dumps(body)[:1500])
    kind = "queries" if budget.startswith("queries") else "mutations"
    leaked = _strings(body.get("data")) & _hidden(decisions, key, kind)
    assert not leaked, (document, KEYS[key]["role"], leaked)


_SETTINGS = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


async def _fuzz(client, decisions, schema: graphql.GraphQLSchema, data: st.DataObject, budget: str) -> None:
    kind = "queries" if budget.startswith("queries") else "mutations"
    make = queries if kind == "queries" else mutations
    mode = Mode.NEGATIVE if budget.endswith("violation") else Mode.POSITIVE
    document = data.draw(make(schema, custom_scalars=CUSTOM_SCALARS, mode=mode), label="document")
    key = data.draw(st.sampled_from(list(KEYS) if kind == "queries" else MUTATION_KEYS), label="key")
    await _send(client, decisions, document, key, budget)


@settings(_SETTINGS, max_examples=BUDGET["queries"])
@given(data=st.data())
async def test_generated_queries(client, decisions, served_schema, data):
    await _fuzz(client, decisions, served_schema, data, "queries")


@settings(_SETTINGS, max_examples=BUDGET["queries with a violation"])
@given(data=st.data())
async def test_generated_queries_with_a_violation(client, decisions, served_schema, data):
    await _fuzz(client, decisions, served_schema, data, "queries with a violation")


@settings(_SETTINGS, max_examples=BUDGET["mutations"])
@given(data=st.data())
async def test_generated_mutations(client, decisions, served_schema, data):
    await _fuzz(client, decisions, served_schema, data, "mutations")


@settings(_SETTINGS, max_examples=BUDGET["mutations with a violation"])
@given(data=st.data())
async def test_generated_mutations_with_a_violation(client, decisions, served_schema, data):
    await _fuzz(client, decisions, served_schema, data, "mutations with a violation")


@pytest.mark.parametrize("key", list(KEYS), ids=[grant["name"] for grant in KEYS.values()])
@settings(_SETTINGS, max_examples=PER_ROLE)
@given(data=st.data())
async def test_generated_operations_as_each_role(client, decisions, served_schema, key, data):
    kind = data.draw(st.sampled_from(["queries", "mutations"]), label="kind")
    mode = data.draw(st.sampled_from([Mode.POSITIVE, Mode.NEGATIVE]), label="mode")
    make = queries if kind == "queries" else mutations
    document = data.draw(make(served_schema, custom_scalars=CUSTOM_SCALARS, mode=mode), label="document")
    await _send(client, decisions, document, key, f"{kind} as {KEYS[key]['name']}")


async def test_the_fuzz_ran_2000_operations_and_the_service_is_still_ready(client):
    assert all(RUN[budget] >= examples for budget, examples in BUDGET.items()), RUN
    for grant in KEYS.values():
        assert RUN[f"queries as {grant['name']}"] + RUN[f"mutations as {grant['name']}"] >= PER_ROLE, RUN
    assert sum(RUN.values()) >= 2000 + PER_ROLE * len(KEYS), RUN
    assert (await client.get("/readyz")).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
    answered = await client.post(
        "/graphql",
        json={"query": '{ account(id: "acme") { id name } }'},
        headers={"Authorization": "Bearer fuzz-admin-key-00112233445566"},
    )
    assert answered.json() == {"data": {"account": {"id": "acme", "name": "Acme Corp"}}}
    print(f"fuzz: {sum(RUN.values())} operations {dict(RUN)}; error codes {dict(CODES)}")
