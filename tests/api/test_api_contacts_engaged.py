"""`Account.contacts(engaged:)`: contacts with (or without) a positive-point engagement in the last
90 days (SPEC §7), from the `last_engaged_at` the import and the recompute keep, paged and counted
like any list.

The graph: one account, five contacts. Scoring: demo_request +10, unsubscribe −10 (per "*").

    ada   demo_request 10 days ago                      engaged
    bea   unsubscribe 5 days ago                        not engaged (negative points)
    cyd   demo_request 100 days ago                     not engaged (outside the window)
    dan   none                                          not engaged
    eve   demo_request 89 days ago, unsubscribe today   engaged (one positive engagement suffices)
"""

from datetime import UTC, datetime, timedelta

import pytest
from api_graph import data_of, import_rows

from graphsvc.scores.documents import save_document
from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db

MODEL = {
    "version": 401,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {"weight": 40, "attributes": [{"field": "seniority", "weight": 100, "choices": {"vp": 10}}]},
    "behavioral": {
        "weight": 60,
        "attributes": [
            {"event": "demo_request", "weight": 50, "choices": {"*": 10}},
            {"event": "unsubscribe", "weight": 50, "choices": {"*": -10}},
        ],
    },
}
NOW = datetime.now(UTC)
CONTACTS = (
    'query($engaged: Boolean, $first: Int, $after: String, $role: String) { account(id: "acme") { '
    "contacts(engaged: $engaged, first: $first, after: $after, role: $role) "
    "{ totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }"
)


def _ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


@pytest.fixture(autouse=True)
async def graph(empty_db):
    await save_document(empty_db, "scoring", MODEL)
    people = [("ada", "Lovelace"), ("bea", "Baker"), ("cyd", "Charisse"), ("dan", "Dare"), ("eve", "Evans")]
    events = [
        ("ada", "demo_request", 10),
        ("bea", "unsubscribe", 5),
        ("cyd", "demo_request", 100),
        ("eve", "demo_request", 89),
        ("eve", "unsubscribe", 0.01),
    ]
    await import_rows(
        empty_db,
        {
            "accounts": [{"id": "acme", "name": "Acme", "domain": "acme.com"}],
            "contacts": [
                {
                    "id": pid,
                    "first_name": pid.title(),
                    "last_name": last,
                    "email": f"{pid}@acme.com",
                    "account_id": "acme",
                    "title": "CFO" if pid in ("ada", "dan") else None,
                }
                for pid, last in people
            ],
            "engagements": [
                {"id": f"e-{n}", "person_id": pid, "type": kind, "occurred_at": _ago(days)}
                for n, (pid, kind, days) in enumerate(events)
            ],
        },
    )


async def _ids(db, **variables):
    contacts = (await data_of(db, CONTACTS, **variables))["account"]["contacts"]
    return contacts["totalCount"], [edge["node"]["id"] for edge in contacts["edges"]]


async def test_engaged_keeps_contacts_with_a_positive_engagement_in_the_window(db):
    assert await _ids(db, engaged=True) == (2, ["eve", "ada"])  # by last name: Evans, Lovelace
    assert await _ids(db, engaged=False) == (3, ["bea", "cyd", "dan"])  # Baker, Charisse, Dare
    assert await _ids(db) == (5, ["bea", "cyd", "dan", "eve", "ada"])


async def test_a_recompute_records_the_same_engagement(db):
    await recompute_graph(db)
    assert await _ids(db, engaged=True) == (2, ["eve", "ada"])
    assert await _ids(db, engaged=False) == (3, ["bea", "cyd", "dan"])


async def test_the_engaged_filter_pages_and_combines_with_role(db):
    contacts = (await data_of(db, CONTACTS, engaged=False, first=2))["account"]["contacts"]
    assert [edge["node"]["id"] for edge in contacts["edges"]] == ["bea", "cyd"]
    assert contacts["pageInfo"]["hasNextPage"] is True
    rest = await _ids(db, engaged=False, first=2, after=contacts["pageInfo"]["endCursor"])
    assert rest == (3, ["dan"])
    cfos = await data_of(db, '{ account(id: "acme") { contacts { edges { node { id roles } } } } }')
    role = next(
        edge["node"]["roles"][0] for edge in cfos["account"]["contacts"]["edges"] if edge["node"]["id"] == "ada"
    )
    assert await _ids(db, engaged=True, role=role) == (1, ["ada"])
    assert await _ids(db, engaged=False, role=role) == (1, ["dan"])
