"""Access control in the schema (SPEC §12): what each role may run and what a REP may see.

Ann (REP) owns acme and acme-berlin; acme-de and beta are Bob's; gamma has no owner.
"""

import pytest
from api_graph import ADMIN, INTEGRATION, REP_ANN, STRATEGIST, codes, data_of, execute, load_sales_graph

pytestmark = pytest.mark.db

READS = {
    "account": '{ account(id: "acme") { id } }',
    "accounts": "{ accounts { totalCount } }",
    "lead": '{ lead(id: "l-sam") { id } }',
    "leads": "{ leads { totalCount } }",
    "contact": '{ contact(id: "c-jo") { id } }',
    "matchAccount": '{ matchAccount(company: "Acme") { best { method } } }',
}
SET_TARGET = 'mutation { setTarget(accountId: "gamma", isTarget: true, tier: 3) { id tier } }'
IMPORT = 'mutation($rows: [JSON!]!) { importRecords(kind: "users", rows: $rows) { imported failed } }'
NEW_USER = [{"id": "u-new", "name": "New Rep", "role": "BDR"}]


def set_role(person: str, role: str = "CHAMPION") -> str:
    return f'mutation {{ setBuyingRole(personId: "{person}", role: "{role}") {{ id roles }} }}'


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


# -- roles and operations ---------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(READS))
async def test_integration_key_may_not_read(db, field):
    result = await execute(db, READS[field], INTEGRATION)
    assert codes(result) == ["FORBIDDEN"]
    assert result.errors[0].path == [field]
    assert "may not read" in result.errors[0].message


@pytest.mark.parametrize("field", sorted(READS))
async def test_a_request_without_caller_may_not_read(db, field):
    assert codes(await execute(db, READS[field], None)) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [(ADMIN, True), (INTEGRATION, True), (STRATEGIST, False), (REP_ANN, False)],
    ids=["admin", "integration", "strategist", "rep"],
)
async def test_only_admin_and_integration_may_import(db, caller, allowed):
    result = await execute(db, IMPORT, caller, rows=NEW_USER)
    if allowed:
        assert result.errors is None and result.data == {"importRecords": {"imported": 1, "failed": 0}}
    else:
        assert codes(result) == ["FORBIDDEN"] and result.data is None


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [(ADMIN, True), (STRATEGIST, True), (INTEGRATION, False), (REP_ANN, False)],
    ids=["admin", "strategist", "integration", "rep"],
)
async def test_only_admin_and_strategist_may_choose_targets(db, caller, allowed):
    result = await execute(db, SET_TARGET, caller)
    if allowed:
        assert result.errors is None and result.data == {"setTarget": {"id": "gamma", "tier": 3}}
    else:
        assert codes(result) == ["FORBIDDEN"] and result.data is None


@pytest.mark.parametrize("caller", [STRATEGIST, INTEGRATION], ids=["strategist", "integration"])
async def test_strategist_and_integration_may_not_set_buying_roles(db, caller):
    assert codes(await execute(db, set_role("c-kim"), caller)) == ["FORBIDDEN"]


async def test_rep_sets_buying_roles_only_at_its_own_accounts(db):
    # Another rep's contact (c-max at Bob's acme-de), one at no account and a missing id answer alike,
    # so the answer does not tell which (sequential) ids exist.
    for person in ("c-max", "c-solo", "c-missing"):
        refused = await execute(db, set_role(person), REP_ANN)
        assert codes(refused) == ["NOT_FOUND"], person
        assert refused.errors[0].message == f"no contact with id {person!r}"
    allowed = await data_of(db, set_role("c-kim", "influencer"), REP_ANN)
    assert allowed == {"setBuyingRole": {"id": "c-kim", "roles": ["INFLUENCER"]}}


# -- what a REP sees --------------------------------------------------------------------------


async def test_strategist_and_admin_read_everything(db):
    query = """{ accounts { totalCount } acmeDe: account(id: "acme-de") { id } gamma: account(id: "gamma") { id }
                 free: lead(id: "l-free") { id } solo: contact(id: "c-solo") { id } }"""
    expected = {
        "accounts": {"totalCount": 5},
        "acmeDe": {"id": "acme-de"},
        "gamma": {"id": "gamma"},
        "free": {"id": "l-free"},
        "solo": {"id": "c-solo"},
    }
    assert await data_of(db, query, STRATEGIST) == expected
    assert await data_of(db, query, ADMIN) == expected


async def test_rep_gets_null_for_accounts_it_does_not_own(db):
    data = await data_of(
        db,
        """{ own: account(id: "acme") { id } bobs: account(id: "acme-de") { id }
                                  unowned: account(id: "gamma") { id } }""",
        REP_ANN,
    )
    assert data == {"own": {"id": "acme"}, "bobs": None, "unowned": None}


async def test_rep_lists_only_its_own_accounts_and_counts_only_them(db):
    query = "query($o: ID) { accounts(ownerId: $o) { totalCount edges { node { id } } } }"
    mine = (await data_of(db, query, REP_ANN))["accounts"]
    assert mine == {"totalCount": 2, "edges": [{"node": {"id": "acme-berlin"}}, {"node": {"id": "acme"}}]}
    bobs = (await data_of(db, query, REP_ANN, o="u-bob"))["accounts"]
    assert bobs == {"totalCount": 0, "edges": []}
    assert (await data_of(db, query, REP_ANN, o="u-ann"))["accounts"] == mine


async def test_rep_does_not_reach_other_accounts_through_the_corporate_tree(db):
    data = await data_of(
        db,
        """{ berlin: account(id: "acme-berlin") { parent { id } ultimateParent { id } }
                                  acme: account(id: "acme") { children { totalCount edges { node { id } } } } }""",
        REP_ANN,
    )
    assert data == {
        "berlin": {"parent": None, "ultimateParent": {"id": "acme"}},  # acme-de is Bob's; acme is Ann's
        "acme": {"children": {"totalCount": 0, "edges": []}},  # its only child, acme-de, is Bob's
    }
    admin = await data_of(db, '{ account(id: "acme-berlin") { parent { id } } }', ADMIN)
    assert admin == {"account": {"parent": {"id": "acme-de"}}}


async def test_rep_sees_contacts_and_leads_only_of_its_own_accounts(db):
    data = await data_of(
        db,
        """{
        jo: contact(id: "c-jo") { id account { id } }
        max: contact(id: "c-max") { id }
        solo: contact(id: "c-solo") { id }
        sam: lead(id: "l-sam") { id match { account { id } } }
        uwe: lead(id: "l-uwe") { id }
        free: lead(id: "l-free") { id }
    }""",
        REP_ANN,
    )
    assert data == {
        "jo": {"id": "c-jo", "account": {"id": "acme"}},
        "max": None,
        "solo": None,
        "sam": {"id": "l-sam", "match": {"account": {"id": "acme"}}},
        "uwe": None,
        "free": None,
    }


async def test_rep_gets_match_candidates_only_among_its_own_accounts(db):
    query = "query($e: String) { matchAccount(email: $e) { best { account { id } } candidates { account { id } } } }"
    assert await data_of(db, query, REP_ANN, e="x@acme.de") == {"matchAccount": {"best": None, "candidates": []}}
    assert await data_of(db, query, ADMIN, e="x@acme.de") == {
        "matchAccount": {"best": {"account": {"id": "acme-de"}}, "candidates": [{"account": {"id": "acme-de"}}]}
    }
    assert await data_of(db, query, REP_ANN, e="x@acme.com") == {
        "matchAccount": {"best": {"account": {"id": "acme"}}, "candidates": [{"account": {"id": "acme"}}]}
    }
