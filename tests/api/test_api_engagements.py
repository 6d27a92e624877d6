"""Activity timelines: `engagements(first, after)` on Contact and Lead, and on Account (everyone at it,
`windowDays`), newest first with equal times by id, read by seek cursors, each with the undecayed
points of the scoring model in force (the shipped default here).

The sales graph of api_graph, with these engagements (days before now; points by the default model,
W_behavioral 60 × w_attr/100 × priority/10):

    e-1  jo (acme)       demo_request            1 day     60×20/100×10/10 = 12
    e-2  al (acme)       web_visit pricing       2 days    60×15/100×10/10 = 9
    e-3  sam (acme lead) webinar attended        2 days    60×10/100×10/10 = 6     same time as e-2
    e-4  jo (acme)       web_visit careers      10 days    60×15/100×-5/10 = -4.5
    e-5  pat (acme lead) email_open             40 days    60×5/100×2/10   = 0.6
    e-6  kim (acme)      chat                  100 days    not in the model: 0
    e-7  max (acme-de)   demo_request            1 day     12  (a subsidiary's person: not acme's)
    e-8  free (no acct)  content_download case_study 3 days   60×10/100×10/10 = 6

So acme's timeline is e-1, e-2, e-3, e-4, e-5, e-6.
"""

from datetime import UTC, datetime, timedelta

import pytest
from api_graph import REP_ANN, codes, data_of, execute, import_rows, load_sales_graph, run_cypher
from graphql import parse

from graphsvc.schema import schema
from graphsvc.schema.limits import query_cost

pytestmark = pytest.mark.db

NOW = datetime.now(UTC).replace(microsecond=0)
ENGAGEMENTS = [
    ("e-1", "c-jo", "demo_request", None, 1),
    ("e-2", "c-al", "web_visit", "pricing", 2),
    ("e-3", "l-sam", "webinar", "attended", 2),
    ("e-4", "c-jo", "web_visit", "careers", 10),
    ("e-5", "l-pat", "email_open", None, 40),
    ("e-6", "c-kim", "chat", None, 100),
    ("e-7", "c-max", "demo_request", None, 1),
    ("e-8", "l-free", "content_download", "case_study", 3),
]
ACME_ORDER = ["e-1", "e-2", "e-3", "e-4", "e-5", "e-6"]
POINTS = {"e-1": 12.0, "e-2": 9.0, "e-3": 6.0, "e-4": -4.5, "e-5": 0.6, "e-6": 0.0, "e-7": 12.0, "e-8": 6.0}

PAGE = """
edges { cursor node { id personId type detail campaign occurredAt points } }
pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
totalCount
"""
ACCOUNT = (
    "query($id: ID!, $first: Int, $after: String, $days: Int) { account(id: $id) { "
    "engagements(first: $first, after: $after, windowDays: $days) {" + PAGE + "} } }"
)
CONTACT = (
    "query($id: ID!, $first: Int, $after: String) { contact(id: $id) { engagements(first: $first, after: $after) {"
    + PAGE
    + "} } }"
)
LEAD = (
    "query($id: ID!, $first: Int, $after: String) { lead(id: $id) { engagements(first: $first, after: $after) {"
    + PAGE
    + "} } }"
)


def _row(id_: str, person: str, type_: str, detail: str | None, days: int) -> dict:
    return {
        "id": id_,
        "person_id": person,
        "type": type_,
        "detail": detail,
        "campaign": "q4" if id_ == "e-1" else None,
        "occurred_at": (NOW - timedelta(days=days)).isoformat(),
    }


@pytest.fixture
async def timeline_db(empty_db, embedded):
    await load_sales_graph(empty_db, embedded)
    await import_rows(empty_db, {"engagements": [_row(*row) for row in ENGAGEMENTS]})
    return empty_db


def _ids(connection: dict) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def test_account_timeline_lists_everyone_at_the_account_newest_first_with_points(timeline_db):
    timeline = (await data_of(timeline_db, ACCOUNT, id="acme"))["account"]["engagements"]
    assert _ids(timeline) == ACME_ORDER
    assert timeline["totalCount"] == 6
    assert {edge["node"]["id"]: edge["node"]["points"] for edge in timeline["edges"]} == {
        id_: POINTS[id_] for id_ in ACME_ORDER
    }
    first = timeline["edges"][0]["node"]
    assert first == {
        "id": "e-1",
        "personId": "c-jo",
        "type": "demo_request",
        "detail": None,
        "campaign": "q4",
        "occurredAt": (NOW - timedelta(days=1)).isoformat(),
        "points": 12.0,
    }
    assert [edge["node"]["personId"] for edge in timeline["edges"]] == [
        "c-jo",
        "c-al",
        "l-sam",
        "c-jo",
        "l-pat",
        "c-kim",
    ]
    assert timeline["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": timeline["edges"][0]["cursor"],
        "endCursor": timeline["edges"][-1]["cursor"],
    }


async def test_pages_follow_cursors_through_equal_times_and_keep_the_total(timeline_db):
    seen, after, pages = [], None, []
    while True:
        page = (await data_of(timeline_db, ACCOUNT, id="acme", first=2, after=after))["account"]["engagements"]
        pages.append(_ids(page))
        assert page["totalCount"] == 6
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += _ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # e-2 and e-3 share a time: the page break between them neither skips nor repeats one.
    assert pages == [["e-1", "e-2"], ["e-3", "e-4"], ["e-5", "e-6"]]
    assert seen == ACME_ORDER


async def test_a_newer_engagement_does_not_shift_the_next_page(timeline_db):
    page = (await data_of(timeline_db, ACCOUNT, id="acme", first=2))["account"]["engagements"]
    await import_rows(timeline_db, {"engagements": [_row("e-0", "c-kim", "demo_request", None, 0)]})
    after = page["pageInfo"]["endCursor"]
    following = (await data_of(timeline_db, ACCOUNT, id="acme", first=2, after=after))["account"]["engagements"]
    assert _ids(following) == ["e-3", "e-4"]
    assert following["totalCount"] == 7


async def test_window_days_keeps_the_last_days_before_now(timeline_db):
    async def window(days: int) -> dict:
        return (await data_of(timeline_db, ACCOUNT, id="acme", days=days))["account"]["engagements"]

    assert _ids(await window(7)) == ["e-1", "e-2", "e-3"]
    thirty = await window(30)
    assert _ids(thirty) == ["e-1", "e-2", "e-3", "e-4"]
    assert thirty["totalCount"] == 4
    assert (await window(365))["totalCount"] == 6


async def test_contact_and_lead_timelines(timeline_db):
    jo = (await data_of(timeline_db, CONTACT, id="c-jo"))["contact"]["engagements"]
    assert _ids(jo) == ["e-1", "e-4"]
    assert [edge["node"]["points"] for edge in jo["edges"]] == [12.0, -4.5]
    assert jo["totalCount"] == 2
    first = (await data_of(timeline_db, CONTACT, id="c-jo", first=1))["contact"]["engagements"]
    assert _ids(first) == ["e-1"] and first["pageInfo"]["hasNextPage"] is True and first["totalCount"] == 2
    rest = (await data_of(timeline_db, CONTACT, id="c-jo", after=first["pageInfo"]["endCursor"]))["contact"]
    assert _ids(rest["engagements"]) == ["e-4"] and rest["engagements"]["pageInfo"]["hasNextPage"] is False

    sam = (await data_of(timeline_db, LEAD, id="l-sam"))["lead"]["engagements"]
    assert [(edge["node"]["id"], edge["node"]["points"]) for edge in sam["edges"]] == [("e-3", 6.0)]
    free = (await data_of(timeline_db, LEAD, id="l-free"))["lead"]["engagements"]
    assert [(edge["node"]["id"], edge["node"]["points"]) for edge in free["edges"]] == [("e-8", 6.0)]
    empty = (await data_of(timeline_db, CONTACT, id="c-eve"))["contact"]["engagements"]
    assert empty == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "totalCount": 0,
    }


async def test_a_page_of_accounts_reads_every_timeline_in_one_statement(timeline_db):
    query = (
        "{ accounts(first: 10) { edges { node { id "
        "engagements(first: 1) { totalCount edges { node { id points } } } } } } }"
    )
    before = timeline_db.round_trips
    nodes = {edge["node"]["id"]: edge["node"] for edge in (await data_of(timeline_db, query))["accounts"]["edges"]}
    statements = timeline_db.round_trips - before
    assert nodes["acme"]["engagements"] == {"totalCount": 6, "edges": [{"node": {"id": "e-1", "points": 12.0}}]}
    assert nodes["acme-de"]["engagements"] == {"totalCount": 1, "edges": [{"node": {"id": "e-7", "points": 12.0}}]}
    assert nodes["beta"]["engagements"] == {"totalCount": 0, "edges": []}
    # The page of ids, the accounts, every account's timeline, the scoring model in force.
    assert statements == 4


async def test_a_count_alone_reads_no_page_and_no_model(timeline_db):
    before = timeline_db.round_trips
    data = await data_of(timeline_db, '{ account(id: "acme") { engagements { totalCount } } }')
    assert data["account"]["engagements"]["totalCount"] == 6
    assert timeline_db.round_trips - before == 2  # the account and its timeline's count


async def test_a_rep_sees_the_activity_of_its_own_accounts_people_only(timeline_db, embedded):
    ann = (await data_of(timeline_db, ACCOUNT, REP_ANN, id="acme"))["account"]["engagements"]
    assert _ids(ann) == ACME_ORDER
    assert (await data_of(timeline_db, ACCOUNT, REP_ANN, id="acme-de"))["account"] is None  # Bob's
    # A lead routed to Ann is hers to see, but not its activity when it is at no account of hers.
    await run_cypher(
        embedded,
        "MATCH (d:RoutingDecision {id: 'd-1'}), (l:Lead {id: 'l-free'}) MERGE (d)-[:FOR]->(l) "
        "SET d.path = 'TRADITIONAL', d.rule = 'MQL_THRESHOLD', d.score = 10.0, d.reasons = [], d.decided_at = datetime($at)",
        at=NOW.isoformat(),
    )
    queue = "{ myQueue { edges { node { id lead { id engagements { totalCount edges { node { id } } } } } } } }"
    nodes = [edge["node"] for edge in (await data_of(timeline_db, queue, REP_ANN))["myQueue"]["edges"]]
    assert [(node["id"], node["lead"]["id"]) for node in nodes] == [("d-1", "l-free")]
    assert nodes[0]["lead"]["engagements"] == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"after": "bm9wZQ=="}, "after: invalid cursor"),
        ({"first": -1}, "first must not be negative, got -1"),
        ({"days": 0}, "windowDays must lie from 1 to 3650, got 0"),
        ({"days": 3651}, "windowDays must lie from 1 to 3650, got 3651"),
    ],
)
async def test_bad_arguments_are_invalid_input(timeline_db, variables, message):
    result = await execute(timeline_db, ACCOUNT, id="acme", **variables)
    assert codes(result) == ["INVALID_INPUT"]
    assert message in result.errors[0].message


async def test_a_cursor_of_another_list_is_invalid_input(timeline_db):
    accounts = await data_of(timeline_db, "{ accounts(first: 1) { pageInfo { endCursor } } }")
    result = await execute(timeline_db, CONTACT, id="c-jo", after=accounts["accounts"]["pageInfo"]["endCursor"])
    assert codes(result) == ["INVALID_INPUT"]
    assert "made for orderBy 'name', not '-occurredAt'" in result.errors[0].message


def test_timelines_cost_like_connections():
    # account 1 + engagements 5 + edges (1 + 10 × node 1) = 17; a contact's: 1 + 1 + (1 + 10) = 13.
    account = '{ account(id: "a") { engagements(first: 10) { edges { node { id points } } } } }'
    contact = '{ contact(id: "c") { engagements(first: 10) { edges { node { id points } } } } }'
    assert query_cost(schema._schema, parse(account), None, None) == 17
    assert query_cost(schema._schema, parse(contact), None, None) == 13


async def test_a_stored_time_outside_the_supported_range_leaves_its_row_out_not_the_read(timeline_db, embedded):
    # Written by another tool: graphsvc's importer refuses a time from 2100 on.
    await run_cypher(
        embedded,
        "MATCH (c:Contact {id: 'c-eve'}) "
        "CREATE (c)-[:PERFORMED]->(:Engagement {id: 'e-far', type: 'demo_request', occurred_at: datetime($at)})",
        at="2200-01-01T00:00:00Z",
    )
    await import_rows(timeline_db, {"engagements": [_row("e-9", "c-eve", "demo_request", None, 1)]})
    eve = (await data_of(timeline_db, CONTACT, id="c-eve"))["contact"]["engagements"]
    assert _ids(eve) == ["e-9"]


async def test_first_zero_answers_no_edge_but_tells_that_more_follow(timeline_db):
    none = (await data_of(timeline_db, ACCOUNT, id="acme", first=0))["account"]["engagements"]
    assert none["edges"] == [] and none["pageInfo"]["hasNextPage"] is True and none["totalCount"] == 6
