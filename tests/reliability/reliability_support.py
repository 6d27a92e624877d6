"""Shared helpers of the reliability tests: the API test helpers, and settings for child processes.

The API helpers live in tests/api/api_graph.py; this module puts that folder on the import path
so the reliability tests run on their own (``pytest tests/reliability``) as well as in the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
    "INTEGRATION",
    "REP_ANN",
    "ROWS",
    "STRATEGIST",
    "api_client",
    "codes",
    "data_of",
    "execute",
    "import_rows",
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
