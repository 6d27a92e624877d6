"""Bulk import: validated, batched, idempotent upserts of SPEC §11 records.

One importer serves the command line (``graphsvc import FILE...``) and the API
(``importRecords``). Per row it validates types and references; per batch it writes every valid
row, with all of its relationships, in one managed transaction, so a row is either fully in the
graph or reported, never half-written. Importing the same data twice changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import graphlib
import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from graphsvc.errors import DatabaseError, InvalidInput
from graphsvc.ingest.files import Row, kind_of, read_rows, unknown_columns
from graphsvc.ingest.records import KINDS, ImportRecord, validate_row
from graphsvc.lifecycle import IMPORT, StatusChange, record_status_changes
from graphsvc.scores.incremental import ScoreKeeper
from graphsvc.scores.structure import TreeWatch
from graphsvc.store.database import Database, Transaction

__all__ = ["DEFAULT_BUYING_ROLES", "ImportReport", "Importer", "RowError", "import_order"]

log = logging.getLogger(__name__)

DEFAULT_BUYING_ROLES = (
    "ECONOMIC_BUYER",
    "DECISION_MAKER",
    "CHAMPION",
    "TECHNICAL_EVALUATOR",
    "INFLUENCER",
    "END_USER",
    "BLOCKER",
)

# Which kind each reference field points at; "persons" is a contact or a lead, "leads" a lead only
# (looked up and remembered among the persons).
_REFERENCES: dict[str, dict[str, str]] = {
    "accounts": {"parent_id": "accounts", "owner_id": "users"},
    "users": {"manager_id": "users"},
    "contacts": {"account_id": "accounts"},
    "engagements": {"person_id": "persons"},
    "opportunities": {"account_id": "accounts"},
    "stage_changes": {"account_id": "accounts"},
    "lead_status_changes": {"lead_id": "leads"},
}
_STORE = {"leads": "persons"}
_KNOWN_STATEMENT = {
    "accounts": "ingest/known_accounts",
    "users": "ingest/known_users",
    "persons": "ingest/known_persons",
}
# The self-reference that must stay a forest (no cycles), and the statement that reads it.
_HIERARCHY = {"accounts": ("parent_id", "ingest/account_hierarchy"), "users": ("manager_id", "ingest/user_hierarchy")}


@dataclass(frozen=True)
class RowError:
    """Why one row was not imported: where it is and which field broke which rule."""

    source: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What one file (or one API call) did."""

    kind: str
    source: str
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len({error.line for error in self.errors})


@dataclass
class _Pending:
    line: int
    record: ImportRecord


class Importer:
    """Imports rows of one kind at a time into ``db``.

    Parameters
    ----------
    db
        The store.
    batch_size
        Rows per transaction (SPEC §1: 1,000–10,000).
    buying_roles
        The role taxonomy contacts' ``roles`` are checked against.
    """

    def __init__(self, db: Database, batch_size: int = 5000, buying_roles: Collection[str] = DEFAULT_BUYING_ROLES):
        self.db = db
        self.batch_size = batch_size
        self.buying_roles = frozenset(buying_roles)
        self.scores = ScoreKeeper(db)
        # Ids this importer has written, per target kind: later references to them need no query.
        self._written: dict[str, dict[str, str]] = {"accounts": {}, "users": {}, "persons": {}}
        # False once an engagement batch found none of its ids stored: the next batch then tries
        # without the read (see _write_batch).
        self._engagements_may_be_stored = True

    async def import_files(self, paths: Iterable[Path], kind: str | None = None) -> list[ImportReport]:
        """Import several files in dependency order (users, accounts, contacts, leads, ...)."""
        return [await self.import_file(path, job_kind) for job_kind, path in import_order(paths, kind)]

    async def import_file(
        self, path: Path, kind: str | None = None, progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Import one CSV or NDJSON file; file-level problems raise :class:`InvalidInput`.

        ``progress`` is told the rows done (imported or failed) after each batch.
        """
        kind = kind or kind_of(path)
        if kind not in KINDS:
            raise InvalidInput(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        columns, rows = read_rows(path, kind)
        report = await self.import_rows(kind, rows, source=str(path), progress=progress)
        report.ignored_columns = unknown_columns(kind, columns)
        if report.ignored_columns:
            log.warning("%s: ignored columns outside the contract: %s", path, ", ".join(report.ignored_columns))
        return report

    async def import_rows(
        self,
        kind: str,
        rows: Iterable[Row],
        source: str = "request",
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Validate and upsert ``rows`` (line number, cells) of ``kind``; ``progress`` as in :meth:`import_file`."""
        if kind not in KINDS:
            raise InvalidInput(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        report = ImportReport(kind, source)
        valid = self._validate(kind, rows, report)
        if kind in _HIERARCHY:
            # Small kinds with a self-reference: order the whole file so parents land first.
            valid = iter(await self._in_hierarchy_order(kind, list(valid), report))

        async def next_batch() -> tuple[list[_Pending], dict[str, Any]]:
            batch = await asyncio.to_thread(lambda: list(islice(valid, self.batch_size)))
            return batch, await self.scores.prefetch(kind, [item.record for item in batch]) if batch else {}

        # Pipelined: batch n+1 is read and validated (in a worker thread) and its score inputs
        # prefetched while batch n is written; the event loop mostly waits for the database then.
        # References are still checked, and batches written, one after the other: a batch may
        # refer to ids the one before wrote.
        batch, prefetched = await next_batch()
        while batch:
            following = asyncio.ensure_future(next_batch())
            try:
                await self._write_batch(kind, batch, prefetched, report)
            except BaseException:
                with contextlib.suppress(Exception):
                    await following  # the reader is not left running on the file
                raise
            if progress is not None:
                progress(report.imported + report.failed)
            batch, prefetched = await following
        if progress is not None:
            progress(report.imported + report.failed)  # rows refused before any batch, or after the last
        report.errors.sort(key=lambda error: error.line)
        return report

    # -- validation -----------------------------------------------------------------------

    def _validate(self, kind: str, rows: Iterable[Row], report: ImportReport) -> Iterator[_Pending]:
        first_line: dict[str, int] = {}
        for line, cells in rows:
            problems = _encoding_problems(cells)
            record = None
            if not problems:
                record, problems = validate_row(kind, cells)
            if record is not None and record.id in first_line:
                problems = [("id", f"duplicate id {record.id!r}, first seen on line {first_line[record.id]}")]
            if record is not None and kind == "contacts":
                problems += [
                    ("roles", f"unknown buying role {role!r}")
                    for role in record.roles or []
                    if role not in self.buying_roles
                ]
            if problems:
                report.errors.extend(RowError(report.source, line, name, message) for name, message in problems)
                continue
            assert record is not None
            first_line[record.id] = line
            yield _Pending(line, record)

    async def _in_hierarchy_order(self, kind: str, pending: list[_Pending], report: ImportReport) -> list[_Pending]:
        link, statement_name = _HIERARCHY[kind]
        stored = {row["id"]: row["parent_id"] for row in await self.db.read(statement_name)}
        by_id = {item.record.id: item for item in pending}
        sorter = graphlib.TopologicalSorter(
            {
                item.record.id: [getattr(item.record, link)] if getattr(item.record, link) in by_id else []
                for item in pending
            }
        )
        try:
            order = list(sorter.static_order())
        except graphlib.CycleError as exc:
            cycle = exc.args[1]
            for node in set(cycle):
                item = by_id.pop(node)
                report.errors.append(RowError(report.source, item.line, link, f"hierarchy cycle: {' -> '.join(cycle)}"))
            return await self._in_hierarchy_order(kind, list(by_id.values()), report)
        ordered: list[_Pending] = []
        parents = dict(stored)
        for node in order:
            item = by_id[node]
            target = getattr(item.record, link)
            if target is not None:
                if cycle := _cycle_through(parents, node, target):
                    report.errors.append(
                        RowError(report.source, item.line, link, f"hierarchy cycle: {' -> '.join(cycle)}")
                    )
                    continue
                parents[node] = target
            ordered.append(item)
        return ordered

    def _known(self, target: str, value: str) -> bool:
        """Whether ``value`` is a stored or imported id of ``target``."""
        if target in _STORE:
            return self._written[_STORE[target]].get(value) == target
        return value in self._written[target]

    async def _unknown_references(self, kind: str, batch: list[_Pending]) -> dict[int, list[tuple[str, str]]]:
        """Problems per line: references to ids that are neither stored nor accepted before."""
        references = _REFERENCES.get(kind, {})
        wanted: dict[str, set[str]] = {}
        for item in batch:
            for name, target in references.items():
                value = getattr(item.record, name)
                if value is not None and not self._known(target, value):
                    wanted.setdefault(target, set()).add(value)
        for target, ids in wanted.items():
            store = _STORE.get(target, target)
            found = await self.db.read(_KNOWN_STATEMENT[store], ids=sorted(ids))
            self._written[store].update({row["id"]: row.get("kind", store) for row in found})
        problems: dict[int, list[tuple[str, str]]] = {}
        if kind in ("contacts", "leads"):
            # Contacts and leads share one id space: an engagement's person_id must be unambiguous.
            stored = await self.db.read("ingest/known_persons", ids=[item.record.id for item in batch])
            other = {row["id"] for row in stored if row["kind"] != kind}
            for item in batch:
                if item.record.id in other:
                    noun = "lead" if kind == "contacts" else "contact"
                    problems.setdefault(item.line, []).append(
                        ("id", f"id {item.record.id!r} is already used by a {noun}")
                    )
        # In batch order, so a parent accepted earlier in the batch counts as known.
        accepted: set[str] = set()
        for item in batch:
            for name, target in references.items():
                value = getattr(item.record, name)
                if value is None or self._known(target, value) or (target == kind and value in accepted):
                    continue
                noun = "contact or lead" if target == "persons" else target.removesuffix("s")
                problems.setdefault(item.line, []).append((name, f"unknown {noun} {value!r}"))
            if item.line not in problems:
                accepted.add(item.record.id)
        return problems

    # -- writing --------------------------------------------------------------------------

    async def _write_batch(
        self, kind: str, batch: list[_Pending], prefetched: dict[str, Any], report: ImportReport
    ) -> None:
        problems = await self._unknown_references(kind, batch)
        for line, items in problems.items():
            report.errors.extend(RowError(report.source, line, name, message) for name, message in items)
        accepted = [item for item in batch if item.line not in problems]
        if not accepted:
            return
        rows = [_cypher_row(item.record) for item in accepted]
        records = [item.record for item in accepted]

        attempts = 0
        stored: dict[str, dict[str, Any]] = {}

        async def work(tx: Transaction) -> None:
            nonlocal attempts, stored
            attempts += 1
            stored = {}
            if kind == "engagements" and (self._engagements_may_be_stored or attempts > 1):
                ids = [record.id for record in records]
                # Locked and read in the transaction that writes: the contribution an updated
                # engagement takes back is the one stored, even when another import updates it too.
                stored = {row["id"]: row for row in await tx.run("ingest/lock_stored_engagements", ids=ids)}
            # Without the read (a first load: the batch before found nothing stored), every
            # engagement takes the CREATE path. Should one exist after all (a concurrent import,
            # ids seen before), its CREATE breaks the unique constraint, the transaction rolls back
            # and runs again, this time with the read; so what commits never counted an engagement
            # as new that was stored.
            # Scores follow the data in the same transaction: matches, inferred roles, decayed sums,
            # and the trees of persons and accounts the batch moved are rescored (TreeWatch).
            watch = await _tree_watch(tx, kind, records)
            for name, params in self._steps(kind, rows, stored) + await self.scores.steps_for(
                kind, records, stored, prefetched
            ):
                written = await tx.run(name, **params)
                if name == "ingest/leads":  # it returns the statuses it changed: history and webhooks
                    await record_status_changes(tx, [_imported_status(r, datetime.now(UTC)) for r in written])
            if watch is not None:
                await watch.settle(tx, await self.scores.documents())

        try:
            # Rerun from the read after a conflict, e.g. when a concurrent import created the same ids first.
            await self.db.transaction(f"import of {len(rows)} {kind}", work)
        except DatabaseError as exc:
            # The transaction rolled back: none of these rows is in the graph.
            lines = f"lines {accepted[0].line}-{accepted[-1].line}"
            report.errors.extend(
                RowError(report.source, item.line, None, f"not written ({lines} rolled back): {exc}")
                for item in accepted
            )
            return
        target = "persons" if kind in ("contacts", "leads") else kind
        if target in self._written:
            self._written[target].update({item.record.id: kind for item in accepted})
        report.imported += len(accepted)
        if kind == "engagements":
            self._engagements_may_be_stored = bool(stored)

    def _steps(
        self, kind: str, rows: list[dict[str, Any]], stored: dict[str, dict[str, Any]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """The statements that write one batch of ``kind``, in order, for one transaction."""
        if kind == "engagements":
            # New engagements take the cheap CREATE path, by the label of their person.
            new = [row for row in rows if row["id"] not in stored]
            by_person = {
                label: [row for row in new if self._written["persons"][row["person_id"]] == label]
                for label in ("contacts", "leads")
            }
            steps = [
                ("ingest/engagements", {"rows": [row for row in rows if row["id"] in stored]}),
                ("ingest/new_contact_engagements", {"rows": by_person["contacts"]}),
                ("ingest/new_lead_engagements", {"rows": by_person["leads"]}),
            ]
            return [step for step in steps if step[1]["rows"]]
        # The time accounts and leads record as their change (changed_at, read by `graphsvc export`).
        at = datetime.now(UTC).isoformat()
        steps: list[tuple[str, dict[str, Any]]] = [(f"ingest/{kind}", {"rows": rows, "at": at})]
        links = {
            "accounts": [("parent_id", "ingest/account_parents"), ("owner_id", "ingest/account_owners")],
            "users": [("manager_id", "ingest/user_managers"), ("pools", "ingest/user_pools")],
            "contacts": [("account_id", "ingest/contact_accounts"), ("roles", "ingest/contact_roles")],
            # The account's present stage follows its imported history.
            "stage_changes": [("account_id", "ingest/account_stages")],
            # The lead's present status follows its imported history.
            "lead_status_changes": [("lead_id", "ingest/lead_statuses")],
        }
        for name, statement_name in links.get(kind, []):
            linked = [row for row in rows if row.get(name) is not None]
            if linked:
                steps.append((statement_name, {"rows": linked, "at": at}))
        return steps


async def _tree_watch(tx: Transaction, kind: str, records: list[ImportRecord]) -> TreeWatch | None:
    """For batches that can move persons or accounts (roles, accounts, matches, parents), what they may move."""
    ids = [record.id for record in records]
    if kind in ("contacts", "leads"):
        return await TreeWatch.before(tx, persons=ids)
    if kind == "accounts":
        return await TreeWatch.before(tx, accounts=ids)
    return None


def import_order(paths: Iterable[Path], kind: str | None = None) -> list[tuple[str, Path]]:
    """``(kind, path)`` of each file in dependency order (users, accounts, contacts, leads, ...)."""
    jobs = [(kind or kind_of(path), path) for path in paths]
    jobs.sort(key=lambda job: KINDS.index(job[0]))
    return jobs


def _cycle_through(parents: dict[str, str], node: str, target: str) -> list[str] | None:
    """The cycle that linking ``node`` under ``target`` would close, or None."""
    path = [node, target]
    current = target
    seen = {node}
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
        if current is not None:
            path.append(current)
    return path if current == node else None


# C0 control characters other than tab, line feed and carriage return, and DEL: binary data.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone surrogates: bytes that were not UTF-8, kept by the readers' ``surrogateescape``, or a
# ``\\ud800``-style escape in JSON. Neither can be stored (the driver sends UTF-8).
_SURROGATES = re.compile("[\ud800-\udfff]")
# Either of the two: one search per cell finds the (rare) cells worth a closer look.
_SUSPECT = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _encoding_problems(cells: dict[str, Any]) -> list[tuple[str | None, str]]:
    if "__error__" in cells:
        return [(None, str(cells["__error__"]))]
    problems: list[tuple[str | None, str]] = []
    for name, value in cells.items():
        if name is None:
            problems.append((None, "more cells than columns"))
            continue
        if isinstance(value, str):
            if _SUSPECT.search(value) is None:
                continue
            texts = [value]
        elif isinstance(value, list):
            texts = [item for item in value if isinstance(item, str)]
            if not any(_SUSPECT.search(text) for text in texts):
                continue
        else:
            continue
        if any(_SURROGATES.search(text) for text in texts):
            problems.append((name, "is not valid UTF-8 text (a file in another encoding, or a lone UTF-16 surrogate)"))
        else:
            problems.append((name, "holds control characters (binary data?)"))
    return problems


def _cypher_row(record: ImportRecord) -> dict[str, Any]:
    row = record.row()
    if record.kind == "users" and row.get("pools") is not None:
        row["pools"] = record.memberships()  # type: ignore[attr-defined]
    return row


def _imported_status(row: dict[str, Any], now: datetime) -> StatusChange:
    """The move an import made: now, or for a new lead arriving with its status, when it was created
    (the status came with the lead; a first load then shows the funnel as of the leads' creation)."""
    created = row["created_at"]
    at = created.to_native() if row["previous"] is None and created is not None else now
    return StatusChange(row["id"], row["status"], row["previous"], at, IMPORT)
