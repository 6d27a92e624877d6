"""Queries of the GraphQL schema against the real database, on the hand-made sales graph."""

import pytest
from api_graph import codes, data_of, execute, load_sales_graph

from graphsvc.schema.limits import ApiLimits
from graphsvc.schema.pagination import decode_cursor, encode_cursor

pytestmark = pytest.mark.db


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


async def test_account_fields_owner_and_corporate_tree(db):
    data = await data_of(
        db,
        """{ account(id: "acme-berlin") {
        id name domain industry employees annualRevenue country isTarget tier stage
        owner { id name email role active capacity openAssignments }
        parent { id owner { name active openAssignments } }
        ultimateParent { id name annualRevenue tier }
    } }""",
    )
    assert data["account"] == {
        "id": "acme-berlin",
        "name": "Acme Berlin",
        "domain": None,
        "industry": None,
        "employees": 40,
        "annualRevenue": None,
        "country": "DE",
        "isTarget": False,
        "tier": None,
        "stage": None,
        "owner": {
            "id": "u-ann",
            "name": "Ann Archer",
            "email": "ann@seller.io",
            "role": "AE",
            "active": True,
            "capacity": 10,
            "openAssignments": 2,
        },
        "parent": {"id": "acme-de", "owner": {"name": "Bob Baker", "active": False, "openAssignments": 0}},
        "ultimateParent": {"id": "acme", "name": "Acme Corp", "annualRevenue": 1e9, "tier": 1},
    }


async def test_top_level_account_has_no_parents_and_unknown_id_is_null(db):
    data = await data_of(
        db,
        '{ account(id: "gamma") { parent { id } ultimateParent { id } owner { id } } '
        'missing: account(id: "no-such") { id } }',
    )
    assert data == {"account": {"parent": None, "ultimateParent": None, "owner": None}, "missing": None}


async def test_children_are_a_connection_by_name(db):
    data = await data_of(
        db,
        '{ account(id: "acme") { children { totalCount edges { node { id } } '
        "pageInfo { hasNextPage hasPreviousPage } } } }",
    )
    assert data["account"]["children"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": "acme-de"}}],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
    }


async def test_accounts_ordered_by_name_then_paged_with_cursors(db):
    query = """query($after: String) { accounts(first: 2, after: $after) { totalCount
        edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    first = (await data_of(db, query))["accounts"]
    assert [edge["node"]["id"] for edge in first["edges"]] == ["acme-berlin", "acme"]  # "Acme Berlin" < "Acme Corp"
    assert first["totalCount"] == 5
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][1]["cursor"],
    }
    second = (await data_of(db, query, after=first["pageInfo"]["endCursor"]))["accounts"]
    assert [edge["node"]["id"] for edge in second["edges"]] == ["acme-de", "beta"]
    third = (await data_of(db, query, after=second["pageInfo"]["endCursor"]))["accounts"]
    assert [edge["node"]["id"] for edge in third["edges"]] == ["gamma"]
    assert third["pageInfo"]["hasNextPage"] is False and third["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("name", ["acme-berlin", "acme", "acme-de", "beta", "gamma"]),
        ("-name", ["gamma", "beta", "acme-de", "acme", "acme-berlin"]),
        ("employees", ["gamma", "acme-berlin", "acme-de", "acme", "beta"]),  # unknown (beta) last
        ("-employees", ["acme", "acme-de", "acme-berlin", "gamma", "beta"]),
    ],
)
async def test_accounts_order_by_whitelist(db, order, expected):
    data = await data_of(db, "query($o: String) { accounts(orderBy: $o) { edges { node { id } } } }", o=order)
    assert [edge["node"]["id"] for edge in data["accounts"]["edges"]] == expected


async def test_accounts_filters_and_their_counts(db):
    query = """query($t: Boolean, $o: ID, $s: AccountStage) {
        accounts(isTarget: $t, ownerId: $o, stage: $s) { totalCount edges { node { id } } } }"""
    targets = (await data_of(db, query, t=True))["accounts"]
    assert (targets["totalCount"], [e["node"]["id"] for e in targets["edges"]]) == (2, ["acme", "acme-de"])
    not_targets = (await data_of(db, query, t=False))["accounts"]
    assert not_targets["totalCount"] == 3
    bobs = (await data_of(db, query, o="u-bob"))["accounts"]
    assert (bobs["totalCount"], [e["node"]["id"] for e in bobs["edges"]]) == (2, ["acme-de", "beta"])
    staged = (await data_of(db, query, s="ENGAGED"))["accounts"]
    assert staged == {"totalCount": 0, "edges": []}  # no account has a stage yet


async def test_account_contacts_by_name_with_roles_and_role_filter(db):
    data = await data_of(
        db,
        """query($after: String) { account(id: "acme") {
        all: contacts { totalCount edges { node { id name email title roles account { id } } } }
        champions: contacts(role: "champion") { totalCount edges { node { id } } }
        page: contacts(first: 1, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage } }
    } }""",
        after=encode_cursor(0),
    )
    account = data["account"]
    assert account["all"]["totalCount"] == 3
    # By last name: Doe, Lee, Roe.
    assert account["all"]["edges"] == [
        {
            "node": {
                "id": "c-jo",
                "name": "Jo Doe",
                "email": "jo@acme.com",
                "title": "CFO",
                "roles": ["ECONOMIC_BUYER"],
                "account": {"id": "acme"},
            }
        },
        {
            "node": {
                "id": "c-kim",
                "name": "Kim Lee",
                "email": None,
                "title": "Receptionist",
                "roles": [],
                "account": {"id": "acme"},
            }
        },
        {
            "node": {
                "id": "c-al",
                "name": "Al Roe",
                "email": "al@acme.com",
                "title": "CTO",
                "roles": ["CHAMPION", "TECHNICAL_EVALUATOR"],
                "account": {"id": "acme"},
            }
        },
    ]
    assert account["champions"] == {"totalCount": 1, "edges": [{"node": {"id": "c-al"}}]}
    assert account["page"] == {
        "totalCount": 3,
        "edges": [{"node": {"id": "c-kim"}}],
        "pageInfo": {"hasNextPage": True, "hasPreviousPage": True},
    }


async def test_account_leads_newest_first_with_status_filter_and_match(db):
    data = await data_of(
        db,
        """{ account(id: "acme") {
        leads { totalCount edges { node { id name email company title status match { method confidence account { id } } } } }
        mqls: leads(status: MQL) { totalCount edges { node { id } } }
    } }""",
    )
    leads = data["account"]["leads"]
    assert leads["totalCount"] == 2
    assert leads["edges"] == [
        {
            "node": {
                "id": "l-pat",
                "name": "Pat Kay",
                "email": "pat@acme.com",
                "company": "Acme",
                "title": None,
                "status": "NEW",
                "match": {"method": "DOMAIN", "confidence": 1.0, "account": {"id": "acme"}},
            }
        },
        {
            "node": {
                "id": "l-sam",
                "name": "Sam Hill",
                "email": "sam@acme.com",
                "company": "Acme",
                "title": "VP Sales",
                "status": "MQL",
                "match": {"method": "DOMAIN", "confidence": 1.0, "account": {"id": "acme"}},
            }
        },
    ]
    assert data["account"]["mqls"] == {"totalCount": 1, "edges": [{"node": {"id": "l-sam"}}]}


async def test_lead_and_contact_by_id(db):
    data = await data_of(
        db,
        """{
        uwe: lead(id: "l-uwe") { name status match { method confidence account { name } } }
        free: lead(id: "l-free") { name status match { method } }
        missingLead: lead(id: "nobody") { id }
        max: contact(id: "c-max") { name roles account { name } }
        solo: contact(id: "c-solo") { name roles account { id } }
        missingContact: contact(id: "nobody") { id }
    }""",
    )
    assert data == {
        "uwe": {
            "name": "Uwe",
            "status": "SAL",
            "match": {"method": "NAME", "confidence": 0.9, "account": {"name": "Acme Germany"}},
        },
        "free": {"name": None, "status": "NEW", "match": None},
        "missingLead": None,
        "max": {"name": "Max Mustermann", "roles": ["DECISION_MAKER"], "account": {"name": "Acme Germany"}},
        "solo": {"name": "Solo Person", "roles": [], "account": None},
        "missingContact": None,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{ accounts(orderBy: "revenue") { totalCount } }', "unknown orderBy 'revenue'"),
        ("{ accounts(first: -1) { totalCount } }", "first must not be negative"),
        ('{ accounts(after: "bm90LWEtY3Vyc29y") { totalCount } }', "invalid cursor"),
        ('{ account(id: "acme") { contacts(role: "WIZARD") { totalCount } } }', "unknown buying role 'WIZARD'"),
    ],
)
async def test_invalid_arguments_are_typed_errors(db, query, message):
    result = await execute(db, query)
    assert codes(result) == ["INVALID_INPUT"]
    assert message in result.errors[0].message


async def test_first_is_capped_at_the_maximum_page_size(db):
    result = await execute(
        db,
        """{ accounts(first: 1000) { totalCount edges { node { id } } pageInfo { hasNextPage } }
        default: accounts { edges { node { id } } } }""",
        limits=ApiLimits(max_page_size=2, default_page_size=1),
    )
    assert result.errors is None
    assert len(result.data["accounts"]["edges"]) == 2
    assert result.data["accounts"]["totalCount"] == 5
    assert result.data["accounts"]["pageInfo"]["hasNextPage"] is True
    assert len(result.data["default"]["edges"]) == 1


def test_cursors_are_opaque_and_round_trip():
    assert decode_cursor(encode_cursor(41)) == 41
    assert "41" not in encode_cursor(41)


MATCH_ACCOUNT = """query($email: String, $company: String, $website: String) {
    matchAccount(email: $email, company: $company, website: $website) {
        best { method confidence account { id } } candidates { method confidence account { id } } } }"""


@pytest.mark.parametrize(
    ("clues", "best"),
    [
        ({"email": "new.person@acme.com"}, ("DOMAIN", 1.0, "acme")),
        ({"email": "someone@eu.acme.com"}, ("DOMAIN", 0.95, "acme")),  # through a subdomain
        ({"website": "https://www.acme.de/kontakt"}, ("DOMAIN", 1.0, "acme-de")),
        ({"company": "Acme Germany GmbH"}, ("NAME", 0.9, "acme-de")),  # legal suffix dropped
        ({"company": "Gamma"}, ("NAME", 0.9, "gamma")),
        ({"email": "someone@gmail.com"}, None),  # free mail never matches by domain
    ],
)
async def test_match_account_names_the_best_candidate(db, clues, best):
    result = (await data_of(db, MATCH_ACCOUNT, **clues))["matchAccount"]
    if best is None:
        assert result == {"best": None, "candidates": []}
    else:
        method, confidence, account_id = best
        assert result["best"] == {
            "method": method,
            "confidence": pytest.approx(confidence),
            "account": {"id": account_id},
        }
        assert result["candidates"][0] == result["best"]


async def test_match_account_fuzzy_names_and_candidates_below_the_threshold(db):
    # fuzz.ratio("acme germny", "acme germany") = 2*11/23 = 95.65..., x 0.85 = 0.813 >= 0.8
    near = (await data_of(db, MATCH_ACCOUNT, company="Acme Germny"))["matchAccount"]
    assert near["best"]["account"] == {"id": "acme-de"} and near["best"]["method"] == "FUZZY"
    assert near["best"]["confidence"] == pytest.approx(2 * 11 / 23 * 0.85)


async def test_match_account_needs_a_clue(db):
    result = await execute(db, "{ matchAccount { best { method } } }")
    assert codes(result) == ["INVALID_INPUT"]
