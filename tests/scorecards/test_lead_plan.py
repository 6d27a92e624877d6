"""Lead plans with rates measured from the tiny graph of scorecard_graph.py, checked by hand.

At AS_OF: opportunities closed: o4 WON, o2 LOST → win rate 1/2. Lead funnel (see
test_program_scorecard.py): 8 leads, 6 MQL, 3 SQL, 2 opportunity → SQL→opportunity 2/3,
MQL→SQL 3/6, inquiry→MQL 6/8. Target accounts P and T2 opened o1, o2, o3 → 2/3 account per
opportunity.

Goal 100,000 at 20,000 a deal: 5 won; 5 / (1/2) = 10 opportunities; 10 / (2/3) = 15 SQLs;
15 / (1/2) = 30 MQLs; 30 / (6/8) = 40 inquiries; 10 × 2/3 = 6.7 → 7 accounts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from scorecard_graph import AS_OF, load_scorecard_graph

from graphsvc.algorithms.planning import DEFAULT_RATES
from graphsvc.scorecards.planning import lead_plan, measured_rates

pytestmark = pytest.mark.db


@pytest.fixture
async def graph(empty_db, embedded):
    await load_scorecard_graph(empty_db, embedded)
    return empty_db


async def test_measured_rates_by_hand(graph):
    rates = await measured_rates(graph, AS_OF)
    assert {name: (rate.numerator, rate.denominator) for name, rate in rates.items()} == {
        "win_rate": (1, 2),
        "sql_to_opportunity": (2, 3),
        "mql_to_sql": (3, 6),
        "inquiry_to_mql": (6, 8),
        "accounts_per_opportunity": (2, 3),
    }


async def test_a_plan_from_measured_rates(graph):
    plan = await lead_plan(graph, 100_000, 20_000, as_of=AS_OF)
    assert (plan.won_deals, plan.opportunities, plan.sqls, plan.mqls, plan.inquiries, plan.accounts) == (
        5,
        10,
        15,
        30,
        40,
        7,
    )
    out = plan.as_dict()
    assert {name: rate["source"] for name, rate in out["rates"].items()} == dict.fromkeys(out["rates"], "measured")
    assert out["accounts_per_opportunity"]["value"] == pytest.approx(2 / 3)


async def test_given_rates_win_and_nothing_is_read_when_all_are_given(graph):
    plan = await lead_plan(graph, 100_000, 20_000, win_rate=0.25, as_of=AS_OF)
    assert plan.rates.win_rate.source == "given" and plan.rates.mql_to_sql.source == "measured"
    assert (plan.won_deals, plan.opportunities, plan.sqls) == (5, 20, 30)
    before = graph.round_trips
    plan = await lead_plan(
        graph,
        100_000,
        20_000,
        win_rate=0.5,
        sql_to_opportunity=0.5,
        mql_to_sql=0.5,
        inquiry_to_mql=0.5,
        accounts_per_opportunity=3,
    )
    assert graph.round_trips == before
    assert (plan.won_deals, plan.opportunities, plan.sqls, plan.mqls, plan.inquiries, plan.accounts) == (
        5,
        10,
        20,
        40,
        80,
        30,
    )


async def test_without_history_the_defaults_stand_in_and_say_so(graph):
    # At −160 nothing had closed yet: no win rate to measure.
    past = AS_OF - timedelta(days=160)
    rates = await measured_rates(graph, past)
    assert rates["win_rate"] is None
    plan = await lead_plan(graph, 100_000, 20_000, as_of=past)
    assert plan.rates.win_rate.value == DEFAULT_RATES["win_rate"] and plan.rates.win_rate.source == "default"
    # Leads by −160: l5 (OPPORTUNITY) and l6 (WON): every lead stage converted 2 of 2.
    assert plan.rates.inquiry_to_mql.value == 1.0 and plan.rates.sql_to_opportunity.source == "measured"
    # P's o2 was the only opportunity at a target account: 2 targets per opportunity.
    assert plan.accounts_per_opportunity.value == 2.0 and plan.accounts == 2 * plan.opportunities


async def test_an_empty_graph_plans_on_defaults_without_accounts(empty_db):
    plan = await lead_plan(empty_db, 100_000, 20_000)
    assert {getattr(plan.rates, name).source for name in DEFAULT_RATES} == {"default"}
    assert plan.accounts is None and plan.won_deals == 5
