"""Account score propagation (SPEC §6) on tiny graphs checked by hand.

Every case runs against both the networkx reference and the array fast path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.algorithms.coverage import CommitteeTemplate
from graphsvc.algorithms.propagation import (
    AccountScore,
    Contribution,
    HierarchyCycleError,
    account_graph,
    account_score,
    account_scores,
    behavioral_points,
    score_contributions,
)
from graphsvc.algorithms.roles import role_weight
from graphsvc.algorithms.snapshot import GraphSnapshot, recompute
from graphsvc.errors import InvalidInput

ROLE_WEIGHTS = {  # SPEC §5 defaults
    "ECONOMIC_BUYER": 1.5,
    "DECISION_MAKER": 1.5,
    "CHAMPION": 1.3,
    "TECHNICAL_EVALUATOR": 1.2,
    "INFLUENCER": 1.0,
    "END_USER": 0.8,
    "BLOCKER": 0.5,
}
COMMITTEE = CommitteeTemplate.from_weights("default", {"CHAMPION": 1.0})
AS_OF = datetime(2025, 6, 30, 12, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


# global <- emea <- uk, global <- apac: three levels.
ACCOUNTS = [
    ("global", None, 60.0),
    ("emea", "global", 40.0),
    ("uk", "emea", 20.0),
    ("apac", "global", 0.0),
]
PERSONS = [
    ("una", "uk", True, ["ECONOMIC_BUYER"]),  # w = 1.5
    ("lee", "uk", False, []),  # a matched lead, w = 1.0
    ("eve", "emea", True, ["END_USER"]),  # w = 0.8
    ("abe", "apac", True, []),  # w = 1.0
    ("gus", "global", True, ["BLOCKER"]),  # w = 0.5
    ("ned", None, False, ["CHAMPION"]),  # unmatched lead: counts nowhere
]
ENGAGEMENTS = [
    ("una", 10.0, days_ago(30)),  # one half-life: e = 5
    ("lee", 0.5, AS_OF),
    ("eve", 5.0, AS_OF),
    ("abe", 10.0, AS_OF),
    ("abe", 99.0, AS_OF + timedelta(seconds=1)),  # after as_of: not yet happened
    ("gus", 4.0, AS_OF),
    ("ned", 100.0, AS_OF),
]
# E(uk) = 1.5*5 + 1*0.5 = 8, E(emea) = 0.8*5 = 4, E(apac) = 10, E(global) = 0.5*4 = 2
# R(uk) = 8, R(emea) = 4 + 0.5*8 = 8, R(apac) = 10, R(global) = 2 + 0.5*(8 + 10) = 11
EXPECTED = {
    "global": AccountScore("global", 2.0, 11.0, 60.0, 0.5 * 60 + 0.5 * 11),
    "emea": AccountScore("emea", 4.0, 8.0, 40.0, 0.5 * 40 + 0.5 * 8),
    "uk": AccountScore("uk", 8.0, 8.0, 20.0, 0.5 * 20 + 0.5 * 8),
    "apac": AccountScore("apac", 10.0, 10.0, 0.0, 0.5 * 10),
}


def reference_scores(accounts, persons, engagements, **options) -> dict[str, AccountScore]:
    graph = account_graph(accounts, persons, engagements)
    return account_scores(graph, AS_OF, role_weights=ROLE_WEIGHTS, **options)


def fast_scores(accounts, persons, engagements, **options) -> dict[str, AccountScore]:
    snapshot = GraphSnapshot.from_records(accounts, persons, engagements)
    result = recompute(snapshot, AS_OF, committee=COMMITTEE, role_weights=ROLE_WEIGHTS, **options)
    return {account_id: result.score(account_id) for account_id in snapshot.account_ids}


def reference_contributions(account_id, first):
    graph = account_graph(ACCOUNTS, PERSONS, ENGAGEMENTS)
    return score_contributions(graph, account_id, AS_OF, role_weights=ROLE_WEIGHTS, first=first)


def fast_contributions(account_id, first):
    snapshot = GraphSnapshot.from_records(ACCOUNTS, PERSONS, ENGAGEMENTS)
    return recompute(snapshot, AS_OF, committee=COMMITTEE, role_weights=ROLE_WEIGHTS).contributions(
        account_id, first
    )


scores_implementations = pytest.mark.parametrize(
    "scores", [reference_scores, fast_scores], ids=["reference", "fast"]
)
contributions_implementations = pytest.mark.parametrize(
    "contributions", [reference_contributions, fast_contributions], ids=["reference", "fast"]
)


def approx_score(score: AccountScore) -> AccountScore:
    return AccountScore(
        score.account_id,
        pytest.approx(score.engagement, rel=1e-12),
        pytest.approx(score.rolled_up, rel=1e-12),
        score.fit,
        pytest.approx(score.total, rel=1e-12),
    )


@pytest.mark.parametrize(
    ("age_days", "expected"),
    [(0, 10.0), (30, 5.0), (60, 2.5), (15, 10 * 0.5**0.5), (-1, 0.0)],
)
def test_behavioral_points_halve_every_half_life(age_days, expected):
    graph = account_graph(
        [("acme", None, 0)], [("ann", "acme", True, [])], [("ann", 10.0, days_ago(age_days))]
    )
    assert behavioral_points(graph, "ann", AS_OF, half_life_days=30) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([], 1.0),
        (["BLOCKER"], 0.5),
        (["END_USER", "CHAMPION"], 1.3),
        (["ASTROLOGER"], 1.0),
        (["BLOCKER", "X"], 1.0),
    ],
)
def test_role_weight_is_the_largest_of_the_persons_roles(roles, expected):
    assert role_weight(roles, ROLE_WEIGHTS) == expected


@scores_implementations
def test_three_level_roll_up_with_half_delta(scores):
    got = scores(ACCOUNTS, PERSONS, ENGAGEMENTS)
    assert got == {account: approx_score(score) for account, score in EXPECTED.items()}


@scores_implementations
def test_delta_zero_keeps_accounts_apart_and_delta_one_adds_everything(scores):
    apart = scores(ACCOUNTS, PERSONS, ENGAGEMENTS, delta=0.0)
    assert apart["global"].rolled_up == pytest.approx(2.0)
    summed = scores(ACCOUNTS, PERSONS, ENGAGEMENTS, delta=1.0)
    assert summed["global"].rolled_up == pytest.approx(2 + 4 + 8 + 10)


@scores_implementations
def test_half_life_is_a_parameter(scores):
    # una's engagement is 30 days old: with a 15-day half-life it is worth 10/4 = 2.5.
    got = scores(ACCOUNTS, PERSONS, ENGAGEMENTS, half_life_days=15)
    assert got["uk"].engagement == pytest.approx(1.5 * 2.5 + 0.5)


@scores_implementations
def test_engagement_is_capped_at_100_in_the_total_but_not_below(scores):
    accounts = [("hot", None, 40.0), ("cold", None, 40.0)]
    persons = [("hal", "hot", True, []), ("cal", "cold", True, [])]
    engagements = [("hal", 250.0, AS_OF), ("cal", -10.0, AS_OF)]  # an unsubscribe
    got = scores(accounts, persons, engagements, fit_weight=0.25, engagement_weight=0.75)
    assert got["hot"] == approx_score(AccountScore("hot", 250.0, 250.0, 40.0, 0.25 * 40 + 0.75 * 100))
    assert got["cold"] == approx_score(AccountScore("cold", -10.0, -10.0, 40.0, 0.25 * 40 - 0.75 * 10))


@contributions_implementations
def test_contributions_explain_rolled_up_engagement(contributions):
    got = contributions("global", None)
    assert got == [
        Contribution("abe", "contact", pytest.approx(0.5 * 1.0 * 10), 1.0, ("abe", "apac", "global")),
        # eve and gus tie at 2.0: by id
        Contribution("eve", "contact", pytest.approx(0.5 * 0.8 * 5), 0.8, ("eve", "emea", "global")),
        Contribution("gus", "contact", pytest.approx(0.5 * 4), 0.5, ("gus", "global")),
        Contribution("una", "contact", pytest.approx(0.25 * 1.5 * 5), 1.5, ("una", "uk", "emea", "global")),
        Contribution("lee", "lead", pytest.approx(0.25 * 1.0 * 0.5), 1.0, ("lee", "uk", "emea", "global")),
    ]
    assert sum(c.points for c in got) == pytest.approx(EXPECTED["global"].rolled_up)
    assert [c.source_id for c in contributions("global", 2)] == ["abe", "eve"]
    assert [c.source_id for c in contributions("uk", 10)] == ["una", "lee"]


def test_negative_contributions_rank_by_size():
    graph = account_graph(
        [("acme", None, 0)],
        [("ann", "acme", True, []), ("bob", "acme", True, []), ("cy", "acme", True, [])],
        [("ann", 3.0, AS_OF), ("bob", -7.0, AS_OF), ("cy", 0.0, AS_OF)],
    )
    got = score_contributions(graph, "acme", AS_OF, role_weights=ROLE_WEIGHTS)
    assert [(c.source_id, c.points) for c in got] == [("bob", -7.0), ("ann", 3.0)]  # cy adds nothing


def test_one_account_needs_only_its_subtree():
    graph = account_graph(ACCOUNTS, PERSONS, ENGAGEMENTS)
    assert account_score(graph, "emea", AS_OF, role_weights=ROLE_WEIGHTS) == approx_score(EXPECTED["emea"])


# x -> z -> y -> x, with w hanging below the cycle and a separate tree r <- s.
CYCLIC = [("y", "x", 0), ("z", "y", 0), ("x", "z", 0), ("w", "y", 0), ("r", None, 0), ("s", "r", 0)]


@scores_implementations
def test_a_cycle_is_an_error_naming_its_accounts(scores):
    with pytest.raises(HierarchyCycleError) as raised:
        scores(CYCLIC, [], [])
    # SUBSIDIARY_OF order, starting at the smallest id on the cycle: x -> z -> y -> x
    assert raised.value.accounts == ("x", "z", "y")
    assert "x -> z -> y -> x" in str(raised.value)
    assert isinstance(raised.value, InvalidInput) and raised.value.code == "HIERARCHY_CYCLE"


@scores_implementations
def test_an_account_that_is_its_own_parent_is_a_cycle(scores):
    with pytest.raises(HierarchyCycleError) as raised:
        scores([("b", None, 0), ("a", "a", 0)], [], [])
    assert raised.value.accounts == ("a",)


@scores_implementations
def test_the_cycle_with_the_smallest_id_is_named(scores):
    with pytest.raises(HierarchyCycleError) as raised:
        scores([("m", "n", 0), ("n", "m", 0), ("c", "d", 0), ("d", "c", 0)], [], [])
    assert raised.value.accounts == ("c", "d")


def test_one_account_outside_a_cycle_still_scores():
    graph = account_graph(CYCLIC, [("sam", "s", True, [])], [("sam", 4.0, AS_OF)])
    assert account_score(graph, "r", AS_OF, role_weights=ROLE_WEIGHTS).rolled_up == 2.0
    assert account_score(graph, "w", AS_OF, role_weights=ROLE_WEIGHTS).rolled_up == 0.0
    with pytest.raises(HierarchyCycleError):
        account_score(graph, "z", AS_OF, role_weights=ROLE_WEIGHTS)


@pytest.mark.parametrize(
    ("accounts", "persons", "engagements", "message"),
    [
        ([("a", "ghost", 0)], [], [], "unknown parent"),
        ([("a", None, 0), ("a", None, 0)], [], [], "duplicate"),
        ([("a", None, 0)], [("p", "ghost", True, [])], [], "unknown account"),
        ([("a", None, 0)], [("p", "a", True, [])], [("q", 1.0, AS_OF)], "unknown person"),
    ],
)
@pytest.mark.parametrize("build", [account_graph, GraphSnapshot.from_records], ids=["reference", "fast"])
def test_records_that_name_nothing_are_rejected(build, accounts, persons, engagements, message):
    with pytest.raises(InvalidInput, match=message):
        build(accounts, persons, engagements)
