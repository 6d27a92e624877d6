"""Buying-committee coverage and windowed engagement (SPEC §7, §8) checked by hand.

Every case runs against both the networkx reference and the array fast path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.algorithms.coverage import (
    CommitteeCoverage,
    CommitteeRole,
    CommitteeTemplate,
    RoleCoverage,
    WindowedEngagement,
    account_windowed_engagement,
    committee_coverage,
    windowed_engagements,
)
from graphsvc.algorithms.propagation import account_graph
from graphsvc.algorithms.snapshot import GraphSnapshot, recompute
from graphsvc.errors import InvalidInput

DEFAULT = CommitteeTemplate.from_weights(  # SPEC §7 defaults
    "default",
    {
        "ECONOMIC_BUYER": 0.25,
        "DECISION_MAKER": 0.25,
        "CHAMPION": 0.20,
        "TECHNICAL_EVALUATOR": 0.15,
        "INFLUENCER": 0.10,
        "END_USER": 0.05,
    },
    tracked=["BLOCKER"],
)
ROLE_WEIGHTS = {"CHAMPION": 1.3, "ECONOMIC_BUYER": 1.5}
AS_OF = datetime(2025, 6, 30, 12, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


def reference_coverage(accounts, persons, engagements, account_id, template=DEFAULT, window_days=90):
    graph = account_graph(accounts, persons, engagements)
    return committee_coverage(graph, account_id, template, AS_OF, window_days=window_days)


def fast_coverage(accounts, persons, engagements, account_id, template=DEFAULT, window_days=90):
    snapshot = GraphSnapshot.from_records(accounts, persons, engagements)
    result = recompute(
        snapshot, AS_OF, committee=template, role_weights=ROLE_WEIGHTS, window_days=window_days
    )
    found = result.committee_coverage(account_id)
    # The whole-graph arrays must tell the same story as the one-account record.
    a = snapshot.account_index[account_id]
    assert (result.coverage[a], result.engaged_coverage[a]) == (found.coverage, found.engaged_coverage)
    assert (result.engaged_contacts[a], result.single_threaded[a]) == (
        found.engaged_contacts,
        found.single_threaded,
    )
    known = {role for role in snapshot.role_names if result.known_roles[a] & snapshot.role_bit(role)}
    engaged = {role for role in snapshot.role_names if result.engaged_roles[a] & snapshot.role_bit(role)}
    assert {seat.role for seat in found.roles if seat.known} == known & {s.role for s in template.roles}
    assert {seat.role for seat in found.roles if seat.engaged} == engaged & {s.role for s in template.roles}
    return found


implementations = pytest.mark.parametrize(
    "coverage", [reference_coverage, fast_coverage], ids=["reference", "fast"]
)

ROLES = [
    "ECONOMIC_BUYER",
    "DECISION_MAKER",
    "CHAMPION",
    "TECHNICAL_EVALUATOR",
    "INFLUENCER",
    "END_USER",
    "BLOCKER",
]
# Every role is known at acme, but only the champion is engaged in the window.
ACCOUNTS = [("acme", None, 50.0), ("acme-uk", "acme", 10.0)]
PERSONS = [(f"c-{role.lower()}", "acme", True, [role]) for role in ROLES] + [
    ("l-buyer", "acme", False, ["ECONOMIC_BUYER"]),  # a lead: no committee seat
    ("c-uk", "acme-uk", True, ["DECISION_MAKER"]),  # a subsidiary's contact: not acme's seat
]
ENGAGEMENTS = [
    ("c-champion", 10.0, days_ago(10)),
    ("c-economic_buyer", 10.0, days_ago(100)),  # outside the window
    ("c-decision_maker", -10.0, days_ago(5)),  # an unsubscribe is not engagement
    ("c-technical_evaluator", 0.0, days_ago(5)),  # nor is a zero-point event
    ("c-blocker", 3.0, days_ago(1)),  # engaged, but BLOCKER is only tracked
    ("l-buyer", 30.0, days_ago(1)),
    ("c-uk", 30.0, days_ago(1)),
]


@implementations
def test_every_role_known_but_one_engaged_role(coverage):
    got = coverage(ACCOUNTS, PERSONS, ENGAGEMENTS, "acme")
    assert got.coverage == pytest.approx(1.0)
    assert got.engaged_coverage == pytest.approx(0.20)
    assert got.engaged_contacts == 2  # the champion and the blocker
    assert got.single_threaded is False
    assert got.missing_roles == ()
    assert got.unengaged_roles == (
        "ECONOMIC_BUYER",
        "DECISION_MAKER",
        "TECHNICAL_EVALUATOR",
        "INFLUENCER",
        "END_USER",
    )
    assert got.roles[2] == RoleCoverage("CHAMPION", True, 0.20, True, True, ("c-champion",))
    assert got.roles[-1] == RoleCoverage("BLOCKER", False, 0.0, True, True, ("c-blocker",))


@implementations
def test_a_single_engaged_contact_is_single_threaded(coverage):
    engagements = [e for e in ENGAGEMENTS if e[0] != "c-blocker"]
    got = coverage(ACCOUNTS, PERSONS, engagements, "acme")
    assert (got.coverage, got.engaged_contacts, got.single_threaded) == (pytest.approx(1.0), 1, True)
    assert got.engaged_coverage == pytest.approx(0.20)


@implementations
def test_missing_roles_in_template_order(coverage):
    persons = [
        ("tina", "acme", True, ["TECHNICAL_EVALUATOR"]),
        ("cho", "acme", True, ["CHAMPION"]),
        ("cid", "acme", True, ["CHAMPION", "BLOCKER"]),
    ]
    engagements = [("cho", 1.0, AS_OF), ("cid", 2.0, days_ago(89))]
    got = coverage([("acme", None, 0)], persons, engagements, "acme")
    assert got == CommitteeCoverage(
        template="default",
        coverage=pytest.approx(0.35),
        engaged_coverage=pytest.approx(0.20),
        engaged_contacts=2,
        single_threaded=False,
        missing_roles=("ECONOMIC_BUYER", "DECISION_MAKER", "INFLUENCER", "END_USER"),
        unengaged_roles=("TECHNICAL_EVALUATOR",),
        roles=got.roles,
    )
    assert got.roles[2].contacts == ("cho", "cid")


@implementations
def test_an_account_without_contacts_is_uncovered(coverage):
    got = coverage(ACCOUNTS, PERSONS, ENGAGEMENTS, "acme-uk")
    assert got.coverage == pytest.approx(0.25)  # c-uk, the decision maker
    got = coverage([("empty", None, 0)], [], [], "empty")
    assert (got.coverage, got.engaged_coverage, got.engaged_contacts, got.single_threaded) == (
        0.0,
        0.0,
        0,
        True,
    )
    assert got.missing_roles == tuple(seat.role for seat in DEFAULT.roles if seat.required)


@pytest.mark.parametrize(
    ("occurred_at", "engaged"),
    [
        (days_ago(90), False),  # exactly window_days old: out (the window is open below)
        (days_ago(90) + timedelta(seconds=1), True),
        (AS_OF, True),  # at as_of: in
        (AS_OF + timedelta(seconds=1), False),  # not yet happened
    ],
)
@implementations
def test_window_boundaries(coverage, occurred_at, engaged):
    got = coverage(
        [("acme", None, 0)], [("cho", "acme", True, ["CHAMPION"])], [("cho", 5.0, occurred_at)], "acme"
    )
    assert got.roles[2].engaged is engaged
    assert got.engaged_contacts == int(engaged)


@implementations
def test_window_length_is_a_parameter(coverage):
    persons, engagements = [("cho", "acme", True, ["CHAMPION"])], [("cho", 5.0, days_ago(20))]
    assert coverage([("acme", None, 0)], persons, engagements, "acme", window_days=30).engaged_contacts == 1
    assert coverage([("acme", None, 0)], persons, engagements, "acme", window_days=14).engaged_contacts == 0


@implementations
def test_template_without_required_weight_covers_nothing(coverage):
    template = CommitteeTemplate.from_weights("watch", {}, tracked=["BLOCKER"])
    got = coverage(ACCOUNTS, PERSONS, ENGAGEMENTS, "acme", template=template)
    assert (got.template, got.coverage, got.engaged_coverage) == ("watch", 0.0, 0.0)
    assert got.roles == (RoleCoverage("BLOCKER", False, 0.0, True, True, ("c-blocker",)),)


def test_a_template_lists_each_role_once():
    with pytest.raises(InvalidInput, match="twice"):
        CommitteeTemplate("t", (CommitteeRole("CHAMPION", 0.5), CommitteeRole("CHAMPION", 0.5)))
    with pytest.raises(InvalidInput, match="negative"):
        CommitteeTemplate.from_weights("t", {"CHAMPION": -1.0})


# Windowed engagement: parent <- child.
W_ACCOUNTS = [("parent", None, 0), ("child", "parent", 0)]
W_PERSONS = [("cho", "parent", True, ["CHAMPION"]), ("lou", "parent", False, []), ("kid", "child", True, [])]
W_ENGAGEMENTS = [
    ("cho", 10.0, AS_OF),  # in the window: 1.3 * 10
    ("cho", 16.0, days_ago(120)),  # out of the window; in E at 0.5^4: 1.3 * 1
    ("lou", -2.0, days_ago(30)),  # a lead's unsubscribe counts, decayed: -1
    ("kid", 40.0, days_ago(60)),  # 40 * 0.25 = 10
]
# own windowed: parent 13 - 1 = 12, child 10; rolled up: parent 12 + 0.5 * 10 = 17


def reference_windowed() -> dict[str, WindowedEngagement]:
    graph = account_graph(W_ACCOUNTS, W_PERSONS, W_ENGAGEMENTS)
    return windowed_engagements(graph, AS_OF, role_weights=ROLE_WEIGHTS)


def fast_windowed() -> dict[str, WindowedEngagement]:
    snapshot = GraphSnapshot.from_records(W_ACCOUNTS, W_PERSONS, W_ENGAGEMENTS)
    result = recompute(snapshot, AS_OF, committee=DEFAULT, role_weights=ROLE_WEIGHTS)
    assert result.engagement.tolist() == pytest.approx([13 + 1.3 - 1, 10])  # E also sees the old event
    return {
        account: WindowedEngagement(account, result.windowed[a], result.rolled_up_windowed[a])
        for account, a in snapshot.account_index.items()
    }


@pytest.mark.parametrize("windowed", [reference_windowed, fast_windowed], ids=["reference", "fast"])
def test_windowed_engagement_is_role_weighted_signed_and_rolled_up(windowed):
    assert windowed() == {
        "parent": WindowedEngagement("parent", pytest.approx(12.0), pytest.approx(17.0)),
        "child": WindowedEngagement("child", pytest.approx(10.0), pytest.approx(10.0)),
    }


def test_one_accounts_windowed_engagement_from_its_subtree():
    graph = account_graph(W_ACCOUNTS, W_PERSONS, W_ENGAGEMENTS)
    got = account_windowed_engagement(graph, "parent", AS_OF, role_weights=ROLE_WEIGHTS, window_days=45)
    # 45 days: the child's 60-day-old event leaves the window, the lead's stays.
    assert got == WindowedEngagement("parent", pytest.approx(12.0), pytest.approx(12.0))


SMALL_BUSINESS = CommitteeTemplate.from_weights(
    "small_business", {"ECONOMIC_BUYER": 0.40, "CHAMPION": 0.30, "END_USER": 0.30}, tracked=["BLOCKER"]
)


def test_templates_can_differ_by_segment():
    accounts = [("acme", None, 0), ("shop", None, 0)]
    persons = [("cho", "acme", True, ["CHAMPION"]), ("cy", "shop", True, ["CHAMPION", "END_USER"])]
    engagements = [("cho", 1.0, AS_OF), ("cy", 1.0, AS_OF)]
    snapshot = GraphSnapshot.from_records(accounts, persons, engagements)
    result = recompute(
        snapshot,
        AS_OF,
        committee=[DEFAULT, SMALL_BUSINESS],
        role_weights=ROLE_WEIGHTS,
        account_committee=[0, 1],
    )
    assert result.coverage.tolist() == pytest.approx([0.20, 0.60])
    assert result.engaged_coverage.tolist() == pytest.approx([0.20, 0.60])
    shop = result.committee_coverage("shop")
    assert (shop.template, shop.missing_roles) == ("small_business", ("ECONOMIC_BUYER",))
    graph = account_graph(accounts, persons, engagements)
    assert shop == committee_coverage(graph, "shop", SMALL_BUSINESS, AS_OF)
    with pytest.raises(InvalidInput, match="account_committee"):
        recompute(snapshot, AS_OF, committee=[DEFAULT], role_weights=ROLE_WEIGHTS, account_committee=[0, 1])
