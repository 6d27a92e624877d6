"""Configuration documents: defaults, every violation listed by path, case, bands, parsing."""

import copy
import math

import pytest
from pydantic import ValidationError

from graphsvc.documents import (
    Band,
    CommitteeTemplates,
    DocumentInvalid,
    IcpModel,
    RoleRules,
    ScoringModel,
    default_document,
    load_document,
    parse_band,
    parse_document,
)
from graphsvc.errors import InvalidInput

SPEC_MODEL = {
    "version": 1,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
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
}


def violations_of(kind, data):
    with pytest.raises(DocumentInvalid) as caught:
        load_document(kind, data)
    return caught.value.violations


def test_spec_example_loads_with_its_defaults():
    data = copy.deepcopy(SPEC_MODEL)
    del data["thresholds"], data["decay_half_life_days"]
    model = load_document("scoring", data)
    assert isinstance(model, ScoringModel)
    assert (model.thresholds.mql, model.thresholds.abm, model.decay_half_life_days) == (100, 50, 30)


def test_default_scoring_model_covers_the_demo_data():
    model = default_document("scoring")
    assert (model.demographic.weight, model.behavioral.weight) == (40, 60)
    assert (model.thresholds.mql, model.thresholds.abm, model.decay_half_life_days) == (100, 50, 30)
    seniority, industry = model.demographic.attributes
    assert set(seniority.choices) == {"c_level", "vp", "director", "manager", "individual", "student"}
    assert seniority.choices["student"] == -10
    assert set(industry.choices) == {
        "software",
        "finance",
        "healthcare",
        "manufacturing",
        "retail",
        "education",
        "media",
        "telecom",
        "government",
        "energy",
    }
    assert [a.event for a in model.behavioral.attributes] == [
        "demo_request",
        "trial_signup",
        "web_visit",
        "content_download",
        "webinar",
        "event",
        "email_open",
        "email_click",
        "ad_click",
        "unsubscribe",
    ]
    details = {a.event: set(a.choices) for a in model.behavioral.attributes}
    assert {"pricing", "product", "docs", "blog", "careers", "home"} <= details["web_visit"]
    assert {"whitepaper", "ebook", "case_study", "datasheet"} <= details["content_download"]
    assert {"registered", "attended"} <= details["webinar"] & details["event"]


def test_every_default_document_loads():
    assert isinstance(default_document("icp"), IcpModel)
    assert isinstance(default_document("committees"), CommitteeTemplates)
    roles = default_document("roles")
    assert isinstance(roles, RoleRules)
    assert roles.propagation_weights == {
        "ECONOMIC_BUYER": 1.5,
        "DECISION_MAKER": 1.5,
        "CHAMPION": 1.3,
        "TECHNICAL_EVALUATOR": 1.2,
        "INFLUENCER": 1.0,
        "END_USER": 0.8,
        "BLOCKER": 0.5,
    }
    assert roles.no_role_weight == 1.0


def test_invalid_scoring_model_lists_every_violation_by_path():
    data = copy.deepcopy(SPEC_MODEL)
    data["demographic"]["weight"] = 55  # > 50, and 55 + 60 != 100
    data["demographic"]["attributes"][1]["weight"] = "heavy"  # not a number
    data["demographic"]["attributes"][0]["choices"]["vp"] = 11  # priority out of range
    data["behavioral"]["attributes"][1]["weight"] = 20  # 40 + 20 + 30 = 90
    data["behavioral"]["attributes"][2]["choices"]["*"] = 2.5  # not an integer
    data["colour"] = "blue"  # unknown key
    assert sorted(violations_of("scoring", data)) == sorted(
        [
            ("demographic.weight", "Input should be less than or equal to 50"),
            ("demographic.attributes[0].choices.vp", "Input should be less than or equal to 10"),
            ("demographic.attributes[1].weight", "Input should be a valid number"),
            ('behavioral.attributes[2].choices["*"]', "Input should be a valid integer"),
            ("colour", "Extra inputs are not permitted"),
            (
                "behavioral.weight",
                "section weights total 115 (demographic 55 + behavioral 60); they must total exactly 100",
            ),
            ("behavioral.attributes", "attribute weights total 90; they must total exactly 100"),
        ]
    )


def test_keys_equal_ignoring_case_and_duplicate_attributes_are_violations():
    data = copy.deepcopy(SPEC_MODEL)
    data["demographic"]["attributes"][0]["choices"]["VP"] = 7
    data["behavioral"]["attributes"][2]["event"] = "Web_Visit"
    paths = [path for path, _ in violations_of("scoring", data)]
    assert paths == ["demographic.attributes[0].choices.VP", "behavioral.attributes[2].event"]


def test_choice_keys_are_lower_cased_at_load():
    data = copy.deepcopy(SPEC_MODEL)
    data["demographic"]["attributes"][0]["choices"] = {"C_Level": 10, "VP": 8}
    model = load_document("scoring", data)
    assert model.demographic.attributes[0].choices == {"c_level": 10, "vp": 8}
    assert model.demographic.attributes[0].match("vP") == ("vp", 8)


def test_direct_validation_enforces_the_rules_too():
    data = copy.deepcopy(SPEC_MODEL)
    data["behavioral"]["weight"] = 50
    with pytest.raises(ValidationError, match="must total exactly 100"):
        ScoringModel.model_validate(data)


def test_yaml_and_json_texts_give_the_same_model():
    import json

    import yaml

    from_json = parse_document("scoring", json.dumps(SPEC_MODEL))
    from_yaml = parse_document("scoring", yaml.safe_dump(SPEC_MODEL))
    assert from_json == from_yaml == load_document("scoring", SPEC_MODEL)


def test_yaml_country_no_stays_a_string_and_duplicate_keys_are_rejected():
    icp = parse_document(
        "icp", "version: 1\nattributes:\n- {field: country, weight: 100, choices: {NO: 5, yes: 1}}\n"
    )
    assert icp.attributes[0].choices == {"no": 5, "yes": 1}
    with pytest.raises(DocumentInvalid) as caught:
        parse_document("icp", "version: 1\nversion: 2\n")
    assert caught.value.violations[0][0] == ""
    assert "duplicate key 'version'" in caught.value.violations[0][1]
    with pytest.raises(DocumentInvalid, match="duplicate keys"):
        parse_document("icp", '{"version": 1, "version": 2}')


def test_bands_parse_from_keys():
    assert parse_band("1000-4999") == Band(1000, True, 4999, True)
    assert parse_band("5000+") == Band(5000, True, math.inf, False)
    assert parse_band("<50") == Band(-math.inf, False, 50, False)
    assert parse_band(">=1,000") == Band(1000, True, math.inf, False)
    assert parse_band("10m-100m") == Band(1e7, True, 1e8, True)
    assert parse_band("42") == Band(42, True, 42, True)
    assert parse_band("software") is None


def test_empty_and_overlapping_bands_are_violations_touching_ones_are_not():
    data = {
        "version": 1,
        "attributes": [
            {
                "field": "employees",
                "weight": 100,
                "choices": {"<50": 1, "50-199": 4, "150-300": 5, "900-100": 2, "10m-100m": 3, "100m+": 6},
            },
        ],
    }
    assert violations_of("icp", data) == [
        ('attributes[0].choices["900-100"]', "empty band: no number lies in it"),
        ('attributes[0].choices["150-300"]', "band overlaps band '50-199'"),
    ]


def test_committee_templates_need_a_default_and_pick_by_segment():
    templates = default_document("committees")
    assert [(r.role, r.weight, r.required) for r in templates.template("default").roles] == [
        ("ECONOMIC_BUYER", 0.25, True),
        ("DECISION_MAKER", 0.25, True),
        ("CHAMPION", 0.20, True),
        ("TECHNICAL_EVALUATOR", 0.15, True),
        ("INFLUENCER", 0.10, True),
        ("END_USER", 0.05, True),
        ("BLOCKER", 0.0, False),
    ]
    assert templates.template_for({"employees": 12000}).name == "enterprise"
    assert templates.template_for({"employees": 80}).name == "small_business"
    assert templates.template_for({"employees": 1000}).name == "default"
    assert templates.template_for({}).name == "default"
    data = {
        "version": 1,
        "templates": [
            {
                "name": "big",
                "segment": {"industry": ["Finance", "finance"]},
                "roles": [{"role": "champion", "weight": 0}, {"role": "CHAMPION", "weight": 1}],
            },
        ],
    }
    assert violations_of("committees", data) == [
        ("templates", "a template named 'default' is required"),
        ("templates[0].segment.industry.finance", "same key as 'Finance' ignoring case"),
        ("templates[0].roles[1].role", "duplicate of templates[0].roles[0].role ('CHAMPION')"),
        ("templates[0].roles[0].weight", "a required role needs a positive weight"),
    ]


def test_role_rules_check_patterns_and_the_taxonomy():
    data = {
        "version": 1,
        "taxonomy": ["CHAMPION", "blocker"],
        "propagation_weights": {"champion": 1.3, "OWNER": 2},
        "rules": [{"pattern": "(director", "role": "CHAMPION"}, {"pattern": "legal", "role": "ADVOCATE"}],
    }
    assert violations_of("roles", data) == [
        ("rules[0].pattern", "invalid regular expression: missing ), unterminated subpattern at position 0"),
        ("rules[1].role", "'ADVOCATE' is not in the taxonomy"),
        ("propagation_weights.OWNER", "role is not in the taxonomy"),
        ("propagation_weights", "role BLOCKER has no propagation weight"),
    ]


def test_unknown_kind_is_refused_naming_the_kinds():
    with pytest.raises(InvalidInput) as refused:
        load_document("pricing", {})
    assert str(refused.value) == "unknown document kind 'pricing'; the kinds are scoring, icp, committees, roles, routing"
