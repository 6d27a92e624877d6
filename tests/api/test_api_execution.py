"""How requests run (issue 14 item 2): a static cost budget checked before execution, a deadline,
cancellation when the client hangs up, heavy work off the event loop, and lookalike similarity data
built once per data version.

Every wait here is on a condition (an event a patched step sets); the timeouts only keep a broken
build from hanging the suite.
"""

import asyncio
import json
import logging
import threading

import httpx
import pytest
import uvicorn
from api_graph import REP_ANN, STRATEGIST, codes, data_of, execute, import_rows, load_sales_graph, settings_for
from asgi_lifespan import LifespanManager
from conftest import free_port
from graphql import parse

from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.schema import schema as default_schema
from graphsvc.schema import scorecard as scorecard_api
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits, query_cost
from graphsvc.schema.loaders import Loaders
from graphsvc.scorecards import account as account_scorecard
from graphsvc.scorecards import program, targets
from graphsvc.scorecards.targets import read_account_profiles
from graphsvc.scores import read_model
from graphsvc.store.database import Database

pytestmark = pytest.mark.db

# The issue's document: 40 accounts, 40 lookalikes each, and the lookalikes of each of those.
ISSUE_QUERY = """{ accounts(first: 40) { edges { node { id
  lookalikes(first: 40) { similarity account { id lookalikes(first: 1) { similarity account { id } } } }
} } } }"""

# What the condition waits in this file may take at most before the build counts as broken.
PATIENCE = 30


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


def cost(query: str, limits: ApiLimits = DEFAULT_LIMITS, **variables: object) -> int:
    return query_cost(default_schema._schema, parse(query), None, variables, limits)


def test_costs_by_hand():
    # accounts 1 + edges (1 + 2 × (node 1 + lookalikes 20 + 3 × account 1)) = 1 + 1 + 2 × 24
    small = "{ accounts(first: 2) { edges { node { id lookalikes(first: 3) { account { id } } } } } }"
    assert cost(small) == 50
    assert (
        cost(
            "query($n: Int) { accounts(first: $n) { edges { node { lookalikes(first: 3) { account { id } } } } } }", n=2
        )
        == 50
    )
    # Aliases count each time: two of the same field cost twice as much.
    assert cost("{ a: accounts(first: 2) { totalCount } b: accounts(first: 2) { totalCount } }") == 2
    assert (
        cost('{ a: account(id: "x") { scorecard { coverage } } b: account(id: "x") { scorecard { coverage } } }') == 22
    )
    # Omitted first: the declared default (lookalikes: 10), else the default page size (20), capped at 100.
    assert cost('{ account(id: "x") { lookalikes { account { id } } } }') == 1 + 20 + 10
    assert cost("{ accounts { edges { node { id } } } }") == 1 + 1 + 20
    assert cost("{ accounts(first: 5000) { edges { node { id } } } }") == 1 + 1 + 100
    # Fragments expand where they are spread; scalars and __typename cost nothing.
    fragment = "fragment F on Account { scorecard { coverage } } "
    assert cost(fragment + '{ account(id: "x") { ...F ...F name } __typename }') == 1 + 10 + 10
    assert cost("{ targetAccounts { account { id } } }") == 1000 + 50
    assert cost(ISSUE_QUERY) == 36042  # 1 + 1 + 40 × (1 + 20 + 40 × (1 + 20 + 1 × 1))


async def test_the_issue_query_is_refused_before_execution_with_its_cost_and_budget(db):
    before = db.round_trips
    result = await execute(db, ISSUE_QUERY)
    assert codes(result) == ["QUERY_TOO_COSTLY"]
    assert result.errors[0].extensions == {"code": "QUERY_TOO_COSTLY", "cost": 36042, "budget": 20_000}
    assert "costs 36042, more than the budget of 20000" in result.errors[0].message
    assert result.data is None
    assert db.round_trips == before  # nothing was executed


async def test_ten_aliases_of_a_heavy_query_are_refused_for_a_rep(db):
    aliases = " ".join(
        f"a{n}: accounts(first: 40) {{ edges {{ node {{ lookalikes(first: 40) {{ account {{ id }} }} }} }} }}"
        for n in range(10)
    )
    result = await execute(db, "{ " + aliases + " }", REP_ANN)
    assert codes(result) == ["QUERY_TOO_COSTLY"]
    assert result.errors[0].extensions["cost"] == 10 * (1 + 1 + 40 * (1 + 20 + 40 * 1))


async def test_a_query_within_budget_answers_and_the_budget_is_configurable(db):
    query = "{ accounts(first: 2) { edges { node { id lookalikes(first: 3) { account { id } } } } } }"
    data = await data_of(db, query)
    assert len(data["accounts"]["edges"]) == 2
    assert (await execute(db, query, limits=ApiLimits(max_query_cost=50))).errors is None
    refused = await execute(db, query, limits=ApiLimits(max_query_cost=49))
    assert refused.errors[0].extensions == {"code": "QUERY_TOO_COSTLY", "cost": 50, "budget": 49}


async def test_the_budget_and_the_deadline_come_from_the_settings(embedded, monkeypatch):
    monkeypatch.setenv("GRAPHSVC_MAX_QUERY_COST", "49")
    monkeypatch.setenv("GRAPHSVC_REQUEST_SECONDS", "0")
    assert (Settings().max_query_cost, Settings().request_seconds) == (49, 0)
    settings = settings_for(embedded).model_copy(update={"max_query_cost": 49})
    query = "{ accounts(first: 2) { edges { node { id lookalikes(first: 3) { account { id } } } } } }"
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            answer = (await client.post("/graphql", json={"query": query})).json()
    assert answer["errors"][0]["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 50, "budget": 49}


class Hang:
    """A patched step that waits until it is cancelled, and says when it started and when it was cancelled."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = asyncio.Event()

    async def __call__(self, *args: object, **kwargs: object) -> None:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


async def test_a_request_past_its_deadline_is_answered_so_and_its_work_stops(db, monkeypatch):
    hang = Hang()
    monkeypatch.setattr(scorecard_api, "program_scorecard", hang)
    query = "{ programScorecard { windowDays } }"
    result = await asyncio.wait_for(execute(db, query, STRATEGIST, limits=ApiLimits(request_seconds=0.2)), PATIENCE)
    assert codes(result) == ["DEADLINE_EXCEEDED"]
    assert result.errors[0].message == "the request ran past its deadline of 0.2 s; its work was stopped"
    assert hang.started.is_set() and hang.cancelled.is_set()


async def test_a_mutation_runs_past_the_deadline_to_its_end(db):
    # Its statements commit one by one: stopped half way it would leave half its writes.
    limits = ApiLimits(request_seconds=0.2)
    past_the_deadline = asyncio.Event()
    real_transaction = db.transaction

    async def transaction_after_the_deadline(label, work):
        await past_the_deadline.wait()
        return await real_transaction(label, work)

    db.transaction = transaction_after_the_deadline
    try:
        mutation = asyncio.create_task(
            execute(db, 'mutation { setTarget(accountId: "beta", isTarget: true) { isTarget } }', limits=limits)
        )
        hang = Hang()  # a query started after the mutation: when its deadline passes, the mutation's has too
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(scorecard_api, "program_scorecard", hang)
            query = "{ programScorecard { windowDays } }"
            cut = await asyncio.wait_for(execute(db, query, STRATEGIST, limits=limits), PATIENCE)
        assert codes(cut) == ["DEADLINE_EXCEEDED"] and not mutation.done()
        past_the_deadline.set()
        done = await asyncio.wait_for(mutation, PATIENCE)
    finally:
        del db.transaction
    assert done.errors is None and done.data == {"setTarget": {"isTarget": True}}


@pytest.fixture
async def server(embedded):
    """The whole application served over real HTTP on a free port, in this test's event loop."""
    port = free_port()
    served = uvicorn.Server(
        uvicorn.Config(create_app(settings_for(embedded)), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(served.serve())
    while not served.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    done, _ = await asyncio.wait([serving], timeout=PATIENCE)
    if not done:  # a failed test left a request running: do not wait for it
        served.force_exit = True
        await serving


async def post_and_hang_up(server: str, query: str, started: asyncio.Event) -> None:
    """POST ``query`` over a raw connection and close it once ``started`` is set."""
    host, port = server.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    body = json.dumps({"query": query}).encode()
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await asyncio.wait_for(started.wait(), PATIENCE)
    writer.close()
    await writer.wait_closed()


async def test_a_client_hanging_up_cancels_its_work(server, monkeypatch):
    hang = Hang()
    monkeypatch.setattr(scorecard_api, "program_scorecard", hang)
    await post_and_hang_up(server, "{ programScorecard { windowDays } }", hang.started)
    await asyncio.wait_for(hang.cancelled.wait(), PATIENCE)


async def test_a_mutation_whose_client_hangs_up_runs_to_its_end(server, db, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="graphsvc.schema.execution")
    entered, release, written = asyncio.Event(), asyncio.Event(), asyncio.Event()
    real_transaction = Database.transaction

    async def held_transaction(self, label, work):
        if label == "setTarget":
            entered.set()
            await release.wait()
            result = await real_transaction(self, label, work)
            written.set()
            return result
        return await real_transaction(self, label, work)

    monkeypatch.setattr(Database, "transaction", held_transaction)
    await post_and_hang_up(server, 'mutation { setTarget(accountId: "gamma", isTarget: false) { id } }', entered)

    async def client_left() -> None:  # the server saw the client leave
        while "client disconnected during a mutation" not in caplog.text:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(client_left(), PATIENCE)
    release.set()
    await asyncio.wait_for(written.wait(), PATIENCE)
    assert (await data_of(db, '{ account(id: "gamma") { isTarget } }')) == {"account": {"isTarget": False}}


async def test_a_light_request_is_answered_while_a_heavy_one_computes(server, monkeypatch):
    # The ranking blocks its thread until released: on the event loop it would block every request.
    started, release = threading.Event(), threading.Event()
    rank_targets = targets.rank_targets

    def blocked_ranking(*args, **kwargs):
        started.set()
        release.wait(PATIENCE)
        return rank_targets(*args, **kwargs)

    monkeypatch.setattr(targets, "rank_targets", blocked_ranking)
    async with httpx.AsyncClient(base_url=server, timeout=2 * PATIENCE) as client:
        heavy = asyncio.create_task(client.post("/graphql", json={"query": "{ targetAccounts(first: 3) { tier } }"}))
        try:
            assert await asyncio.to_thread(started.wait, PATIENCE)
            light = await client.post("/graphql", json={"query": "{ __typename }"})
            assert light.json() == {"data": {"__typename": "Query"}}
            assert not heavy.done()  # answered while the heavy request was still computing
        finally:
            release.set()
        assert (await heavy).json()["data"]["targetAccounts"]


@pytest.mark.parametrize(
    ("module", "name", "query"),
    [
        # The read model's figures of the account, and the live ones (a window it was never asked).
        (read_model, "_member", '{ account(id: "acme") { scorecard { engagementLevel } } }'),
        (account_scorecard, "score_subtrees", '{ account(id: "acme") { scorecard { engagementLevel } } }'),
        (program, "abm_funnel", "{ programScorecard { windowDays } }"),
    ],
    ids=["read-model", "live", "program"],
)
async def test_a_light_request_is_answered_while_a_scorecard_computes(server, monkeypatch, module, name, query):
    # The scorecard's arithmetic blocks its thread until released: on the event loop it would block
    # every request.
    started, release = threading.Event(), threading.Event()
    real = getattr(module, name)

    def blocked(*args, **kwargs):
        started.set()
        release.wait(PATIENCE)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, blocked)
    if module is account_scorecard:  # the read model must not serve the account: it is computed live
        monkeypatch.setattr(account_scorecard, "read_account_windows", no_read_model)
    async with httpx.AsyncClient(base_url=server, timeout=2 * PATIENCE) as client:
        heavy = asyncio.create_task(client.post("/graphql", json={"query": query}))
        try:
            assert await asyncio.to_thread(started.wait, PATIENCE)
            light = await client.post("/graphql", json={"query": "{ __typename }"})
            assert light.json() == {"data": {"__typename": "Query"}}
            assert not heavy.done()  # answered while the heavy request was still computing
        finally:
            release.set()
        assert "errors" not in (await heavy).json()


async def no_read_model(db, account_ids, *args, **kwargs):
    return dict.fromkeys(account_ids)


async def similarity(db):
    return await asyncio.to_thread((await read_account_profiles(db)).similarity)


async def test_similarity_data_is_built_once_per_data_version(db):
    first = await similarity(db)
    assert await similarity(db) is first  # unchanged data: the same, shared
    await import_rows(db, {"accounts": [{"id": "gamma", "name": "Gamma SA", "industry": "software"}]})
    changed = await similarity(db)
    assert changed is not first
    assert "industry=software" in changed.matrix.attributes("gamma")
    looks = await data_of(db, '{ account(id: "gamma") { lookalikes(first: 5) { account { id } sharedAttributes } } }')
    assert {"account": {"id": "acme"}, "sharedAttributes": ["industry=software"]} in looks["account"]["lookalikes"]


async def test_lookalikes_of_a_page_read_the_accounts_once_per_request(db):
    query = "{ accounts(first: 5) { edges { node { lookalikes(first: 3) { account { lookalikes(first: 2) { similarity } } } } } } }"
    await data_of(db, query)  # warm: the similarity data of this version exists
    reads = []
    real_read = db.read

    async def counting_read(statement, **params):
        reads.append(statement)
        return await real_read(statement, **params)

    db.read = counting_read
    try:
        await data_of(db, query)
    finally:
        del db.read
    # The page's lookalikes and theirs are two batches; both read the accounts once: here only the
    # data version, since the accounts of this version are kept from the warm-up.
    assert reads.count("store/data_version") == 1 and "targets/accounts" not in reads


async def cancel_one_of_two_callers(call) -> object:
    """Two callers await ``call()`` (the same key) while its read is held; the first is cancelled, as
    graphql-core cancels a failed non-null field's siblings; then the read is let go. The second's answer."""
    started, release = asyncio.Event(), asyncio.Event()

    async def read(*_args):
        started.set()
        await release.wait()
        return "read"

    first, second = (asyncio.ensure_future(call(read)) for _ in range(2))
    await asyncio.wait_for(started.wait(), PATIENCE)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    release.set()
    return await asyncio.wait_for(second, PATIENCE)


async def test_a_cancelled_caller_does_not_cancel_a_batch_others_wait_for(db):
    loaders = Loaders(db)

    async def call(read):
        async def load(ids):
            return [await read()] * len(ids)

        return await loaders.keyed("figure", load).load("account-1")

    assert await cancel_one_of_two_callers(call) == "read"


async def test_a_cancelled_caller_does_not_cancel_a_value_read_once_per_request(db):
    loaders = Loaders(db)
    assert await cancel_one_of_two_callers(lambda read: loaders.once("profiles", read)) == "read"
