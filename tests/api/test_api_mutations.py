"""Mutations against the real database: importRecords, setBuyingRole, setTarget."""

import pytest
from api_graph import codes, data_of, execute, load_sales_graph, run_cypher

from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db

IMPORT = """mutation($kind: String!, $rows: [JSON!]!) {
    importRecords(kind: $kind, rows: $rows) { imported failed errors { row field message } ignoredFields } }"""

ROLE_SOURCES = """
MATCH (c:Contact {id: $id})-[held:HAS_ROLE]->(role:BuyingRole)
RETURN role.id AS role, held.source AS source, held.confidence AS confidence
"""


@pytest.fixture(autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


async def test_import_records_lands_valid_rows_and_reports_invalid_ones_by_row(db):
    rows = [
        {"id": "delta", "name": "Delta AG", "employees": "250", "owner_id": "u-ann", "color": "red"},
        {"id": "", "name": "No id"},
        "not an object",
        {"id": "eps", "name": "Epsilon", "parent_id": "nowhere"},
        {"id": "zeta", "name": "Zeta", "parent_id": "delta", "is_target": True, "tier": 3},
    ]
    data = await data_of(db, IMPORT, kind="accounts", rows=rows)
    result = data["importRecords"]
    assert result["imported"] == 2 and result["failed"] == 3
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(2, "id"), (3, None), (4, "parent_id")]
    assert result["errors"][1]["message"] == "not a JSON object"
    assert "unknown account 'nowhere'" in result["errors"][2]["message"]
    assert result["ignoredFields"] == ["color"]
    zeta = await data_of(db, '{ account(id: "zeta") { name isTarget tier parent { name owner { id } } } }')
    assert zeta["account"] == {
        "name": "Zeta",
        "isTarget": True,
        "tier": 3,
        "parent": {"name": "Delta AG", "owner": {"id": "u-ann"}},
    }
    # The same rows again change nothing and report the same rows.
    again = (await data_of(db, IMPORT, kind="accounts", rows=rows))["importRecords"]
    assert again == result
    total = await data_of(db, "{ accounts { totalCount } }")
    assert total["accounts"]["totalCount"] == 7


async def test_import_records_of_stage_changes_adds_to_the_stage_history(db):
    rows = [
        {"id": "sc-api-1", "account_id": "acme", "stage": "AWARE", "at": "2020-03-01T00:00:00Z"},
        {"id": "sc-api-2", "account_id": "acme", "stage": "engaged", "previous": "AWARE", "at": "2020-04-01T00:00:00Z"},
        {"id": "sc-api-3", "account_id": "acme", "stage": "MQA", "previous": "ENGAGED", "at": "2999-01-01T00:00:00Z"},
    ]
    result = (await data_of(db, IMPORT, kind="stage_changes", rows=rows))["importRecords"]
    assert result["imported"] == 2 and result["failed"] == 1
    assert [(error["row"], error["field"]) for error in result["errors"]] == [(3, "at")]
    data = await data_of(db, '{ account(id: "acme") { stageHistory { previous stage at } } }')
    assert data["account"]["stageHistory"][:2] == [
        {"previous": None, "stage": "AWARE", "at": "2020-03-01T00:00:00+00:00"},
        {"previous": "AWARE", "stage": "ENGAGED", "at": "2020-04-01T00:00:00+00:00"},
    ]


async def test_import_records_of_an_unknown_kind_is_invalid_input(db):
    result = await execute(db, IMPORT, kind="planets", rows=[{"id": "p1"}])
    assert codes(result) == ["INVALID_INPUT"]
    assert "unknown kind 'planets'" in result.errors[0].message


async def test_set_buying_role_adds_a_manual_role_that_wins(db, embedded):
    query = 'mutation { setBuyingRole(personId: "c-kim", role: "champion") { id name roles account { id } } }'
    data = await data_of(db, query)
    assert data["setBuyingRole"] == {"id": "c-kim", "name": "Kim Lee", "roles": ["CHAMPION"], "account": {"id": "acme"}}
    # A CRM re-import without the role keeps the manual one.
    await data_of(db, IMPORT, kind="contacts", rows=[{"id": "c-kim", "account_id": "acme", "roles": []}])
    contact = await data_of(db, '{ contact(id: "c-kim") { roles } }')
    assert contact["contact"]["roles"] == ["CHAMPION"]
    # An explicit CRM role becomes manual when set by hand.
    await data_of(db, 'mutation { setBuyingRole(personId: "c-jo", role: "ECONOMIC_BUYER") { roles } }')
    held = await run_cypher(embedded, ROLE_SOURCES, id="c-jo")
    assert held == [{"role": "ECONOMIC_BUYER", "source": "manual", "confidence": 1.0}]


async def test_set_buying_role_takes_the_account_off_the_missing_role_list_at_once(db):
    await recompute_graph(db)
    missing = '{ accounts(missingRole: "CHAMPION") { edges { node { id } } } }'

    async def missing_champion() -> list[str]:
        return [edge["node"]["id"] for edge in (await data_of(db, missing))["accounts"]["edges"]]

    assert "acme-de" in await missing_champion()  # Max is its only contact, a DECISION_MAKER
    await data_of(db, 'mutation { setBuyingRole(personId: "c-max", role: "CHAMPION") { id } }')
    # No recompute in between: the write stored acme-de's coverage figures in its own transaction.
    assert "acme-de" not in await missing_champion()


@pytest.mark.parametrize(
    ("person", "role", "code", "message"),
    [
        ("c-kim", "WIZARD", "INVALID_INPUT", "unknown buying role 'WIZARD'"),
        ("nobody", "CHAMPION", "NOT_FOUND", "no contact with id 'nobody'"),
        ("l-sam", "CHAMPION", "NOT_FOUND", "no contact with id 'l-sam'"),
    ],
)
async def test_set_buying_role_refusals(db, person, role, code, message):
    result = await execute(
        db, "mutation($p: ID!, $r: String!) { setBuyingRole(personId: $p, role: $r) { id } }", p=person, r=role
    )
    assert codes(result) == [code]
    assert message in result.errors[0].message
    assert result.data is None


async def test_set_target_sets_keeps_and_drops_the_tier(db):
    query = "mutation($id: ID!, $t: Boolean!, $tier: Int) { setTarget(accountId: $id, isTarget: $t, tier: $tier) { id isTarget tier } }"
    assert (await data_of(db, query, id="beta", t=True, tier=3))["setTarget"] == {
        "id": "beta",
        "isTarget": True,
        "tier": 3,
    }
    assert (await data_of(db, query, id="beta", t=True))["setTarget"] == {"id": "beta", "isTarget": True, "tier": 3}
    assert (await data_of(db, query, id="beta", t=False))["setTarget"] == {
        "id": "beta",
        "isTarget": False,
        "tier": None,
    }
    targets = await data_of(db, "{ accounts(isTarget: true) { edges { node { id } } } }")
    assert [edge["node"]["id"] for edge in targets["accounts"]["edges"]] == ["acme", "acme-de"]


async def test_set_target_returns_the_fresh_account_after_it_was_read_in_the_same_request(db):
    # Mutations run in order; the second field must not see the first read's cached record.
    query = """mutation { before: setTarget(accountId: "gamma", isTarget: true, tier: 1) { tier }
                          after: setTarget(accountId: "gamma", isTarget: true, tier: 2) { tier } }"""
    assert await data_of(db, query) == {"before": {"tier": 1}, "after": {"tier": 2}}


@pytest.mark.parametrize(
    ("variables", "code", "message"),
    [
        ({"id": "nowhere", "t": True}, "NOT_FOUND", "no account with id 'nowhere'"),
        ({"id": "beta", "t": True, "tier": 4}, "INVALID_INPUT", "tier must be 1, 2 or 3"),
        ({"id": "beta", "t": False, "tier": 1}, "INVALID_INPUT", "only a target account has a tier"),
    ],
)
async def test_set_target_refusals(db, variables, code, message):
    query = (
        "mutation($id: ID!, $t: Boolean!, $tier: Int) { setTarget(accountId: $id, isTarget: $t, tier: $tier) { id } }"
    )
    result = await execute(db, query, **variables)
    assert codes(result) == [code]
    assert message in result.errors[0].message


async def test_stage_is_read_from_the_account(db, embedded):
    await run_cypher(embedded, "MATCH (a:Account {id: 'beta'}) SET a.stage = 'ENGAGED'")
    data = await data_of(db, '{ account(id: "beta") { stage } accounts(stage: ENGAGED) { edges { node { id } } } }')
    assert data == {"account": {"stage": "ENGAGED"}, "accounts": {"edges": [{"node": {"id": "beta"}}]}}
