"""Per-request DataLoaders: every relationship the API follows is read in one ``UNWIND $ids`` batch.

A page of 50 accounts that asks for each account's owner, parent and contacts sends one statement
per relationship, not one per account, and each statement answers in one record (``rows``): the
driver's cost per record is far above its cost per value. Loaders live for one request, so a
cached record is never older than the request that read it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graphsvc.lifecycle import read_status_histories
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.stages import StageChange, stage_histories
from graphsvc.store.database import Database, Record

__all__ = ["ListSlice", "Loader", "Loaders"]

K = TypeVar("K")
V = TypeVar("V")


class Loader(DataLoader[K, V]):
    """A DataLoader whose callers cannot cancel each other's batch.

    ``DataLoader.load`` hands every caller of a key the same future. When a non-null field fails,
    graphql-core cancels its sibling fields; a cancelled task awaiting that shared future would
    cancel the future itself, and an unrelated field waiting for the same key (two accounts with
    one owner) would fail with ``CancelledError``. Each caller awaits a shield of the future instead.
    """

    def load(self, key: K) -> Awaitable[V]:
        return asyncio.shield(super().load(key))


@dataclass(frozen=True)
class ListSlice:
    """One page of a per-parent list: the items on the page (ids, or the items' records when the page's
    statement gives them) and the size of the whole list."""

    items: list[Any]
    total: int


class Loaders:
    """The DataLoaders of one request.

    Attributes
    ----------
    account, user, contact, lead
        Records by id (None for an unknown id), from ``cypher/api/*_by_ids``.
    roles
        Sorted buying roles by contact id.
    ultimate_parent
        Id of the top of an account's corporate tree (None when it has no parent).
    latest_decision
        Id of the newest routing decision about a lead (None when it was never routed).
    stage_history
        An account's stage changes, oldest first.
    status_history
        A lead's status changes (``leads/status_histories`` rows), oldest first.

    :meth:`documents` gives the documents in force, read once per request.
    """

    # Each loader is made on first use: most requests use few of them, and an answer kept under the
    # data version uses none.

    def __init__(self, db: Database) -> None:
        self._db = db
        self._slices: dict[Hashable, DataLoader[str, ListSlice]] = {}
        self._keyed: dict[Hashable, DataLoader[str, Any]] = {}
        self._once: dict[Hashable, asyncio.Future[Any]] = {}

    @cached_property
    def account(self) -> DataLoader[str, Record | None]:
        return self._records("api/accounts_by_ids")

    @cached_property
    def user(self) -> DataLoader[str, Record | None]:
        return self._records("api/users_by_ids")

    @cached_property
    def contact(self) -> DataLoader[str, Record | None]:
        return self._records("api/contacts_by_ids")

    @cached_property
    def lead(self) -> DataLoader[str, Record | None]:
        return self._records("api/leads_by_ids")

    @cached_property
    def roles(self) -> DataLoader[str, list[str]]:
        return self._by_id("api/contact_roles", lambda row: sorted(row["roles"]), default=list)

    @cached_property
    def ultimate_parent(self) -> DataLoader[str, str | None]:
        return self._by_id("api/ultimate_parents", lambda row: row["top_id"], default=lambda: None)

    @cached_property
    def latest_decision(self) -> DataLoader[str, str | None]:
        return self._by_id("api/latest_decisions", lambda row: row["decision_id"], default=lambda: None)

    @cached_property
    def stage_history(self) -> DataLoader[str, list[StageChange]]:
        return Loader(load_fn=self._stage_histories)

    @cached_property
    def status_history(self) -> DataLoader[str, list[Record]]:
        return Loader(load_fn=self._status_histories)

    async def documents(self) -> DocumentsInForce:
        """The documents in force, read once per request however many resolvers ask at once."""
        return await self.once("documents", lambda: documents_in_force(self._db))

    def keyed(self, key: Hashable, load: Callable[[list[str]], Awaitable[list[Any]]]) -> DataLoader[str, Any]:
        """The request's loader for ``key`` (a kind of figure and its arguments, e.g. one ``asOf``),
        created with ``load`` on first use."""
        if key not in self._keyed:
            self._keyed[key] = Loader(load_fn=load)
        return self._keyed[key]

    async def once(self, key: Hashable, read: Callable[[], Awaitable[Any]]) -> Any:
        """The value of ``read()``, read once per request however many resolvers ask at once
        (shielded like :class:`Loader`, so one cancelled caller does not fail the others)."""
        if key not in self._once:
            self._once[key] = asyncio.ensure_future(read())
        return await asyncio.shield(self._once[key])

    def slices(self, statement: str, **params: Any) -> DataLoader[str, ListSlice]:
        """The loader of one page of a per-parent list (children, contacts, leads of an account).

        Parents asking with the same ``params`` (page window, filters) share one loader, so a
        page of accounts reads all their first pages of contacts in one statement.
        """
        key = (statement, tuple(sorted(params.items())))
        if key not in self._slices:
            self._slices[key] = self._by_id(
                statement,
                lambda row: ListSlice(list(row["page"]), row["total"]),
                default=lambda: ListSlice([], 0),
                **params,
            )
        return self._slices[key]

    async def _stage_histories(self, account_ids: list[str]) -> list[list[StageChange]]:
        histories = await stage_histories(self._db, account_ids)
        return [histories.get(account_id, []) for account_id in account_ids]

    async def _status_histories(self, lead_ids: list[str]) -> list[list[Record]]:
        histories = await read_status_histories(self._db, lead_ids)
        return [histories.get(lead_id, []) for lead_id in lead_ids]

    @staticmethod
    def forget(loader: DataLoader[str, Any], key: str) -> None:
        """Drop ``key`` from ``loader``'s cache after a write, so the next load reads it afresh."""
        with suppress(KeyError):  # strawberry's clear() raises for a key that was never loaded
            loader.clear(key)

    def _records(self, statement: str) -> DataLoader[str, Record | None]:
        return self._by_id(statement, lambda row: row, default=lambda: None)

    def _by_id(
        self, statement: str, value: Callable[[Record], Any], default: Callable[[], Any], **params: Any
    ) -> DataLoader[str, Any]:
        async def load(ids: list[str]) -> list[Any]:
            (answer,) = await self._db.read(statement, ids=list(ids), **params)
            found = {row["id"]: value(row) for row in answer["rows"]}
            return [found[id_] if id_ in found else default() for id_ in ids]

        return Loader(load_fn=load)
