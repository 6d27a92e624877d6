"""Shared by the webhook tests: the routing tests' hand-made sales graph, and reading the outbox."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "routing"))

from routing_graph import SCORING_MODEL, T0, engagements, hours, import_rows, load_sales_graph

from graphsvc.store.database import Database
from graphsvc.webhooks.hooks import Delivery, read_deliveries

__all__ = [
    "NOWHERE",
    "SCORING_MODEL",
    "T0",
    "deliveries",
    "engagements",
    "hours",
    "import_rows",
    "load_sales_graph",
    "payloads",
]

NOWHERE = "http://127.0.0.1:9/hook"  # never called in the outbox tests: no delivery worker runs there


async def deliveries(db: Database, webhook_id: str) -> list[Delivery]:
    """Every delivery queued for a webhook, oldest event name first then by id (a stable order to compare)."""
    return sorted(await read_deliveries(db, webhook_id, 1000), key=lambda d: (d.event, d.id))


async def payloads(db: Database, webhook_id: str) -> list[dict[str, Any]]:
    """The bodies queued for a webhook, in the order of :func:`deliveries`."""
    return [d.payload for d in await deliveries(db, webhook_id)]
