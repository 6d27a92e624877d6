"""ICP fit: clip(Σ w/100 × priority/10 × 100, 0, 100) with bands and list fields.

Test model: industry 40 {software 10, finance 5}; employees 30 {<50: 0, 50-999: 5,
1000-4999: 10, 5000+: 8}; technologies 30 {salesforce 10, hubspot 6, "*": 2}.
"""

import pytest

from graphsvc.algorithms.fit import account_fit
from graphsvc.documents import default_document, load_document

ICP = load_document(
    "icp",
    {
        "version": 1,
        "attributes": [
            {"field": "industry", "weight": 40, "choices": {"software": 10, "finance": 5}},
            {
                "field": "employees",
                "weight": 30,
                "choices": {"<50": 0, "50-999": 5, "1000-4999": 10, "5000+": 8},
            },
            {"field": "technologies", "weight": 30, "choices": {"salesforce": 10, "hubspot": 6, "*": 2}},
        ],
    },
)


def test_perfect_account_scores_100():
    fit, contributions = account_fit(
        ICP, {"industry": "Software", "employees": 1200, "technologies": ["hubspot", "Salesforce"]}
    )
    assert fit == pytest.approx(100)  # 40 + 30 + 30, technologies take their best item
    assert [(c.source_id, c.points, c.path[-1]) for c in contributions] == [
        ("industry", 40.0, "software"),
        ("employees", 30.0, "1000-4999"),
        ("technologies", 30.0, "salesforce"),
    ]


def test_partial_fit():
    # finance 40×.5 = 20; 5000 employees 30×.8 = 24; an unlisted technology "*" 30×.2 = 6
    fit, _ = account_fit(ICP, {"industry": "finance", "employees": 5000, "technologies": ["jira"]})
    assert fit == pytest.approx(50)


@pytest.mark.parametrize(
    ("employees", "points"), [(49, 0), (50, 15), (999, 15), (1000, 30), (4999, 30), (5000, 24)]
)
def test_band_edges(employees, points):
    assert account_fit(ICP, {"employees": employees})[0] == pytest.approx(points)


def test_missing_fields_give_zero_and_negative_fit_is_clipped():
    assert account_fit(ICP, {}) == (0.0, ())
    icp = load_document(
        "icp",
        {
            "version": 1,
            "attributes": [
                {"field": "employees", "weight": 50, "choices": {"<50": -10, "50+": 10}},
                {"field": "industry", "weight": 50, "choices": {"software": 10}},
            ],
        },
    )
    fit, contributions = account_fit(icp, {"employees": 10, "industry": "retail"})
    assert fit == 0.0
    assert [c.points for c in contributions] == [-50.0]


def test_touching_bands_give_the_shared_point_to_the_higher_band():
    icp = load_document(
        "icp",
        {
            "version": 1,
            "attributes": [
                {"field": "annual_revenue", "weight": 100, "choices": {"10m-100m": 5, "100m+": 10}},
            ],
        },
    )
    assert account_fit(icp, {"annual_revenue": 99_999_999.5})[0] == pytest.approx(50)
    assert account_fit(icp, {"annual_revenue": 100_000_000})[0] == pytest.approx(100)
    assert account_fit(icp, {"annual_revenue": 9e6})[0] == 0.0


def test_default_icp_on_a_demo_like_account():
    # software 35 + 1000-4999 employees 25 + 250m-1b revenue 15 + US 10 + salesforce 15 = 100
    account = {
        "industry": "software",
        "employees": 2000,
        "annual_revenue": 5e8,
        "country": "US",
        "technologies": ["slack", "salesforce"],
    }
    assert account_fit(default_document("icp"), account)[0] == pytest.approx(100)
