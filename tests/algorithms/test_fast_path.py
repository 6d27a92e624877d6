"""The array fast path equals the networkx reference on random graphs (hypothesis).

Random forests (and, separately, random parent pointers that may loop), persons with random
accounts, kinds and roles, engagements around ``as_of`` (boundaries included) and random
parameters: every number of :func:`recompute` must match the reference.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.algorithms.coverage import (
    CommitteeTemplate,
    committee_coverage,
    windowed_engagements,
)
from graphsvc.algorithms.propagation import (
    SECONDS_PER_DAY,
    HierarchyCycleError,
    account_graph,
    account_score,
    account_scores,
    behavioral_points,
    score_contributions,
)
from graphsvc.algorithms.snapshot import GraphSnapshot, hierarchy_depths, recompute
from graphsvc.errors import InvalidInput

ROLES = [
    "ECONOMIC_BUYER",
    "DECISION_MAKER",
    "CHAMPION",
    "TECHNICAL_EVALUATOR",
    "INFLUENCER",
    "END_USER",
    "BLOCKER",
    "ASTROLOGER",  # in no weight mapping
]
AS_OF = datetime(2025, 6, 30, 12, tzinfo=UTC).timestamp()
DAY = SECONDS_PER_DAY
CLOSE = {"rel": 1e-9, "abs": 1e-9}


@st.composite
def parents(draw, n: int, acyclic: bool) -> list[int | None]:
    """Parent positions: a forest over a random topological order, or arbitrary pointers."""
    if not acyclic:
        return [draw(st.none() | st.integers(0, n - 1)) for _ in range(n)]
    rank = draw(st.permutations(range(n)))  # rank[i]: position of account i in a topological order
    by_rank = sorted(range(n), key=rank.__getitem__)
    return [draw(st.none() | st.sampled_from(by_rank[: rank[i]])) if rank[i] else None for i in range(n)]


@st.composite
def graphs(draw, acyclic: bool = True):
    """Records for ``account_graph`` and ``GraphSnapshot.from_records``."""
    n_accounts = draw(st.integers(1, 12))
    account_ids = [f"a{i}" for i in range(n_accounts)]
    parent = draw(parents(n_accounts, acyclic))
    fit = st.floats(0, 100, allow_nan=False)
    accounts = [
        (account_ids[i], None if p is None else account_ids[p], draw(fit)) for i, p in enumerate(parent)
    ]
    n_persons = draw(st.integers(0, 16))
    persons = [
        (
            f"p{i}",
            draw(st.none() | st.sampled_from(account_ids)),
            draw(st.booleans()),
            sorted(draw(st.sets(st.sampled_from(ROLES), max_size=3))),
        )
        for i in range(n_persons)
    ]
    offsets = st.sampled_from([0.0, -90 * DAY, -90 * DAY + 1, -30 * DAY, 1.0]) | st.floats(
        -200 * DAY, 10 * DAY
    )
    points = st.sampled_from([0.0, 24.0, -10.0]) | st.floats(-50, 50, allow_nan=False)
    engagements = [
        (f"p{draw(st.integers(0, n_persons - 1))}", draw(points), AS_OF + draw(offsets))
        for _ in range(draw(st.integers(0, 40) if n_persons else st.just(0)))
    ]
    return accounts, persons, engagements


@st.composite
def parameters(draw):
    weights = st.floats(0.1, 3.0)
    required = draw(st.dictionaries(st.sampled_from(ROLES), st.floats(0, 1), max_size=6))
    tracked = draw(st.sets(st.sampled_from([r for r in ROLES if r not in required]), max_size=2))
    return {
        "role_weights": draw(st.dictionaries(st.sampled_from(ROLES[:-1]), weights, max_size=7)),
        "half_life_days": draw(st.floats(1, 365)),
        "delta": draw(st.floats(0, 1)),
        "window_days": draw(st.sampled_from([90, 30]) | st.floats(1, 200)),
        "fit_weight": draw(st.floats(0, 1)),
        "engagement_weight": draw(st.floats(0, 1)),
        "committee": CommitteeTemplate.from_weights("t", required, sorted(tracked)),
    }


def run_fast(records, options):
    return recompute(GraphSnapshot.from_records(*records), AS_OF, **options)


@settings(max_examples=300, deadline=None)
@given(graphs(), parameters())
def test_fast_path_equals_reference(records, options):
    graph = account_graph(*records)
    fast = run_fast(records, options)
    snapshot = fast.snapshot
    score_options = {
        k: options[k] for k in ("role_weights", "half_life_days", "delta", "fit_weight", "engagement_weight")
    }
    window_options = {k: options[k] for k in ("role_weights", "half_life_days", "delta", "window_days")}
    template = options["committee"]

    for p, person in enumerate(snapshot.person_ids):
        expected = behavioral_points(graph, person, AS_OF, options["half_life_days"])
        assert fast.person_points[p] == pytest.approx(expected, **CLOSE)

    scores = account_scores(graph, AS_OF, **score_options)
    windowed = windowed_engagements(graph, AS_OF, **window_options)
    for a, account in enumerate(snapshot.account_ids):
        score = scores[account]
        assert fast.engagement[a] == pytest.approx(score.engagement, **CLOSE)
        assert fast.rolled_up[a] == pytest.approx(score.rolled_up, **CLOSE)
        assert fast.total[a] == pytest.approx(score.total, **CLOSE)
        assert fast.windowed[a] == pytest.approx(windowed[account].own, **CLOSE)
        assert fast.rolled_up_windowed[a] == pytest.approx(windowed[account].rolled_up, **CLOSE)

        coverage = committee_coverage(graph, account, template, AS_OF, window_days=options["window_days"])
        assert fast.committee_coverage(account) == coverage
        assert fast.coverage[a] == pytest.approx(coverage.coverage, **CLOSE)
        assert fast.engaged_coverage[a] == pytest.approx(coverage.engaged_coverage, **CLOSE)
        assert fast.engaged_contacts[a] == coverage.engaged_contacts
        assert fast.single_threaded[a] == coverage.single_threaded
        for seat in coverage.roles:
            bit = snapshot.role_bit(seat.role)
            assert (bool(fast.known_roles[a] & bit), bool(fast.engaged_roles[a] & bit)) == (
                seat.known,
                seat.engaged,
            )

        reference = score_contributions(
            graph, account, AS_OF, first=None, **_without(score_options, "fit_weight", "engagement_weight")
        )
        got = fast.contributions(account, first=None)
        assert {c.source_id: (c.kind, c.weight, c.path) for c in got} == {
            c.source_id: (c.kind, c.weight, c.path) for c in reference
        }
        points = {c.source_id: c.points for c in reference}
        assert all(c.points == pytest.approx(points[c.source_id], **CLOSE) for c in got)
        assert sum(c.points for c in got) == pytest.approx(score.rolled_up, **CLOSE)


def _without(options: dict, *keys: str) -> dict:
    return {k: v for k, v in options.items() if k not in keys}


@settings(max_examples=300, deadline=None)
@given(graphs(acyclic=False), parameters())
def test_cycles_are_reported_alike(records, options):
    graph = account_graph(*records)
    score_options = _without(options, "committee", "window_days")
    try:
        expected = account_scores(graph, AS_OF, **score_options)
    except HierarchyCycleError as reference_error:
        with pytest.raises(HierarchyCycleError) as fast_error:
            run_fast(records, options)
        assert fast_error.value.accounts == reference_error.accounts
        return
    fast = run_fast(records, options)
    got = [fast.rolled_up[fast.snapshot.account_index[a]] for a in expected]
    assert got == pytest.approx([s.rolled_up for s in expected.values()], **CLOSE)


@settings(max_examples=200, deadline=None)
@given(graphs(), parameters(), st.data())
def test_one_account_from_its_subtree_equals_the_whole_graph(records, options, data):
    graph = account_graph(*records)
    score_options = _without(options, "committee", "window_days")
    account = data.draw(st.sampled_from([a for a, *_ in records[0]]))
    expected = account_scores(graph, AS_OF, **score_options)[account]
    got = account_score(graph, account, AS_OF, **score_options)
    assert (got.engagement, got.rolled_up, got.total) == pytest.approx(
        (expected.engagement, expected.rolled_up, expected.total), **CLOSE
    )


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 1023, 1024, 1025])
def test_depths_of_a_chain_across_powers_of_two(n):
    # account i is the parent of account i + 1: one chain n deep
    parent = np.arange(-1, n - 1)
    ids = [f"a{i:04d}" for i in range(n)]
    assert hierarchy_depths(ids, parent).tolist() == list(range(n))


def test_a_long_chain_rolls_up_every_level():
    n = 1000
    accounts = [(f"a{i:04d}", f"a{i - 1:04d}" if i else None, 0.0) for i in range(n)]
    persons = [(f"p{i}", f"a{i:04d}", True, []) for i in range(n)]
    engagements = [(f"p{i}", 1.0, AS_OF) for i in range(n)]
    result = recompute(
        GraphSnapshot.from_records(accounts, persons, engagements),
        AS_OF,
        committee=CommitteeTemplate.from_weights("t", {}),
        role_weights={},
        delta=1.0,
    )
    # with δ = 1 each account adds up itself and everything below it
    assert result.rolled_up.tolist() == [float(n - i) for i in range(n)]


def test_a_long_cycle_is_found_without_looping():
    n = 5000
    parent = (np.arange(n) + 1) % n  # 0 -> 1 -> ... -> n-1 -> 0
    ids = [f"a{(i * 7919) % n:05d}" for i in range(n)]  # the smallest id sits mid-cycle
    with pytest.raises(HierarchyCycleError) as raised:
        hierarchy_depths(ids, parent)
    start = ids.index("a00000")
    assert raised.value.accounts == tuple(ids[start:] + ids[:start])


def test_snapshot_arrays_are_read_only_and_roles_are_bits():
    snapshot = GraphSnapshot.from_records(
        [("acme", None, None)],
        [
            ("ann", "acme", True, ["CHAMPION", "BLOCKER"]),
            ("lou", None, False, ["BLOCKER"]),
            ("cy", "acme", True, []),
        ],
        [("ann", 1.0, "2025-06-30T12:00:00"), ("lou", 2.0, datetime(2025, 6, 30, 12))],
    )
    assert snapshot.role_names == ("CHAMPION", "BLOCKER")
    assert snapshot.person_roles.tolist() == [0b11, 0b10, 0]
    assert snapshot.person_account.tolist() == [0, -1, 0]
    assert snapshot.account_fit.tolist() == [0.0]
    assert snapshot.engagement_time.tolist() == [AS_OF, AS_OF]  # naive times are UTC
    assert snapshot.person_weights({"CHAMPION": 1.3, "BLOCKER": 0.5}).tolist() == [1.3, 0.5, 1.0]
    with pytest.raises(ValueError, match="read-only"):
        snapshot.engagement_points[0] = 5.0


def test_snapshot_rejects_out_of_range_indices():
    with pytest.raises(InvalidInput, match="engagement_person"):
        GraphSnapshot(
            account_ids=("a",),
            account_parent=[-1],
            account_fit=[0.0],
            person_ids=("p",),
            person_account=[0],
            person_is_contact=[True],
            person_roles=[0],
            role_names=(),
            engagement_person=[1],
            engagement_points=[1.0],
            engagement_time=[0.0],
        )


def test_engagements_spanning_several_batches():
    n = 70_000  # more than one conversion batch
    rows = [("p", 1.0, AS_OF - i) for i in range(n)]
    snapshot = GraphSnapshot.from_records([("a", None, 0)], [("p", "a", True, [])], rows)
    assert snapshot.engagement_time.tolist() == [AS_OF - i for i in range(n)]
    with pytest.raises(InvalidInput, match="unknown person: 'ghost'"):
        GraphSnapshot.from_records([("a", None, 0)], [("p", "a", True, [])], [*rows, ("ghost", 1.0, AS_OF)])
