"""graphsvc route / route --backtest / sla-sweep on the demo set, through click's CliRunner.

The commands open their own store (``open_store``) from GRAPHSVC_NEO4J_* settings that point at
the session's embedded server, and run their own event loop, so this test is synchronous and
prepares the data with a driver of its own.
"""

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.config import get_settings
from graphsvc.demo import load_demo
from graphsvc.routing.backtest import BacktestReport, backtest
from graphsvc.routing.decisions import AssignedBy, RoutingPath, RoutingRule
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db

NOW = datetime.now(UTC).replace(microsecond=0)
SINCE = NOW - timedelta(days=60)


@pytest.fixture
def cli_env(embedded, monkeypatch):
    """Settings that send the commands to the session's server."""
    monkeypatch.setenv("GRAPHSVC_NEO4J_URI", str(embedded.status()["bolt_uri"]))
    monkeypatch.setenv("GRAPHSVC_NEO4J_USER", ROOT_USER)
    monkeypatch.setenv("GRAPHSVC_NEO4J_PASSWORD", embedded.password())
    monkeypatch.setenv("GRAPHSVC_NEO4J_DATABASE", DATABASE_NAME)
    get_settings.cache_clear()
    yield embedded
    get_settings.cache_clear()


async def _load_demo(uri: str, password: str) -> BacktestReport:
    db = Database.connect(uri, ROOT_USER, password, DATABASE_NAME)
    try:
        await db.write("admin/delete_all")
        await load_demo(db, now=NOW)  # imports, then recomputes scores and stages
        return await backtest(db, SINCE, NOW)
    finally:
        await db.close()


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_route_and_backtest_commands_on_the_demo_set(cli_env):
    before = asyncio.run(_load_demo(str(cli_env.status()["bolt_uri"]), cli_env.password()))
    would = before.would
    assert would and all(d.dry_run for d in would) and before.actual == {}
    paths = {d.path for d in would}
    assert {RoutingPath.ABM, RoutingPath.TRADITIONAL} <= paths
    owner = next(d for d in would if d.assigned_by is AssignedBy.ACCOUNT_OWNER)
    nurtured = next(d for d in would if d.rule is RoutingRule.NURTURE)

    dry = _invoke("route", owner.lead_id, "--dry-run")
    assert "(dry run, not stored)" in dry and f"assigned to {owner.assignee_id} (ACCOUNT_OWNER)" in dry
    first = _invoke("route", owner.lead_id)
    assert f"for lead {owner.lead_id}" in first and "dry run" not in first
    # Routing it again returns its open decision rather than a second one.
    assert _invoke("route", owner.lead_id).splitlines()[0] == first.splitlines()[0]
    assert "rule NURTURE" in _invoke("route", nurtured.lead_id)

    output = _invoke("route", "--backtest", "--since", SINCE.strftime("%Y-%m-%dT%H:%M:%S"))
    print(output)
    assert output.startswith(f"backtest of {len(would)} leads created since {SINCE.isoformat()}")
    for path in (RoutingPath.ABM, RoutingPath.TRADITIONAL):
        expected = sum(d.path is path for d in would)
        assert re.search(rf"^{path}\s+{expected}\s", output, re.MULTILINE), path
    # The two leads routed above now have stored decisions; the replay agrees with both.
    assert f"  no stored decision {len(would) - 2}, same 2\n" in output

    sweep = _invoke("sla-sweep")
    assert sweep.startswith("0 overdue at ")
