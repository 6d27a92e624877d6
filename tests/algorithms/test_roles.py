"""Buying roles: title rules in order, explicit roles win, the largest propagation weight."""

import pytest

from graphsvc.algorithms.roles import RoleAssignment, RoleSource, infer_role, resolve_roles, role_weight
from graphsvc.documents import default_document, load_document

RULES = default_document("roles")


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Chief Executive Officer", "ECONOMIC_BUYER"),
        ("CFO", "ECONOMIC_BUYER"),
        ("Vice President of Finance", "DECISION_MAKER"),  # "president", but a vice president
        ("Chief Information Security Officer", "DECISION_MAKER"),
        ("VP Procurement", "BLOCKER"),  # blockers are tried before VPs
        ("General Counsel", "BLOCKER"),
        ("Director of IT", "CHAMPION"),
        ("IT Manager", "TECHNICAL_EVALUATOR"),
        ("Senior Software Engineer", "TECHNICAL_EVALUATOR"),
        ("Marketing Manager", "INFLUENCER"),
        ("Business Analyst", "INFLUENCER"),
        ("Account Executive", "END_USER"),
        ("Executive Assistant to the CEO", "END_USER"),  # "CEO", but "to the"
        ("Student", None),
        ("", None),
        (None, None),
    ],
)
def test_default_title_rules(title, role):
    inferred = infer_role(title, RULES)
    assert (inferred.role if inferred else None) == role


def test_first_matching_rule_wins_and_carries_its_confidence():
    rules = load_document(
        "roles",
        {
            "version": 1,
            "taxonomy": ["CHAMPION", "INFLUENCER"],
            "propagation_weights": {"CHAMPION": 1.3, "INFLUENCER": 1.0},
            "rules": [
                {"pattern": "manager", "role": "influencer", "confidence": 0.6},
                {"pattern": "product", "role": "CHAMPION"},
            ],
        },
    )
    assert infer_role("Product Manager", rules) == RoleAssignment("INFLUENCER", RoleSource.INFERRED, 0.6)
    assert infer_role("PRODUCT owner", rules) == RoleAssignment("CHAMPION", RoleSource.INFERRED, 0.7)


def test_explicit_roles_win_over_inferred():
    assert resolve_roles(["champion", "CHAMPION", " blocker "], "Chief Executive Officer", RULES) == (
        RoleAssignment("CHAMPION", RoleSource.EXPLICIT, 1.0),
        RoleAssignment("BLOCKER", RoleSource.EXPLICIT, 1.0),
    )
    assert resolve_roles([], "Chief Executive Officer", RULES)[0].role == "ECONOMIC_BUYER"
    assert resolve_roles([""], "Gardener", RULES) == ()


def test_role_weight_takes_the_largest_and_none_is_one():
    weights = RULES.propagation_weights
    assert role_weight(["BLOCKER"], weights) == 0.5
    assert role_weight(["BLOCKER", "champion"], weights) == 1.3
    assert role_weight(["END_USER", "ECONOMIC_BUYER"], weights) == 1.5
    assert role_weight([], weights, RULES.no_role_weight) == 1.0
    assert role_weight(["AUDITOR"], weights) == 1.0  # a role the weights do not list
