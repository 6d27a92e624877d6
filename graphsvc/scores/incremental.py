"""Keeping stored scores current as records arrive, inside the importer's own transactions.

* New leads are matched to their accounts at once (SPEC §4).
* New contacts and leads get their inferred buying role (SPEC §5).
* A new engagement adds ``points·2^((t−EPOCH)/h)`` to the decayed sum of exactly its person, and
  ``w(p)·`` that to its account's own sum and ``δ^k·w(p)·`` that to the rolled-up sum of the
  ancestor k levels up (SPEC §6). An engagement imported again with other values first takes its
  old contribution back, so re-imports stay idempotent.
* A new engagement joins its account's bucket of the engagement read model
  (:mod:`graphsvc.scores.read_model`); one imported again with other values makes its accounts'
  read model stale (read live until the next recompute).

* An engagement imported again with other values that may have taken away its person's last
  positive engagement: that is found again from all of the person's engagements.

A change of role, match, contact's account or hierarchy after the engagements arrived is followed
by :mod:`graphsvc.scores.structure` in the importer's transaction; a new scoring model by a
recompute (``setScoringModel``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.algorithms.matching import AccountIndex, match_leads
from graphsvc.algorithms.roles import resolve_roles, role_weight
from graphsvc.algorithms.scoring import engagement_points
from graphsvc.documents import RoleRules
from graphsvc.ingest.records import EngagementRecord, ImportRecord
from graphsvc.ranges import stored_time
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.read_model import append_steps
from graphsvc.scores.recompute import ROLL_UP_DELTA, SCORE_EPOCH, account_index, read_accounts
from graphsvc.store.database import Database

__all__ = ["ScoreKeeper"]

Step = tuple[str, dict[str, Any]]

_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What lead matching reads of a lead.
_MATCH_FIELDS = ("email", "company", "website")


class ScoreKeeper:
    """Supplies the statements that keep scores current for one batch of imported records.

    One keeper lives as long as one importer: the documents in force and the account index are
    read once and refreshed when accounts are imported.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._documents: DocumentsInForce | None = None
        self._index: AccountIndex | None = None

    async def documents(self) -> DocumentsInForce:
        if self._documents is None:
            self._documents = await documents_in_force(self.db)
        return self._documents

    async def prefetch(self, kind: str, records: Sequence[ImportRecord]) -> dict[str, Any]:
        """What :meth:`steps_for` needs for ``records`` that their own batch does not change.

        Prepared before the batch's transaction (the importer does it while the batch before is
        written, the CPU-bound part in a worker thread): for engagements, the trees (roles,
        account, ancestors) of their persons, rows of ``scores/person_trees`` by person id; for
        contacts and leads, their inferred roles, and for leads their account matches (against
        the accounts as read when this keeper first matched). Like the reads they replace, none
        is part of the write transaction: a role or hierarchy changed meanwhile counts at the
        next recompute.
        """
        if kind == "engagements":
            ids = sorted({record.person_id for record in records})  # type: ignore[attr-defined]
            return {row["id"]: row for row in await self.db.read("scores/person_trees", ids=ids)}
        if kind in ("contacts", "leads"):
            rules = (await self.documents()).roles
            if kind == "leads" and self._index is None:
                self._index = account_index(await read_accounts(self.db))
            persons = await self._person_values(kind, records)
            return await asyncio.to_thread(self._person_rows, kind, persons, rules, self._index)
        return {}

    async def _person_values(self, kind: str, records: Sequence[ImportRecord]) -> list[dict[str, Any]]:
        """The title (and a lead's email, company, website) of each record as it will be stored:
        a value the row leaves out keeps the stored one, which the recompute infers and matches from."""
        fields = ["title"] if kind == "contacts" else ["title", *_MATCH_FIELDS]
        persons = [{"id": record.id, **{name: getattr(record, name, None) for name in fields}} for record in records]
        partial = [person["id"] for person in persons if any(person[name] is None for name in fields)]
        if partial:
            rows = await self.db.read("scores/stored_person_fields", ids=partial, fields=fields)
            stored = {row["id"]: dict(zip(fields, row["values"], strict=True)) for row in rows}
            for person in persons:
                for name, value in stored.get(person["id"], {}).items():
                    if person[name] is None:
                        person[name] = value
        return persons

    async def steps_for(
        self,
        kind: str,
        records: Sequence[ImportRecord],
        stored: Mapping[str, Mapping[str, Any]],
        prefetched: Mapping[str, Any] | None = None,
    ) -> list[Step]:
        """Statements to run in the same transaction as the batch of ``records``.

        ``stored`` holds, for engagements, the rows of ``ingest/lock_stored_engagements`` as they
        were before this batch; ``prefetched`` what :meth:`prefetch` returned for these records
        (or for more: rows of records not in ``records`` are left out).
        """
        if kind == "accounts":
            self._index = None  # names and domains may have changed
            return []
        if kind == "contacts":
            self._index = None  # accounts' contact counts may have changed (ties go to more contacts)
        if kind in ("contacts", "leads"):
            prepared = prefetched if prefetched else await self.prefetch(kind, records)
            ids = {record.id for record in records}
            steps: list[Step] = [("scores/inferred_roles", {"rows": [r for r in prepared["roles"] if r["id"] in ids]})]
            if kind == "leads":
                steps.append(("scores/match_leads", {"rows": [r for r in prepared["matches"] if r["id"] in ids]}))
            return steps
        if kind == "engagements":
            return await self._engagement_sums(records, stored, prefetched or {})  # type: ignore[arg-type]
        return []

    @staticmethod
    def _person_rows(
        kind: str, persons: Sequence[Mapping[str, Any]], rules: RoleRules, index: AccountIndex | None
    ) -> dict[str, list[dict[str, Any]]]:
        """Rows of ``scores/inferred_roles`` and (leads) ``scores/match_leads``: pure computation."""
        roles = []
        for person in persons:
            resolved = resolve_roles((), person["title"], rules)
            role = resolved[0] if resolved else None
            confidence = role.confidence if role else None
            roles.append({"id": person["id"], "role": role and role.role, "confidence": confidence})
        matches = []
        if kind == "leads":
            assert index is not None
            stamp = datetime.now(UTC).isoformat()
            # One vectorised search per distinct company name of the batch (same results as match_lead).
            found = match_leads(index, ((person["email"], person["company"], person["website"]) for person in persons))
            for person, result in zip(persons, found, strict=True):
                best = result.best
                matches.append(
                    {
                        "id": person["id"],
                        "account_id": best and best.account_id,
                        "method": best and str(best.method),
                        "confidence": best and best.confidence,
                        "at": stamp,
                    }
                )
        return {"roles": roles, "matches": matches}

    async def _engagement_sums(
        self,
        records: Sequence[EngagementRecord],
        stored: Mapping[str, Mapping[str, Any]],
        trees: Mapping[str, Mapping[str, Any]],
    ) -> list[Step]:
        # Read for each batch: the points stored in the read model are those of the model in force.
        read_at = datetime.now(UTC)
        documents = self._documents = await documents_in_force(self.db)
        model = documents.scoring
        half_life = model.decay_half_life_days

        # A batch holds few distinct (type, detail) pairs: their points are looked up once each.
        points_by_kind: dict[tuple[str, str | None], float] = {}

        def points_of(event_type: str, detail: str | None) -> float:
            key = (event_type, detail)
            if key not in points_by_kind:
                points_by_kind[key] = engagement_points(model, event_type, detail)
            return points_by_kind[key]

        def epoch_points(points: float, at: datetime) -> float:
            return points * 2.0 ** ((at - SCORE_EPOCH).total_seconds() / 86_400.0 / half_life)

        # (person, epoch-scaled points, time of a positive engagement or None)
        changes: list[tuple[str, float, datetime | None]] = []
        for old in stored.values():
            at = stored_time(old["at"])
            if at is None:  # an unreadable stored time: the import never counted it
                continue
            changes.append((old["person_id"], -epoch_points(points_of(old["type"], old["detail"]), at), None))
        for record in records:
            points = points_of(record.type, record.detail)
            at = record.occurred_at
            changes.append((record.person_id, epoch_points(points, at), at if points > 0 else None))

        # Persons not prefetched: those a stored engagement moves away from.
        missing = sorted({person for person, _, _ in changes} - trees.keys())
        if missing:
            trees = {**trees, **{row["id"]: row for row in await self.db.read("scores/person_trees", ids=missing)}}
        weights = documents.roles.propagation_weights
        person_delta: dict[str, float] = defaultdict(float)
        person_last: dict[str, datetime] = {}
        own: dict[str, float] = defaultdict(float)
        rolled: dict[str, float] = defaultdict(float)
        for person, points, positive_at in changes:
            person_delta[person] += points
            if positive_at is not None and (person not in person_last or positive_at > person_last[person]):
                person_last[person] = positive_at
            tree = trees.get(person)
            if tree is None or tree["account_id"] is None:
                continue
            weighted = role_weight(tree["roles"], weights, documents.roles.no_role_weight) * points
            own[tree["account_id"]] += weighted
            for ancestor in tree["ancestors"]:
                rolled[ancestor["id"]] += ROLL_UP_DELTA ** ancestor["distance"] * weighted
        person_rows = [
            {"id": person, "delta": delta, "last_engaged_at": _iso(person_last.get(person))}
            for person, delta in person_delta.items()
        ]
        account_rows = [
            {"id": account, "own": own.get(account, 0.0), "rolled": value} for account, value in rolled.items()
        ]
        return [
            ("scores/add_person_sums", {"rows": person_rows, "at": read_at.isoformat()}),
            *await self._last_engaged_steps(records, stored, points_of),
            ("scores/add_account_sums", {"rows": account_rows, "at": read_at.isoformat()}),
            *self._read_model_steps(records, stored, trees, points_of, read_at),
        ]

    async def _last_engaged_steps(
        self,
        records: Sequence[EngagementRecord],
        stored: Mapping[str, Mapping[str, Any]],
        points_of: Callable[[str, str | None], float],
    ) -> list[Step]:
        """Each person's last positive engagement found again from all of them, when an engagement
        imported again with other values may have taken it away (a new one only moves it later)."""
        persons: set[str] = set()
        for record in records:
            old = stored.get(record.id)
            if old is not None and (old["person_id"], old["type"], old["detail"]) != (
                record.person_id,
                record.type,
                record.detail,
            ):
                persons.update((old["person_id"], record.person_id))
            elif old is not None and stored_time(old["at"]) != record.occurred_at:
                persons.add(record.person_id)
        if not persons:
            return []
        batch = {record.id: record for record in records}
        latest: dict[str, datetime | None] = {}
        for row in await self.db.read("scores/engagements_of_persons", ids=sorted(persons)):
            moments = [
                stored_time(at)
                for engagement_id, event_type, detail, at in row["engagements"]
                if engagement_id not in batch and points_of(event_type, detail) > 0
            ]
            moments += [
                record.occurred_at
                for record in records
                if record.person_id == row["id"] and points_of(record.type, record.detail) > 0
            ]
            latest[row["id"]] = max((moment for moment in moments if moment is not None), default=None)
        rows = [{"id": person, "last_engaged_at": _iso(moment)} for person, moment in latest.items()]
        return [("scores/set_last_engaged", {"rows": rows})]

    @staticmethod
    def _read_model_steps(
        records: Sequence[EngagementRecord],
        stored: Mapping[str, Mapping[str, Any]],
        trees: Mapping[str, Mapping[str, Any]],
        points_of: Callable[[str, str | None], float],
        documents_read_at: datetime,
    ) -> list[Step]:
        """New engagements into their accounts' buckets; a changed one makes its accounts stale."""

        def account_of(person: str) -> str | None:
            tree = trees.get(person)
            return None if tree is None else tree["account_id"]

        added, stale = [], set()
        for record in records:
            at_ms = (record.occurred_at - _UNIX_EPOCH) // timedelta(milliseconds=1)
            old = stored.get(record.id)
            if old is None:
                points = points_of(record.type, record.detail)
                added.append((record.person_id, account_of(record.person_id), at_ms, points))
            elif (old["person_id"], old["type"], old["detail"], old["at"]) != (
                record.person_id,
                record.type,
                record.detail,
                at_ms,
            ):
                # Its old entry cannot be taken out of the buckets here: reads go live until the next recompute.
                stale.update(filter(None, (account_of(old["person_id"]), account_of(record.person_id))))
        return append_steps(added, stale, documents_read_at)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
