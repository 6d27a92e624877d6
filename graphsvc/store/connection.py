"""Opening and closing the store of one graphsvc process."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graphsvc.config import Settings
from graphsvc.store.cypher import registry
from graphsvc.store.database import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

__all__ = ["apply_schema", "embedded_server", "open_store"]

log = logging.getLogger(__name__)


# Building an index over a large graph, or on a busy machine, takes longer than a request may
# (GRAPHSVC_DB_TIMEOUT): start-up must not fail for it.
_SCHEMA_TIMEOUT = 600.0


async def apply_schema(db: Database) -> int:
    """Create every constraint and index in ``cypher/schema/`` (idempotent), and a data version when
    the database has none (written before versions were kept: nothing could be kept by version);
    returns how many schema statements ran.

    Runs before the store serves anything, with a timeout of at least ten minutes per statement.
    """
    names = registry().under("schema")
    request_timeout, db.timeout = db.timeout, max(db.timeout, _SCHEMA_TIMEOUT)
    try:
        for name in names:
            await db.write(name)
        await db.write("store/ensure_data_version", token=uuid.uuid4().hex)
    finally:
        db.timeout = request_timeout
    return len(names)


def embedded_server(settings: Settings) -> EmbeddedServer:
    """The (not yet started) embedded server of ``settings.data_dir``."""
    return EmbeddedServer(settings.data_dir, settings.embedded_heap, settings.embedded_start_timeout)


@asynccontextmanager
async def open_store(
    settings: Settings, *, schema: bool = True, server: EmbeddedServer | None = None
) -> AsyncIterator[Database]:
    """Connect to the configured database and yield a :class:`Database`.

    With no Neo4j URI configured, the embedded server of ``settings.data_dir`` is started first
    (or attached to, when ``graphsvc db start`` runs one, and found again when that one is
    stopped and started) and stopped on exit. Must be entered
    on the main thread: the embedded server is tied to the thread that starts it.

    ``server`` is an embedded server the caller has already started or attached to (``graphsvc
    serve --workers``): it is used as it is and left running.
    """
    owned = server is None
    if settings.embedded:
        if server is None:
            server = embedded_server(settings)
            server.start()
        info = server.current()
        assert info is not None, "a started or attached embedded server knows where it runs"
        db = Database.connect(
            info.uri,
            ROOT_USER,
            server.password(),
            DATABASE_NAME,
            settings.db_timeout,
            available=lambda: server.available,
            max_concurrent_writes=1,  # ArcadeDB's page-level conflicts: see Database
            resolver=server.resolve,  # a detached server started again runs on other ports
        )
    else:
        assert settings.neo4j_uri is not None
        log.info("connecting to %s as %s", settings.neo4j_uri, settings.neo4j_user)
        db = Database.connect(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
            settings.db_timeout,
        )
    try:
        if schema:
            await apply_schema(db)
        yield db
    finally:
        await db.close()
        if server is not None and owned:
            server.stop()
