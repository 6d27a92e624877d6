"""Lead scoring on the spec's example model; every expected number is worked out on paper.

Points of a choice: W_section × w_attr/100 × priority/10 (demographic 40, behavioral 60):
  seniority (w 50): vp 40×.5×.8 = 16, manager 8, student -20
  industry  (w 50): software 20, finance 12, retail 4
  demo_request (w 40) "*": 60×.4×1 = 24
  web_visit (w 30): pricing 18, careers 60×.3×-.5 = -9, "*" 60×.3×.2 = 3.6
  unsubscribe (w 30) "*": -18
Interest: LOW < 20, MEDIUM < 60, HIGH ≥ 60. Fit = demographic / 40.
"""

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.algorithms.grading import Grade, Interest, NurtureObjective
from graphsvc.algorithms.scoring import (
    Contribution,
    attribute_points,
    behavioral_points,
    decay,
    demographic_points,
    engagement_points,
    score_lead,
)
from graphsvc.documents import load_document

AS_OF = datetime(2025, 6, 30, 12, tzinfo=UTC)
MODEL = load_document(
    "scoring",
    {
        "version": 1,
        "demographic": {
            "weight": 40,
            "attributes": [
                {
                    "field": "seniority",
                    "weight": 50,
                    "choices": {
                        "c_level": 10,
                        "vp": 8,
                        "director": 6,
                        "manager": 4,
                        "individual": 2,
                        "student": -10,
                    },
                },
                {"field": "industry", "weight": 50, "choices": {"software": 10, "finance": 6, "retail": 2}},
            ],
        },
        "behavioral": {
            "weight": 60,
            "attributes": [
                {"event": "demo_request", "weight": 40, "choices": {"*": 10}},
                {"event": "web_visit", "weight": 30, "choices": {"pricing": 10, "careers": -5, "*": 2}},
                {"event": "unsubscribe", "weight": 30, "choices": {"*": -10}},
            ],
        },
    },
)


def engagement(event_type, detail=None, days_ago=0.0, id=None):
    return {"id": id, "type": event_type, "detail": detail, "occurred_at": AS_OF - timedelta(days=days_ago)}


def test_points_formula():
    assert attribute_points(40, 50, 8) == pytest.approx(16)
    assert attribute_points(60, 30, -5) == pytest.approx(-9)


@pytest.mark.parametrize(
    ("event_type", "detail", "points"),
    [
        ("web_visit", "pricing", 18.0),  # exact key
        ("WEB_VISIT", "Pricing", 18.0),  # type and detail case-insensitive
        ("web_visit", "blog", 3.6),  # "*" catches any other detail
        ("web_visit", None, 3.6),  # no detail: only "*" can match
        ("web_visit", "careers", -9.0),  # negative priority, negative points
        ("demo_request", "anything", 24.0),
        ("unsubscribe", None, -18.0),
        ("ad_click", "banner", 0.0),  # type not in the model
    ],
)
def test_engagement_points_exact_key_wins_over_star(event_type, detail, points):
    assert engagement_points(MODEL, event_type, detail) == pytest.approx(points)


def test_engagement_without_star_and_unknown_detail_scores_zero():
    model = load_document(
        "scoring",
        {
            "version": 1,
            "demographic": {
                "weight": 50,
                "attributes": [{"field": "seniority", "weight": 100, "choices": {"vp": 10}}],
            },
            "behavioral": {
                "weight": 50,
                "attributes": [{"event": "webinar", "weight": 100, "choices": {"attended": 10}}],
            },
        },
    )
    assert engagement_points(model, "webinar", "attended") == pytest.approx(50)
    assert engagement_points(model, "webinar", "registered") == 0.0


def test_decay_halves_points_at_one_half_life():
    assert decay(30, 30) == 0.5
    assert decay(0, 30) == 1.0
    assert decay(90, 30) == 0.125
    assert decay(-0.001, 30) == 0.0  # after as_of: not counted
    points, _ = behavioral_points(MODEL, [engagement("web_visit", "pricing", days_ago=30)], AS_OF)
    assert points == pytest.approx(9.0)  # 18 × 0.5
    points, _ = behavioral_points(MODEL, [engagement("web_visit", "pricing", days_ago=60)], AS_OF)
    assert points == pytest.approx(4.5)


def test_behavioral_points_accumulate_and_skip_the_future():
    engagements = [
        engagement("demo_request", days_ago=0, id="e1"),  # 24
        engagement("web_visit", "careers", days_ago=30, id="e2"),  # -9 × 0.5 = -4.5
        engagement("web_visit", "pricing", days_ago=-1, id="e3"),  # tomorrow: 0
        engagement("ad_click", days_ago=0, id="e4"),  # not scored: 0
    ]
    points, contributions = behavioral_points(MODEL, engagements, AS_OF)
    assert points == pytest.approx(19.5)
    assert contributions == (
        Contribution("e1", "engagement", 24.0, 1.0, ("behavioral", "demo_request", "*")),
        Contribution("e2", "engagement", -4.5, 0.5, ("behavioral", "web_visit", "careers")),
    )


def test_engagement_times_as_iso_strings_and_naive_utc():
    as_of = "2025-06-30T12:00:00Z"
    engagements = [
        {"type": "web_visit", "detail": "pricing", "occurred_at": "2025-05-31T12:00:00+00:00"},  # 30 days
        {
            "type": "web_visit",
            "detail": "pricing",
            "occurred_at": datetime(2025, 6, 30, 12),
        },  # naive = UTC, now
    ]
    points, _ = behavioral_points(MODEL, engagements, as_of)
    assert points == pytest.approx(18 * 0.5 + 18)


def test_engagement_without_time_is_an_error():
    with pytest.raises(ValueError, match="no occurred_at"):
        behavioral_points(MODEL, [{"id": "e9", "type": "demo_request"}], AS_OF)


def test_demographic_field_from_person_then_account():
    points, contributions = demographic_points(
        MODEL, {"seniority": "VP", "industry": None}, {"industry": "Software"}
    )
    assert points == pytest.approx(16 + 20)
    assert [(c.source_id, c.points, c.path) for c in contributions] == [
        ("seniority", 16.0, ("demographic", "seniority", "vp")),
        ("industry", 20.0, ("demographic", "industry", "software")),
    ]
    # The person's own value wins over the account's.
    points, _ = demographic_points(
        MODEL, {"seniority": "vp", "industry": "finance"}, {"industry": "software"}
    )
    assert points == pytest.approx(16 + 12)
    # Missing values and unknown values give 0.
    assert demographic_points(MODEL, {"seniority": "", "industry": "mining"})[0] == 0.0


def test_score_lead_grade_a():
    person = {"seniority": "vp", "industry": "software"}  # 36, fit 0.9
    engagements = [
        engagement("demo_request"),
        engagement("web_visit", "pricing"),
        engagement("web_visit", "pricing"),
    ]
    score = score_lead(MODEL, person, None, engagements, AS_OF)  # 24 + 18 + 18 = 60: HIGH
    assert (score.demographic, score.behavioral, score.total) == pytest.approx((36, 60, 96))
    assert (score.fit, score.completeness, score.interest) == (pytest.approx(0.9), 1.0, Interest.HIGH)
    assert score.grade == Grade.A == "A"
    assert score.nurture_objectives == ()
    assert not score.disqualified
    assert [c.points for c in score.contributions] == pytest.approx([24, 20, 18, 18, 16])  # largest first


def test_score_lead_grade_b():
    person = {"seniority": "vp", "industry": "software"}
    score = score_lead(
        MODEL, person, None, [engagement("demo_request"), engagement("web_visit", "pricing")], AS_OF
    )
    assert score.behavioral == pytest.approx(42)  # MEDIUM
    assert (score.interest, score.grade) == (Interest.MEDIUM, Grade.B)
    assert score.nurture_objectives == (NurtureObjective.INCREASE_INTEREST,)


def test_score_lead_grade_c():
    person = {"seniority": "manager", "industry": "retail"}  # 8 + 4 = 12, fit 0.3
    score = score_lead(
        MODEL, person, None, [engagement("demo_request"), engagement("web_visit", "pricing")], AS_OF
    )
    assert score.fit == pytest.approx(0.3)
    assert score.grade == Grade.C
    assert score.nurture_objectives == (NurtureObjective.INCREASE_INTEREST, NurtureObjective.CONFIRM_FIT)


def test_score_lead_grade_d_low_interest_complete_profile():
    score = score_lead(MODEL, {"seniority": "vp", "industry": "software"}, None, [], AS_OF)
    assert (score.interest, score.completeness, score.grade) == (Interest.LOW, 1.0, Grade.D)
    assert score.nurture_objectives == (NurtureObjective.INCREASE_INTEREST,)


def test_score_lead_grade_d_thin_profile_high_interest():
    engagements = [
        engagement("demo_request"),
        engagement("web_visit", "pricing"),
        engagement("web_visit", "pricing"),
    ]
    score = score_lead(MODEL, {}, None, engagements, AS_OF)
    assert (score.interest, score.completeness, score.fit, score.grade) == (Interest.HIGH, 0.0, 0.0, Grade.D)
    assert score.nurture_objectives == (NurtureObjective.COMPLETE_PROFILE, NurtureObjective.CONFIRM_FIT)


def test_score_lead_e_grade_suspect_and_its_objectives():
    score = score_lead(
        MODEL, {"email": "someone@example.com"}, None, [engagement("web_visit", "blog")], AS_OF
    )
    assert score.behavioral == pytest.approx(3.6)
    assert (score.interest, score.completeness, score.grade) == (Interest.LOW, 0.0, Grade.E)
    assert score.nurture_objectives == (
        NurtureObjective.COMPLETE_PROFILE,
        NurtureObjective.INCREASE_INTEREST,
        NurtureObjective.CONFIRM_FIT,
    )


def test_half_complete_profile_is_not_thin():
    # One of two fields known: completeness 0.5 is not < 0.5.
    score = score_lead(MODEL, {"seniority": "vp"}, None, [], AS_OF)
    assert (score.completeness, score.fit, score.grade) == (0.5, pytest.approx(0.4), Grade.D)


def test_student_is_disqualified():
    score = score_lead(
        MODEL, {"seniority": "Student", "industry": "software"}, None, [engagement("demo_request")], AS_OF
    )
    assert score.demographic == pytest.approx(-20 + 20)
    assert score.disqualified
    assert score.fit == 0.0


def test_negative_points_lower_the_score():
    engagements = [engagement("unsubscribe"), engagement("web_visit", "careers")]
    score = score_lead(MODEL, {"seniority": "director", "industry": "finance"}, None, engagements, AS_OF)
    assert score.behavioral == pytest.approx(-27)
    assert score.total == pytest.approx(12 + 12 - 27)
    assert score.interest is Interest.LOW


def test_contact_takes_industry_from_its_account():
    score = score_lead(MODEL, {"seniority": "c_level"}, {"industry": "FINANCE"}, [], AS_OF)
    assert score.demographic == pytest.approx(20 + 12)
    assert score.completeness == 1.0


def test_scores_read_objects_as_well_as_mappings():
    from types import SimpleNamespace

    person = SimpleNamespace(seniority="vp", industry="software")
    visit = SimpleNamespace(id="e1", type="web_visit", detail="pricing", occurred_at=AS_OF)
    score = score_lead(MODEL, person, None, [visit], AS_OF)
    assert score.total == pytest.approx(36 + 18)
