"""Publication of routing decisions to subscribers in this process (the GraphQL subscription).

Every stored decision and every move of one (accepted, rejected, escalated, recycled) is
published. A subscriber sees what is published after it subscribed, optionally only the
decisions assigned to one user. Each subscriber has a bounded queue: one that stops reading loses
its oldest unread decisions rather than slowing routing down.

Only decisions made by this process are heard here; with several graphsvc instances behind a
load balancer, SPEC §1 asks for a shared channel instead (not built yet).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from graphsvc.routing.decisions import RoutingDecision

__all__ = ["DecisionFeed", "publish", "subscribe"]

log = logging.getLogger(__name__)

_QUEUE_SIZE = 1000
_CLOSED = object()
_feeds: set[DecisionFeed] = set()


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


def publish(decision: RoutingDecision) -> None:
    """Tell every subscriber about a decision (never blocks)."""
    for feed in list(_feeds):
        feed.deliver(decision)
