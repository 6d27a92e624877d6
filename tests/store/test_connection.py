"""Opening the store: the schema is applied whatever the per-request time limit."""

import pytest

from graphsvc.errors import DatabaseUnavailable
from graphsvc.store import Database, apply_schema
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db


async def test_the_schema_is_applied_even_when_requests_may_take_almost_no_time(embedded):
    # Index builds on a large graph or a busy machine outlast GRAPHSVC_DB_TIMEOUT; start-up must not fail.
    uri = str(embedded.status()["bolt_uri"])
    db = Database.connect(uri, ROOT_USER, embedded.password(), DATABASE_NAME)
    db.timeout = 1e-6  # no statement answers that fast (the driver's own limits stay as connected)
    try:
        assert await apply_schema(db) > 0
        assert db.timeout == 1e-6  # requests keep their limit
        with pytest.raises(DatabaseUnavailable, match="no answer within"):
            await db.read("health/ping")
    finally:
        await db.close()
