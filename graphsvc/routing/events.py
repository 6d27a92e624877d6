"""Publication of routing decisions to subscribers (the GraphQL subscription), across instances.

Every stored decision and every move of one (accepted, rejected, escalated, recycled) is
published. A subscriber sees what is published after it subscribed, optionally only the
decisions assigned to one user. Each subscriber has a bounded queue: one that stops reading loses
its oldest unread decisions rather than slowing routing down.

**Several instances** (SPEC §1). The shared channel is the database every instance already
shares: :func:`relay_loop` (run by ``graphsvc serve``) looks every second for decisions made or
closed since it last looked (indexed ``decided_at`` / ``closed_at``) and publishes the ones this
process has not published itself, so a subscriber connected to one instance hears a lead routed,
accepted or escalated by another within about a second. It looks back a few seconds further
than its last look, for transactions that committed after the moment they stamped and for
clocks that differ a little between machines; what it has already published, here or by the
relay, is remembered as (decision, status) and never delivered twice. The relay reads a
decision as it is now: a decision made and accepted on another instance within one interval
arrives once, as accepted. It reads nothing while no one subscribes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.errors import GraphsvcError
from graphsvc.routing.decisions import RoutingDecision, read_decisions
from graphsvc.store.database import Database

__all__ = ["DecisionFeed", "publish", "relay_changes", "relay_loop", "subscribe"]

log = logging.getLogger(__name__)

_QUEUE_SIZE = 1000
_CLOSED = object()
_REMEMBERED = 10_000  # (decision, status) pairs kept to tell what was published already
RELAY_LOOKBACK = timedelta(seconds=10)
_feeds: set[DecisionFeed] = set()
_published: OrderedDict[tuple[str, str], None] = OrderedDict()


class DecisionFeed:
    """An async iterator over published decisions; it listens from the moment it is created.

    Use it as ``async for decision in subscribe(user_id): ...`` and close it (``close()`` or
    ``async with``) when done, which also ends a pending iteration.
    """

    def __init__(self, assignee_id: str | None = None) -> None:
        self.assignee_id = assignee_id
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=_QUEUE_SIZE)
        self._closed = False
        _feeds.add(self)

    def __aiter__(self) -> DecisionFeed:
        return self

    async def __anext__(self) -> RoutingDecision:
        item = _CLOSED if self._closed and self._queue.empty() else await self._queue.get()
        if item is _CLOSED:
            raise StopAsyncIteration
        return item

    async def __aenter__(self) -> DecisionFeed:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening; an iteration waiting for the next decision ends."""
        if not self._closed:
            self._closed = True
            _feeds.discard(self)
            self._offer(_CLOSED)

    def deliver(self, decision: RoutingDecision) -> None:
        """Queue a published decision if this feed wants it."""
        if self.assignee_id is None or decision.assignee_id == self.assignee_id:
            self._offer(decision)

    def _offer(self, item: Any) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            log.warning("a routing subscriber is not reading; its oldest decision was dropped")
        self._queue.put_nowait(item)


def subscribe(assignee_id: str | None = None) -> DecisionFeed:
    """Listen to published decisions: every one, or only those assigned to ``assignee_id``."""
    return DecisionFeed(assignee_id)


def subscriber_count() -> int:
    """Feeds open in this process (exported as a metric: operators and tests see when a subscriber is live)."""
    return len(_feeds)


def publish(decision: RoutingDecision) -> None:
    """Tell every subscriber about a decision (never blocks); a state already published is not repeated."""
    key = (decision.id, str(decision.status))
    if key in _published:
        return
    _published[key] = None
    if len(_published) > _REMEMBERED:
        _published.popitem(last=False)
    for feed in list(_feeds):
        feed.deliver(decision)


async def relay_changes(db: Database, since: datetime) -> int:
    """Publish the decisions made or closed at or after ``since``; how many were new here.

    Does nothing (and reads nothing) while no one subscribes in this process.
    """
    if not _feeds:
        return 0
    changed = await db.read("routing/decisions_changed_since", since=since.isoformat())
    order = {row["id"]: row["at"] for row in changed}
    decisions = await read_decisions(db, sorted(order, key=lambda decision_id: (order[decision_id], decision_id)))
    fresh = [d for d in decisions if (d.id, str(d.status)) not in _published]
    for decision in fresh:
        publish(decision)
    return len(fresh)


async def relay_loop(db: Database, interval_seconds: float = 1.0) -> None:
    """Relay decisions stored by other instances every ``interval_seconds`` until cancelled."""
    since = datetime.now(UTC) - RELAY_LOOKBACK
    while True:
        await asyncio.sleep(interval_seconds)
        looked = datetime.now(UTC)
        try:
            await relay_changes(db, since)
        except GraphsvcError as exc:  # the database is down or slow: look again next time
            log.warning("relaying routing decisions from the database failed: %s", exc)
            continue
        since = looked - RELAY_LOOKBACK
