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
    accounts = [(account_ids[i], None if p is None else account_ids[p], draw(fit)) for i, p in enumerate(parent)]
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
    offsets = st.sampled_from([0.0, -90 * DAY, -90 * DAY + 1, -30 * DAY, 1.0]) | st.floats(-200 * DAY, 10 * DAY)
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


@settings(max_examples=200, deadline=None)
@given(graphs(), parameters(), st.none() | st.integers(1, 4))
def test_top_contributions_of_all_accounts_at_once_equal_one_account_at_a_time(records, options, first):
    fast = run_fast(records, options)
    every = fast.top_contributions(first)
    assert len(every) == len(fast.snapshot.account_ids)
    for a, account in enumerate(fast.snapshot.account_ids):
        assert every[a] == fast.contributions(account, first)  # same order, same floats


def test_top_contributions_break_ties_by_person_id_and_keep_the_first():
    accounts = [("top", None, 0.0), ("sub", "top", 0.0)]
    # Given out of id order; "z" at the subsidiary ties with "y" at the top (1.0 × 8 = 0.5 × 16).
    persons = [("z", "sub", True, []), ("y", "top", True, []), ("x", "top", True, []), ("w", "top", True, [])]
    engagements = [("z", 16.0, AS_OF), ("y", 8.0, AS_OF), ("x", 8.0, AS_OF), ("w", -20.0, AS_OF)]
    result = recompute(
        GraphSnapshot.from_records(accounts, persons, engagements),
        AS_OF,
        committee=CommitteeTemplate.from_weights("t", {}),
        role_weights={},
    )
    top, sub = result.top_contributions(3)
    assert [(c.source_id, c.points, c.path) for c in top] == [
        ("w", -20.0, ("w", "top")),
        ("x", 8.0, ("x", "top")),
        ("y", 8.0, ("y", "top")),
    ]
    assert [(c.source_id, c.points, c.path) for c in sub] == [("z", 16.0, ("z", "sub"))]
    assert [c.source_id for c in result.top_contributions(None)[0]] == ["w", "x", "y", "z"]


def _columns(records) -> dict:
    accounts, persons, engagements = records
    return {
        "account_ids": [a[0] for a in accounts],
        "account_parents": [a[1] for a in accounts],
        "account_fit": [a[2] for a in accounts],
        "person_ids": [p[0] for p in persons],
        "person_accounts": [p[1] for p in persons],
        "person_is_contact": [p[2] for p in persons],
        "person_roles": [p[3] for p in persons],
        "engagement_persons": [e[0] for e in engagements],
        "engagement_points": [e[1] for e in engagements],
        "engagement_times": [e[2] for e in engagements],
    }


SNAPSHOT_COLUMNS = (
    "account_ids",
    "account_parent",
    "account_fit",
    "person_ids",
    "person_account",
    "person_is_contact",
    "person_roles",
    "role_names",
    "engagement_person",
    "engagement_points",
    "engagement_time",
)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_a_snapshot_from_columns_equals_one_from_rows(records):
    from_rows = GraphSnapshot.from_records(*records)
    from_columns = GraphSnapshot.from_columns(**_columns(records))
    for name in SNAPSHOT_COLUMNS:
        assert np.array_equal(getattr(from_columns, name), getattr(from_rows, name)), name
    assert from_columns.person_index == from_rows.person_index
    assert from_columns.account_index == from_rows.account_index


def test_columns_with_unknown_references_or_unequal_lengths_are_refused():
    columns = _columns(([("a", None, 1.0)], [("p", "a", True, [])], [("p", 1.0, AS_OF)]))
    GraphSnapshot.from_columns(**columns)  # the valid base
    for change, message in [
        ({"engagement_persons": ["ghost"]}, "unknown person: 'ghost'"),
        ({"person_accounts": ["nowhere"]}, "unknown account: 'nowhere'"),
        ({"account_parents": ["nowhere"]}, "unknown parent account: 'nowhere'"),
        ({"engagement_points": [1.0, 2.0]}, "different lengths"),
        (
            {
                "person_ids": ["p", "p"],
                "person_accounts": [None, None],
                "person_is_contact": [True, True],
                "person_roles": [[], []],
            },
            "duplicate person id 'p'",
        ),
    ]:
        with pytest.raises(InvalidInput, match=message):
            GraphSnapshot.from_columns(**{**columns, **change})


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
