"""Access control in the schema (SPEC §12): which roles may run which operations, and what a REP sees.

Roles gate operations through permission classes on root fields. Visibility of data is decided
in one place, :func:`visible_account`: every path that leads to an account (by id, as a parent,
child or ultimate parent, as the account of a contact or the match of a lead) goes through it, and
the list statements filter with the caller's ``owner_scope`` so counts agree with what is shown.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from graphsvc.auth import Role
from graphsvc.errors import Forbidden
from graphsvc.schema.context import Context
from graphsvc.store.database import Record

__all__ = [
    "CanActOnRouting",
    "CanChooseTargets",
    "CanImport",
    "CanManageDocuments",
    "CanManageWebhooks",
    "CanRead",
    "CanReadProgram",
    "CanRecompute",
    "CanRouteLeads",
    "CanSetBuyingRoles",
    "CanSetLeadStatus",
    "sees_person_at",
    "visible_account",
    "visible_accounts",
]


class _RolePermission(BasePermission):
    """Allows the roles in ``roles``; anyone else gets a FORBIDDEN error."""

    roles: ClassVar[frozenset[Role]]

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        caller = info.context.caller
        return caller is not None and caller.role in self.roles

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "this API key may not do that")


class CanRead(_RolePermission):
    roles = frozenset({Role.ADMIN, Role.STRATEGIST, Role.REP})
    message = "this API key may not read accounts, contacts or leads"


class CanImport(_RolePermission):
    roles = frozenset({Role.ADMIN, Role.INTEGRATION})
    message = "this API key may not import records"


class CanChooseTargets(_RolePermission):
    roles = frozenset({Role.ADMIN, Role.STRATEGIST})
    message = "this API key may not choose target accounts"


class CanManageDocuments(_RolePermission):
    # The configuration documents (scoring, icp, committees, roles, routing): reading their versions and
    # changing the one in force, which rescores everything.
    roles = frozenset({Role.ADMIN})
    message = "this API key may not read or change configuration documents"


class CanReadProgram(_RolePermission):
    roles = frozenset({Role.ADMIN, Role.STRATEGIST})
    message = "this API key may not read program scorecards, target recommendations or plans"


class CanRecompute(_RolePermission):
    roles = frozenset({Role.ADMIN})
    message = "this API key may not start a recompute"


class CanRouteLeads(_RolePermission):
    # Not INTEGRATION (ingest only, SPEC §12): a decision answers with its lead, which would let an
    # ingest key read any lead (a dry run writes nothing). Reps and strategists act on decisions.
    roles = frozenset({Role.ADMIN})
    message = "this API key may not route leads"


class CanActOnRouting(_RolePermission):
    # A REP may, but only on decisions assigned to its own user (checked by the mutation).
    roles = frozenset({Role.ADMIN, Role.REP})
    message = "this API key may not accept or reject routing decisions"


class CanSetLeadStatus(_RolePermission):
    # Those who work leads. A REP may, but only for leads it sees or that are assigned to it
    # (checked by the mutation); INTEGRATION brings statuses by import.
    roles = frozenset({Role.ADMIN, Role.REP})
    message = "this API key may not set lead statuses"


class CanManageWebhooks(_RolePermission):
    # Webhooks send data out of graphsvc and make it call URLs: only an administrator chooses them.
    roles = frozenset({Role.ADMIN})
    message = "this API key may not manage webhooks"


class CanSetBuyingRoles(_RolePermission):
    # A REP may, but only for contacts at accounts it owns (checked by the mutation).
    roles = frozenset({Role.ADMIN, Role.REP})
    message = "this API key may not set buying roles"


async def visible_accounts(context: Context, account_ids: list[str]) -> list[Record | None]:
    """The records of ``account_ids`` in order; None for an unknown id or an account the caller may not see."""
    caller = context.caller
    records = await context.loaders.account.load_many(account_ids)
    return [
        record if record is not None and caller is not None and caller.sees_account(record["owner_id"]) else None
        for record in records
    ]


async def visible_account(context: Context, account_id: str | None) -> Record | None:
    """The record of account ``account_id`` if it exists and the caller may see it, else None."""
    if account_id is None:
        return None
    return (await visible_accounts(context, [account_id]))[0]


async def sees_person_at(context: Context, account_id: str | None) -> bool:
    """True when the caller may see a contact or lead of account ``account_id`` (None: of no account)."""
    if account_id is None:
        return context.caller is not None and context.caller.sees_account(None)
    return await visible_account(context, account_id) is not None
