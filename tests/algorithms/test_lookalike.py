"""Lookalikes: hand-checked weighted Jaccard, and the sparse fast path equal to the networkx reference.

The accounts (weights: industry 3, employees 2, revenue 2, country 1, region 1, technology 1):

    won1   software, 1,200 staff (1000-4999), revenue 300m (250m-1b), US (na), aws, salesforce   mass 11
    won2   finance, 60 staff (50-199), DE (emea), aws                                          mass 8
    cand   software, 2,000 staff (1000-4999), CA (na), aws, hubspot                            mass 9
    blank  nothing known                                                                       mass 0

cand ~ won1: shared industry 3 + employees 2 + region 1 + aws 1 = 7; union 11 + 9 − 7 = 13 → 7/13.
cand ~ won2: shared aws 1; union 8 + 9 − 1 = 16 → 1/16.
won1 ~ won2: shared aws 1; union 11 + 8 − 1 = 18 → 1/18 (a customer is never compared with itself).
blank shares nothing: similarity 0, no nearest customer.
"""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.algorithms import lookalike
from graphsvc.algorithms.lookalike import (
    AttributeMatrix,
    CustomerSimilarity,
    Lookalike,
    account_attributes,
    attribute_graph,
    lookalikes,
    similarity_to_customers,
    weighted_jaccard,
)
from graphsvc.errors import InvalidInput

ACCOUNTS = {
    "won1": {
        "industry": "Software",
        "employees": 1200,
        "annual_revenue": 3e8,
        "country": "US",
        "technologies": ["aws", "Salesforce"],
    },
    "won2": {"industry": "finance", "employees": 60, "country": "DE", "technologies": ["aws"]},
    "cand": {"industry": "software", "employees": 2000, "country": "CA", "technologies": ["aws", "hubspot"]},
    "blank": {"industry": None, "technologies": []},
}
CUSTOMERS = ["won1", "won2"]
PROFILES = {account_id: account_attributes(record) for account_id, record in ACCOUNTS.items()}
CAND_SHARED = ("industry=software", "employees=1000-4999", "region=na", "technology=aws")


def _implementations():
    graph = attribute_graph(PROFILES)
    matrix = AttributeMatrix.from_profiles(PROFILES)
    return [
        (
            "reference",
            lambda a, b: weighted_jaccard(graph, a, b),
            lambda c: similarity_to_customers(graph, c),
            lambda a, k: lookalikes(graph, a, k),
        ),
        ("fast", matrix.similarity, matrix.similarity_to_customers, matrix.lookalikes),
    ]


IMPLEMENTATIONS = _implementations()
IDS = [name for name, *_ in IMPLEMENTATIONS]


def test_attributes_of_an_account_use_bands_regions_and_lower_case():
    assert PROFILES["won1"] == {
        "industry=software",
        "employees=1000-4999",
        "revenue=250m-1b",
        "country=us",
        "region=na",
        "technology=aws",
        "technology=salesforce",
    }
    assert PROFILES["blank"] == frozenset()
    # A value on a shared band end belongs to the higher band; an unknown country has no region.
    assert account_attributes({"annual_revenue": 5e7, "country": "XX"}) == {"revenue=50m-250m", "country=xx"}
    assert account_attributes({"employees": 49}) == {"employees=<50"}


@pytest.mark.parametrize(("name", "similarity", "to_customers", "top"), IMPLEMENTATIONS, ids=IDS)
def test_weighted_jaccard_by_hand(name, similarity, to_customers, top):
    assert similarity("cand", "won1") == pytest.approx(7 / 13)
    assert similarity("cand", "won2") == pytest.approx(1 / 16)
    assert similarity("won1", "won2") == pytest.approx(1 / 18)
    assert similarity("won1", "won1") == pytest.approx(1.0)
    assert similarity("blank", "won1") == 0.0
    assert similarity("blank", "blank") == 0.0


@pytest.mark.parametrize(("name", "similarity", "to_customers", "top"), IMPLEMENTATIONS, ids=IDS)
def test_similarity_to_the_nearest_won_customer_with_reasons(name, similarity, to_customers, top):
    result = to_customers(CUSTOMERS)
    assert result["cand"] == CustomerSimilarity("cand", pytest.approx(7 / 13), "won1", CAND_SHARED)
    assert result["won1"] == CustomerSimilarity("won1", pytest.approx(1 / 18), "won2", ("technology=aws",))
    assert result["won2"] == CustomerSimilarity("won2", pytest.approx(1 / 18), "won1", ("technology=aws",))
    assert result["blank"] == CustomerSimilarity("blank", 0.0, None, ())
    assert to_customers([])["cand"] == CustomerSimilarity("cand", 0.0, None, ())


@pytest.mark.parametrize(("name", "similarity", "to_customers", "top"), IMPLEMENTATIONS, ids=IDS)
def test_top_lookalikes_most_similar_first_without_strangers(name, similarity, to_customers, top):
    assert top("cand", 10) == [
        Lookalike("won1", pytest.approx(7 / 13), CAND_SHARED),
        Lookalike("won2", pytest.approx(1 / 16), ("technology=aws",)),
    ]
    assert [match.account_id for match in top("cand", 1)] == ["won1"]
    assert top("blank", 10) == []
    with pytest.raises(InvalidInput):
        top("nobody", 3)


@pytest.mark.parametrize(("name", "similarity", "to_customers", "top"), IMPLEMENTATIONS, ids=IDS)
def test_a_tie_goes_to_the_smaller_account_id(name, similarity, to_customers, top):
    profiles = {"z": {"industry=a"}, "b": {"industry=a"}, "x": {"industry=a"}}
    graph = attribute_graph(profiles)
    matrix = AttributeMatrix.from_profiles(profiles)
    for nearest in (similarity_to_customers(graph, ["z", "b"]), matrix.similarity_to_customers(["z", "b"])):
        assert nearest["x"].customer_id == "b" and nearest["b"].customer_id == "z"
    assert [m.account_id for m in lookalikes(graph, "z", 5)] == [m.account_id for m in matrix.lookalikes("z", 5)]
    assert [m.account_id for m in matrix.lookalikes("z", 5)] == ["b", "x"]


ATTRIBUTES = [f"{kind}={value}" for kind in ("industry", "employees", "country", "technology") for value in "abcd"]
# Whole-number weights keep every sum exact, so both paths must agree to the bit.
WEIGHTS = st.fixed_dictionaries(
    {kind: st.integers(0, 4).map(float) for kind in ("industry", "employees", "country", "technology")}
)


@settings(max_examples=150, deadline=None)
@given(
    profiles=st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=3), st.frozensets(st.sampled_from(ATTRIBUTES)), max_size=12
    ),
    weights=WEIGHTS,
    data=st.data(),
)
def test_fast_path_equals_the_reference(profiles, weights, data):
    ids = sorted(profiles)
    customers = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
    first = data.draw(st.integers(0, 6))
    graph = attribute_graph(profiles, weights)
    matrix = AttributeMatrix.from_profiles(profiles, weights)
    assert matrix.similarity_to_customers(customers) == similarity_to_customers(graph, customers)
    for account_id in ids:
        assert matrix.lookalikes(account_id, first) == lookalikes(graph, account_id, first)
        for other in ids:
            assert matrix.similarity(account_id, other) == weighted_jaccard(graph, account_id, other)


def test_docstring_examples():
    assert doctest.testmod(lookalike).failed == 0
