"""What a process computed from the graph, kept under the data version it was computed at.

Every write transaction that changes data replaces the graph's data version in the same
transaction (:meth:`~graphsvc.store.database.Database.data_version`), so a value kept under the
version a request reads is what reading the graph again would give: a request pays one indexed
read instead of the statements and the work behind the value, and the first request after any
write, from this process or another one sharing the database, builds the value again. A value
built while a write commits is kept under the version read before it: it may already hold that
write (a read beside a write sees either side), never less than the version.

Values must not depend on the moment of the request: keep the inputs (columns, records), and
compute what depends on "now" from them at each request.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from graphsvc.store.database import Database

__all__ = ["VersionedCache"]

T = TypeVar("T")
_MISSING: Any = object()


class VersionedCache(Generic[T]):
    """Values by ``(data version, key)``, the ``size`` most recently used; one build per key at a time.

    Concurrent requests that miss the same entry in one event loop share one build (with ``valid``,
    a request may so get a value built for another: check it). Shared by every request of a
    process: read the values, never change them.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._values: OrderedDict[tuple[str, Hashable], T] = OrderedDict()
        self._building: dict[tuple[asyncio.AbstractEventLoop, str, Hashable], asyncio.Future[T]] = {}
        self._lock = threading.Lock()  # worker threads may read while the loop adds

    async def get(
        self,
        db: Database,
        key: Hashable,
        build: Callable[[], Awaitable[T]],
        valid: Callable[[T], bool] | None = None,
        keep: Callable[[T], bool] | None = None,
    ) -> T:
        """The value of ``key`` at the graph's current data version, built by ``build`` when missing
        (or, with ``valid``, when the value kept is not valid for this request: the new one replaces it).
        With ``keep``, a built value ``keep`` refuses is returned to the callers waiting, not kept.

        With no data version yet (nothing written), ``build`` runs and nothing is kept.
        """
        version = await db.data_version()
        if version is None:
            return await build()
        with self._lock:
            kept = self._values.get((version, key), _MISSING)
            if kept is not _MISSING and (valid is None or valid(kept)):
                self._values.move_to_end((version, key))
                return kept
        loop = asyncio.get_running_loop()
        pending = self._building.get((loop, version, key))
        if pending is None:
            pending = loop.create_task(self._build(loop, version, key, build, keep))
            # A failure reaches every caller waiting; with none left (all cancelled) it is not logged
            # as never retrieved.
            pending.add_done_callback(lambda task: task.cancelled() or task.exception())
            self._building[(loop, version, key)] = pending
        # A cancelled caller leaves the build running for the others waiting on it.
        return await asyncio.shield(pending)

    async def _build(
        self,
        loop: asyncio.AbstractEventLoop,
        version: str,
        key: Hashable,
        build: Callable[[], Awaitable[T]],
        keep: Callable[[T], bool] | None,
    ) -> T:
        try:
            value = await build()
        finally:
            del self._building[(loop, version, key)]
        if keep is not None and not keep(value):
            return value
        with self._lock:
            self._values[(version, key)] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value
