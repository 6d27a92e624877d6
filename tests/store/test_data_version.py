"""The data version: replaced by every write transaction that changes data, in that transaction."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import AsyncGraphDatabase

from graphsvc.errors import DatabaseError
from graphsvc.store import Database, apply_schema
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER
from graphsvc.store.versioned import VersionedCache

_ACCOUNT = [{"id": "dv-1", "props": {"name": "Versioned"}}]


async def test_every_data_write_replaces_the_version_and_other_connections_see_it(empty_db, embedded):
    db = empty_db
    first = await db.data_version()
    assert first is not None  # emptying the store was a write
    await db.write("ingest/accounts", rows=_ACCOUNT, at="2026-01-01T00:00:00Z")
    second = await db.data_version()
    assert second not in (None, first)

    async def work(tx):
        await tx.run("ingest/accounts", rows=_ACCOUNT, at="2026-01-02T00:00:00Z")

    await db.transaction("probe", work)
    third = await db.data_version()
    assert third not in (first, second)
    # Another connection (another process's Database) reads the same version.
    info = embedded.status()
    other = Database.connect(str(info["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME)
    try:
        assert await other.data_version() == third
        await other.write("ingest/accounts", rows=_ACCOUNT, at="2026-01-03T00:00:00Z")
        assert await db.data_version() not in (first, second, third)
    finally:
        await other.close()


async def test_a_rolled_back_write_and_the_webhook_bookkeeping_keep_the_version(empty_db):
    db = empty_db
    before = await db.data_version()

    async def failing(tx):
        await tx.run("ingest/accounts", rows=_ACCOUNT, at="2026-01-01T00:00:00Z")
        raise DatabaseError("give up")

    with pytest.raises(DatabaseError):
        await db.transaction("probe", failing)
    assert await db.data_version() == before
    await db.write(
        "webhooks/claim_deliveries",
        now="2026-01-01T00:00:00Z",
        token="t",
        lease_until="2026-01-01T00:00:15Z",
        limit=4,
    )
    assert await db.data_version() == before


async def test_a_database_without_a_version_gets_one_when_the_schema_is_applied(empty_db, embedded):
    # As a database written before versions were kept: nothing could be kept by version.
    uri = str(embedded.status()["bolt_uri"])
    async with AsyncGraphDatabase.driver(uri, auth=(ROOT_USER, embedded.password())) as driver:
        await driver.execute_query("MATCH (v:DataVersion) DETACH DELETE v", database_=DATABASE_NAME)
    assert await empty_db.data_version() is None
    await apply_schema(empty_db)
    version = await empty_db.data_version()
    assert version is not None
    await apply_schema(empty_db)  # a restart keeps it
    assert await empty_db.data_version() == version


async def test_kept_values_are_built_once_per_version_and_key_even_by_concurrent_callers(empty_db):
    db = empty_db
    cache: VersionedCache[int] = VersionedCache(size=2)
    builds = []
    release = asyncio.Event()

    async def build() -> int:
        builds.append(1)
        await release.wait()
        return len(builds)

    first = asyncio.create_task(cache.get(db, "k", build))
    cancelled = asyncio.create_task(cache.get(db, "k", build))
    third = asyncio.create_task(cache.get(db, "k", build))
    while not builds:  # the build started: the callers share it or find its value
        await asyncio.sleep(0.01)
    cancelled.cancel()
    release.set()
    assert await first == await third == 1 and len(builds) == 1
    assert await cache.get(db, "k", build) == 1  # kept
    assert await cache.get(db, "k", build, valid=lambda value: value > 1) == 2  # not valid: built again
    await db.write("ingest/accounts", rows=_ACCOUNT, at="2026-01-01T00:00:00Z")
    assert await cache.get(db, "k", build) == 3  # a new data version


async def test_callers_asking_together_share_one_read_that_sees_what_committed_before_they_asked(empty_db):
    db = empty_db
    before = await db.data_version()
    await db.write("ingest/accounts", rows=_ACCOUNT, at="2026-01-04T00:00:00Z")
    sent = db.round_trips
    versions = await asyncio.gather(*(db.data_version() for _ in range(10)))
    assert db.round_trips == sent + 1
    assert len(set(versions)) == 1 and versions[0] != before  # the write before them is seen

    # A caller that asks once a read has been sent waits for a read of its own, sent after it asked,
    # so a write that committed before it asked is seen, whatever the earlier read saw.
    first = asyncio.ensure_future(db.data_version())
    while not db._version_tasks:  # the first read is sent
        await asyncio.sleep(0)
    await db.write("ingest/accounts", rows=_ACCOUNT, at="2026-01-05T00:00:00Z")
    [after_the_write] = await db.read("store/data_version")
    sent = db.round_trips
    assert await db.data_version() == after_the_write["token"]
    assert db.round_trips == sent + 1
    await first


async def test_a_cancelled_caller_leaves_the_shared_read_to_the_others(empty_db):
    db = empty_db
    expected = await db.data_version()
    leaving = asyncio.ensure_future(db.data_version())
    staying = asyncio.ensure_future(db.data_version())
    await asyncio.sleep(0)
    leaving.cancel()
    assert await staying == expected
    assert leaving.cancelled()
