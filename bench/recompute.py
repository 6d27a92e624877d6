"""Whole-graph recompute: the array fast path against the networkx reference, side by side.

Builds a seeded synthetic graph (hierarchies up to four levels, contacts and leads with buying
roles, engagements spread over 180 days), hands it as columns of Python values to
``GraphSnapshot.from_columns`` (as the whole-graph recompute does with its columnar reads: one
list per field, ids as strings) and as plain rows to the reference's ``account_graph``, then times:

- producing the columns alone (a stand-in for the driver's decoding), then the snapshot build
  from them (ids -> positions, lists -> arrays), and the same snapshot handed over as ready numpy
  arrays (the floor; it must score identically);
- ``recompute`` (scores, windowed engagement, coverage for every account), best of 3;
- the on-demand explanation of the largest account tree (contributions and coverage);
- the reference over the same rows: graph build once, then scores, windowed engagement and
  coverage once;

checks that both give the same numbers, prints a table and writes
``bench/results/recompute-<scale>.json``. Peak memory is ``ru_maxrss``, read after the fast
path (before the reference runs) and at the end.

Usage::

    python bench/recompute.py                 # M: 10k accounts, 100k persons, 1M engagements
    python bench/recompute.py --scale L       # 100k / 1M / 10M
    python bench/recompute.py --scale L --no-reference
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphsvc.algorithms.coverage import CommitteeTemplate, committee_coverages, windowed_engagements
from graphsvc.algorithms.propagation import SECONDS_PER_DAY, account_graph, account_scores
from graphsvc.algorithms.snapshot import GraphSnapshot, recompute

__all__ = ["SCALES", "SyntheticGraph", "main", "run", "synthetic_graph"]

SCALES = {  # accounts, persons, engagements
    "S": (1_000, 10_000, 100_000),
    "M": (10_000, 100_000, 1_000_000),
    "L": (100_000, 1_000_000, 10_000_000),
}
AS_OF = 1_750_000_000.0  # 2025-06-15, epoch seconds
ROLE_WEIGHTS = {  # SPEC §5 defaults
    "ECONOMIC_BUYER": 1.5,
    "DECISION_MAKER": 1.5,
    "CHAMPION": 1.3,
    "TECHNICAL_EVALUATOR": 1.2,
    "INFLUENCER": 1.0,
    "END_USER": 0.8,
    "BLOCKER": 0.5,
}
COMMITTEE = CommitteeTemplate.from_weights(  # SPEC §7 defaults
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
ROLES = list(ROLE_WEIGHTS)
# Base points of typical engagements (demo request ... unsubscribe) and how common they are.
POINTS = np.array([24.0, 18.0, 12.0, 6.0, 2.0, 0.0, -9.0, -18.0])
POINT_ODDS = np.array([0.02, 0.05, 0.10, 0.25, 0.45, 0.08, 0.04, 0.01])
ROW_SLICE = 100_000


class SyntheticGraph:
    """A seeded random graph as numpy columns, replayable as plain rows."""

    def __init__(self, n_accounts: int, n_persons: int, n_engagements: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        # Hierarchy levels 0..3; a level-k account hangs below a random level-(k-1) account.
        level = rng.choice(4, size=n_accounts, p=[0.6, 0.25, 0.1, 0.05])
        self.parent = np.full(n_accounts, -1)
        for k in range(1, 4):
            above = np.flatnonzero(level == k - 1)
            here = np.flatnonzero(level == k)
            self.parent[here] = rng.choice(above, size=here.size)
        self.account_ids = [f"acct-{i:07d}" for i in range(n_accounts)]
        self.fit = rng.uniform(0, 100, n_accounts).round(1)

        self.is_contact = rng.random(n_persons) < 0.6
        self.person_account = rng.integers(0, n_accounts, n_persons)
        self.person_account[~self.is_contact & (rng.random(n_persons) < 0.2)] = -1  # unmatched leads
        first_role = rng.integers(0, len(ROLES), n_persons)
        second_role = rng.integers(0, len(ROLES), n_persons)
        has_role = rng.random(n_persons) < 0.5
        has_two = has_role & (rng.random(n_persons) < 0.2)
        self.role_mask = np.where(has_role, 1 << first_role, 0) | np.where(has_two, 1 << second_role, 0)
        self.person_ids = [f"{'contact' if c else 'lead'}-{i:08d}" for i, c in enumerate(self.is_contact)]

        # Each person's engagements together, as the recompute's read (pages of persons) returns them.
        self.engagement_person = np.sort(rng.integers(0, n_persons, n_engagements))
        self.points = rng.choice(POINTS, size=n_engagements, p=POINT_ODDS)
        self.occurred_at = AS_OF - rng.uniform(0, 180 * SECONDS_PER_DAY, n_engagements).round(3)

    def accounts(self) -> Iterator[tuple[str, str | None, float]]:
        """Account rows: id, parent id, fit."""
        ids = self.account_ids
        for i, (p, fit) in enumerate(zip(self.parent.tolist(), self.fit.tolist(), strict=True)):
            yield ids[i], ids[p] if p >= 0 else None, fit

    def persons(self) -> Iterator[tuple[str, str | None, bool, list[str]]]:
        """Person rows: id, account id, is contact, roles."""
        role_lists = {mask: [r for k, r in enumerate(ROLES) if mask >> k & 1] for mask in range(1 << len(ROLES))}
        rows = zip(
            self.person_ids,
            self.person_account.tolist(),
            self.is_contact.tolist(),
            self.role_mask.tolist(),
            strict=True,
        )
        for person_id, a, contact, mask in rows:
            yield person_id, self.account_ids[a] if a >= 0 else None, contact, role_lists[mask]

    def snapshot(self) -> GraphSnapshot:
        """The same graph handed over as ready numpy arrays: the floor of any build."""
        return GraphSnapshot(
            account_ids=tuple(self.account_ids),
            account_parent=self.parent,
            account_fit=self.fit,
            person_ids=tuple(self.person_ids),
            person_account=self.person_account,
            person_is_contact=self.is_contact,
            person_roles=self.role_mask.astype(np.uint64),
            role_names=tuple(ROLES),
            engagement_person=self.engagement_person,
            engagement_points=self.points,
            engagement_time=self.occurred_at,
        )

    def columns(self) -> dict[str, Any]:
        """The graph as the recompute's columnar read hands it over: Python lists, ids as strings."""
        ids, person_ids = self.account_ids, self.person_ids
        role_lists = {mask: [r for k, r in enumerate(ROLES) if mask >> k & 1] for mask in range(1 << len(ROLES))}
        return {
            "account_ids": list(ids),
            "account_parents": [ids[p] if p >= 0 else None for p in self.parent.tolist()],
            "account_fit": self.fit.tolist(),
            "person_ids": list(person_ids),
            "person_accounts": [ids[a] if a >= 0 else None for a in self.person_account.tolist()],
            "person_is_contact": self.is_contact.tolist(),
            "person_roles": [role_lists[mask] for mask in self.role_mask.tolist()],
            "engagement_persons": [person_ids[p] for p in self.engagement_person.tolist()],
            "engagement_points": self.points.tolist(),
            "engagement_times": self.occurred_at.tolist(),
        }

    def engagements(self) -> Iterator[tuple[str, float, float]]:
        """Engagement rows: person id, base points, occurred at (epoch seconds)."""
        ids = self.person_ids
        # Slice by slice, so the rows never all exist as Python objects at once.
        for start in range(0, self.points.size, ROW_SLICE):
            window = slice(start, start + ROW_SLICE)
            columns = (self.engagement_person[window], self.points[window], self.occurred_at[window])
            for p, points, at in zip(*(column.tolist() for column in columns), strict=True):
                yield ids[p], points, at


def synthetic_graph(scale: str, seed: int = 7) -> SyntheticGraph:
    """The synthetic graph of one scale."""
    return SyntheticGraph(*SCALES[scale], seed=seed)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def _largest_tree_root(parent: np.ndarray) -> int:
    root = np.arange(parent.size)
    while (parent[root] >= 0).any():  # hierarchies are a few levels deep
        root = np.where(parent[root] >= 0, parent[root], root)
    return int(np.bincount(root).argmax())


def run(scale: str, with_reference: bool = True, seed: int = 7) -> dict[str, Any]:
    """Run the benchmark at one scale and return its figures."""
    options = {"role_weights": ROLE_WEIGHTS, "half_life_days": 30.0, "delta": 0.5}
    graph_data = synthetic_graph(scale, seed)
    figures: dict[str, Any] = {
        "scale": scale,
        "accounts": len(graph_data.account_ids),
        "persons": len(graph_data.person_ids),
        "engagements": int(graph_data.points.size),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "networkx": nx.__version__,
        },
    }

    # What producing the columns costs by itself (the store's share: driver decoding), for scale.
    figures["columns_alone_s"], columns = _timed(graph_data.columns)
    started = time.perf_counter()
    snapshot = GraphSnapshot.from_columns(**columns)
    figures["snapshot_build_s"] = time.perf_counter() - started
    del columns  # the reference below builds from rows; keep its peak its own
    runs = []
    for _ in range(3):
        seconds, fast = _timed(lambda: recompute(snapshot, AS_OF, committee=COMMITTEE, window_days=90.0, **options))
        runs.append(seconds)
    figures["fast_recompute_s"] = min(runs)
    figures["fast_recompute_runs_s"] = runs
    root = snapshot.account_ids[_largest_tree_root(snapshot.account_parent)]
    figures["fast_explain_s"], _ = _timed(lambda: (fast.contributions(root), fast.committee_coverage(root)))
    figures["explained_account"] = root
    figures["peak_rss_after_fast_mib"] = _peak_mib()

    # The same snapshot from ready arrays (after the peak above, which it must not raise), scoring identically.
    figures["columnar_build_s"], columnar = _timed(graph_data.snapshot)
    check = recompute(columnar, AS_OF, committee=COMMITTEE, window_days=90.0, **options)
    figures["columnar_same_scores"] = all(
        np.array_equal(getattr(check, name), getattr(fast, name)) for name in ("total", "engaged_coverage")
    )
    del columnar, check

    if with_reference:
        figures["reference_graph_build_s"], graph = _timed(
            lambda: account_graph(graph_data.accounts(), graph_data.persons(), graph_data.engagements())
        )
        figures["reference_recompute_s"], (scores, windowed, coverages) = _timed(
            lambda: (
                account_scores(graph, AS_OF, **options),
                windowed_engagements(graph, AS_OF, window_days=90.0, **options),
                committee_coverages(graph, COMMITTEE, AS_OF, window_days=90.0),
            )
        )
        figures["speedup_recompute"] = figures["reference_recompute_s"] / figures["fast_recompute_s"]
        figures["speedup_with_builds"] = (figures["reference_graph_build_s"] + figures["reference_recompute_s"]) / (
            figures["snapshot_build_s"] + figures["fast_recompute_s"]
        )
        figures["max_relative_difference"] = _max_difference(fast, scores, windowed, coverages)
    figures["peak_rss_mib"] = _peak_mib()
    return figures


def _max_difference(fast: Any, scores: dict, windowed: dict, coverages: dict) -> float:
    ids = fast.snapshot.account_ids
    pairs = [
        (fast.rolled_up, [scores[a].rolled_up for a in ids]),
        (fast.total, [scores[a].total for a in ids]),
        (fast.rolled_up_windowed, [windowed[a].rolled_up for a in ids]),
        (fast.engaged_coverage, [coverages[a].engaged_coverage for a in ids]),
        (fast.engaged_contacts, [coverages[a].engaged_contacts for a in ids]),
    ]
    worst = 0.0
    for got, expected in pairs:
        expected = np.asarray(expected, dtype=np.float64)
        scale = np.maximum(np.abs(expected), 1.0)
        worst = max(worst, float(np.max(np.abs(got - expected) / scale, initial=0.0)))
    return worst


def _table(figures: dict[str, Any]) -> str:
    rows = [
        (
            "graph",
            f"{figures['accounts']:,} accounts, {figures['persons']:,} persons, {figures['engagements']:,} engagements",
        ),
        ("producing the columns alone", f"{figures['columns_alone_s']:.2f} s"),
        ("snapshot build from columns", f"{figures['snapshot_build_s']:.2f} s"),
        (
            "snapshot from ready arrays",
            f"{figures['columnar_build_s']:.3f} s (same scores: {figures['columnar_same_scores']})",
        ),
        ("fast recompute, best of 3", f"{figures['fast_recompute_s']:.3f} s"),
        ("fast explanation of one tree", f"{figures['fast_explain_s'] * 1000:.1f} ms"),
        ("peak memory after fast path", f"{figures['peak_rss_after_fast_mib']:,.0f} MiB"),
    ]
    if "reference_recompute_s" in figures:
        rows += [
            ("reference graph build (networkx)", f"{figures['reference_graph_build_s']:.2f} s"),
            ("reference recompute (networkx)", f"{figures['reference_recompute_s']:.2f} s"),
            ("speed-up, recompute", f"{figures['speedup_recompute']:.0f}x"),
            ("speed-up, build + recompute", f"{figures['speedup_with_builds']:.1f}x"),
            ("max relative difference", f"{figures['max_relative_difference']:.1e}"),
        ]
    rows.append(("peak memory, whole run", f"{figures['peak_rss_mib']:,.0f} MiB"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-reference", dest="with_reference", action="store_false")
    args = parser.parse_args(argv)
    figures = run(args.scale, args.with_reference, args.seed)
    print(_table(figures))
    out = Path(__file__).parent / "results" / f"recompute-{args.scale}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
