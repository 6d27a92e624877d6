"""Target recommendations: the surge formula, the priority blend, reasons and tiers, by hand.

priority = 100 × (0.5·fit/100 + 0.3·lookalike + 0.2·surge), surge = clip((cur − max(prev, 0)) / max(prev, 20), 0, 1).

    account  fit  lookalike  current  previous  surge                 priority
    acme      80  0.50       40       10        (40−10)/20 = 1.5 → 1  40 + 15 + 20 = 75
    beta      90  0.10        0        0        0                     45 +  3 +  0 = 48
    gamma     60  0.40       35       30        (35−30)/30 = 1/6      30 + 12 + 3.33… = 45.33…
    delta     60  0.40        0        0        0                     30 + 12 +  0 = 42
    eps       60  0.40        0        0        0                     42, ties delta on priority and fit: id order
"""

from __future__ import annotations

import doctest
import itertools
import tracemalloc

import pytest

from graphsvc.algorithms import targeting
from graphsvc.algorithms.scoring import Contribution
from graphsvc.algorithms.targeting import (
    PriorityWeights,
    TargetCandidate,
    assign_tiers,
    check_capacities,
    engagement_surge,
    rank_targets,
)
from graphsvc.errors import InvalidInput

CANDIDATES = [
    TargetCandidate(
        "acme",
        fit=80.0,
        lookalike=0.5,
        current=40.0,
        previous=10.0,
        name="Acme",
        fit_contributions=(
            Contribution("industry", "field", 35.0, 1.0, ("icp", "industry", "software")),
            Contribution("employees", "field", 25.0, 1.0, ("icp", "employees", "1000-4999")),
            Contribution("country", "field", 3.0, 1.0, ("icp", "country", "*")),
            Contribution("technologies", "field", 17.0, 1.0, ("icp", "technologies", "aws")),
        ),
        customer_id="won1",
        customer_name="Won One",
        shared_attributes=("industry=software", "technology=aws"),
    ),
    TargetCandidate("beta", fit=90.0, lookalike=0.1, is_target=True, current_tier=2),
    TargetCandidate("gamma", fit=60.0, lookalike=0.4, current=35.0, previous=30.0),
    TargetCandidate("eps", fit=60.0, lookalike=0.4),
    TargetCandidate("delta", fit=60.0, lookalike=0.4),
]


@pytest.mark.parametrize(
    ("current", "previous", "surge"),
    [
        (40.0, 10.0, 1.0),  # growth 30 over the floor 20: capped at 1
        (30.0, 20.0, 0.5),  # 10 / 20
        (45.0, 30.0, 0.5),  # 15 / 30
        (5.0, 0.0, 0.25),  # 5 / 20: a little engagement from nothing
        (10.0, -5.0, 0.5),  # negative previous counts as 0
        (10.0, 40.0, 0.0),  # falling
        (0.0, 0.0, 0.0),
    ],
)
def test_engagement_surge(current, previous, surge):
    assert engagement_surge(current, previous) == pytest.approx(surge)


def test_priority_blend_order_and_tiers():
    ranked = rank_targets(CANDIDATES, capacities=[1, 2, 1])
    assert [(r.account_id, r.tier) for r in ranked] == [("acme", 1), ("beta", 2), ("gamma", 2), ("delta", 3)]
    priority = {r.account_id: r.priority for r in ranked}
    assert priority == pytest.approx({"acme": 75.0, "beta": 48.0, "gamma": 30 + 12 + 20 / 6, "delta": 42.0})
    gamma = ranked[2]
    assert (gamma.fit, gamma.lookalike, gamma.surge) == pytest.approx((60.0, 0.4, 1 / 6))


def test_reasons_name_fit_fields_the_customer_the_surge_and_the_current_tier():
    acme, beta = rank_targets(CANDIDATES)[:2]
    assert acme.reasons == (
        "ICP fit 80/100: industry software (+35), employees 1000-4999 (+25), technologies aws (+17)",
        "looks like won customer Won One (0.50): industry=software, technology=aws",
        "engagement surge: 40.0 points in the last 90 days against 10.0 in the 90 days before",
    )
    assert acme.customer_id == "won1" and acme.shared_attributes == ("industry=software", "technology=aws")
    assert beta.reasons == ("ICP fit 90/100", "already a target account (tier 2)")


def test_other_weights_reorder():
    ranked = rank_targets(CANDIDATES, weights=PriorityWeights(fit=1.0, lookalike=0.0, surge=0.0))
    assert [r.account_id for r in ranked][:2] == ["beta", "acme"]
    assert ranked[0].priority == pytest.approx(90.0)
    with pytest.raises(InvalidInput):
        PriorityWeights(fit=0.5, lookalike=0.5, surge=0.5)


def test_tiers_follow_the_capacities():
    assert assign_tiers(7, [2, 3, 1]) == [1, 1, 2, 2, 2, 3]
    assert assign_tiers(2, [10, 50, 500]) == [1, 1]
    assert assign_tiers(3, [0, 2]) == [2, 2]
    assert len(rank_targets(CANDIDATES, capacities=[2])) == 2
    for wrong in ([], [1, 2, 3, 4], [1, -1]):
        with pytest.raises(InvalidInput):
            assign_tiers(3, wrong)


def test_huge_capacities_cost_what_the_accounts_cost():
    # One list entry per unit of capacity took 20 GB for three capacities of 2^31 − 1 (issue 14).
    largest = 2**31 - 1
    tracemalloc.start()
    try:
        tiers = assign_tiers(5, [largest, largest, largest])
        ranked = rank_targets(CANDIDATES, capacities=[1, largest])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert tiers == [1] * 5
    assert [r.tier for r in ranked] == [1, 2, 2, 2, 2]
    assert peak < 1_000_000


def test_tiers_equal_one_entry_per_unit_of_capacity_on_small_cases():
    def by_units(count, capacities):  # the former allocation, memory proportional to the capacities
        return [tier for tier, capacity in enumerate(capacities, start=1) for _ in range(capacity)][:count]

    for count in range(7):
        for width in (1, 2, 3):
            for capacities in itertools.product(range(4), repeat=width):
                assert assign_tiers(count, capacities) == by_units(count, capacities), (count, capacities)


def test_capacity_bounds_name_the_argument_and_the_tier():
    with pytest.raises(InvalidInput, match=r"tierCapacities: tier 2 capacity must be 0 to 1,000,000, got 1000001"):
        check_capacities([5, 1_000_001], "tierCapacities", targeting.MAX_TIER_CAPACITY)
    with pytest.raises(InvalidInput, match=r"tierCapacities takes 1 to 3 numbers, tier 1 first; got 4"):
        check_capacities([1, 1, 1, 1], "tierCapacities", targeting.MAX_TIER_CAPACITY)
    with pytest.raises(InvalidInput, match=r"capacities: tier 1 capacity must be at least 0, got True"):
        check_capacities([True])
    check_capacities([0, targeting.MAX_TIER_CAPACITY, 3], "tierCapacities", targeting.MAX_TIER_CAPACITY)


def test_docstring_examples():
    assert doctest.testmod(targeting).failed == 0
