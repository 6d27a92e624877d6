"""Abuse limits beyond tests/api/test_api_guards.py: wide documents, fragment tricks, page sizes on
every connection, cursors out of range, and request bodies that are not JSON the parser can take.

Every refusal must be quick (no database call for a malformed document) and a 4xx or a typed
GraphQL error, never a 500 or an INTERNAL error.
"""

import base64

import pytest
from graphql import GraphQLList, GraphQLNonNull, get_introspection_query
from reliability_support import ADMIN, api_client, codes, execute, import_rows, load_access_graph

from graphsvc.schema import schema
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits

pytestmark = pytest.mark.db


@pytest.fixture(scope="module", autouse=True)
async def access_graph(db):
    await load_access_graph(db)
    # A second engagement for c-max and l-sam (both at acme), so every timeline has two to page through.
    await import_rows(
        db,
        {
            "engagements": [
                {"id": "e-max-2", "person_id": "c-max", "type": "web_visit", "occurred_at": "2026-10-23T00:00:00Z"},
                {"id": "e-sam-2", "person_id": "l-sam", "type": "web_visit", "occurred_at": "2026-10-24T00:00:00Z"},
            ]
        },
    )


@pytest.fixture(scope="module")
async def client(embedded, access_graph):
    async with api_client(embedded) as http:
        yield http


async def _refused_quickly(db, query: str, code: str, message: str) -> None:
    # Quick is shown by what happens, not by a clock (which a loaded CI machine makes flaky):
    # refused before any statement is sent.
    before = db.round_trips
    result = await execute(db, query)
    assert codes(result) == [code], result.errors
    assert message in result.errors[0].message
    assert result.data is None
    assert db.round_trips == before


FIELDS = ["id", "name", "domain", "industry", "employees", "country", "isTarget", "tier", "stage", "annualRevenue"]

# Documents that cost validation the square of their width: 3 s of CPU each before the limit.
WIDE = {
    "4,000 fields": '{ account(id: "acme") { ' + " ".join(FIELDS[n % 10] for n in range(4000)) + " } }",
    "400 nested selections": '{ account(id: "acme") { '
    + " ".join("parent { parent { parent { id } } }" for _ in range(400))
    + " } }",
    "a field with 250 argument variants": '{ account(id: "acme") { '
    + " ".join(f"contacts(first: {n % 3}) {{ totalCount }}" for n in range(250))
    + " } }",
    "a fragment spread 2^30 times": 'query { account(id: "acme") { ...F0 } } '
    + " ".join(
        f"fragment F{n} on Account {{ parent {{ ...F{n + 1} }} children {{ edges {{ node {{ ...F{n + 1} }} }} }} }}"
        for n in range(30)
    )
    + " fragment F30 on Account { id }",
}


@pytest.mark.parametrize("name", sorted(WIDE))
async def test_a_wide_document_is_refused_before_validation(db, name):
    await _refused_quickly(
        db, WIDE[name], "GRAPHQL_VALIDATION_FAILED", f"more than the maximum of {DEFAULT_LIMITS.max_fields}"
    )


async def test_a_long_chain_of_fragments_is_counted_without_recursion(db):
    chain = 'query { account(id: "acme") { ...F0 } } ' + " ".join(
        f"fragment F{n} on Account {{ id ...F{n + 1} }}" for n in range(400)
    )
    result = await execute(db, chain + " fragment F400 on Account { id }", limits=ApiLimits(max_tokens=20_000))
    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "selects 402 fields" in result.errors[0].message  # account, then one id per fragment


async def test_fragment_cycles_are_refused_by_validation(db):
    cycle = 'query { account(id: "acme") { ...A } } fragment A on Account { parent { ...B } } fragment B on Account { children { edges { node { ...A } } } }'
    await _refused_quickly(db, cycle, "GRAPHQL_VALIDATION_FAILED", "Cannot spread fragment 'A' within itself")


async def test_aliases_inside_fragments_count_too(db):
    fragment = " ".join(f'a{n}: account(id: "acme") {{ id }}' for n in range(31))
    await _refused_quickly(
        db, "query { ...F } fragment F on Query { " + fragment + " }", "GRAPHQL_VALIDATION_FAILED", "aliases"
    )


async def test_graphiql_introspection_stays_within_every_limit(db):
    result = await execute(db, get_introspection_query(descriptions=True, directive_is_repeatable=True))
    assert result.errors is None
    assert result.data["__schema"]["queryType"]["name"] == "Query"


# -- page sizes: every connection in the schema caps `first` ---------------------------------------

BIG = 2**31 - 1
CONNECTIONS = {
    "Query.accounts": (
        "{ list: accounts(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } }",
        ("list",),
    ),
    "Query.leads": (
        "{ list: leads(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } }",
        ("list",),
    ),
    "Query.myQueue": (
        "{ list: myQueue(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } }",
        ("list",),
    ),
    "Account.children": (
        '{ account(id: "acme") { list: children(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } } }',
        ("account", "list"),
    ),
    "Account.contacts": (
        '{ account(id: "acme") { list: contacts(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } } }',
        ("account", "list"),
    ),
    "Account.leads": (
        '{ account(id: "acme") { list: leads(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } } }',
        ("account", "list"),
    ),
    "Account.engagements": (
        '{ account(id: "acme") { list: engagements(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } } }',
        ("account", "list"),
    ),
    "Contact.engagements": (
        '{ contact(id: "c-max") { list: engagements(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } } }',
        ("contact", "list"),
    ),
    "Lead.engagements": (
        '{ lead(id: "l-sam") { list: engagements(first: %d) { totalCount edges { node { id } } pageInfo { hasNextPage } } } }',
        ("lead", "list"),
    ),
}


def _connection_fields() -> set[str]:
    found = set()
    for type_name, graphql_type in schema._schema.type_map.items():
        for field_name, field in getattr(graphql_type, "fields", {}).items() if not type_name.startswith("__") else ():
            inner = field.type
            while isinstance(inner, GraphQLNonNull | GraphQLList):
                inner = inner.of_type
            if inner.name.endswith("Connection") and "first" in field.args:
                found.add(f"{type_name}.{field_name}")
    return found


def test_every_connection_with_a_first_argument_is_checked_here():
    assert _connection_fields() == set(CONNECTIONS), "add the new connection to CONNECTIONS"


@pytest.mark.parametrize("field", sorted(CONNECTIONS))
async def test_first_is_capped_on_every_connection(db, field):
    query, path = CONNECTIONS[field]
    limits = ApiLimits(max_page_size=1, default_page_size=1)
    result = await execute(db, query % BIG, ADMIN, limits=limits)
    assert result.errors is None, result.errors
    page = result.data
    for step in path:
        page = page[step]
    assert page["totalCount"] >= 2  # the graph holds more than one, so the cap is what stops it
    assert len(page["edges"]) == 1
    assert page["pageInfo"]["hasNextPage"] is True
    negative = await execute(db, query % -1, ADMIN)
    assert codes(negative) == ["INVALID_INPUT"]
    beyond_int = await execute(db, query % (BIG + 1), ADMIN)
    assert codes(beyond_int) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    "position",
    ["9" * 40, "-5", "1e9", "", "9223372036854775807"],
    ids=["huge", "negative", "exponent", "empty", "int64"],
)
async def test_a_forged_cursor_is_invalid_input_not_an_internal_error(db, position):
    cursor = base64.urlsafe_b64encode(f"graphsvc:{position}".encode()).decode()
    result = await execute(db, "query($a: String) { accounts(after: $a) { edges { node { id } } } }", ADMIN, a=cursor)
    assert codes(result) == ["INVALID_INPUT"], result.errors


# -- request bodies the JSON parser cannot take ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}", 400),
        (b'{"query": "{ account(id: \\"acme\\") { name } }", "x": "\xff\xfe"}', 400),
        (b'{"query": "{ __typename }"', 400),
        (b"[" + b'{"query": "{ __typename }"},' * 50 + b'{"query": "{ __typename }"}]', 400),
        (b'{"query": 5}', 400),
        (b'{"query": "{ __typename }", "variables": [1]}', 400),
    ],
    ids=["nested 200,000 deep", "not utf-8", "truncated", "batched", "query not a string", "variables not an object"],
)
async def test_a_body_the_parser_cannot_take_is_a_400_not_a_500(client, body, status):
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert (await client.get("/readyz")).status_code == 200


async def test_a_mutation_over_get_is_not_run(client, db):
    before = db.round_trips
    response = await client.get(
        "/graphql", params={"query": 'mutation { setTarget(accountId: "gamma", isTarget: true) { id } }'}
    )
    assert 400 <= response.status_code < 500
    assert db.round_trips == before


async def test_a_megabyte_of_text_in_one_argument_is_answered_quickly(client):
    text = "acme " * 200_000  # just under the 1 MiB body limit
    response = await client.post(
        "/graphql",
        json={
            "query": "query($c: String) { matchAccount(company: $c, email: $c) { best { method } } }",
            "variables": {"c": text},
        },
    )
    assert response.status_code == 200
    assert "INTERNAL" not in response.text
