"""Scores through the API: account score and its explanation, coverage, lead scores, the model
mutation and recompute, on the hand-computed graph of tests/hand_graph.py."""

from datetime import UTC, datetime, timedelta

import pytest
from api_graph import codes, data_of, execute
from hand_graph import AS_OF, SCORING_MODEL, load_hand_graph

from graphsvc.auth import Caller, Role
from graphsvc.scores.recompute import recompute_graph
from graphsvc.scores.subtrees import subtree_scores

pytestmark = pytest.mark.db

STRATEGIST = Caller(Role.STRATEGIST, name="strategist")


@pytest.fixture(autouse=True)
async def hand_graph(empty_db):
    await load_hand_graph(empty_db)


async def test_account_score_and_contributions_at_as_of(db):
    data = await data_of(
        db,
        """query($asOf: DateTime) { account(id: "R") { score(asOf: $asOf) {
            engagement rolledUp fit total contributions(first: 2) { sourceId kind points weight path } } } }""",
        asOf=AS_OF.isoformat(),
    )
    score = data["account"]["score"]
    assert score["engagement"] == pytest.approx(-3.375)
    assert score["rolledUp"] == pytest.approx(9.525)
    assert score["fit"] == pytest.approx(50.0)
    assert score["total"] == pytest.approx(29.7625)
    # p2 at C: 0.5 × 18 = 9; p1 at G: 0.25 × 1.3 × 12 = 3.9.
    assert score["contributions"] == [
        {"sourceId": "p2", "kind": "contact", "points": pytest.approx(9.0), "weight": 1.0, "path": ["p2", "C", "R"]},
        {
            "sourceId": "p1",
            "kind": "contact",
            "points": pytest.approx(3.9),
            "weight": 1.3,
            "path": ["p1", "G", "C", "R"],
        },
    ]


async def test_a_score_before_later_engagements_ignores_them(db):
    # 45 days before as_of, only p3's careers visit (60 days before) had happened: −9 × 0.5^(15/30).
    before = (AS_OF - timedelta(days=45)).isoformat()
    data = await data_of(
        db, 'query($t: DateTime) { account(id: "R") { score(asOf: $t) { engagement rolledUp } } }', t=before
    )
    assert data["account"]["score"]["engagement"] == pytest.approx(1.5 * -9 * 0.5**0.5)
    assert data["account"]["score"]["rolledUp"] == pytest.approx(1.5 * -9 * 0.5**0.5)


async def test_coverage_of_a_single_threaded_account(db):
    data = await data_of(
        db,
        """query($t: DateTime) { account(id: "G") { coverage(asOf: $t) {
            template coverage engagedCoverage engagedContacts singleThreaded missingRoles unengagedRoles
            roles { role required weight known engaged contacts { id } } } } }""",
        t=AS_OF.isoformat(),
    )
    coverage = data["account"]["coverage"]
    assert coverage["template"] == "default"
    assert coverage["coverage"] == pytest.approx(0.2)
    assert coverage["engagedCoverage"] == pytest.approx(0.2)
    assert coverage["engagedContacts"] == 1
    assert coverage["singleThreaded"] is True
    assert coverage["missingRoles"] == [
        "ECONOMIC_BUYER",
        "DECISION_MAKER",
        "TECHNICAL_EVALUATOR",
        "INFLUENCER",
        "END_USER",
    ]
    assert coverage["unengagedRoles"] == []
    champion = next(role for role in coverage["roles"] if role["role"] == "CHAMPION")
    assert champion == {
        "role": "CHAMPION",
        "required": True,
        "weight": 0.2,
        "known": True,
        "engaged": True,
        "contacts": [{"id": "p1"}],
    }


async def test_a_window_that_misses_the_engagement_leaves_the_role_unengaged(db):
    data = await data_of(
        db,
        'query($t: DateTime) { account(id: "G") { coverage(asOf: $t, windowDays: 20) { engagedCoverage unengagedRoles } } }',
        t=AS_OF.isoformat(),
    )
    assert data["account"]["coverage"] == {"engagedCoverage": 0.0, "unengagedRoles": ["CHAMPION"]}


async def test_an_unknown_template_is_a_clear_error(db):
    result = await execute(db, '{ account(id: "G") { coverage(template: "nope") { coverage } } }')
    assert codes(result) == ["INVALID_INPUT"]
    assert "no committee template named 'nope'" in result.errors[0].message


async def test_contact_lead_score_with_grade_and_objectives(db):
    data = await data_of(
        db,
        """query($t: DateTime) { contact(id: "p1") { score(asOf: $t) {
            demographic behavioral total fit completeness interest grade nurtureObjectives disqualified } } }""",
        t=AS_OF.isoformat(),
    )
    # vp 16 + software (from its account) 20 = 36 of 40 → fit 0.9, completeness 1; behavioral 12 < 60/3 → LOW.
    assert data["contact"]["score"] == {
        "demographic": pytest.approx(36.0),
        "behavioral": pytest.approx(12.0),
        "total": pytest.approx(48.0),
        "fit": pytest.approx(0.9),
        "completeness": 1.0,
        "interest": "LOW",
        "grade": "D",
        "nurtureObjectives": ["INCREASE_INTEREST"],
        "disqualified": False,
    }


async def test_set_scoring_model_lists_every_violation_and_keeps_the_old_model(db):
    broken = {**SCORING_MODEL, "version": 102, "demographic": {**SCORING_MODEL["demographic"], "weight": 70}}
    result = await execute(db, "mutation($m: JSON!) { setScoringModel(model: $m) }", m=broken)
    assert codes(result) == ["DOCUMENT_INVALID"]
    paths = {violation["path"] for violation in result.errors[0].extensions["violations"]}
    assert {"demographic.weight"} <= paths
    changed = {**SCORING_MODEL, "version": 103, "thresholds": {"mql": 90, "abm": 45}}
    data = await data_of(db, "mutation($m: JSON!) { setScoringModel(model: $m) }", m=changed)
    assert data["setScoringModel"]["thresholds"] == {"mql": 90, "abm": 45}
    assert data["setScoringModel"]["version"] == 103


async def test_recompute_is_for_admins_and_counts_accounts(db):
    denied = await execute(db, "mutation { recompute }", caller=STRATEGIST)
    assert codes(denied) == ["FORBIDDEN"]
    data = await data_of(db, "mutation($t: DateTime) { recompute(asOf: $t) }", t=AS_OF.isoformat())
    assert data == {"recompute": 4}


SCORE_NOW = '{ account(id: "R") { score { engagement rolledUp fit total } } }'


async def exact_now(db) -> dict:
    score = (await subtree_scores(db, ["R"], datetime.now(UTC))).score("R")
    return {
        "engagement": pytest.approx(score.engagement, rel=1e-6),
        "rolledUp": pytest.approx(score.rolled_up, rel=1e-6),
        "fit": pytest.approx(score.fit),
        "total": pytest.approx(score.total, rel=1e-6),
    }


async def test_score_now_from_stored_sums_follows_imports_and_set_buying_role(db):
    await recompute_graph(db)
    assert (await data_of(db, SCORE_NOW))["account"]["score"] == await exact_now(db)

    # A new demo request by p2 at C (weight 1.0): the import adds it to C's and R's sums.
    now = datetime.now(UTC).isoformat()
    row = {"id": "e9", "person_id": "p2", "type": "demo_request", "occurred_at": now}
    imported = await data_of(
        db, 'mutation($r: [JSON!]!) { importRecords(kind: "engagements", rows: $r) { imported } }', r=[row]
    )
    assert imported["importRecords"]["imported"] == 1
    after_import = (await data_of(db, SCORE_NOW))["account"]["score"]
    assert after_import == await exact_now(db)

    # p2 becomes DECISION_MAKER (1.5): setBuyingRole rescores the tree, so the stored path follows.
    await data_of(db, 'mutation { setBuyingRole(personId: "p2", role: "DECISION_MAKER") { id } }')
    after_role = (await data_of(db, SCORE_NOW))["account"]["score"]
    assert after_role == await exact_now(db)
    assert after_role["rolledUp"] > after_import["rolledUp"]


async def test_a_query_for_the_total_alone_reads_no_subtree(db):
    await recompute_graph(db)
    before = db.round_trips
    await data_of(db, '{ account(id: "G") { score { total } } }')
    # The account, the documents in force, its stored sums.
    assert db.round_trips - before == 3
