"""How a GraphQL request runs: within a deadline, and only while its client is still there.

- :func:`within_deadline` runs a query under ``ApiLimits.request_seconds`` (the schema's
  ``execute`` calls it); past it the operation is cancelled (its pending database calls and
  resolvers stop) and the request is answered ``DEADLINE_EXCEEDED``.
- :func:`until_disconnected` runs an HTTP request's operation while watching the connection; when
  the client hangs up the operation is cancelled rather than computed for nobody.

Mutations are neither (:class:`MutationsFinish`): each of their statements commits on its own, so a
mutation stopped half way would leave half its writes; it runs to its end (each statement bounded
by the database timeout).

Cancelling reaches everything the operation awaits. CPU-heavy steps run in worker threads
(``asyncio.to_thread``) so that the event loop keeps serving other requests; a thread cannot be
interrupted, so a cancelled request's thread finishes its current step and its result is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphsvc.errors import DeadlineExceeded

__all__ = ["MutationsFinish", "until_disconnected", "within_deadline"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


@dataclass
class _Request:
    writes: bool = False  # a mutation runs: it finishes even when its client leaves


# The HTTP request an operation serves (shared by the operations of a batch), and the deadline of
# the operation running in this task.
_request: ContextVar[_Request | None] = ContextVar("graphsvc_request", default=None)
_deadline: ContextVar[asyncio.Timeout | None] = ContextVar("graphsvc_deadline", default=None)


class MutationsFinish(SchemaExtension):
    """Lifts the deadline of a mutation and keeps it running when its client leaves."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type is OperationType.MUTATION:
            if (request := _request.get()) is not None:
                request.writes = True
            if (deadline := _deadline.get()) is not None:
                deadline.reschedule(None)
        yield


async def within_deadline(work: Awaitable[T], seconds: float) -> T:
    """The result of ``work``; :class:`DeadlineExceeded` once it has run ``seconds`` (0: no deadline)."""
    try:
        async with asyncio.timeout(seconds or None) as deadline:
            token = _deadline.set(deadline)
            try:
                return await work
            finally:
                _deadline.reset(token)
    except TimeoutError:
        raise DeadlineExceeded(f"the request ran past its deadline of {seconds:g} s; its work was stopped") from None


async def _disconnect(receive: Receive) -> None:
    # The body has been read; the next message is the disconnect (or the end of the response).
    while (await receive())["type"] != "http.disconnect":
        pass


async def until_disconnected(work: Awaitable[T], receive: Receive, on_disconnect: Callable[[], T]) -> T:
    """The result of ``work``, unless the client disconnects first: then a query is cancelled.

    ``on_disconnect`` gives the answer nobody will read. A mutation runs to its end.
    """
    request = _Request()
    token = _request.set(request)
    try:
        task = asyncio.ensure_future(work)  # copies the context: the task sees ``request``
    finally:
        _request.reset(token)
    watcher = asyncio.ensure_future(_disconnect(receive))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
        left = watcher.done() and not watcher.cancelled() and watcher.exception() is None
        if task.done() or not left:
            return await task
        if request.writes:
            log.info("client disconnected during a mutation: it runs to its end")
            return await task
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise  # this request is cancelled itself (shutdown)
        log.info("client disconnected: request cancelled")
        return on_disconnect()
    finally:  # also when this request is cancelled itself: nothing it started may outlive it
        watcher.cancel()
        if not task.done():
            task.cancel()
