"""The program scorecard on the tiny graph of scorecard_graph.py, checked by hand.

Traditional, leads existing at AS_OF (l9 is created after it): l1 MQL, l2 NEW, l3 SAL (sent: d1),
l4 SQL, l5 OPPORTUNITY, l6 WON, l7 NURTURE, l8 MQL (sent: d2) → 8 leads.
MQLs: l1 l3 l4 l5 l6 l8 = 6; sent to sales: l3 l8 (decisions) and l4 l5 l6 (SAL or beyond) = 5;
SAL 4 (l3 l4 l5 l6), SQL 3, opportunity 2, won 1. New in the 60-day window: l3 l4 l7 l8 = 4.

ABM, target accounts P and T2: stages ENGAGED and OPPORTUNITY, both engaged → 100 %, but only P
has an engaged person in the window;
mean coverage (.70 + .30)/2 = .50, engaged (.45 + 0)/2 = .225; open pipeline 50,000 + 10,000.
MQA→opportunity: T2 reached MQA (−60) and OPPORTUNITY (−30) → 1 of 1. Days to advance:
TARGET: P 80 (−100 → −20), T2 10 (−100 → −90) → median 45; AWARE: T2 30; MQA: T2 30; ENGAGED:
P never advanced → none.

SLA over (−60, 0]: d1 ABM accepted 2 h after, inside its 4 h; d2 TRADITIONAL pending past due.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scorecard_graph import AS_OF, WINDOW, assert_same_json, at, engagement, load_scorecard_graph

from graphsvc.funnel import LeadStatus
from graphsvc.ingest.importer import Importer
from graphsvc.lifecycle import set_lead_status
from graphsvc.routing.engine import route
from graphsvc.scorecards.program import lead_funnel, program_scorecard
from graphsvc.scorecards.targets import set_target
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db


@pytest.fixture
async def graph(empty_db, embedded):
    await load_scorecard_graph(empty_db, embedded)
    return empty_db


async def test_traditional_funnel_by_hand(graph):
    card = await program_scorecard(graph, WINDOW, AS_OF)
    assert (card["window_days"], card["as_of"]) == (WINDOW, AS_OF.isoformat())
    funnel = card["traditional"]
    assert {
        stage: funnel[stage] for stage in ("leads", "mqls", "sent_to_sales", "sals", "sqls", "opportunities", "won")
    } == {"leads": 8, "mqls": 6, "sent_to_sales": 5, "sals": 4, "sqls": 3, "opportunities": 2, "won": 1}
    assert funnel["new_leads"] == 4
    assert funnel["by_status"]["MQL"] == 2 and funnel["by_status"]["LOST"] == 0
    assert funnel["conversion"] == pytest.approx(
        {
            "lead_to_mql": 6 / 8,
            "mql_to_sent": 5 / 6,
            "sent_to_sal": 4 / 5,
            "sal_to_sql": 3 / 4,
            "sql_to_opportunity": 2 / 3,
            "opportunity_to_won": 1 / 2,
        }
    )


async def test_abm_funnel_by_hand(graph):
    abm = (await program_scorecard(graph, WINDOW, AS_OF))["abm"]
    assert abm["target_accounts"] == 2
    assert abm["by_stage"] == {
        "TARGET": 0,
        "AWARE": 0,
        "ENGAGED": 1,
        "MQA": 0,
        "OPPORTUNITY": 1,
        "CUSTOMER": 0,
        "NONE": 0,
    }
    assert (abm["engaged_accounts"], abm["percent_engaged"], abm["accounts_with_engaged_people"]) == (2, 100.0, 1)
    assert (abm["mean_coverage"], abm["mean_engaged_coverage"]) == pytest.approx((0.5, 0.225))
    assert (abm["open_opportunities"], abm["pipeline_amount"]) == (2, 60_000.0)
    assert abm["mqa_to_opportunity"] == {"mqa_accounts": 1, "converted": 1, "rate": 1.0}
    days = abm["median_days_to_advance"]
    assert days["TARGET"] == {"median_days": 45.0, "accounts": 2}
    assert days["AWARE"] == days["MQA"] == {"median_days": 30.0, "accounts": 1}
    assert days["ENGAGED"] == days["OPPORTUNITY"] == {"median_days": None, "accounts": 0}


async def test_team_sla_metrics_come_from_routing(graph):
    sla = (await program_scorecard(graph, WINDOW, AS_OF))["sla"]
    assert sla["by_path"]["ABM"]["accepted_within_sla"] == 1
    assert sla["by_path"]["ABM"]["median_hours_to_accept"] == pytest.approx(2.0)
    assert sla["by_path"]["TRADITIONAL"]["overdue"] == 1
    assert sla["total"]["share_accepted_within_sla"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("filters", "targets", "leads", "mqls", "decisions"),
    [
        ({"tier": 1}, 1, 2, 1, 0),  # P; leads l1 (MQL), l2 matched to P; no decision about them
        ({"owner_id": "u2"}, 1, 2, 2, 1),  # T2; leads l3 (SAL), l4 (SQL); d1 about l3
        ({"industry": "Retail"}, 1, 3, 3, 1),  # T2; l3, l4 and the unmatched retail lead l5; d1
        ({"owner_id": "nobody"}, 0, 0, 0, 0),
        ({}, 2, 8, 6, 2),  # unfiltered (P, T2; l9 is after AS_OF): d1 and d2 (l8 has no account: only here)
    ],
)
async def test_filters_narrow_both_funnels_and_the_sla_figures(graph, filters, targets, leads, mqls, decisions):
    card = await program_scorecard(graph, WINDOW, AS_OF, **filters)
    assert card["abm"]["target_accounts"] == targets
    assert (card["traditional"]["leads"], card["traditional"]["mqls"]) == (leads, mqls)
    assert card["sla"]["total"]["decisions"] == decisions
    if not targets:
        assert card["abm"]["mean_coverage"] is None and card["abm"]["percent_engaged"] == 0.0


async def test_an_earlier_moment_sees_fewer_leads_and_earlier_stages(graph):
    card = await program_scorecard(graph, WINDOW, AS_OF - timedelta(days=60))
    # Leads created by −60: l1, l2, l5, l6. T2 had just reached MQA at −60; P was a TARGET.
    assert card["traditional"]["leads"] == 4
    assert card["abm"]["by_stage"]["MQA"] == 1 and card["abm"]["by_stage"]["TARGET"] == 1
    assert card["abm"]["percent_engaged"] == 50.0  # the TARGET is not engaged yet
    assert card["abm"]["mqa_to_opportunity"] == {"mqa_accounts": 1, "converted": 0, "rate": 0.0}


def test_an_empty_funnel_has_no_rates():
    funnel = lead_funnel([])
    assert funnel["leads"] == 0 and set(funnel["conversion"].values()) == {None}


def test_leads_without_a_history_count_where_their_stored_status_had_been():
    def lead(status):
        return {"status": status, "sent_to_sales": False, "new": False, "created_at": 0, "moved": False, "changes": []}

    funnel = lead_funnel([lead("RECYCLED")] * 3 + [lead("LOST")] + [lead("DISQUALIFIED")] * 2)
    assert (funnel["leads"], funnel["mqls"], funnel["sent_to_sales"], funnel["opportunities"], funnel["won"]) == (
        6,
        4,
        1,
        1,
        0,
    )
    # Without a history there is no velocity to measure.
    assert {v["leads"] for v in funnel["median_days_to_advance"].values()} == {0}


async def _equal_to_live(db, moment, **filters):
    card = await program_scorecard(db, WINDOW, moment, **filters)
    live = await program_scorecard(db, WINDOW, moment, live=True, **filters)
    assert_same_json(card, live, (moment,))
    return card


def _after_the_fixture():
    """A moment after everything the fixture dated (imported statuses are dated when imported)."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


async def test_later_moments_reuse_both_funnels_until_something_dated_between_changes_them(graph):
    base = _after_the_fixture()
    await recompute_graph(graph, AS_OF)  # every target served by stored figures
    # c6 engaged 59 days before base: in the window at base, out of it two days later.
    edge = (base - timedelta(days=WINDOW - 1) - AS_OF) / timedelta(days=1)
    report = await Importer(graph).import_rows("engagements", [(1, engagement("e-edge", "c6", "demo_request", edge))])
    assert report.errors == []
    reads = []
    real_read = graph.read

    async def counting_read(statement, **params):
        reads.append(statement)
        return await real_read(statement, **params)

    graph.read = counting_read
    try:
        built = await _equal_to_live(graph, base)
        assert built["abm"]["accounts_with_engaged_people"] >= 1
        reads.clear()
        card = await program_scorecard(graph, WINDOW, base + timedelta(hours=1))
        assert "scorecards/lead_funnel" not in reads and "scorecards/target_figures" not in reads
        assert card["abm"] == built["abm"]
        assert card == await _equal_to_live(graph, base + timedelta(hours=1))
        reads.clear()
        later = await _equal_to_live(graph, base + timedelta(days=2))
        assert "scorecards/target_figures" in reads
        engaged = later["abm"]["accounts_with_engaged_people"]
        assert engaged == built["abm"]["accounts_with_engaged_people"] - 1
    finally:
        del graph.read


async def test_the_next_scorecard_reads_every_kind_of_write_from_this_process_or_another(graph, embedded):
    moment = _after_the_fixture() + timedelta(days=1)
    await recompute_graph(graph, AS_OF)
    before = await _equal_to_live(graph, moment)
    later = await _equal_to_live(graph, moment + timedelta(hours=1))  # kept: the same funnels
    assert (later["traditional"], later["abm"]) == (before["traditional"], before["abm"])
    # A status change (mutation), an engagement imported, a target set, a lead imported, then a
    # routing decision and a recompute by another process: each is in the next answer.
    await set_lead_status(graph, "l2", LeadStatus.MQL, None, "test", moment - timedelta(hours=1))
    assert (await _equal_to_live(graph, moment))["traditional"]["mqls"] == before["traditional"]["mqls"] + 1
    days = (moment - AS_OF) / timedelta(days=1) - 2  # before the fixture's end: not in the future
    report = await Importer(graph).import_rows("engagements", [(1, engagement("e-new", "c6", "demo_request", days))])
    assert report.errors == []
    engaged = (await _equal_to_live(graph, moment))["abm"]["accounts_with_engaged_people"]
    assert engaged == before["abm"]["accounts_with_engaged_people"] + 1
    await set_target(graph, "N", True, 3)
    assert (await _equal_to_live(graph, moment))["abm"]["target_accounts"] == 3
    lead = {"id": "l-new", "email": "new@gmail.com", "status": "NEW", "created_at": at(days)}
    assert (await Importer(graph).import_rows("leads", [(1, lead)])).errors == []
    assert (await _equal_to_live(graph, moment))["traditional"]["leads"] == before["traditional"]["leads"] + 1
    info = embedded.status()
    other = Database.connect(str(info["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME)
    try:
        await route(other, "l-new", now=moment - timedelta(hours=1))
        await _equal_to_live(graph, moment)
        await recompute_graph(other, moment - timedelta(hours=1))
        await _equal_to_live(graph, moment)
    finally:
        await other.close()
