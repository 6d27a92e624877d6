"""Webhooks in the graph: add, remove and list them; read their delivery log; redeliver.

A webhook is ``(:Webhook {id, url, events, secret, active, created_at})``; its deliveries are
``(:WebhookDelivery {id, webhook_id, event_id, event, payload, status, attempts, last_status_code,
last_attempt_at, last_error, created_at, queued_at, due_at, lease_token, lease_until})``, tied to
it by ``webhook_id`` rather than a relationship, so queueing a delivery never writes the webhook
node (concurrent changes would otherwise contend on it). A delivery's id is its event's id and its
webhook's id joined by ``:``. Statuses: PENDING (waiting for its next attempt, or being sent),
DELIVERED, FAILED (retries exhausted; ``redeliver`` queues it again) and CANCELLED (its webhook was
removed first).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.store.database import Database
from graphsvc.webhooks.events import WebhookEvent
from graphsvc.webhooks.targets import resolve_target

__all__ = [
    "MAX_WEBHOOKS",
    "Delivery",
    "Webhook",
    "add_webhook",
    "read_deliveries",
    "read_delivery",
    "read_webhooks",
    "redeliver",
    "remove_webhook",
]

MAX_WEBHOOKS = 100  # active ones: each is matched against every event queued


@dataclass(frozen=True)
class Webhook:
    """A registered webhook; ``secret`` only in :func:`add_webhook`'s answer."""

    id: str
    url: str
    events: tuple[str, ...]
    active: bool
    secret: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One event for one webhook, and how sending it went."""

    id: str
    webhook_id: str
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_attempt_at: datetime | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> Delivery:
        return cls(
            id=row["id"],
            webhook_id=row["webhook_id"],
            event=row["event"],
            status=row["status"],
            attempts=int(row["attempts"] or 0),
            last_status_code=row["last_status_code"],
            last_attempt_at=_moment(row["last_attempt_at"]),
            last_error=row["last_error"],
            next_attempt_at=_moment(row["due_at"]) if row["status"] == "PENDING" else None,
            created_at=_moment(row["created_at"]),  # type: ignore[arg-type]
            payload=json.loads(row["payload"]),
        )


def _moment(millis: int | None) -> datetime | None:
    return None if millis is None else datetime.fromtimestamp(millis / 1000.0, UTC)


def _events(events: list[str]) -> list[str]:
    known = [str(event) for event in WebhookEvent]
    if not events:
        raise InvalidInput(f"webhook events must name at least one of {', '.join(known)}")
    unknown = [event for event in events if event not in known]
    if unknown:
        raise InvalidInput(f"webhook events: unknown {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    return list(dict.fromkeys(events))


async def add_webhook(db: Database, url: str, events: list[str], allow_private: bool = False) -> Webhook:
    """Register a webhook for ``events`` at ``url``, with a fresh secret (returned here only).

    Raises
    ------
    InvalidInput
        An unknown or missing event name; a URL that is not http(s), does not resolve or resolves to an
        address that is not public (see :mod:`graphsvc.webhooks.targets`); too many active webhooks.
    """
    wanted = _events(events)
    await resolve_target(url, allow_private)
    if sum(hook.active for hook in await read_webhooks(db)) >= MAX_WEBHOOKS:
        raise InvalidInput(f"at most {MAX_WEBHOOKS} webhooks may be active; remove one first")
    webhook = Webhook(f"wh-{uuid.uuid4().hex}", url, tuple(wanted), True, secrets.token_hex(32))
    await db.write(
        "webhooks/add_webhook",
        id=webhook.id,
        url=url,
        events=wanted,
        secret=webhook.secret,
        now=datetime.now(UTC).isoformat(),
    )
    return webhook


async def remove_webhook(db: Database, webhook_id: str) -> bool:
    """Deactivate a webhook (it stays listed, with its log); False when it was removed before.

    Raises
    ------
    NotFound
        No webhook has that id.
    """
    rows = await db.write("webhooks/remove_webhook", id=webhook_id, now=datetime.now(UTC).isoformat())
    if not rows:
        raise NotFound(f"no webhook {webhook_id!r}")
    return bool(rows[0]["was_active"])


async def read_webhooks(db: Database) -> list[Webhook]:
    """Every webhook, oldest first, without secrets."""
    return [
        Webhook(row["id"], row["url"], tuple(row["events"]), bool(row["active"]))
        for row in await db.read("webhooks/webhooks")
    ]


async def read_delivery(db: Database, delivery_id: str) -> tuple[Delivery, bool]:
    """One delivery and whether its webhook is active.

    Raises
    ------
    NotFound
        No delivery has that id.
    """
    rows = await db.read("webhooks/delivery", id=delivery_id)
    if not rows:
        raise NotFound(f"no webhook delivery {delivery_id!r}")
    return Delivery.from_record(rows[0]), bool(rows[0]["webhook_active"])


async def read_deliveries(db: Database, webhook_id: str, limit: int, after: str | None = None) -> list[Delivery]:
    """A page of a webhook's delivery log, newest first, after delivery ``after``.

    Raises
    ------
    NotFound
        No webhook has that id.
    InvalidInput
        ``after`` is not a delivery of that webhook.
    """
    if not any(hook.id == webhook_id for hook in await read_webhooks(db)):
        raise NotFound(f"no webhook {webhook_id!r}")
    if after is not None:
        try:
            delivery, _ = await read_delivery(db, after)
        except NotFound:
            delivery = None
        if delivery is None or delivery.webhook_id != webhook_id:
            raise InvalidInput(f"after: {after!r} is not a delivery of webhook {webhook_id!r}")
    rows = await db.read("webhooks/deliveries", webhook_id=webhook_id, after=after, limit=limit)
    return [Delivery.from_record(row) for row in rows]


async def redeliver(db: Database, delivery_id: str) -> Delivery:
    """Queue a delivery again, due at once (receivers deduplicate by the event id).

    Raises
    ------
    NotFound
        No delivery has that id.
    InvalidInput
        Its webhook was removed.
    """
    delivery, active = await read_delivery(db, delivery_id)
    if not active:
        raise InvalidInput(f"webhook delivery {delivery_id!r}: its webhook {delivery.webhook_id} was removed")
    await db.write("webhooks/redeliver", id=delivery_id, now=datetime.now(UTC).isoformat())
    return (await read_delivery(db, delivery_id))[0]
