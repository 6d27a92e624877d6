"""The background duties of ``graphsvc serve``: which run in every process, and which once per deployment.

``graphsvc serve --workers N`` runs N worker processes behind one port. Their duties split in two:

* **Per process** (:func:`start_process_duties`): the routing relay. A subscriber hears what the
  process it is connected to publishes, so each worker looks in the database for the decisions
  the others (and other instances) stored, for its own subscribers.
* **Once per deployment** (:func:`start_background_duties`): the SLA sweep, webhook delivery, and every other duty
  that acts on the shared data rather than on a process's connections. Running these N times
  would only multiply the database work (the sweep is safe to run concurrently, but it is not
  meant to be run N times a minute).

The process that runs the once-per-deployment duties is the one holding an exclusive ``flock``
on ``duties.lock`` in the data directory; the others try again every
:data:`TAKEOVER_SECONDS`, so when the holder dies (the kernel releases its lock, even after
``kill -9``) another worker takes the duties over within about a second. Every process that
shares a data directory (the workers of one ``serve``, several ``serve`` attached to one
``graphsvc db start``) shares the lock; instances on other machines each hold their own.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from graphsvc.config import Settings
from graphsvc.routing.events import relay_loop
from graphsvc.routing.sla import sla_sweep_loop
from graphsvc.store.database import Database
from graphsvc.webhooks.delivery import delivery_loop

__all__ = ["TAKEOVER_SECONDS", "running_duties", "start_background_duties", "start_process_duties"]

log = logging.getLogger(__name__)

TAKEOVER_SECONDS = 1.0  # how often a process without the duties lock tries to take it


def start_process_duties(db: Database, settings: Settings) -> list[asyncio.Task[None]]:
    """Start the duties every serving process runs for its own connections; cancel the tasks to stop them."""
    tasks = []
    if settings.relay_seconds:
        # Subscribers here hear decisions other processes and instances store (SPEC §1: a shared channel).
        tasks.append(asyncio.create_task(relay_loop(db, settings.relay_seconds), name="routing relay"))
    return tasks


def start_background_duties(db: Database, settings: Settings) -> list[asyncio.Task[None]]:
    """Start the duties that run once per deployment; cancel the tasks to stop them.

    Called only in the process holding the duties lock (see the module). A new duty of that
    kind is started here.
    """
    tasks = []
    if settings.sla_sweep_seconds:
        # Overdue routing decisions are escalated and recycled while the server runs (SPEC §9.7).
        tasks.append(asyncio.create_task(sla_sweep_loop(db, settings.sla_sweep_seconds), name="SLA sweep"))
    if settings.webhook_poll_seconds:
        # Queued webhook deliveries are sent and retried. Deliveries are claimed with a lease in the
        # database, so instances that do not share this lock (other machines) each send their own.
        tasks.append(asyncio.create_task(delivery_loop(db, settings), name="webhook delivery"))
    return tasks


async def _hold_background_duties(db: Database, settings: Settings, lock_path: Path) -> None:
    """Wait to take the duties lock, then run :func:`start_background_duties` until cancelled."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    tasks: list[asyncio.Task[None]] = []
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(TAKEOVER_SECONDS)
        tasks = start_background_duties(db, settings)
        log.info(
            "process %d runs the background duties: %s", os.getpid(), ", ".join(t.get_name() for t in tasks) or "none"
        )
        await asyncio.Event().wait()  # until cancelled
    finally:
        await _cancel(tasks)
        os.close(fd)  # releases the lock for another process to take


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def running_duties(db: Database, settings: Settings) -> AsyncIterator[None]:
    """Run this process's duties, and the once-per-deployment ones while it holds the lock, until exit."""
    tasks = start_process_duties(db, settings)
    tasks.append(asyncio.create_task(_hold_background_duties(db, settings, settings.data_dir / "duties.lock")))
    try:
        yield
    finally:
        await _cancel(tasks)
