"""Webhooks in the API: register, remove and list them, read their delivery log, redeliver (ADMIN only)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.schema.arguments import given
from graphsvc.schema.context import Context
from graphsvc.schema.pagination import page_size
from graphsvc.schema.permissions import CanManageWebhooks
from graphsvc.webhooks import hooks

__all__ = ["Webhook", "WebhookDelivery", "WebhookMutation", "WebhookQuery"]


@strawberry.type(description="An HTTP endpoint that receives the events it subscribed to, signed with its secret.")
class Webhook:
    id: strawberry.ID
    url: str
    events: list[str]
    active: bool = strawberry.field(description="False once removed: nothing more is sent to it.")
    secret: str | None = strawberry.field(
        description="The HMAC-SHA256 key of X-Graphsvc-Signature; only in addWebhook's answer, null elsewhere."
    )

    @classmethod
    def from_record(cls, record: hooks.Webhook) -> Webhook:
        return cls(
            id=strawberry.ID(record.id),
            url=record.url,
            events=list(record.events),
            active=record.active,
            secret=record.secret,
        )


@strawberry.type(description="One event for one webhook: what is sent, and how sending it went.")
class WebhookDelivery:
    id: strawberry.ID
    event: str
    status: str = strawberry.field(description="PENDING, DELIVERED, FAILED (retries used up) or CANCELLED.")
    attempts: int
    last_status_code: int | None = strawberry.field(description="The receiver's last HTTP status; null: no answer.")
    last_attempt_at: datetime | None
    last_error: str | None = strawberry.field(description="Why the last attempt failed; null when it did not.")
    next_attempt_at: datetime | None = strawberry.field(description="When a PENDING delivery is sent next.")
    payload: JSON = strawberry.field(description='The body sent: {"id", "event", "occurredAt", "data"}.')

    @classmethod
    def from_record(cls, record: hooks.Delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(record.id),
            event=record.event,
            status=record.status,
            attempts=record.attempts,
            last_status_code=record.last_status_code,
            last_attempt_at=record.last_attempt_at,
            last_error=record.last_error,
            next_attempt_at=record.next_attempt_at,
            payload=record.payload,
        )


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Every webhook, oldest first, removed ones included.", permission_classes=[CanManageWebhooks]
    )
    async def webhooks(self, info: Info[Context, None]) -> list[Webhook]:
        return [Webhook.from_record(record) for record in await hooks.read_webhooks(info.context.db)]

    @strawberry.field(
        description="A webhook's delivery log, newest first; after: the id of the last delivery of the page before.",
        permission_classes=[CanManageWebhooks],
    )
    async def webhook_deliveries(
        self,
        info: Info[Context, None],
        webhook_id: strawberry.ID,
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
    ) -> list[WebhookDelivery]:
        context = info.context
        limit = page_size(given(first), context.limits)
        records = await hooks.read_deliveries(context.db, str(webhook_id), limit, given(after))
        return [WebhookDelivery.from_record(record) for record in records]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Send the events named (routing.decided, routing.accepted, routing.rejected, routing.escalated, "
        "account.stage_changed, account.mqa, lead.status_changed) to url; the answer holds the signing secret, "
        "shown only here. The url must resolve to public addresses.",
        permission_classes=[CanManageWebhooks],
    )
    async def add_webhook(self, info: Info[Context, None], url: str, events: list[str]) -> Webhook:
        context = info.context
        return Webhook.from_record(await hooks.add_webhook(context.db, url, events, context.webhook_allow_private))

    @strawberry.mutation(
        description="Stop sending to a webhook; its deliveries still waiting are cancelled. False if removed before.",
        permission_classes=[CanManageWebhooks],
    )
    async def remove_webhook(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        return await hooks.remove_webhook(info.context.db, str(id))

    @strawberry.mutation(
        description="Send a delivery again, now, whatever its status (receivers deduplicate by the event id).",
        permission_classes=[CanManageWebhooks],
    )
    async def redeliver(self, info: Info[Context, None], delivery_id: strawberry.ID) -> WebhookDelivery:
        return WebhookDelivery.from_record(await hooks.redeliver(info.context.db, str(delivery_id)))
