"""How a GraphQL request runs: within a deadline, and only while its client is still there.

- :func:`within_deadline` runs the operation under ``ApiLimits.request_seconds``; past it the
  operation's task is cancelled (so its pending database calls and resolvers stop) and the request
  is answered ``DEADLINE_EXCEEDED``.
- :func:`until_disconnected` runs an HTTP request's operation while watching the connection; when
  the client hangs up the operation is cancelled rather than computed for nobody.

Cancelling reaches everything the operation awaits. CPU-heavy steps run in worker threads
(``asyncio.to_thread``) so that the event loop keeps serving other requests; a thread cannot be
interrupted, so a cancelled request's thread finishes its current step and its result is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

__all__ = ["until_disconnected", "within_deadline"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


async def within_deadline(work: Awaitable[T], seconds: float) -> T:
    """The result of ``work``, or :class:`TimeoutError` once it has run ``seconds`` (0: no deadline)."""
    if not seconds:
        return await work
    async with asyncio.timeout(seconds):
        return await work


async def _disconnect(receive: Receive) -> None:
    # The body has been read; the next message is the disconnect (or the end of the response).
    while (await receive())["type"] != "http.disconnect":
        pass


async def until_disconnected(work: Awaitable[T], receive: Receive, on_disconnect: Callable[[], T]) -> T:
    """The result of ``work``, unless the client disconnects first: then ``work`` is cancelled.

    ``on_disconnect`` gives the answer nobody will read.
    """
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnect(receive))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when this request is cancelled itself (shutdown): nothing may outlive it
        watcher.cancel()
        if not task.done() and not (watcher.done() and not watcher.cancelled() and watcher.exception()):
            task.cancel()
    try:
        return await task
    except asyncio.CancelledError:
        if not watcher.done() or watcher.cancelled():
            raise  # cancelled from outside, not by the client
        log.info("client disconnected: request cancelled")
        return on_disconnect()
