"""A tiny sales graph for the scorecard, target and planning tests, with every number worked out by hand.

Scoring model (SPEC §3 example): demo_request 60×40/100×10/10 = 24 points, web_visit pricing
60×30/100×10/10 = 18, any other web_visit 60×30/100×2/10 = 3.6, unsubscribe 60×30/100×(−10)/10 = −18;
half-life 30 days. Role weights: CHAMPION 1.3, ECONOMIC_BUYER 1.5, DECISION_MAKER 1.5, END_USER 0.8,
none 1.0. ICP: industry software 10 → fit 100, retail 5 → fit 50, anything else 0. Days are
counted back from AS_OF = 2026-11-01; the tests use a 60-day window, so the current window is
(−60, 0] and the previous one (−120, −60], measured at −60.

    P  "Pco"  software, 300 staff, US, aws+salesforce, target tier 1, owner u1   (default committee)
       c1 CHAMPION        demo_request at 0                   24 × 1.3            = 31.2   engaged
       c2 ECONOMIC_BUYER  pricing at −30  (previous: −90)     18 × 0.5 × 1.5      = 13.5   engaged
       c3 no role         unsubscribe at 0                    −18                          not engaged
       c5 DECISION_MAKER  nothing                                                         not engaged
       l1 lead (MQL)      web_visit docs at −60: left the current window, in the previous at age 0: 3.6
       l2 lead (NEW)      nothing
       level 31.2 + 13.5 − 18 = 26.7; previous 13.5 (c2 at −90, age 30 at −60) + 3.6 = 17.1;
       change 9.6 / 17.1; rolled up 26.7 + 0.5 × 24 (Q) = 38.7; people 6, engaged 2 → 33.3 %;
       coverage .20 + .25 + .25 = .70, engaged .20 + .25 = .45.
       stages: TARGET at −100, ENGAGED at −20.  opportunities: o1 OPEN 50,000 created −40;
       o2 LOST 20,000 created −200, closed −10.
    └─ Q  "Qco"  software, subsidiary of P: c4 no role, demo_request at 0 → level 24, previous 0.
    T2 "Tco"  retail, 80 staff, target tier 2, owner u2   (small_business committee: EB .4, CHAMPION .3, END_USER .3)
       c6 END_USER, pricing at −130 (outside both windows); leads l3 (SAL), l4 (SQL).
       coverage .3, engaged 0. stages: TARGET −100, AWARE −90, MQA −60, OPPORTUNITY −30.
       o3 OPEN 10,000 created −30.
    W  "Wco"  software, 300 staff, US, aws+salesforce: the won customer (o4 WON 40,000, created −200, closed −150).
    N  "Nco"  finance, nobody.

Leads without an account (free mail): l5 OPPORTUNITY (industry retail), l6 WON, l7 NURTURE,
l8 MQL; l9 NEW created at +5, after AS_OF. Routing decisions: d1 ABM for l3 to u2, decided −5 days,
accepted 2 hours later (due after 4); d2 TRADITIONAL for l8 to u1, decided −2 days, due −1 day,
still PENDING.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase

from graphsvc.ingest.importer import Importer
from graphsvc.scores.documents import save_document
from graphsvc.store.database import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW = 60

SCORING_MODEL = {
    "version": 201,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {
        "weight": 40,
        "attributes": [
            {"field": "seniority", "weight": 50, "choices": {"c_level": 10, "vp": 8}},
            {"field": "industry", "weight": 50, "choices": {"software": 10, "retail": 2}},
        ],
    },
    "behavioral": {
        "weight": 60,
        "attributes": [
            {"event": "demo_request", "weight": 40, "choices": {"*": 10}},
            {"event": "web_visit", "weight": 30, "choices": {"pricing": 10, "*": 2}},
            {"event": "unsubscribe", "weight": 30, "choices": {"*": -10}},
        ],
    },
}
ICP_MODEL = {
    "version": 201,
    "attributes": [{"field": "industry", "weight": 100, "choices": {"software": 10, "retail": 5}}],
}


def at(days: float) -> str:
    """AS_OF moved by ``days`` (negative: before), as ISO-8601."""
    return (AS_OF + timedelta(days=days)).isoformat()


def engagement(engagement_id: str, person: str, kind: str, days: float, detail: str | None = None) -> dict[str, Any]:
    return {"id": engagement_id, "person_id": person, "type": kind, "detail": detail, "occurred_at": at(days)}


ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        {"id": "u1", "name": "Una", "role": "AE"},
        {"id": "u2", "name": "Ugo", "role": "AE"},
    ],
    "accounts": [
        {
            "id": "P",
            "name": "Pco",
            "domain": "pco.com",
            "industry": "software",
            "employees": 300,
            "country": "US",
            "technologies": "aws;salesforce",
            "is_target": True,
            "tier": 1,
            "owner_id": "u1",
        },
        {"id": "Q", "name": "Qco", "domain": "qco.com", "industry": "software", "parent_id": "P"},
        {
            "id": "T2",
            "name": "Tco",
            "domain": "tco.com",
            "industry": "retail",
            "employees": 80,
            "is_target": True,
            "tier": 2,
            "owner_id": "u2",
        },
        {
            "id": "W",
            "name": "Wco",
            "domain": "wco.com",
            "industry": "software",
            "employees": 300,
            "country": "US",
            "technologies": "aws;salesforce",
        },
        {"id": "N", "name": "Nco", "domain": "nco.com", "industry": "finance"},
    ],
    "contacts": [
        {"id": "c1", "account_id": "P", "roles": "CHAMPION"},
        {"id": "c2", "account_id": "P", "roles": "ECONOMIC_BUYER"},
        {"id": "c3", "account_id": "P"},
        {"id": "c5", "account_id": "P", "roles": "DECISION_MAKER"},
        {"id": "c4", "account_id": "Q"},
        {"id": "c6", "account_id": "T2", "roles": "END_USER"},
    ],
    "leads": [
        {"id": "l1", "email": "l1@pco.com", "status": "MQL", "created_at": at(-100)},
        {"id": "l2", "email": "l2@pco.com", "status": "NEW", "created_at": at(-100)},
        {"id": "l3", "email": "l3@tco.com", "status": "SAL", "created_at": at(-50)},
        {"id": "l4", "email": "l4@tco.com", "status": "SQL", "created_at": at(-50)},
        {"id": "l5", "email": "l5@gmail.com", "status": "OPPORTUNITY", "industry": "retail", "created_at": at(-200)},
        {"id": "l6", "email": "l6@gmail.com", "status": "WON", "created_at": at(-200)},
        {"id": "l7", "email": "l7@gmail.com", "status": "NURTURE", "created_at": at(-10)},
        {"id": "l8", "email": "l8@gmail.com", "status": "MQL", "created_at": at(-10)},
        {"id": "l9", "email": "l9@gmail.com", "status": "NEW", "created_at": at(5)},
    ],
    "opportunities": [
        {"id": "o1", "account_id": "P", "amount": 50_000, "status": "OPEN", "created_at": at(-40)},
        {
            "id": "o2",
            "account_id": "P",
            "amount": 20_000,
            "status": "LOST",
            "created_at": at(-200),
            "closed_at": at(-10),
        },
        {"id": "o3", "account_id": "T2", "amount": 10_000, "status": "OPEN", "created_at": at(-30)},
        {
            "id": "o4",
            "account_id": "W",
            "amount": 40_000,
            "status": "WON",
            "created_at": at(-200),
            "closed_at": at(-150),
        },
    ],
    "engagements": [
        engagement("e1", "c1", "demo_request", 0),
        engagement("e2", "c2", "web_visit", -30, "pricing"),
        engagement("e3", "c2", "web_visit", -90, "pricing"),
        engagement("e4", "c3", "unsubscribe", 0),
        engagement("e5", "l1", "web_visit", -60, "docs"),
        engagement("e6", "c4", "demo_request", 0),
        engagement("e7", "c6", "web_visit", -130, "pricing"),
    ],
}

STAGES = [  # (account, previous, stage, days)
    ("P", None, "TARGET", -100),
    ("T2", None, "TARGET", -100),
    ("T2", "TARGET", "AWARE", -90),
    ("T2", "AWARE", "MQA", -60),
    ("P", "TARGET", "ENGAGED", -20),
    ("T2", "MQA", "OPPORTUNITY", -30),
]

_DECISIONS = """
UNWIND $rows AS r
MATCH (l:Lead {id: r.lead})
MATCH (u:User {id: r.user})
CREATE (d:RoutingDecision {id: r.id})-[:FOR]->(l)
SET d.path = r.path, d.status = r.status, d.rule = 'test', d.score = 60.0,
    d.decided_at = datetime(r.decided_at), d.sla_due_at = datetime(r.sla_due_at),
    d.closed_at = CASE WHEN r.closed_at IS NULL THEN null ELSE datetime(r.closed_at) END
CREATE (d)-[:ASSIGNED_TO]->(u)
"""
DECISIONS = [
    {
        "id": "d1",
        "lead": "l3",
        "user": "u2",
        "path": "ABM",
        "status": "ACCEPTED",
        "decided_at": at(-5),
        "sla_due_at": at(-5 + 4 / 24),
        "closed_at": at(-5 + 2 / 24),
    },
    {
        "id": "d2",
        "lead": "l8",
        "user": "u1",
        "path": "TRADITIONAL",
        "status": "PENDING",
        "decided_at": at(-2),
        "sla_due_at": at(-1),
        "closed_at": None,
    },
]


async def run_cypher(embedded: EmbeddedServer, text: str, **params: Any) -> None:
    """Run test-only Cypher (fixtures the service never writes this way) with a driver of its own."""
    uri = str(embedded.status()["bolt_uri"])
    async with AsyncGraphDatabase.driver(uri, auth=(ROOT_USER, embedded.password())) as driver:
        await driver.execute_query(text, params, database_=DATABASE_NAME)


async def load_scorecard_graph(db: Database, embedded: EmbeddedServer) -> None:
    """Load the graph above into the (emptied) database."""
    await save_document(db, "scoring", SCORING_MODEL)
    await save_document(db, "icp", ICP_MODEL)
    importer = Importer(db)
    for kind, rows in ROWS.items():
        report = await importer.import_rows(kind, enumerate(rows, start=1))
        assert report.errors == [], report.errors
    for account_id, previous, stage, days in STAGES:
        rows = [{"id": account_id, "previous": previous, "stage": stage, "change_id": f"sc-{account_id}-{stage}"}]
        assert len(await db.write("stages/record_changes", rows=rows, at=at(days))) == 1
    await run_cypher(embedded, _DECISIONS, rows=DECISIONS)


def assert_same_json(found, expected, where=()) -> None:
    """Equal JSON-ready values, floats to 1e-9 (sums taken in another order differ in the last bits)."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and found.keys() == expected.keys(), where
        for key in expected:
            assert_same_json(found[key], expected[key], (*where, key))
    elif isinstance(expected, float):
        assert found == pytest.approx(expected, rel=1e-9, abs=1e-9), where
    else:
        assert found == expected, where
