"""The HTTP edge of the API as a hostile caller meets it: key checks on the request as parsed, open mode
against DNS rebinding and cross-site pages, security headers, no schema docs, one operation per
request, and rate limits per key."""

import pytest
from api_graph import api_client, load_sales_graph

from graphsvc.ratelimit import TokenBuckets

pytestmark = pytest.mark.db

ADMIN_KEY = "edge-admin-key-0123456789"
REP_KEY = "edge-rep-ann-key-01234567"
OTHER_KEY = "edge-strategist-key-01234"
KEYS = {
    ADMIN_KEY: {"role": "ADMIN", "name": "ops"},
    REP_KEY: {"role": "REP", "user_id": "u-ann", "name": "ann"},
    OTHER_KEY: {"role": "STRATEGIST", "name": "strategy"},
}
SET_TARGET = {"query": 'mutation { setTarget(accountId: "gamma", isTarget: true, tier: 2) { id tier } }'}
MUTATION_NAMES = "{ __schema { mutationType { fields { name } } } }"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def code(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


@pytest.fixture(scope="module")
async def client(embedded, sales_graph):
    async with api_client(embedded, KEYS) as http:
        yield http


# -- the key check decides on the request as parsed (item 8) ------------------------------------


@pytest.mark.parametrize(
    "query_string",
    [
        "%71uery={__typename}",  # an encoded q
        "qu%65ry={__typename}",
        "%71uery=" + MUTATION_NAMES.replace(" ", "%20"),  # the introspection of every mutation
        "query",
        "query=&query={__typename}",
        "variables={}&%71uery={__typename}",
    ],
)
async def test_no_query_runs_by_get_without_a_key_however_it_is_spelled(client, query_string):
    response = await client.get(f"/graphql?{query_string}")
    assert response.status_code == 401, response.text
    assert code(response) == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_introspection_of_mutations_needs_a_key(client):
    assert (await client.post("/graphql", json={"query": MUTATION_NAMES})).status_code == 401
    answered = await client.get("/graphql", params={"query": MUTATION_NAMES}, headers=bearer(OTHER_KEY))
    assert "setTarget" in {field["name"] for field in answered.json()["data"]["__schema"]["mutationType"]["fields"]}


async def test_the_graphiql_page_still_needs_no_key(client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


# -- open mode: loopback Host names only, same-origin writes (item 9) ------------------------------


@pytest.fixture(scope="module")
async def open_client(embedded, sales_graph):
    async with api_client(embedded) as http:
        yield http


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.", "[::2]"])
async def test_open_mode_refuses_a_rebound_host_name(open_client, host):
    beta = {"query": '{ account(id: "beta") { isTarget tier } }'}
    before = (await open_client.post("/graphql", json=beta)).json()
    change = {"query": 'mutation { setTarget(accountId: "beta", isTarget: true, tier: 3) { id } }'}
    refused = await open_client.post("/graphql", json=change, headers={"Host": host})
    assert refused.status_code == 403
    assert code(refused) == "FORBIDDEN" and "loopback host names" in refused.json()["errors"][0]["message"]
    assert (await open_client.post("/graphql", json=beta)).json() == before
    assert (await open_client.get("/metrics", headers={"Host": host})).status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost", "localhost:8000", "[::1]", "[::1]:8000"])
async def test_open_mode_serves_loopback_host_names(open_client, host):
    answer = await open_client.post("/graphql", json={"query": "{ __typename }"}, headers={"Host": host})
    assert answer.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:9999", "null"])
async def test_open_mode_refuses_writes_from_another_origin(open_client, origin):
    refused = await open_client.post("/graphql", json=SET_TARGET, headers={"Origin": origin})
    assert refused.status_code == 403 and "another origin" in refused.json()["errors"][0]["message"]


async def test_open_mode_serves_its_own_origin_and_reads_from_anywhere(open_client):
    own = await open_client.post("/graphql", json=SET_TARGET, headers={"Origin": "http://127.0.0.1"})
    assert own.json() == {"data": {"setTarget": {"id": "gamma", "tier": 2}}}
    read = await open_client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


async def test_cors_answers_only_the_configured_origins(embedded, sales_graph):
    async with api_client(embedded, KEYS, cors_origins=["https://crm.example.com"]) as http:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
        allowed = await http.options("/graphql", headers={"Origin": "https://crm.example.com", **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://crm.example.com"
        other = await http.options("/graphql", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in other.headers


# -- defaults a GraphQL service should not ship (item 12) ------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"])
async def test_no_schema_docs_are_served(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert "swagger" not in response.text.lower() and "openapi" not in response.text.lower()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/graphql", {"query": "{ __typename }"}),
        ("POST", "/graphql", None),  # a refusal (401) too
        ("GET", "/healthz", None),
        ("GET", "/readyz", None),
        ("GET", "/metrics", None),
    ],
)
async def test_api_answers_carry_security_headers_and_are_not_stored(client, method, path, body):
    response = await client.request(method, path, json=body, headers=bearer(ADMIN_KEY) if body else {})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["cache-control"] == "no-store"


async def test_the_dashboard_may_not_be_framed(client):
    page = await client.get("/")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"


async def test_several_operations_without_an_operation_name_are_refused(client):
    document = 'query First { __typename } mutation Second { setTarget(accountId: "gamma", isTarget: false) { id } }'
    refused = await client.post("/graphql", json={"query": document}, headers=bearer(ADMIN_KEY))
    body = refused.json()
    assert body.get("data") is None
    assert code(refused) == "GRAPHQL_VALIDATION_FAILED"
    assert body["errors"][0]["message"] == "the document has 2 operations: name the one to run in operationName"
    named = await client.post("/graphql", json={"query": document, "operationName": "First"}, headers=bearer(ADMIN_KEY))
    assert named.json() == {"data": {"__typename": "Query"}}
    # Once validated and cached with a name, the document is still refused without one.
    again = await client.post("/graphql", json={"query": document}, headers=bearer(ADMIN_KEY))
    assert code(again) == "GRAPHQL_VALIDATION_FAILED"


# -- rate limits per key (item 2) ------------------------------------------------------------------


async def test_a_key_over_its_rate_gets_429_with_retry_after_and_other_keys_do_not(embedded, sales_graph):
    # 3 requests at once, then one per 1000 s: no token comes back during the test.
    async with api_client(embedded, KEYS, rate_limit_per_second=0.001, rate_limit_burst=3) as http:
        answers = [
            await http.post("/graphql", json={"query": "{ __typename }"}, headers=bearer(REP_KEY)) for _ in range(4)
        ]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        limited = answers[-1]
        assert code(limited) == "RATE_LIMITED"
        assert 1 <= int(limited.headers["retry-after"]) <= 1000
        assert "0.001 requests per second (bursts of 3) per API key" in limited.json()["errors"][0]["message"]
        other = await http.post("/graphql", json={"query": "{ __typename }"}, headers=bearer(OTHER_KEY))
        assert other.status_code == 200
        # Health and metrics are not limited.
        assert (await http.get("/healthz")).status_code == 200


async def test_open_mode_limits_each_client_address(embedded, sales_graph):
    async with api_client(embedded, rate_limit_per_second=0.001, rate_limit_burst=1) as http:
        assert (await http.post("/graphql", json={"query": "{ __typename }"})).status_code == 200
        limited = await http.post("/graphql", json={"query": "{ __typename }"})
        assert limited.status_code == 429 and "per client" in limited.json()["errors"][0]["message"]


async def test_rate_limits_can_be_turned_off(embedded, sales_graph):
    async with api_client(embedded, KEYS, rate_limit_per_second=0, rate_limit_burst=1) as http:
        for _ in range(5):
            assert (
                await http.post("/graphql", json={"query": "{ __typename }"}, headers=bearer(REP_KEY))
            ).status_code == 200


def test_a_token_bucket_refills_at_its_rate_and_says_when_the_next_token_is_due():
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=2, clock=lambda: now[0])
    assert [buckets.take("k1") for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("k1") == 0.5  # one token takes half a second at 2 a second
    assert buckets.take("k2") == 0.0  # each client has its own bucket
    now[0] = 0.25
    assert buckets.take("k1") == 0.25  # a refused request takes nothing
    now[0] = 10.0
    assert [buckets.take("k1") for _ in range(3)] == [0.0, 0.0, 0.5]  # refilled to the burst, no further
