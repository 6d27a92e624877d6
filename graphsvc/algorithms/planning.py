"""Lead planning (SPEC §10): the reverse waterfall from a revenue goal to the leads it needs.

From a revenue goal and an average deal size, each step divides by the conversion rate into the
stage it comes from and rounds up (half a deal cannot be won)::

    won deals      = ⌈goal / average deal size⌉
    opportunities  = ⌈won deals / win rate⌉
    SQLs           = ⌈opportunities / SQL→opportunity⌉
    MQLs           = ⌈SQLs / MQL→SQL⌉
    inquiries      = ⌈MQLs / inquiry→MQL⌉
    accounts (ABM) = ⌈opportunities × accounts per opportunity⌉

A quotient within one part in 10⁹ of a whole number counts as that number: rates such as 0.07
are not exact in binary, and 7 / 0.07 must need 100 opportunities, not 101.

Each rate is *given* by the caller, *measured* from the graph's own history, or the *default*
below when the graph has no history to measure it from; the plan says which for each rate.
The defaults are common B2B benchmarks (win rate 25 %, half of SQLs becoming opportunities, a
third of MQLs accepted and qualified, one inquiry in ten reaching MQL).

Examples
--------
>>> plan = reverse_waterfall(1_000_000, 25_000, ConversionRates.of(
...     win_rate=0.25, sql_to_opportunity=0.5, mql_to_sql=0.4, inquiry_to_mql=0.1), accounts_per_opportunity=Rate(3.0))
>>> plan.won_deals, plan.opportunities, plan.sqls, plan.mqls, plan.inquiries, plan.accounts
(40, 160, 320, 800, 8000, 480)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graphsvc.errors import InvalidInput

__all__ = [
    "DEFAULT_RATES",
    "RATE_NAMES",
    "ConversionRates",
    "LeadPlan",
    "Rate",
    "RateSource",
    "reverse_waterfall",
    "round_up",
]

RATE_NAMES = ("win_rate", "sql_to_opportunity", "mql_to_sql", "inquiry_to_mql")
"""The conversion rates of the waterfall, from the bottom (won) up."""

DEFAULT_RATES = {"win_rate": 0.25, "sql_to_opportunity": 0.5, "mql_to_sql": 0.33, "inquiry_to_mql": 0.1}
"""Benchmarks used for a rate neither given nor measurable (module docstring)."""

# Relative tolerance of round_up.
_WHOLE = 1e-9


class RateSource(StrEnum):
    """Where a rate came from."""

    GIVEN = "given"
    MEASURED = "measured"
    DEFAULT = "default"


@dataclass(frozen=True)
class Rate:
    """A rate (or ratio) with where it came from; measured ones say from what counts."""

    value: float
    source: RateSource = RateSource.GIVEN
    numerator: int | None = None
    denominator: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "source": str(self.source),
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


@dataclass(frozen=True)
class ConversionRates:
    """The four rates of the waterfall, each in (0, 1]."""

    win_rate: Rate
    sql_to_opportunity: Rate
    mql_to_sql: Rate
    inquiry_to_mql: Rate

    def __post_init__(self) -> None:
        for name in RATE_NAMES:
            value = getattr(self, name).value
            if not 0.0 < value <= 1.0:
                raise InvalidInput(f"{name} must be in (0, 1], got {value}")

    @classmethod
    def of(cls, **values: float) -> ConversionRates:
        """Given rates by name (all four)."""
        return cls(**{name: Rate(float(values[name])) for name in RATE_NAMES})


@dataclass(frozen=True)
class LeadPlan:
    """What a revenue goal needs at each stage, and the rates it was computed with."""

    revenue_goal: float
    average_deal_size: float
    won_deals: int
    opportunities: int
    sqls: int
    mqls: int
    inquiries: int
    rates: ConversionRates
    accounts: int | None = None
    accounts_per_opportunity: Rate | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with each rate's value and source."""
        return {
            "revenue_goal": self.revenue_goal,
            "average_deal_size": self.average_deal_size,
            "won_deals": self.won_deals,
            "opportunities": self.opportunities,
            "sqls": self.sqls,
            "mqls": self.mqls,
            "inquiries": self.inquiries,
            "accounts": self.accounts,
            "rates": {name: getattr(self.rates, name).as_dict() for name in RATE_NAMES},
            "accounts_per_opportunity": (
                None if self.accounts_per_opportunity is None else self.accounts_per_opportunity.as_dict()
            ),
        }


# The largest count a plan may hold: GraphQL's Int, and far beyond any real funnel.
MAX_PLAN_COUNT = 2**31 - 1


def round_up(quotient: float) -> int:
    """``⌈quotient⌉``, taking a value within one part in 10⁹ of a whole number as that number.

    >>> round_up(7 / 0.07), round_up(100.2), round_up(0.0)
    (100, 101, 0)
    """
    if not math.isfinite(quotient) or quotient > MAX_PLAN_COUNT:
        raise InvalidInput(
            f"the plan would need more than {MAX_PLAN_COUNT:,} of one stage; check the goal, deal size and rates"
        )
    nearest = round(quotient)
    if abs(quotient - nearest) <= _WHOLE * max(1.0, abs(quotient)):
        return int(nearest)
    return math.ceil(quotient)


def reverse_waterfall(
    revenue_goal: float,
    average_deal_size: float,
    rates: ConversionRates,
    accounts_per_opportunity: Rate | None = None,
) -> LeadPlan:
    """Work back from a revenue goal to the won deals, opportunities, SQLs, MQLs and inquiries needed.

    Parameters
    ----------
    revenue_goal
        Revenue to win, ≥ 0.
    average_deal_size
        Average amount of a won deal, > 0.
    rates
        The conversion rates.
    accounts_per_opportunity
        For the ABM variant: accounts engaged per opportunity opened (> 0); None skips it.
    """
    if not revenue_goal >= 0:
        raise InvalidInput(f"the revenue goal must be a number ≥ 0, got {revenue_goal}")
    if not average_deal_size > 0:
        raise InvalidInput(f"the average deal size must be > 0, got {average_deal_size}")
    if accounts_per_opportunity is not None and not accounts_per_opportunity.value > 0:
        raise InvalidInput(f"accounts per opportunity must be > 0, got {accounts_per_opportunity.value}")
    won = round_up(revenue_goal / average_deal_size)
    opportunities = round_up(won / rates.win_rate.value)
    sqls = round_up(opportunities / rates.sql_to_opportunity.value)
    mqls = round_up(sqls / rates.mql_to_sql.value)
    inquiries = round_up(mqls / rates.inquiry_to_mql.value)
    accounts = None if accounts_per_opportunity is None else round_up(opportunities * accounts_per_opportunity.value)
    return LeadPlan(
        revenue_goal=revenue_goal,
        average_deal_size=average_deal_size,
        won_deals=won,
        opportunities=opportunities,
        sqls=sqls,
        mqls=mqls,
        inquiries=inquiries,
        rates=rates,
        accounts=accounts,
        accounts_per_opportunity=accounts_per_opportunity,
    )
