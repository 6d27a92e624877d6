"""The delivery worker: POSTs queued webhook deliveries, signed, with retries, never in the API's way.

``graphsvc serve`` runs :func:`delivery_loop` as a background task. Every ``poll_seconds`` (and
as soon as a place frees while there is a backlog) it claims the deliveries that are due
(``webhooks/claim_deliveries``: a lease with an owner token and an expiry, taken in one statement,
so several ``serve`` processes on one database send each delivery once between them) and sends
each in a task of its own, at most ``CONCURRENCY`` at once. A send is bounded by
``timeout_seconds``; the lease lasts ``LEASE_FACTOR`` times as long, so it outlives the attempt.
When a process dies (``kill -9``) with a delivery in flight, the lease expires and the next claim,
by any process, sends it again: delivery is at least once, and the event's ``id`` lets a receiver
drop a repeat.

A 2xx answer makes the delivery DELIVERED. Anything else (another status, no answer in time, a
refused connection, a target that now resolves to a private address) is a failed attempt: the
delivery is due again after ``retry_delay`` — ``base × 2^(n−1)`` seconds after the n-th failure,
capped at ``max_delay``, times a random factor in [0.5, 1] (jitter, so receivers coming back are not
hit by every sender at once) — until the next attempt would fall more than ``retry_seconds`` after
it was queued; then it is FAILED. Redirects are not followed (a 3xx is a failure).

The HTTP client is asynchronous with a bounded timeout and DNS is resolved in a worker thread, so a
receiver that hangs or fails costs the event loop nothing: API requests are served meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError, InvalidInput
from graphsvc.store.database import Database
from graphsvc.webhooks.targets import resolve_target

__all__ = ["CONCURRENCY", "LEASE_FACTOR", "SIGNATURE_HEADER", "Deliverer", "RetryPolicy", "delivery_loop", "sign"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Graphsvc-Signature"
CONCURRENCY = 32  # deliveries one process sends at once
LEASE_FACTOR = 3  # a claim lasts this many timeouts: the attempt ends (and is recorded) well within it
_ERROR_LENGTH = 300


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again, and when it is given up (see the module docstring)."""

    base_seconds: float = 10.0
    max_delay_seconds: float = 3600.0
    retry_seconds: float = 86_400.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            settings.webhook_retry_base_seconds,
            settings.webhook_retry_max_delay_seconds,
            settings.webhook_retry_seconds,
        )

    def delay(self, failures: int, jitter: float) -> float:
        """Seconds to wait after the ``failures``-th failed attempt; ``jitter`` in [0, 1] picks within [½, 1]."""
        return min(self.max_delay_seconds, self.base_seconds * 2 ** min(failures - 1, 62)) * (0.5 + jitter / 2)

    def next_attempt(self, failures: int, queued_at: datetime, now: datetime, jitter: float) -> datetime | None:
        """When to try again after the ``failures``-th failure; None when that is past the retry window."""
        due = now + timedelta(seconds=self.delay(failures, jitter))
        return due if due <= queued_at + timedelta(seconds=self.retry_seconds) else None


@dataclass(frozen=True)
class Attempt:
    """What one POST came to."""

    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Deliverer:
    """Claims due deliveries of one database and sends them (one per process, run by :func:`delivery_loop`)."""

    def __init__(self, db: Database, settings: Settings, client: httpx.AsyncClient | None = None) -> None:
        self.db = db
        self.timeout = settings.webhook_timeout_seconds
        self.allow_private = settings.webhook_allow_private
        self.policy = RetryPolicy.from_settings(settings)
        # No proxies from the environment and no redirects: the request goes to the address checked.
        self.client = client or httpx.AsyncClient(trust_env=False, follow_redirects=False)
        self.in_flight: set[asyncio.Task[None]] = set()

    async def claim_and_send(self) -> bool:
        """Claim what is due (up to the free places) and start sending it; True when every place is
        taken, so more may be due than it could claim."""
        free = CONCURRENCY - len(self.in_flight)
        if free <= 0:
            return True
        now = datetime.now(UTC)
        token = uuid.uuid4().hex
        rows = await self.db.write(
            "webhooks/claim_deliveries",
            now=now.isoformat(),
            token=token,
            lease_until=(now + timedelta(seconds=self.timeout * LEASE_FACTOR)).isoformat(),
            limit=free,
        )
        for row in rows:
            task = asyncio.create_task(self._deliver(row, token))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        return len(rows) == free

    async def send(self, url: str, secret: str, row: Mapping[str, Any]) -> Attempt:
        """POST one delivery's payload to ``url``, signed; never raises for the receiver's faults."""
        body = row["payload"].encode()
        try:
            target = await resolve_target(url, self.allow_private)
            response = await self.client.post(
                target.request_url(),
                content=body,
                headers={
                    "Host": target.url.netloc.decode("ascii"),
                    "Content-Type": "application/json",
                    "User-Agent": "graphsvc-webhooks",
                    SIGNATURE_HEADER: sign(secret, body),
                    "X-Graphsvc-Event": row["event"],
                    "X-Graphsvc-Delivery": row["id"],
                },
                # TLS checks the certificate against the URL's name, not the address connected to.
                extensions={"sni_hostname": target.url.host} if target.url.scheme == "https" else {},
                timeout=self.timeout,
            )
        except InvalidInput as exc:
            return Attempt(None, str(exc)[:_ERROR_LENGTH])
        except httpx.TimeoutException:
            return Attempt(None, f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:_ERROR_LENGTH])
        code = response.status_code
        return Attempt(code, None if 200 <= code < 300 else f"HTTP {code}")

    async def _deliver(self, row: Mapping[str, Any], token: str) -> None:
        attempt = await self.send(row["url"], row["secret"], row)
        now = datetime.now(UTC)
        status, due = "DELIVERED", None
        if not attempt.delivered:
            queued_at = datetime.fromtimestamp(row["queued_at"] / 1000.0, UTC)
            due = self.policy.next_attempt(row["attempts"] + 1, queued_at, now, random.random())
            status = "PENDING" if due else "FAILED"
            log.info("webhook delivery %s to %s failed (%s): %s", row["id"], row["url"], attempt.error, status)
        try:
            await self.db.write(
                "webhooks/finish_delivery",
                id=row["id"],
                token=token,
                status=status,
                status_code=attempt.status_code,
                at=now.isoformat(),
                error=attempt.error,
                due_at=due and due.isoformat(),
            )
        except GraphsvcError as exc:  # the lease expires and the delivery is sent again
            log.warning("recording webhook delivery %s failed: %s", row["id"], exc)

    async def close(self) -> None:
        """Cancel the sends in flight (their leases expire and they are sent again) and close the client."""
        for task in list(self.in_flight):
            task.cancel()
        await asyncio.gather(*self.in_flight, return_exceptions=True)
        await self.client.aclose()


async def delivery_loop(db: Database, settings: Settings) -> None:
    """Send due webhook deliveries every ``settings.webhook_poll_seconds`` until cancelled."""
    deliverer = Deliverer(db, settings)
    try:
        while True:
            try:
                full = await deliverer.claim_and_send()
            except GraphsvcError as exc:  # the database is down or slow: look again next time
                log.warning("claiming webhook deliveries failed: %s", exc)
                full = False
            busy = set(deliverer.in_flight)
            if not full:
                await asyncio.sleep(settings.webhook_poll_seconds)
            elif busy:  # a backlog: claim more as soon as a place frees
                await asyncio.wait(busy, timeout=settings.webhook_poll_seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await deliverer.close()
