"""Account score propagation (SPEC §6): the networkx reference, written for clarity.

At ``as_of`` a person's behavioral points are ``e(p) = Σ points × 0.5^(age_days / half_life)``
over its engagements with ``occurred_at <= as_of`` (later ones do not exist yet). The persons of
an account are its contacts (``WORKS_AT``) and its matched leads (``MATCHED_TO``); unmatched leads
count nowhere. An account's own engagement is ``E(a) = Σ_p w(p)·e(p)`` where ``w(p)`` is the
largest weight among the person's buying roles (1.0 for a person without roles, and for a role
the weight mapping does not name). Engagement rolls up the corporate hierarchy:
``R(a) = E(a) + δ·Σ_children R(c)``. ``total = fit_weight·fit + engagement_weight·min(100, R)``,
uncapped below, so an account whose people unsubscribe can drop under its fit share.

A cycle in ``SUBSIDIARY_OF`` makes ``R`` undefined: it is raised as
:class:`HierarchyCycleError`, never looped on.

The functions here work on the graph built by :func:`account_graph` from the same plain records
that fill the fast path's :class:`~graphsvc.algorithms.snapshot.GraphSnapshot`, so tests can
prove the two equal. Times are compared as epoch seconds in both, so window boundaries agree to
the bit.

Examples
--------
>>> g = account_graph(
...     accounts=[("acme", None, 80.0), ("acme-uk", "acme", 60.0)],
...     persons=[("ann", "acme-uk", True, ["CHAMPION"])],
...     engagements=[("ann", 10.0, 0.0)],
... )
>>> score = account_score(g, "acme", 0.0, role_weights={"CHAMPION": 1.3})
>>> round(score.rolled_up, 6), round(score.total, 6)
(6.5, 43.25)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import networkx as nx

from graphsvc.algorithms.roles import NO_ROLE_WEIGHT, role_weight
from graphsvc.algorithms.scoring import Contribution, decay
from graphsvc.errors import InvalidInput

__all__ = [
    "ENGAGEMENT_CAP",
    "SECONDS_PER_DAY",
    "AccountRecord",
    "AccountScore",
    "EngagementRecord",
    "HierarchyCycleError",
    "PersonRecord",
    "account_graph",
    "account_hierarchy",
    "account_score",
    "account_scores",
    "account_total",
    "behavioral_points",
    "decayed_engagements",
    "epoch_seconds",
    "own_engagement",
    "roll_up",
    "score_contributions",
]

SECONDS_PER_DAY = 86_400.0
# Rolled-up engagement counts towards the total up to this many points (SPEC §6).
ENGAGEMENT_CAP = 100.0


def account_total(fit: float, rolled_up: float, fit_weight: float = 0.5, engagement_weight: float = 0.5) -> float:
    """``total = fit_weight·fit + engagement_weight·min(100, R(a))`` (SPEC §6).

    >>> account_total(80.0, 250.0)
    90.0
    """
    return fit_weight * fit + engagement_weight * min(ENGAGEMENT_CAP, rolled_up)


class AccountRecord(NamedTuple):
    """One account row: its id, its parent's id (``SUBSIDIARY_OF``) and its ICP fit (0..100)."""

    id: str
    parent_id: str | None
    fit: float | None


class PersonRecord(NamedTuple):
    """One contact or lead: its account (``WORKS_AT`` / ``MATCHED_TO``; None when unmatched)."""

    id: str
    account_id: str | None
    is_contact: bool
    roles: Iterable[str]


class EngagementRecord(NamedTuple):
    """One engagement: who, its undecayed base points, when (datetime, ISO string or epoch s)."""

    person_id: str
    points: float
    occurred_at: Any


class HierarchyCycleError(InvalidInput):
    """``SUBSIDIARY_OF`` loops back on itself, so rolled-up engagement is undefined.

    ``accounts`` is one cycle in ``SUBSIDIARY_OF`` order (child, parent, grandparent, ...),
    chosen and rotated so that it starts at the smallest account id lying on any cycle; both the
    reference and the fast path name the same cycle.
    """

    code = "HIERARCHY_CYCLE"

    def __init__(self, accounts: Sequence[str]) -> None:
        self.accounts = tuple(accounts)
        loop = " -> ".join([*self.accounts, self.accounts[0]])
        super().__init__(f"account hierarchy has a SUBSIDIARY_OF cycle: {loop}")

    @classmethod
    def from_cycles(cls, cycles: Iterable[Sequence[str]]) -> HierarchyCycleError:
        """The error for the cycle holding the smallest account id, rotated to start there."""
        cycle = min(cycles, key=min)
        start = cycle.index(min(cycle))
        return cls([*cycle[start:], *cycle[:start]])


@dataclass(frozen=True)
class AccountScore:
    """An account's score at one ``as_of`` (the GraphQL ``AccountScore`` without contributions)."""

    account_id: str
    engagement: float
    rolled_up: float
    fit: float
    total: float


def epoch_seconds(value: datetime | str | float) -> float:
    """Seconds since the Unix epoch; naive datetimes and ISO strings without offset are UTC.

    Accepts ``neo4j.time.DateTime`` too (anything with ``to_native()``), so rows can come
    straight from the driver.
    """
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    elif not isinstance(value, datetime) and hasattr(value, "to_native"):
        value = value.to_native()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def account_graph(
    accounts: Iterable[Sequence[Any]],
    persons: Iterable[Sequence[Any]],
    engagements: Iterable[Sequence[Any]],
) -> nx.DiGraph:
    """The account graph as a networkx ``DiGraph``, from plain records.

    Parameters
    ----------
    accounts, persons, engagements
        Rows shaped like :class:`AccountRecord`, :class:`PersonRecord` and
        :class:`EngagementRecord` (tuples or driver records).

    Returns
    -------
    networkx.DiGraph
        Account nodes (``kind="account"``, ``fit``), person nodes (``kind`` ``"contact"`` or
        ``"lead"``, ``roles`` frozenset, ``engagements`` list of ``(points, epoch seconds)``),
        edges child → parent ``SUBSIDIARY_OF`` and person → account ``WORKS_AT`` /
        ``MATCHED_TO``.

    Raises
    ------
    InvalidInput
        A duplicate id, or a reference to an account or person that is not in the records.
    """
    graph = nx.DiGraph()
    parents: list[tuple[str, str]] = []
    for account_id, parent_id, fit in accounts:
        _add_node(graph, account_id, kind="account", fit=float(fit or 0.0))
        if parent_id is not None:
            parents.append((account_id, parent_id))
    for child, parent in parents:
        _require(graph, parent, "account", f"parent of account {child!r}")
        graph.add_edge(child, parent, relation="SUBSIDIARY_OF")
    for person_id, account_id, is_contact, roles in persons:
        kind = "contact" if is_contact else "lead"
        _add_node(graph, person_id, kind=kind, roles=frozenset(roles or ()), engagements=[])
        if account_id is not None:
            _require(graph, account_id, "account", f"account of {kind} {person_id!r}")
            graph.add_edge(person_id, account_id, relation="WORKS_AT" if is_contact else "MATCHED_TO")
    for person_id, points, occurred_at in engagements:
        _require(graph, person_id, ("contact", "lead"), "person of an engagement")
        graph.nodes[person_id]["engagements"].append((float(points), epoch_seconds(occurred_at)))
    return graph


def _add_node(graph: nx.DiGraph, node_id: str, **attributes: Any) -> None:
    if node_id in graph:
        raise InvalidInput(f"duplicate id {node_id!r}")
    graph.add_node(node_id, **attributes)


def _require(graph: nx.DiGraph, node_id: str, kinds: str | tuple[str, ...], what: str) -> None:
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    if graph.nodes.get(node_id, {}).get("kind") not in kinds:
        raise InvalidInput(f"unknown {what}: {node_id!r}")


def account_hierarchy(graph: nx.DiGraph, below: str | None = None) -> nx.DiGraph:
    """The ``SUBSIDIARY_OF`` forest (edges child → parent), checked to be acyclic.

    Parameters
    ----------
    graph
        An :func:`account_graph`.
    below
        When given, only this account and its subsidiaries at any depth (everything its score
        depends on); a cycle elsewhere in the graph then does not matter.

    Raises
    ------
    HierarchyCycleError
        The (sub)hierarchy contains a cycle.
    """
    accounts = [node for node, kind in graph.nodes(data="kind") if kind == "account"]
    hierarchy = graph.subgraph(accounts)
    if below is not None:
        hierarchy = hierarchy.subgraph(nx.ancestors(hierarchy, below) | {below})
    if not nx.is_directed_acyclic_graph(hierarchy):
        raise HierarchyCycleError.from_cycles(nx.simple_cycles(hierarchy))
    return hierarchy


def decayed_engagements(
    graph: nx.DiGraph, person_id: str, as_of: datetime | float, half_life_days: float
) -> Iterator[tuple[float, float]]:
    """``(occurred_at, decayed points)`` of each of the person's engagements up to ``as_of``."""
    now = epoch_seconds(as_of)
    for points, occurred_at in graph.nodes[person_id]["engagements"]:
        if occurred_at <= now:
            age_days = (now - occurred_at) / SECONDS_PER_DAY
            yield occurred_at, points * decay(age_days, half_life_days)


def behavioral_points(
    graph: nx.DiGraph, person_id: str, as_of: datetime | float, half_life_days: float = 30.0
) -> float:
    """``e(p)``: the person's decayed behavioral points at ``as_of``."""
    return sum(points for _, points in decayed_engagements(graph, person_id, as_of, half_life_days))


def _persons(graph: nx.DiGraph, account_id: str) -> list[str]:
    return [node for node in graph.predecessors(account_id) if graph.nodes[node]["kind"] != "account"]


def own_engagement(
    graph: nx.DiGraph,
    account_id: str,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float = 30.0,
    since: float = -math.inf,
) -> float:
    """``E(a) = Σ_p w(p)·e(p)`` over the account's contacts and matched leads.

    ``since`` (epoch seconds, exclusive) keeps only engagements after it: the windowed
    engagement of account stages uses the same sum over ``since < occurred_at <= as_of``.
    """
    total = 0.0
    for person in _persons(graph, account_id):
        points = sum(
            decayed
            for occurred_at, decayed in decayed_engagements(graph, person, as_of, half_life_days)
            if occurred_at > since
        )
        total += role_weight(graph.nodes[person]["roles"], role_weights, NO_ROLE_WEIGHT) * points
    return total


def roll_up(hierarchy: nx.DiGraph, own: Mapping[str, float], delta: float = 0.5) -> dict[str, float]:
    """``R(a) = own(a) + δ·Σ_children R(c)`` for every account of an acyclic hierarchy."""
    rolled = {account: own[account] for account in hierarchy}
    # Edges run child -> parent, so a topological order finishes every child before its parent.
    for account in nx.topological_sort(hierarchy):
        for parent in hierarchy.successors(account):
            rolled[parent] += delta * rolled[account]
    return rolled


def _scores(
    graph: nx.DiGraph,
    hierarchy: nx.DiGraph,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float,
    delta: float,
    fit_weight: float,
    engagement_weight: float,
) -> dict[str, AccountScore]:
    own = {
        account: own_engagement(graph, account, as_of, role_weights=role_weights, half_life_days=half_life_days)
        for account in hierarchy
    }
    rolled = roll_up(hierarchy, own, delta)
    scores = {}
    for account in hierarchy:
        fit = graph.nodes[account]["fit"]
        total = account_total(fit, rolled[account], fit_weight, engagement_weight)
        scores[account] = AccountScore(account, own[account], rolled[account], fit, total)
    return scores


def account_scores(
    graph: nx.DiGraph,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float = 30.0,
    delta: float = 0.5,
    fit_weight: float = 0.5,
    engagement_weight: float = 0.5,
) -> dict[str, AccountScore]:
    """Every account's score (the reference for a whole-graph recompute).

    Raises
    ------
    HierarchyCycleError
        Anywhere in the hierarchy.
    """
    return _scores(
        graph,
        account_hierarchy(graph),
        as_of,
        role_weights=role_weights,
        half_life_days=half_life_days,
        delta=delta,
        fit_weight=fit_weight,
        engagement_weight=engagement_weight,
    )


def account_score(
    graph: nx.DiGraph,
    account_id: str,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float = 30.0,
    delta: float = 0.5,
    fit_weight: float = 0.5,
    engagement_weight: float = 0.5,
) -> AccountScore:
    """One account's score, computed from its own subtree only.

    Raises
    ------
    HierarchyCycleError
        When the account lies on a cycle (its subtree then contains it).
    """
    return _scores(
        graph,
        account_hierarchy(graph, below=account_id),
        as_of,
        role_weights=role_weights,
        half_life_days=half_life_days,
        delta=delta,
        fit_weight=fit_weight,
        engagement_weight=engagement_weight,
    )[account_id]


def score_contributions(
    graph: nx.DiGraph,
    account_id: str,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float = 30.0,
    delta: float = 0.5,
    first: int | None = 10,
) -> list[Contribution]:
    """The largest contributions to ``R(account)``: persons of the account and its subsidiaries.

    Sorted by absolute points, largest first (negative contributions such as unsubscribes
    explain too), ties by source id; persons contributing exactly zero are left out.
    ``first=None`` returns all of them, which sum to ``R(account)``.
    """
    hierarchy = account_hierarchy(graph, below=account_id)
    contributions = []
    for source_account in hierarchy:
        path = nx.shortest_path(hierarchy, source_account, account_id)  # the only path in a tree
        attenuation = delta ** (len(path) - 1)
        for person in _persons(graph, source_account):
            weight = role_weight(graph.nodes[person]["roles"], role_weights)
            points = attenuation * weight * behavioral_points(graph, person, as_of, half_life_days)
            if points != 0.0:
                kind = graph.nodes[person]["kind"]
                contributions.append(Contribution(person, kind, points, weight, (person, *path)))
    contributions.sort(key=lambda c: (-abs(c.points), c.source_id))
    return contributions if first is None else contributions[:first]
