"""The traditional funnel counts what leads reached, from their status history, on the real database.

Six leads created on day 0 (T0); AS_OF is day 50. Moves (day: status), set with setLeadStatus's
domain function at chosen times:

    a  2 MQL, 5 SAL, 15 SQL, 25 OPPORTUNITY, 40 WON
    b  4 MQL, 7 SAL, 9 RECYCLED        (today RECYCLED, but it was a SAL)
    c  1 NURTURE, 11 MQL, 21 SAL
    d  3 DISQUALIFIED
    e  never moved (NEW)
    f  60 MQL                           (after AS_OF: not counted then)

Reached by AS_OF: MQL a b c = 3, SAL a b c = 3 (sent to sales: SAL reached, no routing), SQL a,
OPPORTUNITY a, WON a. Days to advance (first entry into a status → first later move that reached
further): NEW (from creation) a 2, b 4, c 11 → median 4; MQL a 3, b 3, c 10 → 3; SAL a 10 (b went
back, c stays) → 10; SQL a 10; OPPORTUNITY a 15. On day 8: MQL a b, SAL a b, nothing further.
"""

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.funnel import LeadStatus
from graphsvc.ingest.importer import Importer
from graphsvc.lifecycle import set_lead_status
from graphsvc.scorecards.program import program_scorecard

pytestmark = pytest.mark.db

T0 = datetime(2026, 3, 1, tzinfo=UTC)
AS_OF = T0 + timedelta(days=50)
MOVES = {
    "a": [(2, "MQL"), (5, "SAL"), (15, "SQL"), (25, "OPPORTUNITY"), (40, "WON")],
    "b": [(4, "MQL"), (7, "SAL"), (9, "RECYCLED")],
    "c": [(1, "NURTURE"), (11, "MQL"), (21, "SAL")],
    "d": [(3, "DISQUALIFIED")],
    "e": [],
    "f": [(60, "MQL")],
}


@pytest.fixture
async def graph(empty_db):
    rows = [{"id": lead, "email": f"{lead}@example.org", "created_at": T0.isoformat()} for lead in MOVES]
    report = await Importer(empty_db).import_rows("leads", enumerate(rows, start=1))
    assert report.errors == []
    for lead, moves in MOVES.items():
        for day, status in moves:
            await set_lead_status(empty_db, lead, LeadStatus(status), None, "test", T0 + timedelta(days=day))
    return empty_db


async def test_the_funnel_counts_what_leads_reached_with_conversions_and_velocity(graph):
    funnel = (await program_scorecard(graph, 90, AS_OF))["traditional"]
    counts = {
        stage: funnel[stage] for stage in ("leads", "mqls", "sent_to_sales", "sals", "sqls", "opportunities", "won")
    }
    assert counts == {"leads": 6, "mqls": 3, "sent_to_sales": 3, "sals": 3, "sqls": 1, "opportunities": 1, "won": 1}
    assert funnel["conversion"] == pytest.approx(
        {
            "lead_to_mql": 0.5,
            "mql_to_sent": 1.0,
            "sent_to_sal": 1.0,
            "sal_to_sql": 1 / 3,
            "sql_to_opportunity": 1.0,
            "opportunity_to_won": 1.0,
        }
    )
    assert funnel["median_days_to_advance"] == {
        "NEW": {"median_days": 4.0, "leads": 3},
        "MQL": {"median_days": 3.0, "leads": 3},
        "SAL": {"median_days": 10.0, "leads": 1},
        "SQL": {"median_days": 10.0, "leads": 1},
        "OPPORTUNITY": {"median_days": 15.0, "leads": 1},
    }
    # by_status is today's: f is an MQL now, b RECYCLED.
    assert (funnel["by_status"]["MQL"], funnel["by_status"]["RECYCLED"], funnel["by_status"]["WON"]) == (1, 1, 1)


async def test_an_earlier_moment_counts_only_what_was_reached_by_then(graph):
    funnel = (await program_scorecard(graph, 90, T0 + timedelta(days=8)))["traditional"]
    assert (funnel["leads"], funnel["mqls"], funnel["sals"], funnel["sqls"]) == (6, 2, 2, 0)
    assert funnel["median_days_to_advance"]["MQL"] == {"median_days": 3.0, "leads": 2}
