"""Target-account recommendations (SPEC §10): rank non-customers, give reasons, assign tiers.

Three signals, each in 0..1:

``fit``
    ICP fit / 100 (:func:`graphsvc.algorithms.fit.account_fit`).
``lookalike``
    weighted Jaccard similarity to the nearest won customer
    (:mod:`graphsvc.algorithms.lookalike`).
``surge``
    how much the account's engagement grew from the previous window to this one
    (:func:`engagement_surge`): ``clip((current − max(previous, 0)) / max(previous, floor), 0, 1)``,
    with ``current`` and ``previous`` the account's windowed engagement (role-weighted, decayed
    points of its people) at the end of each window. The floor (20 points, the ENGAGED stage's
    threshold) keeps a move from 1 to 3 points from counting as a surge: from nothing to 20
    points, or doubling a level of at least 20, is a full surge of 1.

``priority = 100 × (0.5·fit + 0.3·lookalike + 0.2·surge)`` (:class:`PriorityWeights`): fit to
the ICP comes first because it is what the strategy says; resemblance to the accounts that
actually bought is the evidence that corrects it; a surge is timely but short-lived, so it
breaks ties between similar accounts more than it reorders the list. Accounts are ranked by
priority, then fit, then id; the first ``capacities[0]`` get tier 1, the next ``capacities[1]``
tier 2, the next ``capacities[2]`` tier 3, and the rest are not recommended.

Examples
--------
>>> ranked = rank_targets(
...     [TargetCandidate("acme", fit=80.0, lookalike=0.5, current=40.0, previous=10.0),
...      TargetCandidate("beta", fit=90.0, lookalike=0.1, current=0.0, previous=0.0)],
...     capacities=[1, 1],
... )
>>> [(r.account_id, r.priority, r.tier) for r in ranked]   # acme: 100·(0.4 + 0.15 + 0.2·1.0)
[('acme', 75.0, 1), ('beta', 48.0, 2)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from graphsvc.algorithms.fit import ICP_SCALE
from graphsvc.algorithms.scoring import Contribution
from graphsvc.errors import InvalidInput

__all__ = [
    "DEFAULT_CAPACITIES",
    "MAX_TIERS",
    "MAX_TIER_CAPACITY",
    "SURGE_FLOOR",
    "CandidateColumns",
    "PriorityWeights",
    "TargetCandidate",
    "TargetRecommendation",
    "assign_tiers",
    "check_capacities",
    "engagement_surge",
    "rank_targets",
]

DEFAULT_CAPACITIES = (10, 50, 500)
"""Accounts per tier: 10 in tier 1, 50 in tier 2, 500 in tier 3."""

SURGE_FLOOR = 20.0
"""Points under which a previous window's level counts as this much when measuring a surge."""

MAX_TIERS = 3
"""Most tiers a recommendation may have."""

MAX_TIER_CAPACITY = 1_000_000
"""Largest number of accounts one tier may hold: far above any account list, far below a bad integer."""

_FIT_REASONS = 3


@dataclass(frozen=True)
class PriorityWeights:
    """Weights of the three signals in the priority; they must total 1."""

    fit: float = 0.5
    lookalike: float = 0.3
    surge: float = 0.2

    def __post_init__(self) -> None:
        weights = (self.fit, self.lookalike, self.surge)
        if min(weights) < 0 or abs(sum(weights) - 1.0) > 1e-9:
            raise InvalidInput(f"priority weights must be non-negative and total 1, got {weights}")


def engagement_surge(current: float, previous: float, floor: float = SURGE_FLOOR) -> float:
    """The surge of engagement from the previous window to this one, in 0..1 (module docstring).

    >>> engagement_surge(30.0, 10.0), engagement_surge(45.0, 30.0), engagement_surge(5.0, 0.0)
    (1.0, 0.5, 0.25)
    >>> engagement_surge(10.0, 40.0)   # falling engagement is no surge
    0.0
    """
    growth = (current - max(previous, 0.0)) / max(previous, floor)
    return min(1.0, max(0.0, growth))


@dataclass(frozen=True)
class TargetCandidate:
    """One non-customer account and its signals.

    ``fit`` is on the ICP scale (0..100) with the ``fit_contributions`` that explain it;
    ``lookalike`` is the similarity to ``customer_id`` through ``shared_attributes``;
    ``current`` and ``previous`` are windowed engagement levels over ``window_days``.
    """

    account_id: str
    fit: float
    lookalike: float = 0.0
    current: float = 0.0
    previous: float = 0.0
    name: str | None = None
    fit_contributions: Sequence[Contribution] = ()
    customer_id: str | None = None
    customer_name: str | None = None
    shared_attributes: Sequence[str] = ()
    window_days: int = 90
    is_target: bool = False
    current_tier: int | None = None


@dataclass(frozen=True)
class TargetRecommendation:
    """A ranked account: its priority (0..100), signals (0..1, fit 0..100), tier and reasons."""

    account_id: str
    priority: float
    fit: float
    lookalike: float
    surge: float
    tier: int
    reasons: tuple[str, ...]
    name: str | None = None
    is_target: bool = False
    current_tier: int | None = None
    customer_id: str | None = None
    shared_attributes: tuple[str, ...] = field(default=())


def check_capacities(capacities: Sequence[int], argument: str = "capacities", maximum: float = float("inf")) -> None:
    """Refuse tier capacities other than 1 to :data:`MAX_TIERS` numbers in ``0..maximum``.

    The algorithm takes any capacity; the API bounds them by :data:`MAX_TIER_CAPACITY`.

    Raises
    ------
    InvalidInput
        Naming ``argument``, the tier and what is wrong with it.
    """
    if not 1 <= len(capacities) <= MAX_TIERS:
        raise InvalidInput(f"{argument} takes 1 to {MAX_TIERS} numbers, tier 1 first; got {len(capacities)}")
    for tier, capacity in enumerate(capacities, start=1):
        if isinstance(capacity, bool) or not 0 <= capacity <= maximum:
            bound = "at least 0" if maximum == float("inf") else f"0 to {maximum:,}"
            raise InvalidInput(f"{argument}: tier {tier} capacity must be {bound}, got {capacity!r}")


def assign_tiers(count: int, capacities: Sequence[int] = DEFAULT_CAPACITIES) -> list[int]:
    """The tier of each of the ``count`` best-ranked accounts; the list stops when capacity runs out.

    Work and memory grow with ``count``, never with the capacities.

    >>> assign_tiers(5, [2, 2, 10]), assign_tiers(5, [1, 0, 2])
    ([1, 1, 2, 2, 3], [1, 3, 3])
    """
    check_capacities(capacities)
    tiers: list[int] = []
    for tier, capacity in enumerate(capacities, start=1):
        tiers.extend([tier] * min(capacity, count - len(tiers)))
    return tiers


def _reasons(candidate: TargetCandidate, surge: float) -> tuple[str, ...]:
    reasons = []
    matched = sorted((c for c in candidate.fit_contributions if c.points > 0), key=lambda c: (-c.points, c.source_id))
    detail = ", ".join(f"{c.path[1]} {c.path[2]} (+{c.points:.0f})" for c in matched[:_FIT_REASONS])
    reasons.append(f"ICP fit {candidate.fit:.0f}/100" + (f": {detail}" if detail else ""))
    if candidate.customer_id is not None and candidate.lookalike > 0:
        customer = candidate.customer_name or candidate.customer_id
        shared = ", ".join(candidate.shared_attributes)
        reasons.append(f"looks like won customer {customer} ({candidate.lookalike:.2f}): {shared}")
    if surge > 0:
        reasons.append(
            f"engagement surge: {candidate.current:.1f} points in the last {candidate.window_days} days "
            f"against {candidate.previous:.1f} in the {candidate.window_days} days before"
        )
    if candidate.is_target:
        tier = f" (tier {candidate.current_tier})" if candidate.current_tier is not None else ""
        reasons.append(f"already a target account{tier}")
    return tuple(reasons)


@dataclass(frozen=True)
class CandidateColumns:
    """Candidates as aligned columns (rows in any order, ids unique); ``candidate(i)`` gives row
    ``i`` as a :class:`TargetCandidate` with its reasons' inputs, and is called only for the
    ranked rows returned (so thousands of candidates cost arrays, not objects)."""

    account_ids: Sequence[str]
    fit: np.ndarray
    lookalike: np.ndarray
    current: np.ndarray
    previous: np.ndarray
    candidate: Callable[[int], TargetCandidate]

    @classmethod
    def of(cls, candidates: Sequence[TargetCandidate]) -> CandidateColumns:
        def column(name: str) -> np.ndarray:
            return np.array([getattr(c, name) for c in candidates], dtype=np.float64)

        return cls(
            [c.account_id for c in candidates],
            column("fit"),
            column("lookalike"),
            column("current"),
            column("previous"),
            candidates.__getitem__,
        )


def rank_targets(
    candidates: Iterable[TargetCandidate] | CandidateColumns,
    capacities: Sequence[int] = DEFAULT_CAPACITIES,
    weights: PriorityWeights | None = None,
    surge_floor: float = SURGE_FLOOR,
    first: int | None = None,
) -> list[TargetRecommendation]:
    """Rank candidates by priority (then fit, then id) and tier the best ones by ``capacities``.

    The priority is computed over arrays (elementwise: the same floats as one by one), and only
    the recommendations returned are built.

    Returns
    -------
    list of TargetRecommendation
        At most ``sum(capacities)`` (and ``first``), best first.
    """
    weights = weights or PriorityWeights()
    columns = candidates if isinstance(candidates, CandidateColumns) else CandidateColumns.of(list(candidates))
    fit = np.minimum(1.0, np.maximum(0.0, columns.fit / ICP_SCALE))
    pairs = zip(columns.current.tolist(), columns.previous.tolist(), strict=True)
    surge = np.fromiter((engagement_surge(c, p, surge_floor) for c, p in pairs), np.float64, len(columns.account_ids))
    priority = 100.0 * (weights.fit * fit + weights.lookalike * columns.lookalike + weights.surge * surge)
    ids = np.array(columns.account_ids, dtype=str) if len(columns.account_ids) else np.array([], dtype=str)
    tiers = assign_tiers(len(columns.account_ids), capacities)[:first]
    order = np.lexsort((ids, -columns.fit, -priority))[: len(tiers)].tolist()
    recommendations = []
    for row, tier in zip(order, tiers, strict=True):
        candidate = columns.candidate(row)
        row_surge = float(surge[row])
        recommendations.append(
            TargetRecommendation(
                account_id=candidate.account_id,
                priority=float(priority[row]),
                fit=candidate.fit,
                lookalike=candidate.lookalike,
                surge=row_surge,
                tier=tier,
                reasons=_reasons(candidate, row_surge),
                name=candidate.name,
                is_target=candidate.is_target,
                current_tier=candidate.current_tier,
                customer_id=candidate.customer_id,
                shared_attributes=tuple(candidate.shared_attributes),
            )
        )
    return recommendations
