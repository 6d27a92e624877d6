"""Lists that find (issue 15): `accounts` filters and score/coverage/engagement orders, the top-level `leads`.

The figures the filters and orders read are the ones a recompute stores on accounts and leads
(score_total, score_coverage, ...); here they are written by hand (test-only Cypher), so every
expected list below is computed by hand from the table.
"""

import pytest
from api_graph import ADMIN, codes, data_of, execute, import_rows, run_cypher

from graphsvc.auth import Caller, Role
from graphsvc.schema.pagination import encode_seek_cursor

pytestmark = pytest.mark.db

USERS = [
    {"id": "u-x", "name": "Xavier Xu", "email": "x@seller.io", "role": "AE", "active": True},
    {"id": "u-y", "name": "Yara Yu", "email": "y@seller.io", "role": "AE", "active": True},
]
ACCOUNTS = [
    {
        "id": "a1",
        "name": "Acme Robotics",
        "domain": "acme.io",
        "industry": "Software",
        "is_target": True,
        "tier": 1,
        "owner_id": "u-x",
    },
    {
        "id": "a2",
        "name": "Beta Acme Labs",
        "domain": "beta.com",
        "industry": "software",
        "is_target": True,
        "tier": 2,
        "owner_id": "u-y",
    },
    {"id": "a3", "name": "Gamma Corp", "domain": "acmeish.org", "industry": "Finance", "owner_id": "u-x"},
    {"id": "a4", "name": "Delta Inc", "domain": "delta.io", "industry": "Finance", "is_target": True, "tier": 1},
    {"id": "a5", "name": "Epsilon"},
    {"id": "a6", "name": "Zeta Acmes", "domain": "zeta.dev", "industry": "Retail", "owner_id": "u-x"},
    {"id": "a7", "name": "Notacme", "domain": "notacme.com", "industry": "Retail"},
]
REQUIRED = ["ECONOMIC_BUYER", "DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR", "INFLUENCER", "END_USER"]
# As a recompute leaves them; a5 was never recomputed (no figures at all).
FIGURES = [
    {
        "id": "a1",
        "score": 80.0,
        "coverage": 0.45,
        "engaged": 1,
        "committee": "default",
        "known": ["ECONOMIC_BUYER", "CHAMPION"],
        "change": 0.5,
    },
    {
        "id": "a2",
        "score": 80.0,
        "coverage": 0.5,
        "engaged": 3,
        "committee": "default",
        "known": ["ECONOMIC_BUYER", "DECISION_MAKER"],
        "change": -0.2,
    },
    {"id": "a3", "score": 40.0, "coverage": 0.0, "engaged": 0, "committee": "default", "known": [], "change": None},
    {
        "id": "a4",
        "score": 40.0,
        "coverage": 1.0,
        "engaged": 2,
        "committee": "default",
        "known": REQUIRED,
        "change": 2.0,
    },
    {
        "id": "a6",
        "score": 10.0,
        "coverage": 0.0,
        "engaged": 1,
        "committee": "small_business",
        "known": [],
        "change": 0.5,
    },
    {
        "id": "a7",
        "score": 25.5,
        "coverage": 0.5,
        "engaged": 5,
        "committee": "default",
        "known": ["ECONOMIC_BUYER", "DECISION_MAKER"],
        "change": -1.0,
    },
]
_STORE_FIGURES = """
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a.score_total = r.score, a.score_coverage = r.coverage, a.score_engaged_contacts = r.engaged,
    a.score_committee = r.committee, a.score_known_roles = r.known, a.score_engagement_change = r.change
"""

# By hand, ties by id, accounts without the key last (by id), in both directions.
ORDERS = {
    "score": ["a6", "a7", "a3", "a4", "a1", "a2", "a5"],
    "-score": ["a1", "a2", "a3", "a4", "a7", "a6", "a5"],
    "coverage": ["a3", "a6", "a1", "a2", "a7", "a4", "a5"],
    "-coverage": ["a4", "a2", "a7", "a1", "a3", "a6", "a5"],
    "-engagementChange": ["a4", "a1", "a6", "a2", "a7", "a3", "a5"],
}

PAGE = """query($first: Int, $after: String, $o: String, $search: String, $tier: Int, $industry: String,
        $minScore: Float, $maxCoverage: Float, $single: Boolean, $missing: String, $owner: ID, $t: Boolean) {
    accounts(first: $first, after: $after, orderBy: $o, search: $search, tier: $tier, industry: $industry,
             minScore: $minScore, maxCoverage: $maxCoverage, singleThreaded: $single, missingRole: $missing,
             ownerId: $owner, isTarget: $t) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture(scope="module", autouse=True)
async def listed(db, embedded):
    await db.write("admin/delete_all")
    await import_rows(db, {"users": USERS, "accounts": ACCOUNTS, "leads": LEADS})
    await run_cypher(embedded, _STORE_FIGURES, rows=FIGURES)
    await run_cypher(embedded, _MATCH_AND_SCORE_LEADS, rows=LEAD_FIGURES)


async def walk(db, first, caller=ADMIN, query=PAGE, field="accounts", **variables):
    """Every page from the start, following endCursor: the ids in order, and the totalCount of each page."""
    ids, totals, after = [], set(), None
    for _ in range(20):
        page = (await data_of(db, query, caller, first=first, after=after, **variables))[field]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        totals.add(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            assert len(totals) == 1
            return ids, totals.pop()
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pages do not end")


@pytest.mark.parametrize("order", list(ORDERS))
@pytest.mark.parametrize("first", [1, 2, 3, 7])
async def test_every_order_by_hand_across_pages(db, order, first):
    assert await walk(db, first, o=order) == (ORDERS[order], 7)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # a word of the name starting "acme" (Acme, Acme, Acmes), or the domain (acme.io, acmeish.org); not "Notacme"
        ({"search": "ACME"}, ["a1", "a2", "a3", "a6"]),
        ({"search": " labs "}, ["a2"]),
        ({"search": "delta.i"}, ["a4"]),
        ({"tier": 1}, ["a1", "a4"]),
        ({"industry": "SOFTWARE"}, ["a1", "a2"]),  # case-insensitive
        ({"minScore": 40.0}, ["a1", "a2", "a3", "a4"]),  # at least; a5 has no score
        ({"maxCoverage": 0.45}, ["a1", "a3", "a6"]),  # at most
        ({"single": True}, ["a1", "a3", "a6"]),  # at most one engaged contact
        ({"single": False}, ["a2", "a4", "a7"]),
        # DECISION_MAKER is required by default (a1, a3 lack it) but not by small_business (a6)
        ({"missing": "decision_maker"}, ["a1", "a3"]),
        ({"missing": "CHAMPION"}, ["a2", "a3", "a7", "a6"]),
        ({"missing": "BLOCKER"}, []),  # tracked, never required: never missing
        ({"minScore": 20.0, "maxCoverage": 0.5, "single": False}, ["a2", "a7"]),
        ({"search": "acme", "owner": "u-x"}, ["a1", "a3", "a6"]),
        ({"tier": 1, "t": True, "minScore": 50.0}, ["a1"]),
    ],
)
async def test_each_filter_by_hand_in_score_order(db, filters, expected):
    ids, total = await walk(db, 1, o="-score", **filters)
    assert ids == expected
    assert total == len(expected)


async def test_a_rep_sees_only_its_own_accounts_with_the_filters(db):
    rep = Caller(Role.REP, "u-x", name="xavier")
    assert await walk(db, 2, caller=rep, o="-score") == (["a1", "a3", "a6"], 3)
    assert await walk(db, 1, caller=rep, o="coverage", single=True) == (["a3", "a6", "a1"], 3)
    # ownerId of another user: the REP's own scope still holds.
    assert await walk(db, 2, caller=rep, o="-score", owner="u-y") == ([], 0)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"o": "-engagement"}, "unknown orderBy '-engagement'"),
        ({"o": "engagementChange"}, "unknown orderBy 'engagementChange'"),
        ({"tier": 4}, "tier must be between 1 and 3, got 4"),
        ({"minScore": 101.0}, "minScore must be between 0.0 and 100.0"),
        ({"maxCoverage": -0.1}, "maxCoverage must be between 0.0 and 1.0"),
        ({"search": "  "}, "search must not be blank"),
        ({"industry": ""}, "industry must not be blank"),
        ({"missing": "CFO"}, "unknown buying role 'CFO'"),
        ({"o": "score", "after": encode_seek_cursor("-score", 80.0, "a1")}, "made for orderBy '-score', not 'score'"),
        ({"o": "score", "after": encode_seek_cursor("score", "80", "a1")}, "invalid cursor"),
    ],
)
async def test_bad_arguments_are_invalid_input(db, variables, message):
    result = await execute(db, PAGE, first=2, **variables)
    assert codes(result) == ["INVALID_INPUT"]
    assert message in result.errors[0].message


async def test_a_score_cursor_of_an_account_without_a_score_resumes_among_those(db):
    page = await data_of(db, PAGE, first=5, o="-score", after=encode_seek_cursor("-score", None, "a4"))
    assert [edge["node"]["id"] for edge in page["accounts"]["edges"]] == ["a5"]


# -- leads ------------------------------------------------------------------------------------------------------

LEADS = [
    {
        "id": "l1",
        "email": "l1@acme.io",
        "first_name": "L",
        "last_name": "One",
        "status": "MQL",
        "created_at": "2026-01-03T00:00:00Z",
    },
    {"id": "l2", "email": "l2@beta.com", "first_name": "L", "last_name": "Two", "created_at": "2026-01-01T00:00:00Z"},
    {
        "id": "l3",
        "email": "l3@acme.io",
        "first_name": "L",
        "last_name": "Three",
        "status": "MQL",
        "created_at": "2026-01-02T00:00:00Z",
    },
    {"id": "l4", "email": "l4@gmail.com", "first_name": "L", "last_name": "Four", "created_at": "2026-01-02T00:00:00Z"},
    {"id": "l5", "email": "l5@zeta.dev", "first_name": "L", "last_name": "Five", "status": "SAL"},
]
# l1, l3 at a1 (u-x); l2 at a2 (u-y); l5 at a6 (u-x); l4 unmatched. l5 never scored.
LEAD_FIGURES = [
    {"id": "l1", "account": "a1", "score": 70.0},
    {"id": "l2", "account": "a2", "score": 70.0},
    {"id": "l3", "account": "a1", "score": 90.0},
    {"id": "l4", "account": None, "score": 5.0},
    {"id": "l5", "account": "a6", "score": None},
]
_MATCH_AND_SCORE_LEADS = """
UNWIND $rows AS r
MATCH (l:Lead {id: r.id})
SET l.score_total = r.score
WITH l, r
OPTIONAL MATCH (l)-[old:MATCHED_TO]->(:Account)
DELETE old
WITH l, r
MATCH (a:Account {id: r.account})
MERGE (l)-[m:MATCHED_TO]->(a)
SET m.method = 'DOMAIN', m.confidence = 0.9
"""
LEAD_ORDERS = {
    "-score": ["l3", "l1", "l2", "l4", "l5"],
    "score": ["l4", "l1", "l2", "l3", "l5"],
    "createdAt": ["l2", "l3", "l4", "l1", "l5"],
    "-createdAt": ["l1", "l3", "l4", "l2", "l5"],
}
LEAD_PAGE = """query($first: Int, $after: String, $o: String, $s: LeadStatus, $account: ID) {
    leads(first: $first, after: $after, orderBy: $o, status: $s, accountId: $account) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize("order", list(LEAD_ORDERS))
@pytest.mark.parametrize("first", [1, 2, 5])
async def test_every_lead_order_by_hand_across_pages(db, order, first):
    assert await walk(db, first, query=LEAD_PAGE, field="leads", o=order) == (LEAD_ORDERS[order], 5)


async def test_leads_default_to_score_best_first_and_filter(db):
    assert await walk(db, 2, query=LEAD_PAGE, field="leads") == (LEAD_ORDERS["-score"], 5)
    assert await walk(db, 1, query=LEAD_PAGE, field="leads", s="MQL") == (["l3", "l1"], 2)
    assert await walk(db, 1, query=LEAD_PAGE, field="leads", s="NEW") == (["l2", "l4"], 2)  # no status: NEW
    assert await walk(db, 1, query=LEAD_PAGE, field="leads", account="a1", o="createdAt") == (["l3", "l1"], 2)


async def test_a_rep_sees_only_the_leads_of_its_own_accounts(db):
    rep = Caller(Role.REP, "u-x", name="xavier")
    assert await walk(db, 1, caller=rep, query=LEAD_PAGE, field="leads") == (["l3", "l1", "l5"], 3)
    assert await walk(db, 1, caller=rep, query=LEAD_PAGE, field="leads", account="a2") == ([], 0)


async def test_a_lead_cursor_with_a_time_that_is_no_time_is_invalid_input(db):
    result = await execute(db, LEAD_PAGE, o="createdAt", after=encode_seek_cursor("createdAt", "yesterday", "l1"))
    assert codes(result) == ["INVALID_INPUT"]
    assert "invalid cursor" in result.errors[0].message


async def test_a_bad_lead_order_is_invalid_input(db):
    result = await execute(db, LEAD_PAGE, o="name")
    assert codes(result) == ["INVALID_INPUT"]
    assert "unknown orderBy 'name'; expected one of -score, score, -createdAt, createdAt" in result.errors[0].message
