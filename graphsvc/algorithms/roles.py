"""Buying roles of SPEC §5: inference from job titles, explicit assignments, propagation weight.

Explicit assignments (CRM, manual) win: when a person has any, inferred roles are ignored.
Otherwise the first title rule of :class:`graphsvc.documents.RoleRules` that matches infers one
role, with the rule's confidence. A person with several roles propagates with the largest
weight; a person without a role, or with roles the weights do not list, with the no-role weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from graphsvc.documents import RoleRules

__all__ = ["NO_ROLE_WEIGHT", "RoleAssignment", "RoleSource", "infer_role", "resolve_roles", "role_weight"]


class RoleSource(StrEnum):
    """Where a buying role came from (the ``source`` of ``HAS_ROLE``)."""

    EXPLICIT = "EXPLICIT"
    INFERRED = "INFERRED"


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """A buying role held by a person, with its source and confidence."""

    role: str
    source: RoleSource
    confidence: float


def infer_role(title: str | None, rules: RoleRules) -> RoleAssignment | None:
    """Return the role inferred from a job title by the first matching rule, else ``None``.

    >>> from graphsvc.documents import default_document
    >>> infer_role("VP of Engineering", default_document("roles")).role
    'DECISION_MAKER'
    """
    if not title or not title.strip():
        return None
    for rule in rules.rules:
        if rule.matches(title):
            return RoleAssignment(rule.role, RoleSource.INFERRED, rule.confidence)
    return None


def resolve_roles(explicit_roles: Iterable[str], title: str | None, rules: RoleRules) -> tuple[RoleAssignment, ...]:
    """Return a person's roles: the explicit ones when there are any, else the inferred one.

    Parameters
    ----------
    explicit_roles
        Roles assigned in the CRM or by hand (any case; duplicates collapse).
    title
        The person's job title, used only when there is no explicit role.
    rules
        The role rules in force.
    """
    explicit = dict.fromkeys(role.strip().upper() for role in explicit_roles if role and role.strip())
    if explicit:
        return tuple(RoleAssignment(role, RoleSource.EXPLICIT, 1.0) for role in explicit)
    inferred = infer_role(title, rules)
    return () if inferred is None else (inferred,)


# w(p) of a person without a buying role (SPEC §5); RoleRules.no_role_weight can change it.
NO_ROLE_WEIGHT = 1.0


def role_weight(roles: Iterable[str], weights: Mapping[str, float], default: float = NO_ROLE_WEIGHT) -> float:
    """Return the propagation weight of a person: the largest of their roles' weights.

    Parameters
    ----------
    roles
        The person's roles (any case).
    weights
        Role to weight, e.g. ``RoleRules.propagation_weights``.
    default
        Weight of a person without a role (``RoleRules.no_role_weight``), also used for a role
        the weights do not list.

    >>> role_weight(["blocker", "CHAMPION"], {"BLOCKER": 0.5, "CHAMPION": 1.3})
    1.3
    >>> role_weight([], {"BLOCKER": 0.5})
    1.0
    """
    return max((weights.get(role.strip().upper(), default) for role in roles), default=default)
