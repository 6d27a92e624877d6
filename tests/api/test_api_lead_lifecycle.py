"""Lead lifecycle through the API on the real database: setLeadStatus, Lead.statusHistory, who may
move a status, routing's accept / reject moves, statuses that arrive by import, and the
lead.status_changed webhook event queued with each move (none on a refused one).

The graph: a target account ``acme`` (software) owned by Ann, a target account ``beta`` (software)
owned by nobody, and AEs Ann and Cat in pool ``ae``. c_level leads score 25 + 25 = 50, the ABM
threshold: l-ceo routes to Ann (owner), l-beta to whichever AE the round robin picks.
"""

import pytest
from api_graph import ADMIN, REP_ANN, codes, data_of, execute

from graphsvc.auth import Caller, Role
from graphsvc.ingest.importer import Importer
from graphsvc.scores.documents import save_document
from graphsvc.webhooks.hooks import add_webhook, read_deliveries

pytestmark = pytest.mark.db

REP_CAT = Caller(Role.REP, "u-cat", name="cat")
REPS = {"u-ann": REP_ANN, "u-cat": REP_CAT}
SCORING_MODEL = {
    "version": 302,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {
        "weight": 50,
        "attributes": [
            {"field": "seniority", "weight": 50, "choices": {"c_level": 10, "director": 8}},
            {"field": "industry", "weight": 50, "choices": {"software": 10}},
        ],
    },
    "behavioral": {"weight": 50, "attributes": [{"event": "demo_request", "weight": 100, "choices": {"*": 10}}]},
}
SET = """mutation($id: ID!, $status: LeadStatus!, $reason: String) {
  setLeadStatus(leadId: $id, status: $status, reason: $reason) { id status }
}"""
HISTORY = "query($id: ID!) { lead(id: $id) { status statusHistory { status previous reason by at } } }"


async def _import(db, kind, rows):
    report = await Importer(db).import_rows(kind, enumerate(rows, start=1))
    assert report.errors == []


@pytest.fixture(autouse=True)
async def graph(empty_db):
    await save_document(empty_db, "scoring", SCORING_MODEL)
    await _import(
        empty_db,
        "users",
        [
            {"id": "u-ann", "name": "Ann", "role": "AE", "pools": "ae"},
            {"id": "u-cat", "name": "Cat", "role": "AE", "pools": "ae"},
        ],
    )
    await _import(
        empty_db,
        "accounts",
        [
            {
                "id": "acme",
                "name": "Acme",
                "domain": "acme.com",
                "industry": "software",
                "is_target": True,
                "owner_id": "u-ann",
            },
            {"id": "beta", "name": "Beta", "domain": "beta.com", "industry": "software", "is_target": True},
        ],
    )
    await _import(
        empty_db,
        "leads",
        [
            {"id": "l-ceo", "email": "ceo@acme.com", "seniority": "c_level"},
            {"id": "l-beta", "email": "ceo@beta.com", "seniority": "c_level"},
        ],
    )


async def _history(db, lead_id, caller=ADMIN):
    return (await data_of(db, HISTORY, caller, id=lead_id))["lead"]


def _moves(lead):
    return [(c["status"], c["previous"], c["reason"], c["by"]) for c in lead["statusHistory"]]


async def _status_events(db, webhook_id):
    deliveries = await read_deliveries(db, webhook_id, 100)
    return sorted((d.payload["data"]["previous"], d.payload["data"]["status"]) for d in deliveries)


async def test_allowed_moves_are_recorded_oldest_first_with_reason_and_author(db):
    hook = await add_webhook(db, "http://127.0.0.1:9/hook", ["lead.status_changed"], allow_private=True)
    first = await data_of(db, SET, ADMIN, id="l-ceo", status="MQL", reason="  webinar  ")
    assert first["setLeadStatus"] == {"id": "l-ceo", "status": "MQL"}
    await data_of(db, SET, REP_ANN, id="l-ceo", status="SAL")  # Ann owns acme
    await data_of(db, SET, REP_ANN, id="l-ceo", status="SQL", reason="budget confirmed")

    lead = await _history(db, "l-ceo")
    assert lead["status"] == "SQL"
    assert _moves(lead) == [
        ("MQL", "NEW", "webinar", "admin"),  # the key's name; the reason trimmed
        ("SAL", "MQL", None, "u-ann"),  # the user a key acts as
        ("SQL", "SAL", "budget confirmed", "u-ann"),
    ]
    times = [c["at"] for c in lead["statusHistory"]]
    assert times == sorted(times) and len(set(times)) == 3
    # One lead.status_changed event queued with each move, in its transaction.
    assert await _status_events(db, hook.id) == sorted([("NEW", "MQL"), ("MQL", "SAL"), ("SAL", "SQL")])


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "SAL"),  # NEW may not skip to SAL
        (["MQL"], "MQL"),  # to the status it already has
        (["MQL", "SAL"], "MQL"),  # sales work on it: not back to MQL
        (["MQL", "SAL", "SQL", "OPPORTUNITY", "WON"], "RECYCLED"),  # WON is final
        (["DISQUALIFIED"], "NURTURE"),  # so is DISQUALIFIED
    ],
)
async def test_a_move_the_funnel_does_not_allow_is_refused_and_changes_nothing(db, path, refused):
    for status in path:
        await data_of(db, SET, ADMIN, id="l-ceo", status=status)
    hook = await add_webhook(db, "http://127.0.0.1:9/hook", ["lead.status_changed"], allow_private=True)
    before = await _history(db, "l-ceo")

    result = await execute(db, SET, ADMIN, id="l-ceo", status=refused)
    assert codes(result) == ["INVALID_INPUT"]
    current = path[-1] if path else "NEW"
    assert f"is {current} and may move to" in result.errors[0].message
    assert result.errors[0].message.startswith("status: lead l-ceo")
    assert await _history(db, "l-ceo") == before
    assert await read_deliveries(db, hook.id, 10) == []


async def test_a_rep_moves_only_leads_it_sees_or_that_are_assigned_to_it(db):
    # l-ceo is at Ann's account: Cat is answered as if it did not exist.
    for lead_id in ("l-ceo", "no-such-lead"):
        assert codes(await execute(db, SET, REP_CAT, id=lead_id, status="MQL")) == ["NOT_FOUND"]
    # l-beta is at an account nobody owns: no REP sees it until routing assigns it to one.
    assert codes(await execute(db, SET, REP_ANN, id="l-beta", status="MQL")) == ["NOT_FOUND"]
    route = 'mutation { routeLead(leadId: "l-beta") { assignee { id } lead { status } } }'
    routed = (await data_of(db, route))["routeLead"]
    assert routed["lead"]["status"] == "MQL"
    assignee = routed["assignee"]["id"]
    other = next(rep for user, rep in REPS.items() if user != assignee)
    assert codes(await execute(db, SET, other, id="l-beta", status="NURTURE")) == ["NOT_FOUND"]
    moved = await data_of(db, SET, REPS[assignee], id="l-beta", status="NURTURE", reason="not now")
    assert moved["setLeadStatus"]["status"] == "NURTURE"
    # Neither role that does not work leads may move one.
    for role in (Role.STRATEGIST, Role.INTEGRATION):
        assert codes(await execute(db, SET, Caller(role, name="k"), id="l-ceo", status="MQL")) == ["FORBIDDEN"]


async def test_routing_accept_and_reject_move_the_status_and_are_recorded(db):
    route = "mutation($id: ID!) { routeLead(leadId: $id) { id assignee { id } } }"
    accepted = (await data_of(db, route, id="l-ceo"))["routeLead"]["id"]
    await data_of(db, "mutation($id: ID!) { acceptRouting(decisionId: $id) { status } }", REP_ANN, id=accepted)
    assert _moves(await _history(db, "l-ceo")) == [
        ("MQL", "NEW", "routing rule ABM_THRESHOLD", "routing"),
        ("SAL", "MQL", f"routing decision {accepted} accepted", "u-ann"),
    ]

    rejected = (await data_of(db, route, id="l-beta"))["routeLead"]
    reject = 'mutation($id: ID!) { rejectRouting(decisionId: $id, reason: "wrong region") { status } }'
    await data_of(db, reject, REPS[rejected["assignee"]["id"]], id=rejected["id"])
    assert _moves(await _history(db, "l-beta")) == [
        ("MQL", "NEW", "routing rule ABM_THRESHOLD", "routing"),
        ("RECYCLED", "MQL", "wrong region", rejected["assignee"]["id"]),
    ]


async def test_a_status_that_arrives_by_import_is_a_move_when_it_differs(db):
    hook = await add_webhook(db, "http://127.0.0.1:9/hook", ["lead.status_changed"], allow_private=True)
    row = {"id": "l-ceo", "email": "ceo@acme.com", "seniority": "c_level", "status": "NURTURE"}
    new = {"id": "l-new", "email": "new@acme.com", "status": "MQL"}
    await _import(db, "leads", [row, new])
    await _import(db, "leads", [row, new])  # the same rows again: nothing more
    assert _moves(await _history(db, "l-ceo")) == [("NURTURE", "NEW", None, "import")]
    # A new lead arriving with a status records it, with nothing before; no webhook event for a new lead.
    assert _moves(await _history(db, "l-new")) == [("MQL", None, None, "import")]
    assert await _status_events(db, hook.id) == [("NEW", "NURTURE")]
    # A lead imported as NEW has no history: it never moved.
    assert (await _history(db, "l-beta"))["statusHistory"] == []
