"""Whole-graph recomputation on compact arrays: the fast path of §6 and §7.

A :class:`GraphSnapshot` holds the account forest, the persons and their engagements as numpy
arrays, filled straight from query rows by :meth:`GraphSnapshot.from_records`.
:func:`recompute` then gives every account's ``E``, ``R``, total, windowed engagement (own and
rolled up) and committee coverage in a handful of vectorised passes: ``np.bincount`` sums
engagements into persons and persons into accounts, and the roll-up walks the forest one depth
level at a time (deepest first), so its Python loop runs once per level, never per account,
person or engagement.

The definitions, boundaries and explanations are those of the networkx reference in
:mod:`~graphsvc.algorithms.propagation` and :mod:`~graphsvc.algorithms.coverage`; the tests
prove both give the same numbers.

Examples
--------
>>> from graphsvc.algorithms.coverage import CommitteeTemplate
>>> snapshot = GraphSnapshot.from_records(
...     accounts=[("acme", None, 80.0), ("acme-uk", "acme", 60.0)],
...     persons=[("ann", "acme-uk", True, ["CHAMPION"])],
...     engagements=[("ann", 10.0, 0.0)],
... )
>>> result = recompute(
...     snapshot, 0.0, role_weights={"CHAMPION": 1.3},
...     committee=CommitteeTemplate.from_weights("default", {"CHAMPION": 1.0}),
... )
>>> result.rolled_up.round(6).tolist(), result.coverage.tolist()
([6.5, 13.0], [0.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from itertools import islice
from typing import Any

import numpy as np

from graphsvc.algorithms.coverage import (
    Committee,
    CommitteeCoverage,
    RoleCoverage,
    required_weight,
    window_start,
)
from graphsvc.algorithms.propagation import (
    ENGAGEMENT_CAP,
    SECONDS_PER_DAY,
    AccountScore,
    HierarchyCycleError,
    epoch_seconds,
)
from graphsvc.algorithms.roles import NO_ROLE_WEIGHT
from graphsvc.algorithms.scoring import Contribution
from graphsvc.errors import InvalidInput

__all__ = ["MAX_ROLES", "GraphSnapshot", "Recomputed", "hierarchy_depths", "recompute"]

# Roles are a bitmask per person in one uint64.
MAX_ROLES = 64
_BATCH_ROWS = 65_536


@dataclass(frozen=True, eq=False)
class GraphSnapshot:
    """The graph as arrays; indices refer to positions in ``account_ids`` / ``person_ids``.

    Attributes
    ----------
    account_ids : tuple of str
    account_parent : int64 array
        Index of the parent account (``SUBSIDIARY_OF``), -1 for none.
    account_fit : float64 array
        ICP fit 0..100 (0 when unknown).
    person_ids : tuple of str
    person_account : int64 array
        Index of the account a contact works at or a lead is matched to, -1 for none.
    person_is_contact : bool array
        True for contacts, False for leads.
    person_roles : uint64 array
        Bit ``k`` set when the person holds ``role_names[k]``.
    role_names : tuple of str
    engagement_person : int64 array
        Index of the person who performed each engagement.
    engagement_points : float64 array
        Undecayed base points.
    engagement_time : float64 array
        ``occurred_at`` in epoch seconds.

    Arrays are made read-only: a snapshot is shared by readers and never changes.
    """

    account_ids: tuple[str, ...]
    account_parent: np.ndarray
    account_fit: np.ndarray
    person_ids: tuple[str, ...]
    person_account: np.ndarray
    person_is_contact: np.ndarray
    person_roles: np.ndarray
    role_names: tuple[str, ...]
    engagement_person: np.ndarray
    engagement_points: np.ndarray
    engagement_time: np.ndarray

    def __post_init__(self) -> None:
        columns = {
            "account_parent": (np.int64, len(self.account_ids)),
            "account_fit": (np.float64, len(self.account_ids)),
            "person_account": (np.int64, len(self.person_ids)),
            "person_is_contact": (np.bool_, len(self.person_ids)),
            "person_roles": (np.uint64, len(self.person_ids)),
            "engagement_person": (np.int64, None),
            "engagement_points": (np.float64, None),
            "engagement_time": (np.float64, None),
        }
        for name, (dtype, length) in columns.items():
            column = np.array(getattr(self, name), dtype=dtype)  # a private copy, then frozen
            expected = (len(self.engagement_person) if length is None else length,)
            if column.shape != expected:
                raise InvalidInput(f"snapshot column {name} has shape {column.shape}, expected {expected}")
            column.flags.writeable = False
            object.__setattr__(self, name, column)
        if len(self.role_names) > MAX_ROLES:
            raise InvalidInput(f"at most {MAX_ROLES} distinct buying roles, got {len(self.role_names)}")
        # -1 means "none" for a parent or an account; every engagement has a person.
        for name, lowest, size in (
            ("account_parent", -1, len(self.account_ids)),
            ("person_account", -1, len(self.account_ids)),
            ("engagement_person", 0, len(self.person_ids)),
        ):
            column = getattr(self, name)
            if column.size and not lowest <= column.min() <= column.max() < size:
                raise InvalidInput(f"snapshot column {name} holds an index out of range")

    @classmethod
    def from_columns(
        cls,
        *,
        account_ids: Sequence[str],
        account_parents: Sequence[str | None],
        account_fit: Sequence[float | None] | np.ndarray,
        person_ids: Sequence[str],
        person_accounts: Sequence[str | None],
        person_is_contact: Sequence[bool] | np.ndarray,
        person_roles: Sequence[Sequence[str]],
        engagement_persons: Sequence[str],
        engagement_points: Sequence[float] | np.ndarray,
        engagement_times: Sequence[Any] | np.ndarray,
    ) -> GraphSnapshot:
        """Build a snapshot from aligned columns, as a columnar read hands them over.

        The whole-graph recompute reads the graph this way (one list per field, no row per
        engagement), so the only per-element Python work left is mapping ids to positions.

        Parameters
        ----------
        account_ids, account_parents, account_fit
            Per account: id, parent id (None for a root), ICP fit (None counts as 0).
        person_ids, person_accounts, person_is_contact, person_roles
            Per person: id, account id (None when unmatched), contact or lead, buying roles.
        engagement_persons, engagement_points, engagement_times
            Per engagement: person id, undecayed base points, ``occurred_at`` as epoch seconds
            (datetimes or ISO strings are converted, more slowly).

        Raises
        ------
        InvalidInput
            A duplicate id, a reference to an account or person not in the columns, or columns
            of different lengths.
        """
        person_index = _index(person_ids, "person")
        return cls._assemble(
            account_ids,
            account_parents,
            account_fit,
            person_index,
            person_accounts,
            person_is_contact,
            person_roles,
            _engagement_arrays(engagement_persons, engagement_points, engagement_times, person_index),
        )

    @classmethod
    def from_records(
        cls,
        accounts: Iterable[Sequence[Any]],
        persons: Iterable[Sequence[Any]],
        engagements: Iterable[Sequence[Any]],
    ) -> GraphSnapshot:
        """Build a snapshot from plain rows, in one pass over each iterable.

        Parameters
        ----------
        accounts
            ``(id, parent_id | None, fit | None)`` rows, see
            :class:`~graphsvc.algorithms.propagation.AccountRecord`.
        persons
            ``(id, account_id | None, is_contact, roles)`` rows.
        engagements
            ``(person_id, base_points, occurred_at)`` rows; ``occurred_at`` as epoch seconds
            (cheapest: ``occurred_at.epochMillis / 1000.0`` in Cypher), datetime or ISO string.

        Raises
        ------
        InvalidInput
            A duplicate id, or a reference to an account or person not in the rows.
        """
        account_ids, account_parents, account_fit = _transpose(accounts, 3)
        person_ids, person_accounts, person_is_contact, person_roles = _transpose(persons, 4)
        # Engagements are the bulk of the rows: convert them a batch at a time, in C loops, so
        # that they never all exist as Python objects at once.
        person_index = _index(person_ids, "person")
        rows = iter(engagements)
        batches = []
        while batch := list(islice(rows, _BATCH_ROWS)):
            batches.append(_engagement_arrays(*_transpose(batch, 3), person_index))
        engagement_columns = (
            tuple(np.concatenate(column) for column in zip(*batches, strict=True))
            if batches
            else _engagement_arrays((), (), (), person_index)
        )
        return cls._assemble(
            account_ids,
            account_parents,
            account_fit,
            person_index,
            person_accounts,
            person_is_contact,
            person_roles,
            engagement_columns,
        )

    @classmethod
    def _assemble(
        cls,
        account_ids: Sequence[str],
        account_parents: Sequence[str | None],
        account_fit: Sequence[float | None] | np.ndarray,
        person_index: dict[str, int],
        person_accounts: Sequence[str | None],
        person_is_contact: Sequence[Any] | np.ndarray,
        person_roles: Sequence[Sequence[str] | None],
        engagements: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> GraphSnapshot:
        account_index = _index(account_ids, "account")
        role_names, role_masks = _role_masks(person_roles)
        if not isinstance(account_fit, np.ndarray):
            account_fit = np.fromiter((fit or 0.0 for fit in account_fit), dtype=np.float64, count=len(account_fit))
        if not isinstance(person_is_contact, np.ndarray):
            person_is_contact = np.fromiter(map(bool, person_is_contact), dtype=bool, count=len(person_is_contact))
        who, points, times = engagements
        snapshot = cls(
            account_ids=tuple(account_ids),
            account_parent=_positions(account_parents, account_index, "parent account"),
            account_fit=account_fit,
            person_ids=tuple(person_index),  # insertion order: the ids as given
            person_account=_positions(person_accounts, account_index, "account"),
            person_is_contact=person_is_contact,
            person_roles=role_masks,
            role_names=role_names,
            engagement_person=who,
            engagement_points=points,
            engagement_time=times,
        )
        # The indices were needed to build the snapshot: keep them as its cached properties.
        snapshot.__dict__.update(account_index=account_index, person_index=person_index)
        return snapshot

    @cached_property
    def account_index(self) -> dict[str, int]:
        """Position of each account id."""
        return {account_id: i for i, account_id in enumerate(self.account_ids)}

    @cached_property
    def person_index(self) -> dict[str, int]:
        """Position of each person id."""
        return {person_id: i for i, person_id in enumerate(self.person_ids)}

    def role_bit(self, role: str) -> np.uint64:
        """The bitmask of one role; 0 for a role nobody holds."""
        if role not in self.role_names:
            return np.uint64(0)
        return np.uint64(1) << np.uint64(self.role_names.index(role))

    def person_weights(self, role_weights: Mapping[str, float], no_role_weight: float = NO_ROLE_WEIGHT) -> np.ndarray:
        """``w(p)`` per person: its largest role weight, 1.0 without roles or for unnamed roles."""
        weights = np.full(len(self.person_ids), -np.inf)
        for role in self.role_names:
            holds = (self.person_roles & self.role_bit(role)) != 0
            weights = np.where(holds, np.maximum(weights, role_weights.get(role, no_role_weight)), weights)
        weights[self.person_roles == 0] = no_role_weight
        return weights


def _index(ids: list[str], kind: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, node_id in enumerate(ids):
        if index.setdefault(node_id, i) != i:
            raise InvalidInput(f"duplicate {kind} id {node_id!r}")
    return index


def _transpose(rows: Iterable[Sequence[Any]], width: int) -> list[list[Any]]:
    columns: list[list[Any]] = [[] for _ in range(width)]
    appends = [column.append for column in columns]
    for row in rows:
        for append, value in zip(appends, row, strict=True):
            append(value)
    return columns


def _positions(ids: Sequence[str | None], index: dict[str, int], what: str) -> np.ndarray:
    """Position of each id in ``index``; -1 for None."""
    try:
        return np.fromiter(
            (-1 if node_id is None else index[node_id] for node_id in ids), dtype=np.int64, count=len(ids)
        )
    except KeyError as unknown:
        raise InvalidInput(f"unknown {what}: {unknown.args[0]!r}") from None


def _role_masks(person_roles: Sequence[Sequence[str] | None]) -> tuple[tuple[str, ...], np.ndarray]:
    """Role names in order of first appearance, and each person's bitmask over them."""
    bits: dict[str, int] = {}
    masks = []
    for roles in person_roles:
        mask = 0
        for role in roles or ():
            mask |= 1 << bits.setdefault(role, len(bits))
        masks.append(mask)
    if len(bits) > MAX_ROLES:
        raise InvalidInput(f"at most {MAX_ROLES} distinct buying roles, got {len(bits)}")
    return tuple(bits), np.array(masks, dtype=np.uint64)


def _engagement_arrays(
    persons: Sequence[str],
    points: Sequence[float] | np.ndarray,
    times: Sequence[Any] | np.ndarray,
    person_index: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Person positions, base points and epoch seconds of engagement columns, in C loops."""
    if not len(persons) == len(points) == len(times):
        raise InvalidInput(f"engagement columns of different lengths: {len(persons)}, {len(points)}, {len(times)}")
    # A columnar read returns each person's engagements together: look each run's id up once
    # (a dict lookup per engagement is the slowest step at millions of engagements).
    ids = np.empty(len(persons), dtype=object)
    ids[:] = persons
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1]))) if ids.size else np.zeros(0, np.int64)
    try:
        first = np.fromiter(map(person_index.__getitem__, ids[starts]), dtype=np.int64, count=starts.size)
    except KeyError as unknown:
        raise InvalidInput(f"unknown person: {unknown.args[0]!r}") from None
    who = np.repeat(first, np.diff(np.append(starts, ids.size)))
    seconds = np.asarray(times) if len(times) else np.zeros(0)
    if seconds.dtype.kind not in "iuf":  # datetimes or ISO strings
        seconds = np.fromiter(map(epoch_seconds, times), dtype=np.float64, count=len(times))
    return who, np.asarray(points, dtype=np.float64), seconds.astype(np.float64)


def hierarchy_depths(account_ids: Sequence[str], parent: np.ndarray) -> np.ndarray:
    """Depth of every account below its ultimate parent (roots are 0), by pointer doubling.

    After ``k`` doublings each account points ``2^k`` steps up; once that exceeds the number of
    accounts, every chain that ends at a root has reached it, and an account still pointing at
    an account lies on, or hangs below, a cycle. O(n log n), no loop over accounts.

    Raises
    ------
    HierarchyCycleError
        Naming the same cycle as the reference.
    """
    n = parent.size
    # Index n is a sentinel above every root that points at itself.
    up = np.append(np.where(parent >= 0, parent, n), n)
    depth = np.append((parent >= 0).astype(np.int64), 0)
    for _ in range(n.bit_length()):
        depth = depth + depth[up]
        up = up[up]
    stuck = up[:n] != n
    if stuck.any():
        raise HierarchyCycleError.from_cycles(_cycles(account_ids, parent, np.unique(up[:n][stuck])))
    return depth[:n]


def _cycles(account_ids: Sequence[str], parent: np.ndarray, on_cycles: np.ndarray) -> list[list[str]]:
    # Error path only: walk each cycle once from a node known to lie on it.
    seen: set[int] = set()
    cycles = []
    for start in on_cycles.tolist():
        if start in seen:
            continue
        cycle, node = [], start
        while node not in seen:
            seen.add(node)
            cycle.append(account_ids[node])
            node = int(parent[node])
        cycles.append(cycle)
    return cycles


def _roll_up(parent: np.ndarray, depth: np.ndarray, own: np.ndarray, delta: float) -> np.ndarray:
    """``R = own + δ·Σ_children R`` for each column of ``own``, deepest level first."""
    rolled = own.copy()
    by_depth = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[by_depth], np.arange(depth.max(initial=0) + 2))
    for level in range(len(bounds) - 2, 0, -1):
        children = by_depth[bounds[level] : bounds[level + 1]]
        np.add.at(rolled, parent[children], delta * rolled[children])
    return rolled


def _coverage(
    snapshot: GraphSnapshot,
    committees: tuple[Committee, ...],
    account_committee: np.ndarray,
    known_roles: np.ndarray,
    engaged_roles: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Coverage and engaged coverage of every account against its own template."""
    coverage = np.zeros(account_committee.size)
    engaged_coverage = np.zeros(account_committee.size)
    for t, template in enumerate(committees):
        members = np.flatnonzero(account_committee == t)
        known_weight = np.zeros(members.size)
        engaged_weight = np.zeros(members.size)
        for seat in template.roles:
            if seat.required:
                bit = snapshot.role_bit(seat.role)
                known_weight += seat.weight * ((known_roles[members] & bit) != 0)
                engaged_weight += seat.weight * ((engaged_roles[members] & bit) != 0)
        denominator = required_weight(template) or np.inf  # no required weight: coverage 0
        coverage[members] = known_weight / denominator
        engaged_coverage[members] = engaged_weight / denominator
    return coverage, engaged_coverage


@dataclass(frozen=True, eq=False)
class Recomputed:
    """Every account's numbers at one ``as_of``; arrays are indexed like the snapshot's.

    Attributes
    ----------
    committees : tuple of committee templates
    account_committee : int64 array per account
        Which of ``committees`` the account's coverage is measured against.
    depth : int64 array per account
        Levels below its ultimate parent.
    person_weight, person_points : float64 arrays per person
        ``w(p)`` and ``e(p)``.
    person_engaged : bool array per person
        A contact at an account with a positive-point engagement in the window.
    engagement, rolled_up, total : float64 arrays per account
        ``E(a)``, ``R(a)`` and the total score.
    windowed, rolled_up_windowed : float64 arrays per account
        Engagement inside the window, own and rolled up (account stages read these).
    coverage, engaged_coverage : float64 arrays per account
    engaged_contacts : int64 array per account
    single_threaded : bool array per account
    known_roles, engaged_roles : uint64 arrays per account
        Bitmasks over ``snapshot.role_names`` of roles held by its contacts / engaged contacts.
    """

    snapshot: GraphSnapshot
    as_of: float
    half_life_days: float
    delta: float
    window_days: float
    committees: tuple[Committee, ...]
    account_committee: np.ndarray
    depth: np.ndarray
    person_weight: np.ndarray
    person_points: np.ndarray
    person_engaged: np.ndarray
    engagement: np.ndarray
    rolled_up: np.ndarray
    total: np.ndarray
    windowed: np.ndarray
    rolled_up_windowed: np.ndarray
    coverage: np.ndarray
    engaged_coverage: np.ndarray
    engaged_contacts: np.ndarray
    single_threaded: np.ndarray
    known_roles: np.ndarray
    engaged_roles: np.ndarray

    def score(self, account_id: str) -> AccountScore:
        """One account's score, as the reference's ``account_score`` gives it."""
        a = self.snapshot.account_index[account_id]
        return AccountScore(
            account_id,
            float(self.engagement[a]),
            float(self.rolled_up[a]),
            float(self.snapshot.account_fit[a]),
            float(self.total[a]),
        )

    def contributions(self, account_id: str, first: int | None = 10) -> list[Contribution]:
        """The largest contributions to ``R(account)``, computed on demand for this account.

        Same definition and order as the reference's ``score_contributions``: persons of the
        account and its subsidiaries, ``δ^k·w·e`` points, by absolute points then source id.
        """
        snapshot = self.snapshot
        top = snapshot.account_index[account_id]
        parent = snapshot.account_parent
        # Levels below the account: one vectorised pass per level of its subtree.
        levels_below = np.full(parent.size, -1)
        levels_below[top] = 0
        frontier, level = np.array([top]), 0
        while frontier.size:
            level += 1
            frontier = np.flatnonzero(np.isin(parent, frontier))
            levels_below[frontier] = level
        account = snapshot.person_account
        in_subtree = np.zeros(account.size, dtype=bool)
        matched = account >= 0
        in_subtree[matched] = levels_below[account[matched]] >= 0
        persons = np.flatnonzero(in_subtree)
        attenuation = self.delta ** levels_below[account[persons]].astype(np.float64)
        points = attenuation * self.person_weight[persons] * self.person_points[persons]
        keep = points != 0.0
        persons, points = persons[keep], points[keep]
        by_id = sorted(range(persons.size), key=lambda i: snapshot.person_ids[persons[i]])
        order = [by_id[i] for i in np.argsort(-np.abs(points[by_id]), kind="stable")]
        if first is not None:
            order = order[:first]
        return [self._contribution(int(persons[i]), float(points[i]), top) for i in order]

    def top_contributions(self, first: int | None = 10) -> list[list[Contribution]]:
        """The ``first`` largest contributions (None: all) of every account at once, indexed like ``account_ids``.

        The same lists as :meth:`contributions` gives account by account (tested), in one pass:
        each person is paired with its account and every ancestor (one vectorised step per
        hierarchy level), and one sort orders all pairs by account, absolute points, person id.
        """
        snapshot = self.snapshot
        parent = snapshot.account_parent
        persons = np.flatnonzero(snapshot.person_account >= 0)
        owners, who, levels = [], [], []
        above, level = snapshot.person_account[persons], 0
        while persons.size:
            owners.append(above)
            who.append(persons)
            levels.append(np.full(persons.size, level))
            keep = parent[above] >= 0
            persons, above, level = persons[keep], parent[above[keep]], level + 1
        owner, person, level_of = (
            np.concatenate(part) if part else np.zeros(0, np.int64) for part in (owners, who, levels)
        )
        # Same expression, in the same order, as contributions(): equal to the last bit.
        points = self.delta ** level_of.astype(np.float64) * self.person_weight[person] * self.person_points[person]
        keep = points != 0.0
        owner, person, level_of, points = owner[keep], person[keep], level_of[keep], points[keep]
        id_rank = np.empty(len(snapshot.person_ids), dtype=np.int64)
        id_rank[sorted(range(len(snapshot.person_ids)), key=snapshot.person_ids.__getitem__)] = np.arange(id_rank.size)
        order = np.lexsort((id_rank[person], -np.abs(points), owner))
        owner, person, points = owner[order], person[order], points[order]
        starts = np.searchsorted(owner, owner, side="left")
        kept = np.flatnonzero(np.arange(owner.size) - starts < (owner.size if first is None else first))
        found: list[list[Contribution]] = [[] for _ in snapshot.account_ids]
        for i in kept.tolist():
            top = int(owner[i])
            found[top].append(self._contribution(int(person[i]), float(points[i]), top))
        return found

    def _contribution(self, person: int, points: float, top: int) -> Contribution:
        snapshot = self.snapshot
        path = [snapshot.person_ids[person]]
        account = int(snapshot.person_account[person])
        while True:
            path.append(snapshot.account_ids[account])
            if account == top:
                break
            account = int(snapshot.account_parent[account])
        kind = "contact" if snapshot.person_is_contact[person] else "lead"
        return Contribution(path[0], kind, points, float(self.person_weight[person]), tuple(path))

    def committee_coverage(self, account_id: str) -> CommitteeCoverage:
        """One account's full coverage record, with the contacts behind each seat."""
        snapshot = self.snapshot
        a = snapshot.account_index[account_id]
        committee = self.committees[self.account_committee[a]]
        at_account = np.flatnonzero(snapshot.person_is_contact & (snapshot.person_account == a))
        contacts = np.array(sorted(at_account.tolist(), key=snapshot.person_ids.__getitem__), dtype=np.int64)
        roles = []
        for seat in committee.roles:
            holders = contacts[(snapshot.person_roles[contacts] & snapshot.role_bit(seat.role)) != 0]
            roles.append(
                RoleCoverage(
                    seat.role,
                    seat.required,
                    seat.weight,
                    known=bool(holders.size),
                    engaged=bool(self.person_engaged[holders].any()),
                    contacts=tuple(snapshot.person_ids[c] for c in holders),
                )
            )
        return CommitteeCoverage.from_roles(committee, roles, int(self.engaged_contacts[a]))


def recompute(
    snapshot: GraphSnapshot,
    as_of: datetime | float,
    *,
    committee: Committee | Sequence[Committee],
    role_weights: Mapping[str, float],
    no_role_weight: float = NO_ROLE_WEIGHT,
    half_life_days: float = 30.0,
    delta: float = 0.5,
    window_days: float = 90.0,
    fit_weight: float = 0.5,
    engagement_weight: float = 0.5,
    account_committee: np.ndarray | None = None,
) -> Recomputed:
    """Recompute every account's scores, windowed engagement and committee coverage.

    Parameters
    ----------
    snapshot
        The graph.
    as_of
        Evaluation time; engagements after it are ignored.
    committee
        The committee template coverage is measured against, or several when templates
        differ by segment; ``account_committee`` then says which one each account uses.
    role_weights
        ``{role: weight}`` for ``w(p)``.
    half_life_days, delta, window_days, fit_weight, engagement_weight
        As in SPEC §6–§8.
    account_committee
        Per account, an index into ``committee`` (the store resolves segments, e.g. with the
        committee document's ``template_for``); None: every account uses the first.

    Raises
    ------
    HierarchyCycleError
        The hierarchy has a cycle; no account gets a number, as with the reference.
    """
    depth = hierarchy_depths(snapshot.account_ids, snapshot.account_parent)
    now = epoch_seconds(as_of)
    n_accounts, n_persons = len(snapshot.account_ids), len(snapshot.person_ids)
    who, time, base = snapshot.engagement_person, snapshot.engagement_time, snapshot.engagement_points

    happened = time <= now
    # Clip so that future engagements (masked out below) cannot overflow the power.
    age_days = np.maximum(now - time, 0.0) / SECONDS_PER_DAY
    decayed = np.where(happened, base * np.power(0.5, age_days / half_life_days), 0.0)
    in_window = happened & (time > window_start(now, window_days))

    person_weight = snapshot.person_weights(role_weights, no_role_weight)
    person_points = np.bincount(who, weights=decayed, minlength=n_persons)
    person_windowed = np.bincount(who[in_window], weights=decayed[in_window], minlength=n_persons)

    account = snapshot.person_account
    matched = account >= 0
    own = np.stack(
        [
            np.bincount(account[matched], weights=(person_weight * values)[matched], minlength=n_accounts)
            for values in (person_points, person_windowed)
        ],
        axis=1,
    )
    rolled = _roll_up(snapshot.account_parent, depth, own, delta)

    contact = snapshot.person_is_contact & matched
    engaged = np.zeros(n_persons, dtype=bool)
    engaged[who[in_window & (base > 0)]] = True
    engaged &= contact
    known_roles = np.zeros(n_accounts, dtype=np.uint64)
    np.bitwise_or.at(known_roles, account[contact], snapshot.person_roles[contact])
    engaged_roles = np.zeros(n_accounts, dtype=np.uint64)
    np.bitwise_or.at(engaged_roles, account[engaged], snapshot.person_roles[engaged])
    engaged_contacts = np.bincount(account[engaged], minlength=n_accounts)

    committees = tuple(committee) if isinstance(committee, Sequence) else (committee,)
    if account_committee is None:
        account_committee = np.zeros(n_accounts, dtype=np.int64)
    account_committee = np.asarray(account_committee, dtype=np.int64)
    if account_committee.shape != (n_accounts,) or not np.isin(account_committee, range(len(committees))).all():
        raise InvalidInput("account_committee needs one index into the committee templates per account")
    coverage, engaged_coverage = _coverage(snapshot, committees, account_committee, known_roles, engaged_roles)

    return Recomputed(
        snapshot=snapshot,
        as_of=now,
        half_life_days=half_life_days,
        delta=delta,
        window_days=window_days,
        committees=committees,
        account_committee=account_committee,
        depth=depth,
        person_weight=person_weight,
        person_points=person_points,
        person_engaged=engaged,
        engagement=own[:, 0],
        rolled_up=rolled[:, 0],
        total=fit_weight * snapshot.account_fit + engagement_weight * np.minimum(ENGAGEMENT_CAP, rolled[:, 0]),
        windowed=own[:, 1],
        rolled_up_windowed=rolled[:, 1],
        coverage=coverage,
        engaged_coverage=engaged_coverage,
        engaged_contacts=engaged_contacts,
        single_threaded=engaged_contacts <= 1,
        known_roles=known_roles,
        engaged_roles=engaged_roles,
    )
