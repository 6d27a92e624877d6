"""Lead planning: the reverse waterfall by hand, rounding up at every step.

Goal 1,000,000 at 30,000 a deal: 33.3… → 34 won deals; win rate 0.3 → 113.3… → 114 opportunities;
SQL→opportunity 0.6 → 190 SQLs; MQL→SQL 0.35 → 542.86… → 543 MQLs; inquiry→MQL 0.08 → 6,787.5 →
6,788 inquiries; 2.5 accounts per opportunity → 285 accounts.
"""

from __future__ import annotations

import doctest

import pytest

from graphsvc.algorithms import planning
from graphsvc.algorithms.planning import ConversionRates, Rate, RateSource, reverse_waterfall, round_up
from graphsvc.errors import InvalidInput

RATES = ConversionRates.of(win_rate=0.3, sql_to_opportunity=0.6, mql_to_sql=0.35, inquiry_to_mql=0.08)


def test_reverse_waterfall_by_hand():
    plan = reverse_waterfall(1_000_000, 30_000, RATES, accounts_per_opportunity=Rate(2.5))
    assert (plan.won_deals, plan.opportunities, plan.sqls, plan.mqls, plan.inquiries, plan.accounts) == (
        34,
        114,
        190,
        543,
        6788,
        285,
    )


def test_without_accounts_per_opportunity_there_is_no_abm_figure():
    plan = reverse_waterfall(60_000, 30_000, RATES)
    assert (plan.won_deals, plan.opportunities, plan.accounts) == (2, 7, None)
    assert plan.as_dict()["accounts_per_opportunity"] is None


def test_exact_quotients_are_not_rounded_past_themselves():
    # 7 / 0.07 is 100.00000000000001 in binary floating point.
    plan = reverse_waterfall(700, 100, ConversionRates.of(win_rate=0.07, sql_to_opportunity=1, mql_to_sql=1, inquiry_to_mql=1))
    assert (plan.won_deals, plan.opportunities) == (7, 100)
    assert round_up(100.000001) == 101


def test_a_zero_goal_needs_nothing():
    plan = reverse_waterfall(0, 10, RATES, accounts_per_opportunity=Rate(3.0))
    assert (plan.won_deals, plan.opportunities, plan.sqls, plan.mqls, plan.inquiries, plan.accounts) == (0,) * 6


def test_the_plan_says_where_each_rate_came_from():
    rates = ConversionRates(
        win_rate=Rate(0.5, RateSource.MEASURED, 5, 10),
        sql_to_opportunity=Rate(0.5, RateSource.DEFAULT),
        mql_to_sql=Rate(0.25),
        inquiry_to_mql=Rate(0.1),
    )
    out = reverse_waterfall(100, 10, rates).as_dict()
    assert out["rates"]["win_rate"] == {"value": 0.5, "source": "measured", "numerator": 5, "denominator": 10}
    assert out["rates"]["sql_to_opportunity"]["source"] == "default"
    assert out["rates"]["mql_to_sql"]["source"] == "given"
    assert (out["won_deals"], out["opportunities"], out["sqls"], out["mqls"], out["inquiries"]) == (10, 20, 40, 160, 1600)


@pytest.mark.parametrize(
    ("goal", "deal", "rates", "per_opportunity"),
    [
        (-1, 10, None, None),
        (100, 0, None, None),
        (100, 10, {"win_rate": 0.0}, None),
        (100, 10, {"mql_to_sql": 1.5}, None),
        (100, 10, None, 0.0),
    ],
)
def test_invalid_inputs_are_refused(goal, deal, rates, per_opportunity):
    with pytest.raises(InvalidInput):
        given = {"win_rate": 0.3, "sql_to_opportunity": 0.6, "mql_to_sql": 0.35, "inquiry_to_mql": 0.08, **(rates or {})}
        reverse_waterfall(goal, deal, ConversionRates.of(**given), None if per_opportunity is None else Rate(per_opportunity))


def test_docstring_examples():
    assert doctest.testmod(planning).failed == 0


@pytest.mark.parametrize("goal", [1e300, float("inf")])
def test_a_plan_beyond_any_funnel_is_invalid_input_not_an_overflow(goal):
    rates = ConversionRates(*(Rate(0.5) for _ in range(4)))
    with pytest.raises(InvalidInput, match="more than 2,147,483,647"):
        reverse_waterfall(goal, 1.0, rates)
