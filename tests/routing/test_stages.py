"""Account stages and lead statuses (SPEC §8): the rules, the routing document, the recorded history."""

from datetime import timedelta

import pytest
from routing_graph import SCORING_MODEL, T0, engagements, import_rows

from graphsvc.documents import DocumentInvalid, default_document, load_document
from graphsvc.funnel import AccountStage, LeadStatus, account_stage, can_move, moves_into
from graphsvc.scores.documents import documents_in_force, save_document
from graphsvc.scores.recompute import recompute_graph
from graphsvc.stages import evaluate_stages, stage_history

STAGES = default_document("routing").stages


@pytest.mark.parametrize(
    ("inputs", "stage"),
    [
        ({"won_opportunities": 1, "open_opportunities": 2}, AccountStage.CUSTOMER),
        ({"open_opportunities": 1, "rolled_windowed_engagement": 500, "engaged_coverage": 1}, AccountStage.OPPORTUNITY),
        ({"rolled_windowed_engagement": 100, "engaged_coverage": 0.4}, AccountStage.MQA),
        (
            {"rolled_windowed_engagement": 100, "engaged_coverage": 0.39, "windowed_engagement": 20},
            AccountStage.ENGAGED,
        ),
        ({"rolled_windowed_engagement": 99.9, "engaged_coverage": 1, "windowed_engagement": 19.9}, AccountStage.AWARE),
        ({"windowed_engagement": 0.01}, AccountStage.AWARE),
        ({"windowed_engagement": 0, "is_target": 1}, AccountStage.TARGET),
        ({"windowed_engagement": -5, "is_target": 0}, None),
        ({}, None),
    ],
)
def test_the_highest_stage_whose_rule_holds(inputs, stage):
    assert account_stage(STAGES, inputs) == stage


def test_lead_status_moves():
    assert can_move(LeadStatus.NEW, LeadStatus.MQL) and can_move(LeadStatus.MQL, LeadStatus.SAL)
    assert not can_move(LeadStatus.SAL, LeadStatus.MQL) and not can_move(LeadStatus.WON, LeadStatus.DISQUALIFIED)
    assert can_move(LeadStatus.RECYCLED, LeadStatus.MQL) and can_move(None, LeadStatus.NURTURE)
    assert moves_into(LeadStatus.RECYCLED) == ["MQL", "SAL", "SQL", "LOST", "RECYCLED"]


def test_an_invalid_routing_document_lists_every_violation_by_path():
    with pytest.raises(DocumentInvalid) as caught:
        load_document(
            "routing",
            {
                "version": 0,
                "abm": {"pool": "ae", "sla_hours": 0},
                "escalation_depth": -1,
                "stages": {
                    "MQA": [{"input": "engagement", "at_least": 1}, {"input": "fit", "at_least": 1, "above": 0}],
                    "LATER": [{"input": "fit", "at_least": 1}],
                    "AWARE": [{"input": "fit"}],
                    "TARGET": [],
                },
            },
        )
    assert sorted(caught.value.violations) == sorted(
        [
            ("version", "Input should be greater than or equal to 1"),
            ("abm.sla_hours", "Input should be greater than 0"),
            ("escalation_depth", "Input should be greater than or equal to 0"),
            (
                "stages.MQA[0].input",
                "Input should be 'windowed_engagement', 'rolled_windowed_engagement', 'engaged_coverage', "
                "'coverage', 'engaged_contacts', 'fit', 'is_target', 'open_opportunities' or 'won_opportunities'",
            ),
            ("stages.MQA[1]", "give exactly one of at_least and above"),
            ("stages.AWARE[0]", "give exactly one of at_least and above"),
            ("stages.LATER", "key: Input should be 'TARGET', 'AWARE', 'ENGAGED', 'MQA', 'OPPORTUNITY' or 'CUSTOMER'"),
            ("stages.TARGET", "List should have at least 1 item after validation, not 0"),
        ]
    )


@pytest.mark.db
async def test_a_saved_routing_document_is_in_force_and_keeps_its_rules(empty_db):
    assert (await documents_in_force(empty_db)).routing == default_document("routing")
    data = {
        "version": 7,
        "traditional": {"pool": "SDR", "sla_hours": 8},
        "escalation_depth": 1,
        "stages": {"ENGAGED": [{"input": "windowed_engagement", "above": 5}]},
    }
    await save_document(empty_db, "routing", data)
    routing = (await documents_in_force(empty_db)).routing
    assert (routing.version, routing.traditional.pool, routing.escalation_depth, routing.abm.sla_hours) == (
        7,
        "sdr",
        1,
        4,
    )
    assert account_stage(routing.stages, {"windowed_engagement": 6, "won_opportunities": 1}) is AccountStage.ENGAGED


@pytest.mark.db
async def test_stage_changes_are_recorded_with_their_times(empty_db):
    """After recompute at T0: t-mqa (two engaged committee members, 150 points, coverage 0.5) is
    MQA, t-engaged (one contact, 25 points) ENGAGED, t-aware (5 points) AWARE, t-cold TARGET,
    plain (no target, no engagement) outside the funnel, won CUSTOMER."""
    await import_rows(
        empty_db,
        {
            "accounts": [
                {"id": "t-mqa", "name": "Mqa", "is_target": True},
                {"id": "t-engaged", "name": "Engaged", "is_target": True},
                {"id": "t-aware", "name": "Aware"},
                {"id": "t-cold", "name": "Cold", "is_target": True},
                {"id": "plain", "name": "Plain"},
                {"id": "won", "name": "Won"},
            ],
            "contacts": [
                {"id": "c-eb", "account_id": "t-mqa", "roles": "ECONOMIC_BUYER"},
                {"id": "c-dm", "account_id": "t-mqa", "roles": "DECISION_MAKER"},
                {"id": "c-e", "account_id": "t-engaged"},
                {"id": "c-a", "account_id": "t-aware"},
            ],
            "opportunities": [{"id": "o-won", "account_id": "won", "status": "WON"}],
            "engagements": [
                *engagements("c-eb", "demo", "pricing"),
                *engagements("c-dm", "demo", "pricing"),
                *engagements("c-e", "demo"),
                *engagements("c-a", "blog"),
            ],
        },
    )
    await save_document(empty_db, "scoring", SCORING_MODEL)
    report = await recompute_graph(empty_db, T0)  # ends by evaluating every account's stage at T0
    assert report.stage_changes == 5
    rows = await empty_db.read("accounts/by_ids", ids=["t-mqa", "t-engaged", "t-aware", "t-cold", "plain", "won"])
    assert {row["account"]["id"]: row["account"].get("stage") for row in rows} == {
        "t-mqa": "MQA",
        "t-engaged": "ENGAGED",
        "t-aware": "AWARE",
        "t-cold": "TARGET",
        "plain": None,
        "won": "CUSTOMER",
    }
    [change] = await stage_history(empty_db, "t-mqa")
    assert (change.previous, change.stage, change.at) == (None, AccountStage.MQA, T0)

    # Nothing moved: nothing recorded.
    report = await evaluate_stages(empty_db, as_of=T0 + timedelta(hours=1))
    assert (report.evaluated, report.changed) == (6, {})
    assert len(await stage_history(empty_db, "t-mqa")) == 1

    # An open opportunity a day later moves t-mqa on; the history has both moves and their times.
    await import_rows(empty_db, {"opportunities": [{"id": "o-1", "account_id": "t-mqa", "status": "OPEN"}]})
    later = T0 + timedelta(days=1)
    report = await evaluate_stages(empty_db, ["t-mqa", "t-cold"], as_of=later)
    assert (report.evaluated, report.changed) == (2, {"t-mqa": (AccountStage.MQA, AccountStage.OPPORTUNITY)})
    history = await stage_history(empty_db, "t-mqa")
    assert [(c.previous, c.stage, c.at) for c in history] == [
        (None, AccountStage.MQA, T0),
        (AccountStage.MQA, AccountStage.OPPORTUNITY, later),
    ]
    [row] = await empty_db.read("accounts/by_ids", ids=["t-mqa"])
    assert row["account"]["stage"] == "OPPORTUNITY"
    assert row["account"]["stage_since"].to_native() == later

    # Leaving the funnel is a change too: t-cold stops being a target.
    await import_rows(empty_db, {"accounts": [{"id": "t-cold", "name": "Cold", "is_target": False}]})
    report = await evaluate_stages(empty_db, ["t-cold"], as_of=later)
    assert report.changed == {"t-cold": (AccountStage.TARGET, None)}
    assert [(c.previous, c.stage) for c in await stage_history(empty_db, "t-cold")] == [
        (None, AccountStage.TARGET),
        (AccountStage.TARGET, None),
    ]
