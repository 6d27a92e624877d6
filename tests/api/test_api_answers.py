"""Answers kept under the data version (graphsvc.schema.answers).

- Which requests may be kept: timeless fields only, a field reading "now" only when pinned to a
  moment, never a mutation, never another caller's answer.
- That the table is right: a query naming every field of ``TIMELESS`` gives the same answer at two
  moments 400 days apart (and a field left out of the table, ``score`` at "now", does not).
- Over HTTP: a repeated query is answered from memory, and any write (a mutation of this server, an
  import through another connection, a fixture's raw Cypher) makes the next answer new.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from api_graph import ADMIN, REP_ANN, STRATEGIST, api_client, data_of, import_rows, load_sales_graph, run_cypher
from graphql import FieldNode, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from strawberry.http import GraphQLRequestData

from graphsvc.schema import schema
from graphsvc.schema.answers import TIMELESS, KeptAnswers
from graphsvc.schema.document_cache import MAX_QUERY_CHARS
from graphsvc.schema.limits import DEFAULT_LIMITS

NOW = datetime.now(UTC).replace(microsecond=0)

EVERYTHING = """
query Everything($asOf: DateTime!) {
  account(id: "acme") {
    ...A
    children { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
  }
  accounts(first: 10) { edges { cursor node { id name stage } } totalCount }
  contact(id: "c-jo") { ...C }
  lead(id: "l-sam") { ...L }
  leads(first: 10) { edges { cursor node { id status } } totalCount pageInfo { endCursor } }
  documents(kind: "scoring") { kind version active savedAt document }
}
fragment A on Account {
  __typename id name domain industry employees annualRevenue country isTarget tier stage
  stageHistory { stage previous at }
  owner { id name email role active capacity openAssignments }
  parent { id } ultimateParent { id }
  leads { edges { node { ...L } } totalCount }
  contacts { edges { cursor node { ...C } } totalCount pageInfo { hasNextPage } }
  engagements {
    edges { cursor node { id personId type detail campaign occurredAt points } } totalCount pageInfo { endCursor }
  }
  score(asOf: $asOf) { engagement rolledUp fit total contributions { sourceId kind points weight path } }
  coverage(asOf: $asOf) {
    template coverage engagedCoverage engagedContacts singleThreaded missingRoles unengagedRoles
    roles { role required weight known engaged contacts { id } }
  }
  scorecard(asOf: $asOf) {
    windowDays leadsAssociated engagedLeads percentEngaged engagementLevel engagementChange coverage
    engagedCoverage stage daysInStage openOpportunities pipelineAmount
  }
}
fragment C on Contact {
  id name email title account { id } roles score(asOf: $asOf) { ...S } engagements { edges { node { id } } totalCount }
}
fragment L on Lead {
  id email name company title status match { account { id } method confidence }
  statusHistory { status previous at reason by } score(asOf: $asOf) { ...S } engagements { totalCount }
}
fragment S on LeadScore { demographic behavioral total fit completeness interest grade nurtureObjectives disqualified }
"""

Q2 = "query Q2($id: ID!) { account(id: $id) { name isTarget owner { name } contacts(first: 10) { edges { node { id } } } } }"


def key(query: str, caller=ADMIN, operation: str | None = None, extensions=None, **variables):
    return KeptAnswers(schema, 8, DEFAULT_LIMITS.max_tokens).key(
        caller, GraphQLRequestData(query, variables, operation, extensions)
    )


# -- which requests are kept (pure: the schema and the request) ---------------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (Q2, {"id": "acme"}),
        (
            '{ accounts(first: 50, isTarget: true, orderBy: "name") { edges { node { id name contacts { totalCount } } } } }',
            {},
        ),
        (
            "query($id: ID!, $asOf: DateTime!) { account(id: $id) { scorecard(windowDays: 90, asOf: $asOf) { coverage } } }",
            {"id": "acme", "asOf": "2026-11-01T00:00:00Z"},
        ),
        ('{ account(id: "acme") { score(asOf: "2026-11-01T00:00:00Z") { total } } }', {}),
        ('{ account(id: "acme") { contacts(engaged: null) { totalCount } } }', {}),
        ('query($e: Boolean) { account(id: "acme") { contacts(engaged: $e) { totalCount } } }', {}),
        ('query { account(id: "acme") { ...F } } fragment F on Account { __typename id }', {}),
    ],
    ids=["q2", "q1", "q3", "asOf-literal", "engaged-null", "engaged-variable-left-out", "fragment"],
)
def test_timeless_queries_are_kept(query, variables):
    assert key(query, **variables) is not None


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ account(id: "acme") { score { total } } }', {}),
        ('{ account(id: "acme") { score(asOf: null) { total } } }', {}),
        ('query($asOf: DateTime) { account(id: "acme") { scorecard(asOf: $asOf) { coverage } } }', {}),
        ('query($asOf: DateTime) { account(id: "acme") { scorecard(asOf: $asOf) { coverage } } }', {"asOf": None}),
        ('{ account(id: "acme") { contacts(engaged: true) { totalCount } } }', {}),
        ('query($e: Boolean) { account(id: "acme") { contacts(engaged: $e) { totalCount } } }', {"e": False}),
        ('query($e: Boolean = true) { account(id: "acme") { contacts(engaged: $e) { totalCount } } }', {}),
        ('{ account(id: "acme") { engagements(windowDays: 30) { totalCount } } }', {}),
        ("{ targetAccounts(first: 5) { priority } }", {}),
        ("{ programScorecard { windowDays } }", {}),
        ('{ account(id: "acme") { ...F } } fragment F on Account { lookalikes { similarity } }', {}),
        ("{ myQueue { totalCount } }", {}),
        ("{ __schema { queryType { name } } }", {}),
        ('mutation { setTarget(accountId: "acme", isTarget: true) { id } }', {}),
        ("{ account(id: ", {}),
        ("{ nothing }", {}),
    ],
    ids=[
        "score-now",
        "score-null",
        "asOf-variable-left-out",
        "asOf-variable-null",
        "engaged",
        "engaged-variable",
        "engaged-default",
        "window",
        "targets",
        "program",
        "lookalikes-in-fragment",
        "queue",
        "introspection",
        "mutation",
        "unparsable",
        "unknown-field",
    ],
)
def test_queries_that_may_depend_on_the_moment_are_not_kept(query, variables):
    assert key(query, **variables) is None


def test_the_operation_named_decides_and_keys_differ_by_caller_variables_and_extensions():
    two = 'query Now { account(id: "acme") { score { total } } } query Stored { account(id: "acme") { name } }'
    assert key(two, operation="Now") is None
    assert key(two, operation="Stored") is not None
    assert key(two) is None  # two operations, none named: an error, not kept
    assert key(Q2, ADMIN, id="acme") != key(Q2, REP_ANN, id="acme") != key(Q2, STRATEGIST, id="acme")
    assert key(Q2, id="acme") != key(Q2, id="beta")
    assert key(Q2, id="acme") == key(Q2, id="acme")
    assert key(Q2, extensions={"persistedQuery": {}}, id="acme") is None
    assert KeptAnswers(schema, 0, 100).key(ADMIN, GraphQLRequestData(Q2, {"id": "acme"}, None, None)) is None


def test_long_requests_and_documents_over_the_token_limit_are_not_kept():
    # Each would otherwise hold its text in the plans and the kept answers: bounded by MAX_QUERY_CHARS.
    assert key(Q2, id="a" * MAX_QUERY_CHARS) is None
    assert key(Q2.replace("name", "name " + "id " * (MAX_QUERY_CHARS // 3)), id="acme") is None
    assert KeptAnswers(schema, 8, 10).key(ADMIN, GraphQLRequestData(Q2, {"id": "acme"}, None, None)) is None
    assert key(Q2, id="a" * 100) is not None


def test_the_moment_test_names_every_timeless_field():
    named: set[tuple[str, str]] = set()
    type_info = TypeInfo(schema._schema)

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_):
            parent = type_info.get_parent_type()
            if node.name.value != "__typename":
                named.add((parent.name, node.name.value))

    for definition in parse(EVERYTHING).definitions:
        visit(definition, TypeInfoVisitor(type_info, Fields()))
    assert named == {(type_name, field) for type_name, fields in TIMELESS.items() for field in fields}
    assert key(EVERYTHING, asOf=NOW.isoformat()) is not None


def test_every_name_in_the_table_is_in_the_schema():
    for type_name, fields in TIMELESS.items():
        assert set(fields) <= set(schema._schema.type_map[type_name].fields), type_name


# -- the table is right: the answers do not move with the clock (real database) ------------------


def _engagement(id_: str, person: str, type_: str, days: int) -> dict:
    return {"id": id_, "person_id": person, "type": type_, "occurred_at": (NOW - timedelta(days=days)).isoformat()}


@pytest.fixture(scope="module")
async def engaged_graph(db, embedded):
    await load_sales_graph(db, embedded)
    await import_rows(
        db,
        {
            "engagements": [
                _engagement("e-1", "c-jo", "demo_request", 1),
                _engagement("e-2", "c-al", "web_visit", 20),
                _engagement("e-3", "l-sam", "webinar", 2),
                _engagement("e-4", "c-max", "demo_request", 5),
            ]
        },
    )
    return db


@pytest.mark.db
async def test_timeless_fields_answer_the_same_at_two_moments_and_score_at_now_does_not(engaged_graph):
    later = NOW + timedelta(days=400)
    everything = await data_of(engaged_graph, EVERYTHING, asOf=NOW.isoformat())
    now_score = await data_of(engaged_graph, '{ account(id: "acme") { score { total } } }')
    with time_machine.travel(later, tick=True):
        assert await data_of(engaged_graph, EVERYTHING, asOf=NOW.isoformat()) == everything
        later_score = await data_of(engaged_graph, '{ account(id: "acme") { score { total } } }')
    # The clock did move for the resolvers: a year of decay took acme's score down.
    assert later_score["account"]["score"]["total"] < now_score["account"]["score"]["total"]
    assert everything["account"]["score"]["engagement"] > 0
    assert everything["account"]["engagements"]["totalCount"] == 3  # jo, al and the matched lead sam


# -- over HTTP: kept, and never stale ----------------------------------------------------------

ADMIN_KEY = "admin-key-0123456789abcdef"
REP_KEY = "rep-ann-key-0123456789abc"
KEYS = {ADMIN_KEY: {"role": "ADMIN"}, REP_KEY: {"role": "REP", "user_id": "u-ann"}}


async def ask(client, api_key: str, query: str, **variables) -> dict:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {api_key}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def kept_so_far(client) -> float:
    text = (await client.get("/metrics")).text
    return float(re.search(r"^graphsvc_graphql_kept_answers_total (\S+)$", text, re.M).group(1))


@pytest.mark.db
async def test_a_repeated_query_is_kept_and_every_kind_of_write_renews_it(db, embedded, engaged_graph):
    async with api_client(embedded, KEYS) as client:
        first = await ask(client, ADMIN_KEY, Q2, id="acme")
        before = await kept_so_far(client)
        assert await ask(client, ADMIN_KEY, Q2, id="acme") == first
        assert await kept_so_far(client) == before + 1

        # A mutation of this server.
        await ask(client, ADMIN_KEY, 'mutation { setTarget(accountId: "acme", isTarget: false) { id } }')
        assert (await ask(client, ADMIN_KEY, Q2, id="acme"))["account"]["isTarget"] is False
        # An import through another connection (the test's own Database, as another process would).
        await import_rows(db, {"accounts": [{"id": "acme", "name": "Acme Corporation"}]})
        assert (await ask(client, ADMIN_KEY, Q2, id="acme"))["account"]["name"] == "Acme Corporation"
        # A fixture's raw Cypher (run_cypher renews the version as graphsvc's writes do).
        await run_cypher(embedded, "MATCH (a:Account {id: 'acme'}) SET a.name = 'Acme Corp'")
        assert (await ask(client, ADMIN_KEY, Q2, id="acme"))["account"]["name"] == "Acme Corp"
        await ask(client, ADMIN_KEY, 'mutation { setTarget(accountId: "acme", isTarget: true, tier: 1) { id } }')

        # Another caller never gets an answer kept for someone else: beta is Bob's, Ann is a REP.
        assert (await ask(client, REP_KEY, Q2, id="beta"))["account"] is None
        assert (await ask(client, ADMIN_KEY, Q2, id="beta"))["account"]["name"] == "Beta LLC"
        assert (await ask(client, REP_KEY, Q2, id="beta"))["account"] is None

        # A field at "now" is computed each time.
        at_now = '{ account(id: "acme") { score { total } } }'
        await ask(client, ADMIN_KEY, at_now)
        before = await kept_so_far(client)
        await ask(client, ADMIN_KEY, at_now)
        assert await kept_so_far(client) == before


@pytest.mark.db
async def test_no_answer_is_kept_when_the_setting_is_zero(embedded, engaged_graph):
    async with api_client(embedded, KEYS, answers_kept=0) as client:
        for _ in range(3):
            assert (await ask(client, ADMIN_KEY, Q2, id="acme"))["account"]["name"] == "Acme Corp"
        assert await kept_so_far(client) == 0
