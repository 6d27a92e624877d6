"""Lead plans (SPEC §10) with conversion rates given by the caller or measured from the graph.

Measured at ``as_of`` (default now) from the graph's own history:

``win_rate``
    opportunities won / opportunities closed (won or lost) by ``as_of``;
``sql_to_opportunity``, ``mql_to_sql``, ``inquiry_to_mql``
    from the traditional funnel of the program scorecard (:func:`graphsvc.scorecards.program.
    lead_funnel`): leads reaching OPPORTUNITY / SQL, SQL / MQL, MQL / all leads;
``accounts_per_opportunity``
    target accounts / opportunities opened at target accounts; with no such opportunity yet,
    all accounts / all opportunities.

A measurement needs at least one conversion observed (numerator and denominator ≥ 1): a rate
of 0 would make the plan infinite, so the benchmark default of
:data:`graphsvc.algorithms.planning.DEFAULT_RATES` stands in and the plan says so. A ratio with
nothing to measure leaves the ABM figure out unless one is given.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphsvc.algorithms.planning import (
    DEFAULT_RATES,
    RATE_NAMES,
    ConversionRates,
    LeadPlan,
    Rate,
    RateSource,
    reverse_waterfall,
)
from graphsvc.algorithms.scoring import to_utc
from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS
from graphsvc.scorecards.program import read_lead_funnel
from graphsvc.store.database import Database

__all__ = ["lead_plan", "measured_rates"]


def _measured(numerator: int, denominator: int) -> Rate | None:
    if numerator < 1 or denominator < 1:
        return None
    return Rate(numerator / denominator, RateSource.MEASURED, numerator, denominator)


async def measured_rates(db: Database, as_of: datetime | None = None) -> dict[str, Rate | None]:
    """The rates (and ``accounts_per_opportunity``) the graph's history supports; None where it has none."""
    as_of = to_utc(as_of) if as_of is not None else datetime.now(UTC)
    # The window only sets the funnel's new_leads; the rates count every lead.
    funnel = await read_lead_funnel(db, as_of, DEFAULT_WINDOW_DAYS)
    outcomes: dict[tuple[str, bool], int] = {
        (row["status"], row["at_target"]): row["opportunities"]
        for row in await db.read("scorecards/opportunity_outcomes", as_of=as_of.isoformat())
    }

    def opportunities(status: str | None = None, at_target: bool | None = None) -> int:
        return sum(
            count
            for (row_status, row_target), count in outcomes.items()
            if status in (None, row_status) and at_target in (None, row_target)
        )

    won = opportunities("WON")
    counts = (await db.read("scorecards/account_counts"))[0]
    per_opportunity = _measured(counts["targets"], opportunities(at_target=True)) or _measured(
        counts["accounts"], opportunities()
    )
    return {
        "win_rate": _measured(won, won + opportunities("LOST")),
        "sql_to_opportunity": _measured(funnel["opportunities"], funnel["sqls"]),
        "mql_to_sql": _measured(funnel["sqls"], funnel["mqls"]),
        "inquiry_to_mql": _measured(funnel["mqls"], funnel["leads"]),
        "accounts_per_opportunity": per_opportunity,
    }


async def lead_plan(
    db: Database,
    revenue_goal: float,
    average_deal_size: float,
    *,
    win_rate: float | None = None,
    sql_to_opportunity: float | None = None,
    mql_to_sql: float | None = None,
    inquiry_to_mql: float | None = None,
    accounts_per_opportunity: float | None = None,
    as_of: datetime | None = None,
) -> LeadPlan:
    """The reverse waterfall for a revenue goal; rates not given are measured, else defaulted.

    The graph is read only when some rate or the accounts-per-opportunity ratio is not given.
    """
    given: dict[str, Any] = {
        "win_rate": win_rate,
        "sql_to_opportunity": sql_to_opportunity,
        "mql_to_sql": mql_to_sql,
        "inquiry_to_mql": inquiry_to_mql,
        "accounts_per_opportunity": accounts_per_opportunity,
    }
    measured = await measured_rates(db, as_of) if None in given.values() else {}
    rates = {}
    for name in RATE_NAMES:
        if given[name] is not None:
            rates[name] = Rate(float(given[name]))
        else:
            rates[name] = measured[name] or Rate(DEFAULT_RATES[name], RateSource.DEFAULT)
    ratio = given["accounts_per_opportunity"]
    return reverse_waterfall(
        revenue_goal,
        average_deal_size,
        ConversionRates(**rates),
        Rate(float(ratio)) if ratio is not None else measured.get("accounts_per_opportunity"),
    )
