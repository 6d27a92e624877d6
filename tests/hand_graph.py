"""A small hand-computed graph shared by the score tests (store and API).

The graph (δ = 0.5, half-life 30 days, the spec's example scoring model):

    R (target, retail)          p3 ECONOMIC_BUYER (1.5): web_visit careers 60 days ago
    ├── C (software)            p2 no role (1.0):         web_visit pricing at as_of
    │   └── G (software)        p1 CHAMPION (1.3):        demo_request 30 days ago
    └── S (retail)              p4 no role:               no engagement

Points: demo_request 60×40/100×10/10 = 24, decayed one half-life → 12.
pricing 60×30/100×10/10 = 18. careers 60×30/100×(−5)/10 = −9, two half-lives → −2.25.
E(G) = 1.3×12 = 15.6, E(C) = 18, E(R) = 1.5×(−2.25) = −3.375, E(S) = 0.
R(G) = 15.6, R(C) = 18 + 0.5×15.6 = 25.8, R(S) = 0, R(R) = −3.375 + 0.5×(25.8 + 0) = 9.525.
ICP: industry software 10 → fit 100, retail 5 → fit 50.
total = 0.5·fit + 0.5·min(100, R): G 57.8, C 62.9, R 29.7625.
Coverage of G (default template): CHAMPION known and engaged → 0.20 / 1.0 = 0.2; one engaged
contact → single-threaded.
"""

from datetime import UTC, datetime, timedelta

from graphsvc.ingest.importer import Importer
from graphsvc.scores.documents import save_document

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
HALF_LIFE = 30

SCORING_MODEL = {
    "version": 101,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": HALF_LIFE,
    "demographic": {
        "weight": 40,
        "attributes": [
            {"field": "seniority", "weight": 50, "choices": {"c_level": 10, "vp": 8, "student": -10}},
            {"field": "industry", "weight": 50, "choices": {"software": 10, "finance": 6, "retail": 2}},
        ],
    },
    "behavioral": {
        "weight": 60,
        "attributes": [
            {"event": "demo_request", "weight": 40, "choices": {"*": 10}},
            {"event": "web_visit", "weight": 30, "choices": {"pricing": 10, "careers": -5, "*": 2}},
            {"event": "unsubscribe", "weight": 30, "choices": {"*": -10}},
        ],
    },
}
ICP_MODEL = {
    "version": 101,
    "attributes": [{"field": "industry", "weight": 100, "choices": {"software": 10, "retail": 5}}],
}


def at(days_before: float) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


async def load_hand_graph(db) -> Importer:
    await save_document(db, "scoring", SCORING_MODEL)
    await save_document(db, "icp", ICP_MODEL)
    importer = Importer(db)
    rows = {
        "accounts": [
            {"id": "R", "name": "Root Retail", "industry": "retail", "is_target": True},
            {"id": "C", "name": "Child Soft", "industry": "software", "parent_id": "R"},
            {"id": "G", "name": "Grandchild Soft", "industry": "software", "parent_id": "C"},
            {"id": "S", "name": "Sibling Retail", "industry": "retail", "parent_id": "R"},
        ],
        "contacts": [
            {"id": "p1", "account_id": "G", "roles": "CHAMPION", "seniority": "vp"},
            {"id": "p2", "account_id": "C"},
            {"id": "p3", "account_id": "R", "roles": "ECONOMIC_BUYER", "seniority": "c_level"},
            {"id": "p4", "account_id": "S"},
        ],
        "engagements": [
            {"id": "e1", "person_id": "p1", "type": "demo_request", "occurred_at": at(30)},
            {"id": "e2", "person_id": "p2", "type": "web_visit", "detail": "pricing", "occurred_at": at(0)},
            {"id": "e3", "person_id": "p3", "type": "web_visit", "detail": "careers", "occurred_at": at(60)},
        ],
    }
    for kind, items in rows.items():
        report = await importer.import_rows(kind, enumerate(items, start=1))
        assert report.errors == [], report.errors
    return importer
