"""Smooth weighted round robin over a pool of users (SPEC §9.5), its position kept in the graph.

The rotation is nginx's smooth weighted round robin: every member that can take a lead adds its
weight (``MEMBER_OF.weight``) to its current weight, the largest current weight wins and gives
back the total of the weights that took part. Over any stretch of leads a member of weight 2
gets twice the leads of a member of weight 1, spread out (``a b a a b a``, not ``a a b b``).
Members who are inactive, at capacity (as many PENDING decisions as their ``capacity``) or
excluded (an escalation skips everyone who already held the lead) sit the turn out and keep
their current weight.

The current weights live on the ``Pool`` node (``rr_members``, ``rr_current``) with a version
``rr_version`` that counts the slots taken. A routing reads the pool, picks here, and stores its
decision with :func:`graphsvc.routing.decisions.record_decision`, which writes the new rotation
only if the version is still the one read (and the assignee can still take the lead); otherwise
the routing reads again and picks again. So a restart keeps the position, several graphsvc
instances share it, and no slot is ever taken twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphsvc.routing.decisions import PoolClaim
from graphsvc.store.database import Database

__all__ = ["Pick", "PoolMember", "PoolRotation", "PoolState", "pool_from_rows", "read_pool", "smooth_weighted_choice"]


def smooth_weighted_choice(
    weights: Mapping[str, float], current: Mapping[str, float]
) -> tuple[str | None, dict[str, float]]:
    """One step of smooth weighted round robin.

    Parameters
    ----------
    weights
        The members taking part in this turn and their weights, in tie-break order (on equal
        current weights the first wins).
    current
        Current weights of the pool's members; members missing start at 0.

    Returns
    -------
    tuple
        The chosen member (None when ``weights`` is empty) and the new current weights of every
        member in ``current`` or ``weights``.

    >>> current, picks = {}, []
    >>> for _ in range(7):
    ...     chosen, current = smooth_weighted_choice({"a": 5, "b": 1, "c": 1}, current)
    ...     picks.append(chosen)
    >>> "".join(picks)
    'aabacaa'
    """
    updated = {**current, **{member: current.get(member, 0.0) + weight for member, weight in weights.items()}}
    chosen = None
    for member in weights:
        if chosen is None or updated[member] > updated[chosen]:
            chosen = member
    if chosen is not None:
        updated[chosen] -= sum(weights.values())
    return chosen, updated


@dataclass(frozen=True)
class PoolMember:
    """A pool member with what decides whether it can take a lead now."""

    id: str
    name: str | None
    weight: float
    active: bool
    capacity: int | None
    open_assignments: int

    @property
    def unavailable(self) -> str | None:
        """Why the member cannot take a lead now (``"inactive"``, ``"at capacity 5/5"``), or None."""
        if not self.active:
            return "inactive"
        if self.capacity is not None and self.open_assignments >= self.capacity:
            return f"at capacity {self.open_assignments}/{self.capacity}"
        return None

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True)
class Pick:
    """The outcome of one turn: the chosen member (or None), why, and the slot to claim."""

    pool: str
    member: PoolMember | None
    reasons: tuple[str, ...]
    claim: PoolClaim | None


@dataclass(frozen=True)
class PoolState:
    """A pool as read from the graph: its rotation and its members (sorted by id)."""

    pool: str
    version: int
    members: tuple[PoolMember, ...]
    current: Mapping[str, float] = field(default_factory=dict)

    def next_member(self, exclude: Collection[str] = ()) -> Pick:
        """The member the rotation gives the next lead to, skipping who cannot take it."""
        if not self.members:
            return Pick(self.pool, None, (f"pool {self.pool} has no members",), None)
        skipped = [
            f"{member.label()} {'already held the lead' if member.id in exclude else member.unavailable}"
            for member in self.members
            if member.id in exclude or member.unavailable
        ]
        taking_part = {m.id: m.weight for m in self.members if m.id not in exclude and not m.unavailable}
        chosen, current = smooth_weighted_choice(taking_part, self.current)
        if chosen is None:
            return Pick(self.pool, None, (f"nobody in pool {self.pool} can take the lead: {'; '.join(skipped)}",), None)
        member = next(m for m in self.members if m.id == chosen)
        reasons = [f"next in pool {self.pool} by weighted round robin: {member.label()}, weight {member.weight:g}"]
        if skipped:
            reasons.append(f"skipped in pool {self.pool}: {'; '.join(skipped)}")
        ids = tuple(m.id for m in self.members)
        claim = PoolClaim(self.pool, self.version, ids, tuple(current.get(i, 0.0) for i in ids))
        return Pick(self.pool, member, tuple(reasons), claim)

    def after(self, pick: Pick) -> PoolState:
        """The pool once ``pick`` has taken its slot (for replays that do not write)."""
        if pick.claim is None:
            return self
        current = dict(zip(pick.claim.members, pick.claim.current, strict=True))
        return replace(self, version=pick.claim.version + 1, current=current)

    def assigned(self, user_id: str) -> PoolState:
        """The pool once ``user_id`` holds one more open assignment (by this pool or any other way)."""
        return replace(
            self,
            members=tuple(
                replace(m, open_assignments=m.open_assignments + 1) if m.id == user_id else m for m in self.members
            ),
        )

    def rotation(self) -> dict[str, object]:
        """The stored form of the rotation (``$pools`` of ``routing/record_decisions``)."""
        ids = [m.id for m in self.members]
        current = [self.current.get(i, 0.0) for i in ids]
        return {"id": self.pool, "version": self.version, "members": ids, "current": current}


async def read_pool(db: Database, pool: str) -> PoolState:
    """Read a pool's rotation and members; a pool that does not exist has no members."""
    return pool_from_rows(pool, await db.read("routing/pool", pool=pool))


def pool_from_rows(pool: str, rows: list[dict[str, Any]]) -> PoolState:
    """A pool from the rows of ``routing/pool``."""
    if not rows:
        return PoolState(pool, 0, ())
    row = rows[0]
    members = tuple(
        sorted(
            (
                PoolMember(
                    id=m["id"],
                    name=m.get("name"),
                    weight=float(m["weight"] if m.get("weight") is not None else 1.0),
                    active=m.get("active") is not False,  # a user imported without `active` counts as active
                    capacity=m.get("capacity"),
                    open_assignments=int(m["open_assignments"]),
                )
                for m in row["members"]
            ),
            key=lambda member: member.id,
        )
    )
    current = dict(zip(row["rotation_members"] or (), row["rotation_current"] or (), strict=True))
    return PoolState(pool, int(row["version"] or 0), members, current)


class PoolRotation:
    """Pools rotated in memory from their stored positions, for dry-run replays of many leads.

    Each pool is read once; every pick then advances the in-memory rotation, as live routing
    would advance the stored one. Capacity is checked against the open assignments as read
    (replayed assignments are taken to be handled in time).
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pools: dict[str, PoolState] = {}

    async def pick(self, pool: str, exclude: Collection[str] = ()) -> Pick:
        """The next member of ``pool``; the rotation moves on."""
        if pool not in self._pools:
            self._pools[pool] = await read_pool(self.db, pool)
        pick = self._pools[pool].next_member(exclude)
        self._pools[pool] = self._pools[pool].after(pick)
        return pick
