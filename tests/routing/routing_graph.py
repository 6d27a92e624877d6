"""A hand-made sales graph for the routing tests, with lead scores that come out exact.

Scoring model (version 201; thresholds mql 100, abm 50)::

    demographic 50: seniority 50 {c_level 10 → 25, director 8 → 20, student -10 → -25}
                    industry  50 {software 10 → 25, retail 2 → 5}
    behavioral  50: demo_request 50 {"*" 10 → 25}
                    web_visit    50 {pricing 10 → 25, blog 2 → 5}

Every engagement happens at ``T0`` and leads are routed at ``T0``, so nothing decays.

Accounts and owners::

    acme.com    Acme      target, software       owner ann (AE, active)
    holdco.com  Holdco    target                 owner cat (AE, active)
    └─ midco.com   Midco  target                 no owner
       └─ leafco.com Leafco target, software     owner bob (AE, inactive)
    plain.com   Plain     not a target           owner dan

Pools: ``ae`` = ann 1, bob 1 (inactive), dan 1; ``bdr`` = bea 2, ben 1, bo 1 (inactive).
Everyone but meg reports to meg (MANAGER).

Leads (score at T0):

    l-55    c_level at acme (software from the account) + blog          25 + 25 + 5       = 55
    l-45    director at acme                                            20 + 25           = 45
    l-leaf  c_level at leafco                                           25 + 25           = 50
    l-95    plain.com, retail, no seniority: demo + 2 pricing + 3 blog  5 + 25 + 50 + 15  = 95
    l-100   as l-95 plus one more blog                                                    = 100
    l-dq    student at acme + demo + 2 pricing (disqualified)           -25 + 25 + 75     = 75
    l-dq2   c_level at acme, imported DISQUALIFIED                                         = 50
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.ingest.importer import Importer
from graphsvc.scores.documents import save_document
from graphsvc.store import Database

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

SCORING_MODEL = {
    "version": 201,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {
        "weight": 50,
        "attributes": [
            {"field": "seniority", "weight": 50, "choices": {"c_level": 10, "director": 8, "student": -10}},
            {"field": "industry", "weight": 50, "choices": {"software": 10, "retail": 2}},
        ],
    },
    "behavioral": {
        "weight": 50,
        "attributes": [
            {"event": "demo_request", "weight": 50, "choices": {"*": 10}},
            {"event": "web_visit", "weight": 50, "choices": {"pricing": 10, "blog": 2}},
        ],
    },
}

USERS = [
    {"id": "u-meg", "name": "Meg", "role": "MANAGER", "active": True},
    {"id": "u-ann", "name": "Ann", "role": "AE", "active": True, "capacity": 10, "pools": "ae", "manager_id": "u-meg"},
    {"id": "u-bob", "name": "Bob", "role": "AE", "active": False, "pools": "ae", "manager_id": "u-meg"},
    {"id": "u-cat", "name": "Cat", "role": "AE", "active": True, "manager_id": "u-meg"},
    {"id": "u-dan", "name": "Dan", "role": "AE", "active": True, "pools": "ae", "manager_id": "u-meg"},
    {"id": "u-bea", "name": "Bea", "role": "BDR", "active": True, "pools": "bdr:2", "manager_id": "u-meg"},
    {"id": "u-ben", "name": "Ben", "role": "BDR", "active": True, "pools": "bdr:1", "manager_id": "u-meg"},
    {"id": "u-bo", "name": "Bo", "role": "BDR", "active": False, "pools": "bdr:1", "manager_id": "u-meg"},
]
ACCOUNTS = [
    {
        "id": "acme",
        "name": "Acme",
        "domain": "acme.com",
        "industry": "software",
        "is_target": True,
        "owner_id": "u-ann",
    },
    {"id": "holdco", "name": "Holdco", "domain": "holdco.com", "is_target": True, "owner_id": "u-cat"},
    {"id": "midco", "name": "Midco", "domain": "midco.com", "is_target": True, "parent_id": "holdco"},
    {
        "id": "leafco",
        "name": "Leafco",
        "domain": "leafco.com",
        "industry": "software",
        "is_target": True,
        "parent_id": "midco",
        "owner_id": "u-bob",
    },
    {"id": "plain", "name": "Plain", "domain": "plain.com", "owner_id": "u-dan"},
]
LEADS = [
    {"id": "l-55", "email": "ceo@acme.com", "seniority": "c_level"},
    {"id": "l-45", "email": "dir@acme.com", "seniority": "director"},
    {"id": "l-leaf", "email": "ceo@leafco.com", "seniority": "c_level"},
    {"id": "l-95", "email": "x@plain.com", "industry": "retail"},
    {"id": "l-100", "email": "y@plain.com", "industry": "retail"},
    {"id": "l-dq", "email": "kid@acme.com", "seniority": "student"},
    {"id": "l-dq2", "email": "gone@acme.com", "seniority": "c_level", "status": "DISQUALIFIED"},
]


def engagements(person_id: str, *kinds: str, at: datetime = T0) -> list[dict[str, Any]]:
    """Engagement rows for ``person_id``: ``"demo"``, ``"pricing"`` or ``"blog"``, all at ``at``."""
    types = {"demo": ("demo_request", None), "pricing": ("web_visit", "pricing"), "blog": ("web_visit", "blog")}
    return [
        {
            "id": f"e-{person_id}-{i}",
            "person_id": person_id,
            "type": types[kind][0],
            "detail": types[kind][1],
            "occurred_at": at.isoformat(),
        }
        for i, kind in enumerate(kinds)
    ]


ENGAGEMENTS = [
    *engagements("l-55", "blog"),
    *engagements("l-95", "demo", "pricing", "pricing", "blog", "blog", "blog"),
    *engagements("l-100", "demo", "pricing", "pricing", "blog", "blog", "blog", "blog"),
    *engagements("l-dq", "demo", "pricing", "pricing"),
]


async def import_rows(db: Database, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Import rows per kind through the real importer (matching leads, adding decayed sums)."""
    importer = Importer(db)
    for kind, items in rows.items():
        report = await importer.import_rows(kind, enumerate(items, start=1))
        assert report.errors == [], report.errors


async def load_sales_graph(db: Database) -> None:
    """The graph of the module docstring, in an empty database."""
    await db.write("admin/delete_all")
    await save_document(db, "scoring", SCORING_MODEL)
    await import_rows(
        db,
        {"users": USERS, "accounts": ACCOUNTS, "leads": LEADS, "engagements": ENGAGEMENTS},
    )


def volume_leads(prefix: str, count: int) -> dict[str, list[dict[str, Any]]]:
    """``count`` unmatched leads scoring 105 (c_level, software, two demos, a blog): the BDR pool's."""
    leads = [
        {"id": f"{prefix}-{i:03d}", "seniority": "c_level", "industry": "software", "created_at": T0.isoformat()}
        for i in range(count)
    ]
    rows = [row for lead in leads for row in engagements(lead["id"], "demo", "demo", "blog")]
    return {"leads": leads, "engagements": rows}


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)
