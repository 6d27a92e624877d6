"""No N+1: a page of accounts with their relationships costs the same statements whatever its size."""

import pytest
from api_graph import ADMIN, REP_ANN, data_of, import_rows

from graphsvc.auth import Caller, Role
from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db

ROLES = ["ECONOMIC_BUYER", "DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR", "INFLUENCER"]
USERS = [{"id": f"u-{n}", "name": f"User {n}", "role": "AE"} for n in range(5)] + [
    {"id": "u-ann", "name": "Ann", "role": "AE"}
]
PARENTS = [{"id": f"p-{n}", "name": f"Parent {n}", "owner_id": f"u-{n % 5}"} for n in range(10)]
# "Account 000" .. "Account 099" sort before "Parent ..": a page of the first N by name is a-000..
ACCOUNTS = [
    {
        "id": f"a-{n:03}",
        "name": f"Account {n:03}",
        "parent_id": f"p-{n % 10}",
        "owner_id": "u-ann" if n % 2 else f"u-{n % 5}",
    }
    for n in range(100)
]
CONTACTS = [
    {
        "id": f"c-{n:03}-{k}",
        "account_id": f"a-{n:03}",
        "first_name": f"C{k}",
        "last_name": f"Person {n:03}",
        "roles": [ROLES[k % len(ROLES)]],
    }
    for n in range(50)
    for k in range(10)
]

PAGE = """query($n: Int) { accounts(first: $n) { totalCount edges { node {
    id name
    owner { name openAssignments }
    parent { name owner { name } }
    ultimateParent { name }
    children { totalCount }
    contacts(first: 10) { totalCount edges { node { name roles account { name } } } }
    leads(first: 5) { totalCount }
    score { total contributions(first: 3) { sourceId } }
    coverage { coverage roles { role contacts { name } } }
} } } }"""

# 1 page of ids, 2 the page's accounts, 3 totalCount, 4 owners, 5 parents, 6 ultimate parents,
# 7 children pages, 8 contact pages (with the contacts' records), 9 lead pages, 10 roles; scores
# and coverage of the whole page: 11 documents in force, 12 the stored sums, 13-15 the page's
# subtrees (accounts, persons, engagements: contributions, and the totals of accounts never
# recomputed, as here), 16 the engagement read model, 17 the committee contacts (coverage of
# accounts the read model cannot serve: never recomputed, as here), 18 their records. Cached, so
# free: the parents' owners (they own page accounts too), ultimate parents (= parents), contacts'
# accounts.
EXPECTED_STATEMENTS = 18

# The list page of the benchmark: totals and coverage, no explanation.
LIST_PAGE = """query($n: Int) { accounts(first: $n) { edges { node {
    id name owner { name } score { total } coverage { coverage engagedCoverage }
    contacts(first: 10) { edges { node { id name title } } }
} } } }"""


@pytest.fixture(scope="module", autouse=True)
async def many_accounts(db):
    await db.write("admin/delete_all")
    await import_rows(db, {"users": USERS, "accounts": PARENTS + ACCOUNTS, "contacts": CONTACTS})


async def statements_for(db, caller: Caller, size: int) -> tuple[int, dict]:
    before = db.round_trips
    data = await data_of(db, PAGE, caller, n=size)
    return db.round_trips - before, data


@pytest.mark.parametrize("caller", [ADMIN, REP_ANN], ids=["admin", "rep"])
async def test_page_of_50_costs_the_same_statements_as_page_of_10(db, caller):
    small, small_data = await statements_for(db, caller, 10)
    large, large_data = await statements_for(db, caller, 50)
    print(f"\n{caller.role}: page of 10 -> {small} statements, page of 50 -> {large} statements")
    assert len(small_data["accounts"]["edges"]) == 10
    assert len(large_data["accounts"]["edges"]) == 50
    assert small == large == EXPECTED_STATEMENTS


async def test_a_list_page_after_a_recompute_reads_no_subtree(db):
    # 1 page of ids, 2 accounts, 3 owners, 4 contact pages (with the contacts' records), 5 documents
    # in force, 6 the stored sums (every account was scored by the recompute), 7 the engagement read
    # model (coverage; every account written by the recompute).
    await recompute_graph(db)
    counts = []
    for size in (10, 50):
        before = db.round_trips
        data = await data_of(db, LIST_PAGE, ADMIN, n=size)
        counts.append(db.round_trips - before)
        assert len(data["accounts"]["edges"]) == size
    assert counts == [7, 7]


FILTERED_LIST_PAGE = """query($n: Int) { accounts(first: $n, orderBy: "-score", minScore: 0, maxCoverage: 1,
        singleThreaded: true, search: "account") { edges { node {
    id name owner { name } score { total } coverage { coverage engagedCoverage }
    contacts(first: 10) { edges { node { id name title } } }
} } } }"""
LEADS_PAGE = """query($n: Int) { leads(first: $n, orderBy: "-createdAt") { edges { node {
    id name status match { account { name owner { name } } } statusHistory { status }
} } } }"""


async def test_a_filtered_score_ordered_page_costs_the_same_statements_at_10_and_50(db):
    # The list page's 7 (above), and 1 more: every account has the same score here (a fit without
    # firmographics, no engagement), so the page's last two rows tie and the run is read in id order.
    await recompute_graph(db)
    counts = []
    for size in (10, 50):
        before = db.round_trips
        data = await data_of(db, FILTERED_LIST_PAGE, ADMIN, n=size)
        counts.append(db.round_trips - before)
        assert len(data["accounts"]["edges"]) == size
    assert counts == [8, 8]


async def test_a_page_of_leads_costs_the_same_statements_at_10_and_50(db):
    # 1 page of ids, 2 the leads' records, 3 their status histories (the leads are matched to no account).
    # Distinct creation times: a page cut inside a run of equal times reads the run (1 more statement).
    leads = [
        {"id": f"l-{n:03}", "email": f"l{n}@example.com", "created_at": f"2026-01-01T00:{n:02}:00Z"} for n in range(60)
    ]
    await import_rows(db, {"leads": leads})
    counts = []
    for size in (10, 50):
        before = db.round_trips
        data = await data_of(db, LEADS_PAGE, ADMIN, n=size)
        counts.append(db.round_trips - before)
        assert [edge["node"]["id"] for edge in data["leads"]["edges"]] == [
            f"l-{n:03}" for n in range(59, 59 - size, -1)
        ]
    assert counts == [3, 3]


async def test_page_contents_are_complete(db):
    _, data = await statements_for(db, ADMIN, 50)
    edges = data["accounts"]["edges"]
    assert data["accounts"]["totalCount"] == 110
    assert [edge["node"]["id"] for edge in edges] == [f"a-{n:03}" for n in range(50)]
    first = edges[1]["node"]  # a-001: odd, owned by Ann; parent p-1 owned by u-1
    assert first["owner"] == {"name": "Ann", "openAssignments": 0}
    assert first["parent"] == {"name": "Parent 1", "owner": {"name": "User 1"}}
    assert first["ultimateParent"] == {"name": "Parent 1"}
    assert first["contacts"]["totalCount"] == 10
    assert len(first["contacts"]["edges"]) == 10
    assert {tuple(edge["node"]["roles"]) for edge in first["contacts"]["edges"]} == {(role,) for role in ROLES}
    assert {edge["node"]["account"]["name"] for edge in first["contacts"]["edges"]} == {"Account 001"}


async def test_rep_sees_only_its_own_accounts_in_the_page(db):
    _, data = await statements_for(db, REP_ANN, 50)
    ids = [edge["node"]["id"] for edge in data["accounts"]["edges"]]
    assert ids == [f"a-{n:03}" for n in range(1, 100, 2)]  # the odd ones
    assert data["accounts"]["totalCount"] == 50
    # Parents belong to u-0..u-4, so a REP sees none of them.
    assert {
        edge["node"]["parent"] is None and edge["node"]["ultimateParent"] is None for edge in data["accounts"]["edges"]
    } == {True}


async def test_first_above_the_maximum_is_capped_at_100(db):
    data = await data_of(
        db,
        "{ accounts(first: 500) { totalCount edges { node { id } } pageInfo { hasNextPage } } }",
        Caller(Role.STRATEGIST),
    )
    assert len(data["accounts"]["edges"]) == 100
    assert data["accounts"]["totalCount"] == 110
    assert data["accounts"]["pageInfo"]["hasNextPage"] is True


async def test_a_count_alone_reads_no_page_of_items(db):
    # 1 page of ids, 2 accounts, 3-5 the contact, lead and child counts: no contact is read for a count
    # (a page's contacts would cost a 6th statement).
    query = """{ accounts(first: 50) { edges { node {
        id contacts { totalCount } leads { totalCount } children { totalCount } } } } }"""
    before = db.round_trips
    data = await data_of(db, query, ADMIN)
    assert db.round_trips - before == 5
    counts = [edge["node"]["contacts"]["totalCount"] for edge in data["accounts"]["edges"]]
    assert counts == [10] * 50
    # Through a fragment the page is read as usual, with the same count.
    data = await data_of(db, '{ account(id: "a-001") { contacts { ... on ContactConnection { totalCount } } } }')
    assert data["account"]["contacts"]["totalCount"] == 10
