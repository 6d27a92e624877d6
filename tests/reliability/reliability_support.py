"""Shared helpers of the reliability tests: the API test helpers, and settings for child processes.

The API helpers live in tests/api/api_graph.py; this module puts that folder on the import path
so the reliability tests run on their own (``pytest tests/reliability``) as well as in the suite.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from graphsvc.auth import Caller, Role
from graphsvc.routing.engine import route_lead
from graphsvc.scores.documents import save_document
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_graph import (
    ADMIN,
    INTEGRATION,
    REP_ANN,
    ROWS,
    STRATEGIST,
    api_client,
    codes,
    data_of,
    execute,
    import_rows,
    load_sales_graph,
    run_cypher,
    settings_for,
)

__all__ = [
    "ADMIN",
    "ANN_HIDDEN",
    "INTEGRATION",
    "REP_ANN",
    "REP_CAT",
    "ROWS",
    "STRATEGIST",
    "api_client",
    "codes",
    "data_of",
    "execute",
    "import_rows",
    "load_access_graph",
    "load_sales_graph",
    "run_cypher",
    "settings_env",
    "settings_for",
]


def settings_env(embedded: EmbeddedServer) -> dict[str, str]:
    """Environment variables that point a ``graphsvc`` child process at the session's server."""
    return {
        "GRAPHSVC_NEO4J_URI": str(embedded.status()["bolt_uri"]),
        "GRAPHSVC_NEO4J_USER": ROOT_USER,
        "GRAPHSVC_NEO4J_PASSWORD": embedded.password(),
        "GRAPHSVC_NEO4J_DATABASE": DATABASE_NAME,
    }


REP_CAT = Caller(Role.REP, "u-cat", name="cat")

# A scoring model under which a c_level lead at a software target account scores exactly 50
# (demographic only, so it does not decay): the ABM threshold, so routing sends it to the owner.
ACCESS_MODEL = {
    "version": 401,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {
        "weight": 50,
        "attributes": [
            {"field": "seniority", "weight": 50, "choices": {"c_level": 10}},
            {"field": "industry", "weight": 50, "choices": {"software": 10}},
        ],
    },
    "behavioral": {"weight": 50, "attributes": [{"event": "demo_request", "weight": 100, "choices": {"*": 10}}]},
}

# What REP Ann (owner of acme and acme-berlin) must never see, however she asks: other reps'
# accounts, people at them or at no account, and Cat's routing decision (its id is added at load).
ANN_HIDDEN = frozenset(
    {"acme-de", "beta", "gamma", "delta", "c-max", "c-eve", "c-solo", "c-dee", "l-uwe", "l-free", "l-dee"}
)


def _access_rows() -> dict[str, list[dict[str, Any]]]:
    rows = copy.deepcopy(ROWS)
    rows["users"].append({"id": "u-cat", "name": "Cat Cole", "email": "cat@seller.io", "role": "AE", "capacity": 10})
    rows["accounts"].append(
        {
            "id": "delta",
            "name": "Delta Systems",
            "domain": "delta.io",
            "industry": "software",
            "owner_id": "u-cat",
            "is_target": True,
            "tier": 1,
        }
    )
    rows["accounts"].append({"id": "acme-uk", "name": "Acme UK", "parent_id": "acme", "owner_id": "u-ann"})
    rows["contacts"].append({"id": "c-dee", "account_id": "delta", "first_name": "Dee", "roles": ["CHAMPION"]})
    for lead in rows["leads"]:
        if lead["id"] == "l-sam":
            lead["seniority"] = "c_level"
    rows["leads"].append({"id": "l-dee", "email": "dee@delta.io", "first_name": "Dee", "seniority": "c_level"})
    rows["engagements"] = [
        {"id": "e-sam", "person_id": "l-sam", "type": "demo_request", "occurred_at": "2026-10-20T00:00:00Z"},
        {"id": "e-max", "person_id": "c-max", "type": "demo_request", "occurred_at": "2026-10-21T00:00:00Z"},
        {"id": "e-dee", "person_id": "l-dee", "type": "demo_request", "occurred_at": "2026-10-22T00:00:00Z"},
    ]
    return rows


async def load_access_graph(db: Database) -> dict[str, str]:
    """Empty the database and load the API tests' sales graph plus Ann's second subsidiary acme-uk,
    Cat (REP) with her target account delta, engagements, and two real routing decisions: l-sam
    to Ann, l-dee to Cat.

    Returns the decision ids by rep (``{"ann": ..., "cat": ...}``).
    """
    await db.write("admin/delete_all")
    await save_document(db, "scoring", ACCESS_MODEL)
    await import_rows(db, _access_rows())
    decisions = {"ann": await route_lead(db, "l-sam"), "cat": await route_lead(db, "l-dee")}
    for rep, decision in decisions.items():
        assert decision.assignee_id == f"u-{rep}", decision
    return {rep: decision.id for rep, decision in decisions.items()}
