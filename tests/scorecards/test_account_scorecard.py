"""Account scorecards on the tiny graph of scorecard_graph.py, every figure checked by hand there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from neo4j import AsyncGraphDatabase
from scorecard_graph import AS_OF, WINDOW, load_scorecard_graph

from graphsvc.errors import InvalidInput
from graphsvc.funnel import AccountStage
from graphsvc.scorecards.account import account_scorecards
from graphsvc.scores.documents import documents_in_force
from graphsvc.scores.read_model import read_account_windows
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db


@pytest.fixture
async def graph(empty_db, embedded):
    await load_scorecard_graph(empty_db, embedded)
    return empty_db


async def test_account_scorecard_by_hand(graph):
    cards = await account_scorecards(graph, ["P", "T2", "Q", "nobody"], window_days=WINDOW, as_of=AS_OF)
    assert set(cards) == {"P", "T2", "Q"}
    p = cards["P"]
    assert (p.name, p.window_days, p.as_of) == ("Pco", WINDOW, AS_OF)
    assert (p.contacts, p.matched_leads, p.leads_associated) == (4, 2, 6)
    assert (p.engaged_contacts, p.engaged_matched_leads, p.engaged_leads) == (2, 0, 2)
    assert p.percent_engaged == pytest.approx(100 * 2 / 6)
    assert p.engagement_level == pytest.approx(26.7)
    assert p.previous_engagement_level == pytest.approx(17.1)
    assert p.engagement_change == pytest.approx(9.6 / 17.1)
    assert p.rolled_up_engagement_level == pytest.approx(38.7)
    assert (p.coverage, p.engaged_coverage) == pytest.approx((0.70, 0.45))
    assert (p.stage, p.days_in_stage, p.stage_since) == (AccountStage.ENGAGED, 20, AS_OF - timedelta(days=20))
    assert (p.open_opportunities, p.pipeline_amount) == (1, 50_000.0)


async def test_no_previous_engagement_means_no_change_and_nobody_engaged_is_zero_percent(graph):
    cards = await account_scorecards(graph, ["Q", "T2"], window_days=WINDOW, as_of=AS_OF)
    q, t2 = cards["Q"], cards["T2"]
    assert (q.engagement_level, q.previous_engagement_level, q.engagement_change) == (pytest.approx(24.0), 0.0, None)
    assert (q.stage, q.days_in_stage, q.open_opportunities, q.pipeline_amount) == (None, None, 0, 0.0)
    assert (t2.leads_associated, t2.engaged_leads, t2.percent_engaged) == (3, 0, 0.0)
    assert (t2.engagement_level, t2.engagement_change) == (0.0, None)
    assert (t2.coverage, t2.engaged_coverage) == pytest.approx((0.3, 0.0))
    assert (t2.stage, t2.days_in_stage) == (AccountStage.OPPORTUNITY, 30)
    assert (t2.open_opportunities, t2.pipeline_amount) == (1, 10_000.0)


async def test_a_past_moment_is_reproduced(graph):
    # At −50: P had been a TARGET for 50 days; o1 (created −40) did not exist, o2 (closed −10) was open.
    past = AS_OF - timedelta(days=50)
    p = (await account_scorecards(graph, ["P"], window_days=WINDOW, as_of=past))["P"]
    assert (p.stage, p.days_in_stage) == (AccountStage.TARGET, 50)
    assert (p.open_opportunities, p.pipeline_amount) == (1, 20_000.0)
    # Window (−110, −50]: c2's pricing visit at −90, 40 days old, and l1's docs visit at −60, 10 days old.
    assert p.engagement_level == pytest.approx(18 * 2 ** (-40 / 30) * 1.5 + 3.6 * 2 ** (-10 / 30))
    # Before any stage change the account was not in the funnel.
    early = (await account_scorecards(graph, ["P"], window_days=WINDOW, as_of=AS_OF - timedelta(days=150)))["P"]
    assert (early.stage, early.days_in_stage) == (None, None)


async def test_the_default_window_is_90_days_and_the_dict_is_json_ready(graph):
    p = (await account_scorecards(graph, ["P"], as_of=AS_OF))["P"]
    assert p.window_days == 90
    # 90-day window: l1's visit at −60 is in (3.6), c2's at −90 has just left it.
    assert p.engagement_level == pytest.approx(26.7 + 3.6 * 2 ** (-60 / 30))
    data = p.as_dict()
    assert data["stage"] == "ENGAGED" and data["as_of"] == AS_OF.isoformat()
    assert data["stage_since"] == (AS_OF - timedelta(days=20)).isoformat()


async def test_nothing_asked_nothing_read_and_bad_windows_are_refused(graph):
    rounds = graph.round_trips
    assert await account_scorecards(graph, [], as_of=AS_OF) == {}
    assert graph.round_trips == rounds
    for window in (0, -5, 1.5, True):
        with pytest.raises(InvalidInput):
            await account_scorecards(graph, ["P"], window_days=window, as_of=AS_OF)


@pytest.mark.parametrize("recomputed", [False, True], ids=["live", "read model"])
async def test_a_batch_costs_the_same_statements_as_one_account(graph, recomputed):
    if recomputed:
        await recompute_graph(graph, AS_OF)
    before = graph.round_trips
    await account_scorecards(graph, ["P"], window_days=WINDOW, as_of=AS_OF)
    one = graph.round_trips - before
    # Documents in force; the read model (each subtree with its engagement buckets); without a
    # recompute, also the subtrees' accounts, persons and engagements of both windows (one read
    # for the two windows); stage history with open opportunities.
    assert one == (3 if recomputed else 6)
    before = graph.round_trips
    await account_scorecards(graph, ["P", "Q", "T2", "W", "N"], window_days=WINDOW, as_of=AS_OF)
    assert graph.round_trips - before == one


async def test_the_read_model_equals_the_live_computation_at_every_moment(graph):
    await recompute_graph(graph, AS_OF - timedelta(days=30))
    ids = ["P", "Q", "T2", "W", "N"]
    documents = await documents_in_force(graph)
    assert None not in (await read_account_windows(graph, ids, documents, AS_OF, WINDOW)).values()
    for days in (-200, -121, -90, -60, -59.5, -30, -1, 0, 0.25, 45, 400):
        moment = AS_OF + timedelta(days=days)
        for window in (1, WINDOW, 90):
            served = await account_scorecards(graph, ids, window_days=window, as_of=moment)
            live = await account_scorecards(graph, ids, window_days=window, as_of=moment, live=True)
            assert served.keys() == live.keys() == set(ids)
            for account_id in ids:
                assert _same(served[account_id], live[account_id]), (account_id, days, window)


def _same(served, live) -> bool:
    """Equal figures: integers exactly, floats to the last few bits (sums in another order)."""
    for name, value in served.as_dict().items():
        expected = live.as_dict()[name]
        if isinstance(value, float) and isinstance(expected, float):
            if value != pytest.approx(expected, rel=1e-9, abs=1e-9):
                return False
        elif value != expected:
            return False
    return True


async def test_the_recompute_stores_the_90_day_engagement_change_the_scorecard_shows(graph, embedded):
    # What accounts(orderBy: "-engagementChange") reads: the scorecard's engagementChange over 90 days at the
    # recompute's moment (none when the previous window had no engagement).
    await recompute_graph(graph, AS_OF)
    uri = str(embedded.status()["bolt_uri"])
    async with AsyncGraphDatabase.driver(uri, auth=(ROOT_USER, embedded.password())) as driver:
        records, _, _ = await driver.execute_query(
            "MATCH (a:Account) RETURN a.id AS id, a.score_engagement_change AS change", database_=DATABASE_NAME
        )
    stored = {record["id"]: record["change"] for record in records}
    cards = await account_scorecards(graph, sorted(stored), window_days=90, as_of=AS_OF, live=True)
    assert set(cards) == set(stored)
    assert any(card.engagement_change is not None for card in cards.values())
    for account_id, card in cards.items():
        want = card.engagement_change
        assert stored[account_id] == (None if want is None else pytest.approx(want)), account_id
