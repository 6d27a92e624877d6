"""The Contact type, its query, and the mutation that gives a contact a buying role by hand."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.ingest.importer import DEFAULT_BUYING_ROLES
from graphsvc.schema.arguments import given
from graphsvc.schema.context import Context
from graphsvc.schema.engagement import Engagement, person_timeline
from graphsvc.schema.pagination import Connection
from graphsvc.schema.permissions import CanRead, CanSetBuyingRoles, sees_person_at, visible_account
from graphsvc.schema.score import LeadScore, person_score
from graphsvc.scores.structure import TreeWatch
from graphsvc.store.database import Record, Transaction

if TYPE_CHECKING:
    from graphsvc.schema.account import Account

__all__ = ["Contact", "ContactMutation", "ContactQuery", "buying_role", "contacts_of_page"]

# The account module is above this one (an account lists its contacts): its type is resolved when used.
_ACCOUNT = strawberry.LazyType("Account", "graphsvc.schema.account")


@strawberry.type(description="A person at an account, known to the CRM.")
class Contact:
    id: strawberry.ID
    name: str | None
    email: str | None
    title: str | None

    record: strawberry.Private[Record]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Contact:
        """The contact of an ``api/contacts_by_ids`` record."""
        return cls(
            id=strawberry.ID(record["id"]),
            name=" ".join(part for part in (record["first_name"], record["last_name"]) if part) or None,
            email=record["email"],
            title=record["title"],
            record=record,
        )

    @strawberry.field(description="The account the contact works at (WORKS_AT).")
    async def account(
        self, info: Info[Context, None]
    ) -> Annotated[Account, strawberry.lazy("graphsvc.schema.account")] | None:
        record = await visible_account(info.context, self.record["account_id"])
        return _ACCOUNT.resolve_type().from_record(record) if record is not None else None

    @strawberry.field(description="Buying roles the contact holds, alphabetically.")
    async def roles(self, info: Info[Context, None]) -> list[str]:
        return await info.context.loaders.roles.load(self.record["id"])

    @strawberry.field(description="The contact's lead score at asOf (default now).")
    async def score(self, info: Info[Context, None], as_of: datetime | None = strawberry.UNSET) -> LeadScore:
        return await person_score(info.context, self.record["id"], given(as_of))

    @strawberry.field(description="What the contact did, newest first (equal times by id).")
    async def engagements(
        self, info: Info[Context, None], first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> Connection[Engagement]:
        return await person_timeline(info, "api/contact_engagement_pages", self.record, given(first), given(after))


def buying_role(name: str) -> str:
    """The taxonomy's name for buying role ``name`` (any case).

    Raises
    ------
    InvalidInput
        ``name`` is not in the taxonomy the importer checks roles against.
    """
    role = name.strip().upper()
    if role not in DEFAULT_BUYING_ROLES:
        raise InvalidInput(f"unknown buying role {name!r}; expected one of {', '.join(DEFAULT_BUYING_ROLES)}")
    return role


async def contacts_of_page(records: list[Record]) -> list[Contact | None]:
    """The contacts of a page of ``api/contact_pages``, which carries their records."""
    return [Contact.from_record(record) for record in records]


@strawberry.type
class ContactQuery:
    @strawberry.field(
        description="One contact by id; null when there is none or the caller may not see it.",
        permission_classes=[CanRead],
    )
    async def contact(self, info: Info[Context, None], id: strawberry.ID) -> Contact | None:
        record = await info.context.loaders.contact.load(str(id))
        if record is None or not await sees_person_at(info.context, record["account_id"]):
            return None
        return Contact.from_record(record)


@strawberry.type
class ContactMutation:
    @strawberry.mutation(
        description="Give a contact a buying role by hand (source manual, confidence 1.0); it wins over CRM and "
        "title-inferred roles. A REP may do this only for contacts at accounts it owns. The stored scores of the "
        "contact's corporate tree are rescored at once (the role changes the contact's weight).",
        permission_classes=[CanSetBuyingRoles],
    )
    async def set_buying_role(self, info: Info[Context, None], person_id: strawberry.ID, role: str) -> Contact:
        name = buying_role(role)
        context = info.context
        record = await context.loaders.contact.load(str(person_id))
        # Another rep's contact answers like a missing one: ids are sequential, so FORBIDDEN would tell which exist.
        if record is None or not await sees_person_at(context, record["account_id"]):
            raise NotFound(f"no contact with id {str(person_id)!r}")
        documents = await context.loaders.documents()

        async def work(tx: Transaction) -> None:
            # The decayed sums carry the old weight w(p): the contact's tree is rescored in the same transaction.
            watch = await TreeWatch.before(tx, persons=[record["id"]])
            await tx.run("api/set_buying_role", id=record["id"], role=name)
            await watch.settle(tx, documents)

        await context.db.transaction("setBuyingRole", work)
        context.loaders.forget(context.loaders.roles, record["id"])
        return Contact.from_record(record)
