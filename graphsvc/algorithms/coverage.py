"""Buying-committee coverage (SPEC §7) and windowed engagement: the networkx reference.

Only contacts count for coverage: a contact ``WORKS_AT`` the account and holds its roles, while
a matched lead does not take a committee seat until it is converted to a contact. A role is
*known* when a contact at the account holds it, *engaged* when such a contact has a
positive-point engagement inside the window. The window is half-open,
``as_of - window_days < occurred_at <= as_of``: an engagement exactly ``window_days`` old has
left it, one at ``as_of`` itself is in.

``coverage`` = Σ weights of known required roles / Σ required weights, ``engagedCoverage``
likewise with engaged roles (both 0 for a template without required weight);
``engagedContacts`` counts distinct engaged contacts whatever their roles; ``singleThreaded``
means at most one of them. Tracked roles (BLOCKER in the default template) are reported but
never counted.

Windowed engagement, which account stages read (ENGAGED, MQA), is the own engagement ``E`` of
:mod:`~graphsvc.algorithms.propagation` restricted to the window — contacts and matched leads,
role-weighted, decayed, positive and negative points alike — and rolls up the hierarchy with the
same ``δ``.

Examples
--------
>>> from graphsvc.algorithms.propagation import account_graph
>>> g = account_graph(
...     accounts=[("acme", None, 50.0)],
...     persons=[("ann", "acme", True, ["CHAMPION"]), ("bo", "acme", False, ["ECONOMIC_BUYER"])],
...     engagements=[("ann", 5.0, 0.0), ("bo", 8.0, 0.0)],
... )
>>> template = CommitteeTemplate.from_weights("default", {"ECONOMIC_BUYER": 0.5, "CHAMPION": 0.5})
>>> c = committee_coverage(g, "acme", template, 0.0)
>>> c.coverage, c.engaged_contacts, c.single_threaded, c.missing_roles
(0.5, 1, True, ('ECONOMIC_BUYER',))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import networkx as nx

from graphsvc.algorithms.propagation import (
    SECONDS_PER_DAY,
    account_hierarchy,
    epoch_seconds,
    own_engagement,
    roll_up,
)
from graphsvc.errors import InvalidInput

__all__ = [
    "Committee",
    "CommitteeCoverage",
    "CommitteeRole",
    "CommitteeSeat",
    "CommitteeTemplate",
    "RoleCoverage",
    "WindowedEngagement",
    "account_windowed_engagement",
    "committee_coverage",
    "committee_coverages",
    "engaged_contacts",
    "required_weight",
    "window_ms",
    "window_start",
    "windowed_engagements",
]


class CommitteeSeat(Protocol):
    """What coverage reads of a template's seat."""

    role: str
    weight: float
    required: bool


class Committee(Protocol):
    """What coverage reads of a template: :class:`CommitteeTemplate`, or a loaded document's."""

    name: str
    roles: Sequence[CommitteeSeat]


@dataclass(frozen=True)
class CommitteeRole:
    """A seat on a committee template; only required seats count towards coverage."""

    role: str
    weight: float
    required: bool = True


@dataclass(frozen=True)
class CommitteeTemplate:
    """A buying-committee template: its seats in the order they are reported."""

    name: str
    roles: tuple[CommitteeRole, ...]

    def __post_init__(self) -> None:
        names = [seat.role for seat in self.roles]
        if len(set(names)) != len(names):
            raise InvalidInput(f"committee template {self.name!r} lists a role twice: {names}")
        if any(seat.weight < 0 for seat in self.roles):
            raise InvalidInput(f"committee template {self.name!r} has a negative role weight")

    @classmethod
    def from_weights(cls, name: str, required: Mapping[str, float], tracked: Iterable[str] = ()) -> CommitteeTemplate:
        """A template from ``{role: weight}`` of required roles plus roles only tracked.

        >>> CommitteeTemplate.from_weights("t", {"CHAMPION": 1.0}, tracked=["BLOCKER"]).roles[1]
        CommitteeRole(role='BLOCKER', weight=0.0, required=False)
        """
        seats = [CommitteeRole(role, float(weight)) for role, weight in required.items()]
        seats += [CommitteeRole(role, 0.0, required=False) for role in tracked]
        return cls(name, tuple(seats))


def required_weight(template: Committee) -> float:
    """Σ weights of the required roles: the denominator of coverage."""
    return sum(seat.weight for seat in template.roles if seat.required)


@dataclass(frozen=True)
class RoleCoverage:
    """One seat at one account; ``contacts`` are the ids of contacts holding the role, sorted."""

    role: str
    required: bool
    weight: float
    known: bool
    engaged: bool
    contacts: tuple[str, ...]


@dataclass(frozen=True)
class CommitteeCoverage:
    """How well an account's buying committee is covered (the GraphQL ``Coverage``)."""

    template: str
    coverage: float
    engaged_coverage: float
    engaged_contacts: int
    single_threaded: bool
    missing_roles: tuple[str, ...]
    unengaged_roles: tuple[str, ...]
    roles: tuple[RoleCoverage, ...]

    @classmethod
    def from_roles(cls, template: Committee, roles: Sequence[RoleCoverage], engaged_contacts: int) -> CommitteeCoverage:
        """Aggregate the per-seat findings (in template order) into the account's coverage."""
        required = [seat for seat in roles if seat.required]
        denominator = required_weight(template)
        known = sum(seat.weight for seat in required if seat.known)
        engaged = sum(seat.weight for seat in required if seat.engaged)
        return cls(
            template=template.name,
            coverage=known / denominator if denominator else 0.0,
            engaged_coverage=engaged / denominator if denominator else 0.0,
            engaged_contacts=engaged_contacts,
            single_threaded=engaged_contacts <= 1,
            missing_roles=tuple(seat.role for seat in required if not seat.known),
            unengaged_roles=tuple(seat.role for seat in required if seat.known and not seat.engaged),
            roles=tuple(roles),
        )

    @classmethod
    def of_roles(
        cls, template: Committee, known: Iterable[str], engaged: Iterable[str], engaged_contacts: int
    ) -> CommitteeCoverage:
        """Coverage from the roles the account's contacts hold (``known``) and those held by engaged
        contacts (``engaged``), without naming the contacts (seats carry none)."""
        known_roles, engaged_roles = set(known), set(engaged)
        seats = [
            RoleCoverage(
                seat.role,
                seat.required,
                seat.weight,
                known=seat.role in known_roles,
                engaged=seat.role in engaged_roles,
                contacts=(),
            )
            for seat in template.roles
        ]
        return cls.from_roles(template, seats, engaged_contacts)

    @classmethod
    def of_contacts(
        cls, template: Committee, roles_of: Mapping[str, Iterable[str]], engaged: Iterable[str]
    ) -> CommitteeCoverage:
        """Coverage from an account's contacts: ``roles_of`` maps each contact to its roles, and
        ``engaged`` names the contacts engaged in the window (others are ignored).

        The one place seats are filled from contacts for the array fast path's readers (the read
        model, and the live coverage read), so they agree seat for seat.
        """
        contacts = sorted(roles_of)
        held = {contact: set(roles_of[contact]) for contact in contacts}
        engaged_ids = set(engaged) & held.keys()
        seats = []
        for seat in template.roles:
            holders = tuple(contact for contact in contacts if seat.role in held[contact])
            seats.append(
                RoleCoverage(
                    seat.role,
                    seat.required,
                    seat.weight,
                    known=bool(holders),
                    engaged=any(holder in engaged_ids for holder in holders),
                    contacts=holders,
                )
            )
        return cls.from_roles(template, seats, len(engaged_ids))


@dataclass(frozen=True)
class WindowedEngagement:
    """An account's engagement inside the window: its own, and rolled up its subsidiaries."""

    account_id: str
    own: float
    rolled_up: float


def window_start(now: float, window_days: float) -> float:
    """Epoch seconds of the window's open lower bound: in the window means ``start < t <= now``."""
    return now - window_days * SECONDS_PER_DAY


def window_ms(now: float, window_days: float) -> tuple[int, int]:
    """The whole epoch milliseconds ``first..last`` of the window ending at ``now`` (epoch seconds).

    Exactly the times ``t`` (stored in milliseconds, read as ``t / 1000`` seconds) that the array
    fast path counts in the window, ``start < t / 1000 <= now``, with its own float arithmetic, so
    a comparison in the database agrees with it at the bounds.

    >>> window_ms(86_400.0005, 1)
    (1, 86400000)
    """
    start = window_start(now, window_days)

    def first_not_below(bound: float, inside: Callable[[int], bool]) -> int:
        ms = math.floor(bound * 1000)
        while not inside(ms):
            ms += 1
        while inside(ms - 1):
            ms -= 1
        return ms

    first = first_not_below(start, lambda ms: ms / 1000.0 > start)
    last = first_not_below(now, lambda ms: ms / 1000.0 > now) - 1
    return first, last

def _contacts(graph: nx.DiGraph, account_id: str) -> list[str]:
    return sorted(node for node in graph.predecessors(account_id) if graph.nodes[node]["kind"] == "contact")


def engaged_contacts(
    graph: nx.DiGraph, account_id: str, as_of: datetime | float, window_days: float = 90.0
) -> set[str]:
    """Contacts at the account with at least one positive-point engagement in the window."""
    now = epoch_seconds(as_of)
    start = window_start(now, window_days)
    return {
        contact
        for contact in _contacts(graph, account_id)
        if any(points > 0 and start < t <= now for points, t in graph.nodes[contact]["engagements"])
    }


def committee_coverage(
    graph: nx.DiGraph,
    account_id: str,
    template: Committee,
    as_of: datetime | float,
    *,
    window_days: float = 90.0,
) -> CommitteeCoverage:
    """The account's committee coverage against ``template`` at ``as_of``."""
    engaged = engaged_contacts(graph, account_id, as_of, window_days)
    contacts = _contacts(graph, account_id)
    roles = []
    for seat in template.roles:
        holders = tuple(c for c in contacts if seat.role in graph.nodes[c]["roles"])
        is_engaged = any(c in engaged for c in holders)
        roles.append(RoleCoverage(seat.role, seat.required, seat.weight, bool(holders), is_engaged, holders))
    return CommitteeCoverage.from_roles(template, roles, len(engaged))


def committee_coverages(
    graph: nx.DiGraph, template: Committee, as_of: datetime | float, *, window_days: float = 90.0
) -> dict[str, CommitteeCoverage]:
    """Every account's committee coverage (the reference for a whole-graph recompute)."""
    return {
        account: committee_coverage(graph, account, template, as_of, window_days=window_days)
        for account, kind in graph.nodes(data="kind")
        if kind == "account"
    }


def _windowed(
    graph: nx.DiGraph,
    hierarchy: nx.DiGraph,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float,
    window_days: float,
    delta: float,
) -> dict[str, WindowedEngagement]:
    since = window_start(epoch_seconds(as_of), window_days)
    own = {
        account: own_engagement(
            graph, account, as_of, role_weights=role_weights, half_life_days=half_life_days, since=since
        )
        for account in hierarchy
    }
    rolled = roll_up(hierarchy, own, delta)
    return {account: WindowedEngagement(account, own[account], rolled[account]) for account in hierarchy}


def windowed_engagements(
    graph: nx.DiGraph,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float = 30.0,
    window_days: float = 90.0,
    delta: float = 0.5,
) -> dict[str, WindowedEngagement]:
    """Every account's windowed engagement, own and rolled up.

    Raises
    ------
    HierarchyCycleError
        Anywhere in the hierarchy.
    """
    return _windowed(
        graph,
        account_hierarchy(graph),
        as_of,
        role_weights=role_weights,
        half_life_days=half_life_days,
        window_days=window_days,
        delta=delta,
    )


def account_windowed_engagement(
    graph: nx.DiGraph,
    account_id: str,
    as_of: datetime | float,
    *,
    role_weights: Mapping[str, float],
    half_life_days: float = 30.0,
    window_days: float = 90.0,
    delta: float = 0.5,
) -> WindowedEngagement:
    """One account's windowed engagement, computed from its own subtree only."""
    return _windowed(
        graph,
        account_hierarchy(graph, below=account_id),
        as_of,
        role_weights=role_weights,
        half_life_days=half_life_days,
        window_days=window_days,
        delta=delta,
    )[account_id]
