"""Access control over every root field of the served schema (SPEC §12, README "API keys and roles").

``ALLOWED`` says which roles may run each root field; a field served without a row here fails
``test_every_root_field_has_a_row_and_a_permission``, so a new field cannot ship unguarded. Then
each role runs each field; a REP's answers are scanned for anything of other reps, however deep;
missing and unknown keys are refused; keys never reach the log.

tests/api/test_api_access.py checks single paths by hand; this is the exhaustive sweep.
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

import pytest
from conftest import GUARD
from reliability_support import (
    ACCESS_MODEL,
    ADMIN,
    ANN_HIDDEN,
    INTEGRATION,
    REP_ANN,
    REP_CAT,
    STRATEGIST,
    api_client,
    codes,
    data_of,
    execute,
    load_access_graph,
)

from graphsvc.auth import Caller, Role
from graphsvc.routing import events
from graphsvc.schema import schema

pytestmark = pytest.mark.db

READERS = {Role.ADMIN, Role.STRATEGIST, Role.REP}
PROGRAM = {Role.ADMIN, Role.STRATEGIST}
ALLOWED: dict[str, set[Role]] = {
    "Query.account": READERS,
    "Query.accounts": READERS,
    "Query.contact": READERS,
    "Query.lead": READERS,
    "Query.leads": READERS,  # a REP the leads of its own accounts only
    "Query.matchAccount": READERS,
    "Query.myQueue": READERS,
    "Query.targetAccounts": PROGRAM,
    "Query.programScorecard": PROGRAM,
    "Query.leadPlan": PROGRAM,
    "Mutation.importRecords": {Role.ADMIN, Role.INTEGRATION},
    "Mutation.setBuyingRole": {Role.ADMIN, Role.REP},  # a REP at its own accounts only
    "Mutation.setTarget": {Role.ADMIN, Role.STRATEGIST},
    "Mutation.setScoringModel": {Role.ADMIN},
    "Mutation.recompute": {Role.ADMIN},
    "Mutation.routeLead": {Role.ADMIN},
    "Mutation.acceptRouting": {Role.ADMIN, Role.REP},  # a REP its own decisions only
    "Mutation.rejectRouting": {Role.ADMIN, Role.REP},
    "Mutation.setLeadStatus": {Role.ADMIN, Role.REP},  # a REP the leads it sees or has assigned only
    "Subscription.routingDecisions": READERS,  # a REP its own decisions only
    "Query.webhooks": {Role.ADMIN},
    "Query.webhookDeliveries": {Role.ADMIN},
    "Mutation.addWebhook": {Role.ADMIN},
    "Mutation.removeWebhook": {Role.ADMIN},
    "Mutation.redeliver": {Role.ADMIN},
    "Query.documents": {Role.ADMIN},
    "Mutation.setDocument": {Role.ADMIN},
    "Mutation.activateDocument": {Role.ADMIN},
}
# One harmless operation per root field (unknown decision ids, dry runs, idempotent writes).
OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "Query.account": ('{ account(id: "acme") { id } }', {}),
    "Query.accounts": ("{ accounts { totalCount } }", {}),
    "Query.contact": ('{ contact(id: "c-jo") { id } }', {}),
    "Query.lead": ('{ lead(id: "l-sam") { id } }', {}),
    "Query.leads": ("{ leads { totalCount edges { node { id match { account { id } } } } } }", {}),
    "Query.matchAccount": ('{ matchAccount(company: "Acme") { candidates { method } } }', {}),
    "Query.myQueue": ("{ myQueue { totalCount } }", {}),
    "Query.targetAccounts": ("{ targetAccounts(first: 3) { __typename } }", {}),
    "Query.programScorecard": ('{ programScorecard(asOf: "2026-11-01T00:00:00Z") { __typename } }', {}),
    "Query.leadPlan": ("{ leadPlan(revenueGoal: 1000000, averageDealSize: 50000) { __typename } }", {}),
    "Mutation.importRecords": (
        'mutation($rows: [JSON!]!) { importRecords(kind: "users", rows: $rows) { imported } }',
        {"rows": [{"id": "u-new", "name": "New", "role": "BDR"}]},
    ),
    "Mutation.setBuyingRole": ('mutation { setBuyingRole(personId: "c-kim", role: "INFLUENCER") { id } }', {}),
    "Mutation.setTarget": ('mutation { setTarget(accountId: "gamma", isTarget: false) { id } }', {}),
    "Mutation.setScoringModel": ("mutation($m: JSON!) { setScoringModel(model: $m) }", {"m": ACCESS_MODEL}),
    "Mutation.recompute": ('mutation { recompute(asOf: "2026-11-01T00:00:00Z") }', {}),
    "Mutation.routeLead": ('mutation { routeLead(leadId: "l-pat", dryRun: true) { status } }', {}),
    "Mutation.acceptRouting": ('mutation { acceptRouting(decisionId: "rd-none") { id } }', {}),
    "Mutation.rejectRouting": ('mutation { rejectRouting(decisionId: "rd-none", reason: "x") { id } }', {}),
    "Mutation.setLeadStatus": ('mutation { setLeadStatus(leadId: "l-none", status: MQL) { id } }', {}),
    "Subscription.routingDecisions": ("subscription { routingDecisions { id } }", {}),
    "Query.webhooks": ("{ webhooks { id } }", {}),
    "Query.webhookDeliveries": ('{ webhookDeliveries(webhookId: "wh-none") { id } }', {}),
    # A public address literal: no DNS lookup, and not refused as private.
    "Mutation.addWebhook": (
        'mutation { addWebhook(url: "https://93.184.216.34/hook", events: ["routing.decided"]) { id } }',
        {},
    ),
    "Mutation.removeWebhook": ('mutation { removeWebhook(id: "wh-none") }', {}),
    "Mutation.redeliver": ('mutation { redeliver(deliveryId: "wd-none") { id } }', {}),
    "Query.documents": ('{ documents(kind: "routing") { version active } }', {}),
    # The version in force again: the same body, so nothing changes but a recompute.
    "Mutation.setDocument": (
        "mutation($d: JSON!) { setDocument(kind: \"scoring\", document: $d) { version } }",
        {"d": ACCESS_MODEL},
    ),
    "Mutation.activateDocument": ('mutation { activateDocument(kind: "routing", version: 1) { version } }', {}),
}
CALLERS = {
    "admin": ADMIN,
    "strategist": STRATEGIST,
    "rep": REP_ANN,
    "integration": INTEGRATION,
    "no caller": None,
}


@pytest.fixture(scope="module", autouse=True)
async def decisions(db) -> dict[str, str]:
    return await load_access_graph(db)


def _root_fields() -> set[str]:
    graphql_schema = schema._schema
    roots = (graphql_schema.query_type, graphql_schema.mutation_type, graphql_schema.subscription_type)
    return {f"{root.name}.{name}" for root in roots if root is not None for name in root.fields}


def test_every_root_field_has_a_row_and_a_permission():
    served = _root_fields()
    missing = served - set(ALLOWED)
    assert not missing, (
        f"root fields without an access rule in this test (add them to ALLOWED and OPERATIONS): {missing}"
    )
    assert set(ALLOWED) == set(OPERATIONS) == served
    for root_name in ("Query", "Mutation", "Subscription"):
        definition = schema.get_type_by_name(root_name)
        for field in definition.fields:
            name = f"{root_name}.{field.graphql_name or field.name}"
            assert field.permission_classes, f"{name} has no permission class"


async def _run(db, field: str, caller: Caller | None) -> list[str | None]:
    text, variables = OPERATIONS[field]
    if field.startswith("Subscription."):
        return await _subscribe(db, text, caller)
    return codes(await execute(db, text, caller, **variables))


async def _subscribe(db, text: str, caller: Caller | None, **variables: Any) -> list[str | None]:
    """The error codes a subscription answers with at once; none when it starts listening."""
    from graphsvc.schema.context import Context

    stream = await schema.subscribe(text, variable_values=variables, context_value=Context(db, caller))
    if not hasattr(stream, "__anext__"):
        return [(error.extensions or {}).get("code") for error in stream.errors or []]
    # Refused, its first result is an error; allowed, it registers a routing feed and waits on it.
    feeds = len(events._feeds)
    first = asyncio.ensure_future(stream.__anext__())
    try:
        async with asyncio.timeout(GUARD):
            while not first.done() and len(events._feeds) <= feeds:
                await asyncio.sleep(0.01)
        if not first.done():
            return []  # listening, nothing happened yet
        result = first.result()
    finally:
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        await stream.aclose()
    return [(error.extensions or {}).get("code") for error in result.errors or []]


@pytest.mark.parametrize("who", sorted(CALLERS))
@pytest.mark.parametrize("field", sorted(OPERATIONS))
async def test_each_role_runs_exactly_the_root_fields_it_is_allowed(db, field, who):
    caller = CALLERS[who]
    found = await _run(db, field, caller)
    if caller is not None and caller.role in ALLOWED[field]:
        # Allowed: at most a domain error (an unknown decision id is NOT_FOUND), never a refusal.
        assert set(found) <= {"NOT_FOUND"}, (field, who, found)
    else:
        assert found == ["FORBIDDEN"], (field, who, found)


# -- a REP sees nothing of other reps, however deep it asks --------------------------------------

# Pages of 10: each list here is shorter, and pages of 100 would be over the query cost budget.
EVERYTHING_OF_MINE = """{
  accounts(first: 10) { totalCount edges { node {
    id parent { id } ultimateParent { id } owner { id }
    children(first: 10) { totalCount edges { node { id } } }
    contacts(first: 10) { totalCount edges { node { id account { id } roles score(asOf: "2026-11-01T00:00:00Z") { total } } } }
    leads(first: 10) { totalCount edges { node { id match { account { id } } routing { id lead { id } assignee { id } } } } }
    score(asOf: "2026-11-01T00:00:00Z") { contributions(first: 10) { sourceId kind path } }
    coverage(asOf: "2026-11-01T00:00:00Z") { roles { contacts { id account { id } } } }
    lookalikes(first: 10) { account { id } }
    scorecard(asOf: "2026-11-01T00:00:00Z") { __typename }
  } } }
  myQueue(first: 10) { totalCount edges { node { id lead { id match { account { id } } } assignee { id } } } }
  byEmail: matchAccount(email: "someone@acme.de") { best { account { id } } candidates { account { id } } }
  byName: matchAccount(company: "Delta Systems") { best { account { id } } candidates { account { id } } }
  bySite: matchAccount(website: "https://www.delta.io/about") { best { account { id } } candidates { account { id } } }
}"""


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(item) for item in value)) if value else set()
    return {value} if isinstance(value, str) else set()


async def test_a_rep_reaches_nothing_of_other_reps_through_any_nested_field(db, decisions):
    hidden = ANN_HIDDEN | {decisions["cat"]}
    data = await data_of(db, EVERYTHING_OF_MINE, REP_ANN)
    seen = _strings(data)
    assert not seen & hidden, seen & hidden
    assert {"acme", "acme-berlin", "c-jo", "l-sam", decisions["ann"]} <= seen  # the scan looks at real answers
    assert data["accounts"]["totalCount"] == 3  # acme, acme-berlin, acme-uk
    assert data["myQueue"]["totalCount"] == 1
    # And by id, one hidden thing at a time: null, never an error that confirms it exists.
    by_id = " ".join(
        f'a{n}: account(id: "{i}") {{ id }} c{n}: contact(id: "{i}") {{ id }} l{n}: lead(id: "{i}") {{ id }}'
        for n, i in enumerate(sorted(ANN_HIDDEN)[:10])
    )
    answered = await data_of(db, "{ " + by_id + " }", REP_ANN)
    assert set(answered.values()) == {None}


async def test_the_same_sweep_as_cat_shows_only_cats_things(db, decisions):
    data = await data_of(db, EVERYTHING_OF_MINE, REP_CAT)
    seen = _strings(data)
    assert [edge["node"]["id"] for edge in data["accounts"]["edges"]] == ["delta"]
    assert not seen & {"acme", "acme-berlin", "acme-de", "c-jo", "l-sam", decisions["ann"]}


async def test_a_rep_may_not_act_on_or_listen_to_another_reps_decisions(db, decisions):
    cats = decisions["cat"]
    for verb in ('acceptRouting(decisionId: "{d}")', 'rejectRouting(decisionId: "{d}", reason: "mine now")'):
        # Cat's decision answers exactly like a missing one: no oracle of which ids exist.
        answers = []
        for decision in (cats, "rd-none"):
            result = await execute(db, "mutation { " + verb.format(d=decision) + " { id status } }", REP_ANN)
            answers.append((codes(result), result.errors[0].message.replace(decision, "<id>")))
        assert answers[0] == answers[1] == (["NOT_FOUND"], "no routing decision '<id>'")
    queue = await data_of(db, "{ myQueue { edges { node { id status } } } }", REP_CAT)
    assert queue == {"myQueue": {"edges": [{"node": {"id": cats, "status": "PENDING"}}]}}
    listening = "subscription($who: ID) { routingDecisions(assigneeId: $who) { id } }"
    assert await _subscribe(db, listening, REP_ANN, who="u-cat") == ["FORBIDDEN"]
    assert await _subscribe(db, listening, REP_ANN, who="u-missing") == ["FORBIDDEN"]  # the same: no oracle
    assert await _subscribe(db, listening, REP_ANN, who="u-ann") == []


# -- keys: missing and unknown refused, never logged -------------------------------------------

KEYS = {
    "admin-key-6d2f0e1c9b8a7d6e5f4a": {"role": "ADMIN", "name": "ops"},
    "rep-key-1a2b3c4d5e6f7a8b9c0d": {"role": "REP", "user_id": "u-ann", "name": "ann"},
    "integration-key-0f9e8d7c6b5a": {"role": "INTEGRATION", "name": "crm-sync"},
}
WRONG_KEY = "wrong-key-99887766554433221100"


async def test_missing_or_unknown_keys_are_refused_and_no_key_is_ever_logged(embedded, caplog):
    caplog.set_level(logging.DEBUG)
    async with api_client(embedded, KEYS) as client:
        for headers in ({}, {"Authorization": f"Bearer {WRONG_KEY}"}, {"Authorization": f"Token {WRONG_KEY}"}):
            for request in (
                client.post("/graphql", json={"query": "{ accounts { totalCount } }"}, headers=headers),
                client.get("/graphql", params={"query": "{ __typename }"}, headers=headers),
            ):
                refused = await request
                assert refused.status_code == 401
                assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        for key in KEYS:
            headers = {"Authorization": f"Bearer {key}"}
            answered = await client.post("/graphql", json={"query": "{ accounts { totalCount } }"}, headers=headers)
            assert answered.status_code == 200
            broken = await client.post("/graphql", json={"query": "{ account(id: 1) { nope } }"}, headers=headers)
            assert broken.status_code == 200
        metrics = (await client.get("/metrics")).text
    logged = caplog.text + json.dumps([record.__dict__.get("args") for record in caplog.records], default=str)
    assert "missing or unknown API key" in caplog.text  # refusals are logged...
    for secret in [*KEYS, WRONG_KEY]:
        assert secret not in logged  # ...without the key
        assert secret not in metrics
