"""Lookalike similarity: the scipy.sparse fast path against the networkx reference.

Builds seeded synthetic firmographic and technographic profiles (12 industries, size and revenue
bands, 30 countries, 3–8 of 40 technologies per account), makes 5 % of the accounts won
customers, then times:

- the attribute matrix build (profiles -> sparse matrix);
- every account's similarity to its nearest customer, best of 3;
- the top-10 lookalikes of one account, best of 3;
- the reference: graph build, then the nearest customer of a sample of accounts (the whole
  reference takes minutes at M), extrapolated to every account;

checks that both give identical answers on the sample, prints a table and writes
``bench/results/lookalike-<scale>.json``.

Usage::

    python bench/lookalike.py                 # M: 10k accounts, 500 customers
    python bench/lookalike.py --scale L       # 100k accounts, 5k customers
    python bench/lookalike.py --sample 2000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy

from graphsvc.algorithms.lookalike import (
    EMPLOYEE_BANDS,
    REVENUE_BANDS,
    AttributeMatrix,
    attribute_graph,
    weighted_jaccard,
)

__all__ = ["SCALES", "main", "run", "synthetic_profiles"]

SCALES = {"S": 1_000, "M": 10_000, "L": 100_000}
CUSTOMER_SHARE = 0.05
INDUSTRIES = [
    f"industry={name}"
    for name in ("software", "finance", "healthcare", "telecom", "manufacturing", "media", "retail", "energy",
                 "education", "government", "logistics", "insurance")
]
COUNTRIES = [f"country=c{k:02d}" for k in range(30)]
TECHNOLOGIES = [f"technology=t{k:02d}" for k in range(40)]


def synthetic_profiles(accounts: int, seed: int = 7) -> dict[str, frozenset[str]]:
    """Seeded account profiles with skewed (Zipf-like) value frequencies, as real firmographics have."""
    rng = np.random.default_rng(seed)

    def skewed(values: list[str], size: int) -> np.ndarray:
        odds = 1.0 / np.arange(1, len(values) + 1)
        return rng.choice(len(values), size=size, p=odds / odds.sum())

    industry = skewed(INDUSTRIES, accounts)
    employees = skewed(list(EMPLOYEE_BANDS), accounts)
    revenue = skewed(list(REVENUE_BANDS), accounts)
    country = skewed(COUNTRIES, accounts)
    stack = rng.integers(3, 9, size=accounts)
    odds = 1.0 / np.arange(1, len(TECHNOLOGIES) + 1) ** 0.7
    profiles = {}
    for i in range(accounts):
        technologies = rng.choice(len(TECHNOLOGIES), size=stack[i], replace=False, p=odds / odds.sum())
        profiles[f"acc-{i:06d}"] = frozenset(
            [
                INDUSTRIES[industry[i]],
                f"employees={EMPLOYEE_BANDS[employees[i]]}",
                f"revenue={REVENUE_BANDS[revenue[i]]}",
                COUNTRIES[country[i]],
                *(TECHNOLOGIES[t] for t in technologies),
            ]
        )
    return profiles


def _best_of(repeats: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _reference_nearest(graph: nx.Graph, account_id: str, customers: list[str]) -> tuple[float, str | None]:
    best: tuple[float, str | None] = (0.0, None)
    for customer in customers:
        if customer != account_id:
            similarity = weighted_jaccard(graph, account_id, customer)
            if similarity > best[0]:
                best = (similarity, customer)
    return best


def run(scale: str, sample: int, seed: int = 7) -> dict[str, Any]:
    accounts = SCALES[scale]
    profiles = synthetic_profiles(accounts, seed)
    ids = list(profiles)
    rng = np.random.default_rng(seed + 1)
    customers = sorted(rng.choice(ids, size=max(1, int(accounts * CUSTOMER_SHARE)), replace=False).tolist())

    build, matrix = _best_of(1, lambda: AttributeMatrix.from_profiles(profiles))
    nearest_time, nearest = _best_of(3, lambda: matrix.similarity_to_customers(customers))
    top_time, _ = _best_of(3, lambda: matrix.lookalikes(ids[0], 10))
    peak_fast = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    graph_build, graph = _best_of(1, lambda: attribute_graph(profiles))
    chosen = sorted(rng.choice(ids, size=min(sample, accounts), replace=False).tolist())
    started = time.perf_counter()
    reference = {account_id: _reference_nearest(graph, account_id, customers) for account_id in chosen}
    reference_time = time.perf_counter() - started
    mismatches = sum(reference[a] != (nearest[a].similarity, nearest[a].customer_id) for a in chosen)
    extrapolated = reference_time * accounts / len(chosen)
    return {
        "scale": scale,
        "accounts": accounts,
        "customers": len(customers),
        "attributes": len(matrix.attribute_names),
        "seconds": {
            "matrix_build": round(build, 4),
            "fast_nearest_customer_all": round(nearest_time, 4),
            "fast_top10_one_account": round(top_time, 5),
            "reference_graph_build": round(graph_build, 3),
            "reference_nearest_customer_sample": round(reference_time, 3),
            "reference_nearest_customer_all_extrapolated": round(extrapolated, 1),
        },
        "reference_sample": len(chosen),
        "mismatches_in_sample": mismatches,
        "speed_up_nearest_customer": round(extrapolated / nearest_time, 1),
        "peak_memory_mib_after_fast_path": round(peak_fast, 1),
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                    "networkx": nx.__version__, "cpu_count": os.cpu_count()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="M")
    parser.add_argument("--sample", type=int, default=500, help="accounts the reference scores")
    args = parser.parse_args()
    result = run(args.scale, args.sample)
    for name, seconds in result["seconds"].items():
        print(f"{name:<45} {seconds:>10}")
    print(f"{'speed-up (nearest customer, all accounts)':<45} {result['speed_up_nearest_customer']:>10}×")
    print(f"{'mismatches in the reference sample':<45} {result['mismatches_in_sample']:>10}")
    out = Path(__file__).parent / "results" / f"lookalike-{args.scale}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
