"""route_lead on the real database: paths, rules, assignees and what is stored (SPEC §9)."""

from datetime import timedelta

import pytest
from conftest import graph_counts
from routing_graph import T0, engagements, import_rows, load_sales_graph

from graphsvc.errors import NotFound
from graphsvc.routing.decisions import AssignedBy, DecisionStatus, RoutingPath, RoutingRule, read_decision
from graphsvc.routing.engine import route_lead
from graphsvc.scores.documents import save_document
from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db


async def _lead(db, lead_id):
    rows = await db.read("routing/lead_facts", ids=[lead_id], known_documents=[])
    return rows[0]["lead"]


async def _assignee(db, decision_id):
    rows = await db.read("routing/decisions_by_ids", ids=[decision_id])
    return rows[0]["assignee_id"]


async def test_target_account_lead_at_55_goes_to_the_account_owner(empty_db):
    await load_sales_graph(empty_db)
    decision = await route_lead(empty_db, "l-55", now=T0)

    assert decision.path is RoutingPath.ABM
    assert decision.rule is RoutingRule.ABM_THRESHOLD
    assert decision.score == 55.0 and decision.threshold == 50.0
    assert (decision.assignee_id, decision.assigned_by) == ("u-ann", AssignedBy.ACCOUNT_OWNER)
    assert decision.status is DecisionStatus.PENDING
    assert decision.sla_due_at == T0 + timedelta(hours=4)
    assert (decision.config_version, decision.scoring_version) == (1, 201)
    assert decision.reasons[:3] == (
        "matched to target account Acme (acme) by DOMAIN (1.00)",
        "lead score 55 ≥ ABM threshold 50",
        "assigned to the account owner Ann (u-ann)",
    )
    stored = await read_decision(empty_db, decision.id)
    assert stored == decision
    assert await _assignee(empty_db, decision.id) == "u-ann"
    assert (await _lead(empty_db, "l-55"))["status"] == "MQL"


async def test_lead_at_45_is_nurtured_until_its_account_is_mqa_then_goes_to_the_owner(empty_db):
    await load_sales_graph(empty_db)
    nurtured = await route_lead(empty_db, "l-45", now=T0)
    assert nurtured.rule is RoutingRule.ABM_NURTURE and nurtured.status is DecisionStatus.UNASSIGNED
    assert nurtured.assignee_id is None and nurtured.sla_due_at is None
    assert "lead score 45 < ABM threshold 50 and account stage none is before MQA" in nurtured.reasons
    assert (await _lead(empty_db, "l-45"))["status"] == "NURTURE"

    # Two engaged committee members make Acme an MQA: (25 + 25) × 1.5 each = 150 ≥ 100, plus
    # l-55's blog visit (5); engaged coverage ECONOMIC_BUYER .25 + DECISION_MAKER .25 = 0.5 ≥ 0.4.
    await import_rows(
        empty_db,
        {
            "contacts": [
                {"id": "c-eb", "account_id": "acme", "roles": "ECONOMIC_BUYER"},
                {"id": "c-dm", "account_id": "acme", "roles": "DECISION_MAKER"},
            ],
            "engagements": engagements("c-eb", "demo", "pricing") + engagements("c-dm", "demo", "pricing"),
        },
    )
    await recompute_graph(empty_db, T0)  # scores, then stages: Acme is MQA

    routed = await route_lead(empty_db, "l-45", now=T0 + timedelta(minutes=1))
    assert routed.rule is RoutingRule.ABM_ACCOUNT_STAGE
    assert routed.score == 45.0 and routed.threshold == 0.0
    assert "account is at stage MQA and the lead score 45 is positive" in routed.reasons
    assert (routed.assignee_id, routed.status) == ("u-ann", DecisionStatus.PENDING)
    assert (await _lead(empty_db, "l-45"))["status"] == "MQL"


async def test_non_target_lead_at_95_is_nurtured_with_its_objectives(empty_db):
    await load_sales_graph(empty_db)
    decision = await route_lead(empty_db, "l-95", now=T0)

    assert (decision.path, decision.rule) == (RoutingPath.TRADITIONAL, RoutingRule.NURTURE)
    assert decision.score == 95.0 and decision.threshold == 100.0
    # fit 5/50 = 0.1 < 0.5; completeness 1/2 is not below 0.5; interest 90 ≥ 50 is HIGH.
    assert decision.nurture_objectives == ("CONFIRM_FIT",)
    assert decision.reasons == (
        "matched to Plain (plain) by DOMAIN, not a target account",
        "lead score 95 < MQL threshold 100: nurture",
        "nurture objectives: CONFIRM_FIT",
    )
    assert decision.status is DecisionStatus.UNASSIGNED and decision.assignee_id is None
    assert (await _lead(empty_db, "l-95"))["status"] == "NURTURE"
    assert (await read_decision(empty_db, decision.id)).nurture_objectives == ("CONFIRM_FIT",)


async def test_non_target_lead_at_100_goes_to_the_bdr_pool(empty_db):
    await load_sales_graph(empty_db)
    decision = await route_lead(empty_db, "l-100", now=T0)

    assert (decision.path, decision.rule) == (RoutingPath.TRADITIONAL, RoutingRule.MQL_THRESHOLD)
    assert decision.score == 100.0
    # First turn of bea 2, ben 1 (bo inactive): bea 2 beats ben 1.
    assert (decision.assignee_id, decision.assigned_by, decision.pool, decision.pool_slot) == (
        "u-bea",
        AssignedBy.POOL,
        "bdr",
        1,
    )
    assert decision.sla_due_at == T0 + timedelta(hours=24)
    assert "skipped in pool bdr: Bo (u-bo) inactive" in decision.reasons
    assert (await _lead(empty_db, "l-100"))["status"] == "MQL"


async def test_inactive_owner_passes_to_the_ancestors_owner_then_to_the_ae_pool(empty_db):
    await load_sales_graph(empty_db)
    decision = await route_lead(empty_db, "l-leaf", now=T0)
    assert (decision.rule, decision.score) == (RoutingRule.ABM_THRESHOLD, 50.0)
    assert (decision.assignee_id, decision.assigned_by) == ("u-cat", AssignedBy.ANCESTOR_OWNER)
    assert decision.reasons[2:] == (
        "account owner Bob (u-bob) is inactive",
        "assigned to Cat (u-cat), owner of Holdco (holdco), 2 levels up the account hierarchy",
    )

    # Cat leaves: nobody up the hierarchy is active, so the AE pool's round robin decides
    # (ann and dan weigh 1 each; the tie goes to the first by id, bob is inactive).
    await import_rows(empty_db, {"users": [{"id": "u-cat", "name": "Cat", "role": "AE", "active": False}]})
    await empty_db.write(
        "routing/close_decision",
        id=decision.id,
        lock="test",
        status="REJECTED",
        at=T0.isoformat(),
        reason="test",
        lead_status="RECYCLED",
        lead_from=["MQL"],
    )
    again = await route_lead(empty_db, "l-leaf", now=T0)
    assert (again.assignee_id, again.assigned_by, again.pool) == ("u-ann", AssignedBy.POOL, "ae")
    assert "no active owner up the account hierarchy: round robin in pool ae" in again.reasons
    assert "Cat (u-cat), owner of Holdco (holdco), is inactive" in again.reasons


async def test_disqualified_leads_are_never_routed(empty_db):
    await load_sales_graph(empty_db)
    by_score = await route_lead(empty_db, "l-dq", now=T0)
    assert by_score.rule is RoutingRule.DISQUALIFIED and by_score.path is None
    assert by_score.status is DecisionStatus.UNASSIGNED and by_score.assignee_id is None
    assert by_score.reasons == (
        "disqualified by seniority = student (priority -10)",
        "disqualified leads are never routed",
    )
    assert by_score.score == 75.0  # high enough for the ABM path, were it not disqualified
    assert (await _lead(empty_db, "l-dq"))["status"] == "DISQUALIFIED"

    by_status = await route_lead(empty_db, "l-dq2", now=T0)
    assert by_status.rule is RoutingRule.DISQUALIFIED
    assert by_status.reasons[0] == "the lead's status is DISQUALIFIED"
    assert await _assignee(empty_db, by_status.id) is None


async def test_a_lead_with_an_open_decision_is_not_assigned_twice(empty_db):
    await load_sales_graph(empty_db)
    first = await route_lead(empty_db, "l-100", now=T0)
    second = await route_lead(empty_db, "l-100", now=T0 + timedelta(hours=1))
    assert second == first
    counts = await graph_counts(empty_db)
    assert counts["RoutingDecision"] == 1


async def test_dry_run_writes_nothing(empty_db):
    await load_sales_graph(empty_db)
    before = await graph_counts(empty_db)
    pool_before = await empty_db.read("routing/pool", pool="bdr")

    decision = await route_lead(empty_db, "l-100", dry_run=True, now=T0)
    assert decision.dry_run and (decision.assignee_id, decision.pool_slot) == ("u-bea", 1)
    for lead_id in ("l-55", "l-95", "l-dq"):
        await route_lead(empty_db, lead_id, dry_run=True, now=T0)

    assert await graph_counts(empty_db) == before
    assert await empty_db.read("routing/pool", pool="bdr") == pool_before
    assert (await _lead(empty_db, "l-100"))["status"] == "NEW"
    assert (await _lead(empty_db, "l-dq"))["status"] == "NEW"
    # The real routing then takes the slot the dry run showed.
    assert (await route_lead(empty_db, "l-100", now=T0)).assignee_id == "u-bea"


async def test_new_rules_apply_to_new_decisions_only(empty_db):
    await load_sales_graph(empty_db)
    before = await route_lead(empty_db, "l-55", now=T0)
    await save_document(
        empty_db,
        "routing",
        {
            "version": 2,
            "abm": {"pool": "ae", "sla_hours": 2},
            "stages": {"TARGET": [{"input": "is_target", "at_least": 1}]},
        },
    )
    after = await route_lead(empty_db, "l-leaf", now=T0)
    assert (after.config_version, after.sla_due_at) == (2, T0 + timedelta(hours=2))
    assert await read_decision(empty_db, before.id) == before  # still version 1, due in 4 h
    assert before.sla_due_at == T0 + timedelta(hours=4)


async def test_unknown_lead_is_not_found(empty_db):
    await load_sales_graph(empty_db)
    with pytest.raises(NotFound):
        await route_lead(empty_db, "nobody", now=T0)
