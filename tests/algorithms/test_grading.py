"""Grade, interest and nurture objectives of SPEC §3, including that no lead is left ungraded."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.algorithms.grading import (
    Grade,
    Interest,
    NurtureObjective,
    fit_ratio,
    grade,
    interest_level,
    nurture_objectives,
)


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (-5, Interest.LOW),
        (19.99, Interest.LOW),
        (20, Interest.MEDIUM),
        (59.99, Interest.MEDIUM),
        (60, Interest.HIGH),
    ],
)
def test_interest_against_a_behavioral_weight_of_60(points, level):
    assert interest_level(points, 60) is level


def test_fit_is_clipped():
    assert fit_ratio(20, 40) == 0.5
    assert fit_ratio(-8, 40) == 0.0
    assert fit_ratio(44, 40) == 1.0


@pytest.mark.parametrize(
    ("fit", "completeness", "interest", "expected"),
    [
        (1.0, 0.4, Interest.LOW, Grade.E),  # suspect
        (1.0, 1.0, Interest.LOW, Grade.D),  # low interest only
        (0.0, 0.0, Interest.HIGH, Grade.D),  # thin profile only
        (0.49, 0.5, Interest.HIGH, Grade.C),
        (0.5, 0.5, Interest.MEDIUM, Grade.B),
        (0.5, 0.5, Interest.HIGH, Grade.A),
    ],
)
def test_grades(fit, completeness, interest, expected):
    assert grade(fit, completeness, interest) is expected


def test_objectives():
    assert nurture_objectives(0.9, 1.0, Interest.HIGH) == ()
    assert nurture_objectives(0.9, 0.49, Interest.MEDIUM) == (
        NurtureObjective.COMPLETE_PROFILE,
        NurtureObjective.INCREASE_INTEREST,
    )
    assert nurture_objectives(0.1, 0.6, Interest.HIGH) == (NurtureObjective.CONFIRM_FIT,)


ratios = st.sampled_from([0.0, 0.25, 0.49, 0.5, 0.51, 1.0]) | st.floats(0, 1)


@given(fit=ratios, completeness=ratios, interest=st.sampled_from(list(Interest)))
def test_the_spec_rules_in_order_grade_every_lead(fit, completeness, interest):
    # The spec's conditions, literally, checked E, D, C, B, A: the first that holds is the grade.
    low, thin = interest is Interest.LOW, completeness < 0.5
    rules = [
        (Grade.E, low and thin),
        (Grade.D, low != thin),
        (Grade.C, fit < 0.5),
        (Grade.B, fit >= 0.5 and interest is Interest.MEDIUM),
        (Grade.A, fit >= 0.5 and interest is Interest.HIGH and completeness >= 0.5),
    ]
    holding = [g for g, holds in rules if holds]
    assert holding, "a lead fitting no rule"
    assert grade(fit, completeness, interest) is holding[0]
