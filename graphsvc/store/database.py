"""The one way graphsvc talks to its graph: an async ``neo4j`` driver running registry statements.

Every write is a managed transaction whose function consumes its result inside (so the driver
may retry it on transient failures), every single read one auto-commit query (one round trip),
and every driver error leaves here translated into graphsvc's own exceptions. Statements are
named, never composed: callers pass a name from ``cypher/`` and parameters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from neo4j import READ_ACCESS, AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import (
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graphsvc.errors import DatabaseError, DatabaseUnavailable, InvalidInput
from graphsvc.store.cypher import statement

__all__ = ["UNVERSIONED", "Database", "Record", "Transaction"]

log = logging.getLogger(__name__)

Record = dict[str, Any]
T = TypeVar("T")

# A write that loses a race to a concurrent transaction on servers without Neo4j's locks (the
# embedded ArcadeDB: a MERGE's constraint error, a record not found) succeeds when run again.
_CONSTRAINT_RETRIES = 5
_RECORD_NOT_FOUND = re.compile(r"Record #\d+:\d+ not found")
# Readiness probes want an answer within a few seconds, not after the driver's retry budget.
_PING_TIMEOUT = 3.0

UNVERSIONED = ("schema/", "store/ensure_data_version", "webhooks/claim_deliveries", "webhooks/finish_delivery")
"""Write statements (names, or folders ending in ``/``) that change nothing a reader keeps by data
version (:meth:`Database.data_version`): schema (which may not share a transaction with data
writes), giving a database its first version, and the webhook sender's bookkeeping, which runs
every few seconds. Every other write transaction replaces the data version."""


def _versioned(name: str) -> bool:
    """Whether running ``name`` changes the data version (see :data:`UNVERSIONED`)."""
    return not any(name == entry or (entry.endswith("/") and name.startswith(entry)) for entry in UNVERSIONED)


class Transaction:
    """One open managed transaction, running registry statements by name (see :meth:`Database.transaction`)."""

    def __init__(self, tx: AsyncManagedTransaction, db: Database) -> None:
        self._tx = tx
        self._db = db
        self.changes_data = False  # a statement that changes the data version ran

    async def run(self, name: str, **params: Any) -> list[Record]:
        """Run statement ``name`` inside the transaction and return its records as dicts."""
        self._db.round_trips += 1
        self.changes_data = self.changes_data or _versioned(name)
        result = await self._tx.run(statement(name), params)
        return await result.data()

    async def finish(self) -> None:
        """Replace the data version when a statement that changes data ran (before the commit).

        Not counted in :attr:`Database.round_trips`, which counts the statements callers run: the
        bump rides in every data-changing write transaction alike."""
        if self.changes_data:
            await self._tx.run(statement("store/bump_data_version"), {"token": uuid.uuid4().hex})


class Database:
    """Runs named Cypher statements in managed transactions.

    Parameters
    ----------
    driver
        An open async driver; the Database owns it and closes it in :meth:`close`.
    database
        Database name on the server.
    timeout
        Seconds one call may take before it fails with :class:`DatabaseUnavailable`.
    available
        Returns False while the database is known to be down (the embedded server is restarting);
        calls then fail at once with :class:`DatabaseUnavailable` instead of waiting out the
        driver's retries. A transaction already running keeps its retries.
    max_concurrent_writes
        Write transactions this process runs at once (None: no limit); a queued one waits within
        its ``timeout``. The embedded ArcadeDB detects write conflicts per page, so concurrent
        writers mostly undo each other and can exhaust the driver's retries: one at a time is faster.
    """

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        timeout: float = 30.0,
        available: Callable[[], bool] | None = None,
        max_concurrent_writes: int | None = None,
    ) -> None:
        self._driver = driver
        self.database = database
        self.timeout = timeout
        self._available = available
        self._writes = asyncio.Semaphore(max_concurrent_writes) if max_concurrent_writes else None
        self.round_trips = 0  # statements sent; read by tests and /metrics
        self._version_reads: dict[asyncio.AbstractEventLoop, asyncio.Future[str | None]] = {}
        self._version_tasks: set[asyncio.Task[None]] = set()
        self.seconds = 0.0

    @classmethod
    def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str,
        timeout: float = 30.0,
        available: Callable[[], bool] | None = None,
        max_concurrent_writes: int | None = None,
        resolver: Callable[[Any], Any] | None = None,
    ) -> Database:
        """Open a driver to ``uri`` (``neo4j://`` routes reads to followers in a cluster).

        ``resolver`` maps the URI's address to the addresses to connect to, asked again for each
        new connection: the embedded store follows a server that moved to other ports with it.
        """
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            resolver=resolver,
            connection_timeout=min(timeout, 10.0),
            connection_acquisition_timeout=timeout,
            max_transaction_retry_time=min(timeout, 15.0),
        )
        return cls(driver, database, timeout, available, max_concurrent_writes)

    async def close(self) -> None:
        await self._driver.close()

    async def read(self, name: str, **params: Any) -> list[Record]:
        """Run the read statement ``name`` and return its records as dicts."""
        return await self._run(name, params, write=False)

    async def write(self, name: str, **params: Any) -> list[Record]:
        """Run the write statement ``name`` in one transaction and return its records."""
        return await self._run(name, params, write=True)

    async def write_many(self, steps: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Record]]:
        """Run several write statements in ONE transaction: all land or none does."""

        async def work(tx: Transaction) -> list[list[Record]]:
            return [await tx.run(name, **params) for name, params in steps]

        return await self.transaction("+".join(name for name, _ in steps), work)

    async def transaction(self, label: str, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in ONE write transaction: reads and writes that must see each other.

        The transaction is run again from the start after a transient failure (ArcadeDB reports a
        concurrent change to the same record that way) or a constraint error (a concurrent MERGE
        won), so ``work`` must derive everything it writes from what it reads through ``tx``, and
        have no other effect. ``label`` names it in errors and logs.
        """

        return await self._execute(label, self._write(work), write=True, round_trips=0)

    async def write_batches(self, name: str, rows: Iterable[Record], batch_size: int, **params: Any) -> int:
        """Run ``name`` with ``$rows`` in batches of ``batch_size``, one transaction each."""
        batch: list[Record] = []
        written = 0
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                await self.write(name, rows=batch, **params)
                written += len(batch)
                batch = []
        if batch:
            await self.write(name, rows=batch, **params)
            written += len(batch)
        return written

    async def ping(self) -> bool:
        """True when the database answers a trivial query within a few seconds."""
        try:
            await self._run("health/ping", {}, write=False, timeout=min(self.timeout, _PING_TIMEOUT))
        except DatabaseUnavailable:
            return False
        return True

    async def _run(
        self, name: str, params: dict[str, Any], *, write: bool, timeout: float | None = None
    ) -> list[Record]:
        if write:

            async def work(tx: Transaction) -> list[Record]:
                return await tx.run(name, **params)

            return await self._execute(name, self._write(work), write=True, timeout=timeout, round_trips=0)
        return await self._execute(name, self._read(statement(name), params), write=False, timeout=timeout)

    async def data_version(self) -> str | None:
        """The graph's data version: a token every write transaction that changes data replaces in the
        same transaction (:data:`UNVERSIONED`: the writes that do not), so what a process computed
        from the graph and keeps under this token is current as long as the token is; None before
        the first such write (keep nothing then). One indexed read.

        Callers that ask in the same turn of the event loop share one read, sent once they have all
        asked: it sees every write committed before any of them asked, and a burst of requests pays
        for one read instead of one each."""
        loop = asyncio.get_running_loop()
        shared = self._version_reads.get(loop)
        if shared is None:
            shared = self._version_reads[loop] = loop.create_future()
            shared.add_done_callback(lambda future: future.cancelled() or future.exception())  # none left waiting
            loop.call_soon(self._send_version_read, loop, shared)
        return await asyncio.shield(shared)  # a cancelled caller leaves the read to the others

    def _send_version_read(self, loop: asyncio.AbstractEventLoop, shared: asyncio.Future[str | None]) -> None:
        del self._version_reads[loop]  # who asks from now on waits for the next read

        async def read() -> None:
            try:
                [row] = await self.read("store/data_version")
            except asyncio.CancelledError:
                shared.cancel()
                raise
            except Exception as exc:  # handed to every caller waiting
                shared.set_exception(exc)
            else:
                shared.set_result(row["token"])

        task = loop.create_task(read())
        self._version_tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._version_tasks.discard)

    def _write(self, work: Callable[[Transaction], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        """``work`` in a managed write transaction of its own session, replacing the data version
        in it when it changed data (:meth:`data_version`)."""

        async def managed(tx: AsyncManagedTransaction) -> T:
            transaction = Transaction(tx, self)
            result = await work(transaction)
            await transaction.finish()
            return result

        async def write() -> T:
            async with self._driver.session(database=self.database) as session:
                return await session.execute_write(managed)

        return write

    def _read(self, text: str, params: dict[str, Any]) -> Callable[[], Awaitable[list[Record]]]:
        """A read as one auto-commit query: RUN and PULL in one round trip, where a transaction adds
        BEGIN and COMMIT (about half the driver's CPU per statement). Not retried by the driver: a
        read that meets a dying server fails with DatabaseUnavailable like any call while it is down."""

        async def read() -> list[Record]:
            async with self._driver.session(database=self.database, default_access_mode=READ_ACCESS) as session:
                result = await session.run(text, params)
                return await result.data()

        return read

    async def _execute(
        self,
        label: str,
        call: Callable[[], Awaitable[T]],
        *,
        write: bool,
        round_trips: int = 1,
        timeout: float | None = None,
    ) -> T:
        if self._available is not None and not self._available():
            raise DatabaseUnavailable(f"database unavailable while running {label}: the database server is down")
        started = time.perf_counter()
        try:
            for attempt in range(_CONSTRAINT_RETRIES + 1):
                try:
                    gate = self._writes if write and self._writes is not None else contextlib.nullcontext()
                    async with asyncio.timeout(timeout or self.timeout), gate:
                        return await call()
                except Neo4jError as exc:
                    if not write or attempt == _CONSTRAINT_RETRIES or not _lost_a_race(exc):
                        raise
                    await asyncio.sleep(0.01 * (attempt + 1))
        except OverflowError as exc:
            # Raised by the driver while packing parameters: nothing reached the database.
            raise InvalidInput(f"a value given to {label} is out of range: integers must fit in 64 bits") from exc
        except TimeoutError as exc:
            limit = timeout or self.timeout
            raise DatabaseUnavailable(
                f"database unavailable while running {label}: no answer within {limit:g} s"
            ) from exc
        except (ServiceUnavailable, SessionExpired, TransientError, OSError) as exc:
            raise DatabaseUnavailable(f"database unavailable while running {label}: {_brief(exc)}") from exc
        except Neo4jError as exc:
            log.warning("statement %s failed: %s", label, _brief(exc))
            raise DatabaseError(f"the database refused {label}: {_brief(exc)}") from exc
        except DriverError as exc:
            raise DatabaseUnavailable(f"database driver error while running {label}: {_brief(exc)}") from exc
        finally:
            self.round_trips += round_trips
            self.seconds += time.perf_counter() - started


def _lost_a_race(exc: Neo4jError) -> bool:
    """True for a write that a concurrent transaction made fail and that succeeds when run again: a
    unique constraint a concurrent MERGE won, or ArcadeDB's "Record #b:p not found" when the
    transaction read an index entry of a record a concurrent transaction was creating or rolled back."""
    return isinstance(exc, ConstraintError) or _RECORD_NOT_FOUND.search(exc.message or "") is not None


def _brief(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return message.splitlines()[0][:300]
