"""``graphsvc export accounts|leads``: the figures a CRM sync wants, streamed page by page.

Accounts and leads are read in pages of ids in id order (a seek on the id constraint's index,
``cypher/export/``), and each page's figures come from the same functions the API answers with:
scores now from the stored sums (:func:`~graphsvc.scores.current.current_account_scores`, the
subtree for an account whose sums cannot be trusted), committee coverage
(:func:`~graphsvc.scores.current.account_coverages`), stage history
(:func:`~graphsvc.stages.stage_histories`) and lead scores
(:func:`~graphsvc.scores.persons.person_scores`). A page is written before the one after the next is
read, so memory stays bounded by the page size, whatever the number of rows.

``--changed-since T`` keeps the rows whose ``changed_at`` is at or after ``T``. What moves an
account's ``changed_at``: an import that creates it or gives one of its fields, or its owner, a new
value; a new (or re-imported, changed) engagement of one of its people or of a subsidiary's (its
score sums move); a stage move; ``setTarget`` changing its target flag or tier. A lead's: an
import that creates it or changes a field; a new or changed engagement of its own; its account
match made, moved, rescored or removed. Not a change: time passing (scores decay, the coverage
window slides), and what reaches the stored sums only at the next recompute (a role, contact move
or hierarchy change).
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from graphsvc.ranges import stored_float, stored_int, stored_time
from graphsvc.scores.current import AccountScoreNow, account_coverages, current_account_scores
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.persons import person_scores
from graphsvc.scores.subtrees import subtree_scores
from graphsvc.stages import stage_histories
from graphsvc.store.database import Database

__all__ = ["ACCOUNT_FIELDS", "EXPORTS", "FORMATS", "LEAD_FIELDS", "PAGE_SIZE", "count_rows", "export_rows", "writer"]

PAGE_SIZE = 500  # rows per page: each page is a few statements of a few hundred ids

ACCOUNT_FIELDS = (
    "id",
    "name",
    "domain",
    "is_target",
    "tier",
    "owner_id",
    "parent_id",
    "stage",
    "stage_since",
    "score_engagement",
    "score_rolled_up",
    "score_fit",
    "score_total",
    "committee",
    "coverage",
    "engaged_coverage",
    "engaged_contacts",
    "single_threaded",
    "missing_roles",
    "unengaged_roles",
    "changed_at",
)
LEAD_FIELDS = (
    "id",
    "email",
    "name",
    "company",
    "title",
    "status",
    "score_demographic",
    "score_behavioral",
    "score_fit",
    "score_total",
    "score_completeness",
    "interest",
    "grade",
    "disqualified",
    "nurture_objectives",
    "account_id",
    "match_method",
    "match_confidence",
    "account_owner_id",
    "changed_at",
)
FORMATS = ("csv", "ndjson")

Row = dict[str, Any]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def _account_rows(db: Database, documents: DocumentsInForce, page: Sequence[Row], now: datetime) -> list[Row]:
    ids = [row["id"] for row in page]
    (answer,) = await db.read("api/accounts_by_ids", ids=ids)
    records = {record["id"]: record for record in answer["rows"]}
    scores: dict[str, AccountScoreNow | None] = dict(await current_account_scores(db, ids, documents, now))
    untrusted = [account for account, score in scores.items() if score is None]
    if untrusted:
        # As Account.score does: sums that cannot be trusted give way to the account's subtree.
        result = await subtree_scores(db, untrusted, now, documents=documents)
        for account in untrusted:
            score = result.score(account)
            scores[account] = AccountScoreNow(score.engagement, score.rolled_up, score.fit, score.total)
    coverages = await account_coverages(db, ids, documents, now)
    histories = await stage_histories(db, ids)
    rows = []
    for row in page:
        record, score, coverage = records.get(row["id"]), scores.get(row["id"]), coverages.get(row["id"])
        if record is None or score is None or coverage is None:
            continue  # deleted while the export ran
        history = histories.get(row["id"], [])
        stage = record["stage"]
        since = history[-1].at if history and history[-1].stage is not None and history[-1].stage == stage else None
        rows.append(
            {
                "id": record["id"],
                "name": record["name"],
                "domain": record["domain"],
                "is_target": bool(record["is_target"]),
                "tier": stored_int(record["tier"]),
                "owner_id": record["owner_id"],
                "parent_id": record["parent_id"],
                "stage": stage,
                "stage_since": _iso(since),
                "score_engagement": score.engagement,
                "score_rolled_up": score.rolled_up,
                "score_fit": score.fit,
                "score_total": score.total,
                "committee": coverage.template,
                "coverage": coverage.coverage,
                "engaged_coverage": coverage.engaged_coverage,
                "engaged_contacts": coverage.engaged_contacts,
                "single_threaded": coverage.single_threaded,
                "missing_roles": list(coverage.missing_roles),
                "unengaged_roles": list(coverage.unengaged_roles),
                "changed_at": _iso(stored_time(row["changed_at"])),
            }
        )
    return rows


async def _lead_rows(db: Database, documents: DocumentsInForce, page: Sequence[Row], now: datetime) -> list[Row]:
    ids = [row["id"] for row in page]
    (answer,) = await db.read("api/leads_by_ids", ids=ids)
    records = {record["id"]: record for record in answer["rows"]}
    scores = dict(zip(ids, await person_scores(db, ids, documents, now), strict=True))
    matched = sorted({record["account_id"] for record in records.values() if record["account_id"] is not None})
    (accounts,) = await db.read("api/accounts_by_ids", ids=matched) if matched else ({"rows": []},)
    owners = {account["id"]: account["owner_id"] for account in accounts["rows"]}
    rows = []
    for row in page:
        record, score = records.get(row["id"]), scores.get(row["id"])
        if record is None or score is None:
            continue  # deleted while the export ran
        name = " ".join(part for part in (record["first_name"], record["last_name"]) if part) or None
        method = record["match_method"] if record["account_id"] is not None else None
        rows.append(
            {
                "id": record["id"],
                "email": record["email"],
                "name": name,
                "company": record["company"],
                "title": record["title"],
                "status": record["status"] or "NEW",  # as Lead.status reads a lead without one
                "score_demographic": score.demographic,
                "score_behavioral": score.behavioral,
                "score_fit": score.fit,
                "score_total": score.total,
                "score_completeness": score.completeness,
                "interest": str(score.interest),
                "grade": str(score.grade),
                "disqualified": score.disqualified,
                "nurture_objectives": [str(objective) for objective in score.nurture_objectives],
                "account_id": record["account_id"],
                "match_method": method,
                "match_confidence": stored_float(record["match_confidence"]) if method else None,
                "account_owner_id": owners.get(record["account_id"]),
                "changed_at": _iso(stored_time(row["changed_at"])),
            }
        )
    return rows


@dataclass(frozen=True)
class _Export:
    fields: tuple[str, ...]
    page: str
    count: str
    rows: Callable[[Database, DocumentsInForce, Sequence[Row], datetime], Any]


EXPORTS = {
    "accounts": _Export(ACCOUNT_FIELDS, "export/account_page", "export/account_count", _account_rows),
    "leads": _Export(LEAD_FIELDS, "export/lead_page", "export/lead_count", _lead_rows),
}


async def count_rows(db: Database, kind: str, since: datetime | None) -> int:
    """How many rows ``export_rows`` will give (the progress total)."""
    return (await db.read(EXPORTS[kind].count, since=_iso(since)))[0]["total"]


async def export_rows(
    db: Database, kind: str, now: datetime, since: datetime | None = None, page_size: int = PAGE_SIZE
) -> AsyncIterator[Row]:
    """The export rows of ``kind`` (accounts or leads) in id order, figures as the API gives them at ``now``.

    Pages of ``page_size`` ids; while one page's figures are computed, the next page's are being
    read (the database works while Python scores), so at most two pages are held at once, whatever
    the number of rows. ``since`` keeps the rows changed at or after it (see the module docstring).
    """
    export = EXPORTS[kind]
    documents = await documents_in_force(db)

    async def ids_after(after: str) -> list[Row]:
        return await db.read(export.page, after=after, since=_iso(since), size=page_size)

    def figures(page: list[Row]) -> asyncio.Future[list[Row]] | None:
        return asyncio.ensure_future(export.rows(db, documents, page, now)) if page else None

    page = await ids_after("")
    current = figures(page)
    while current is not None:
        following: asyncio.Future[list[Row]] | None = None
        try:
            page = await ids_after(page[-1]["id"]) if len(page) == page_size else []
            following = figures(page)
            done = await current
        except BaseException:
            for task in (current, following):
                if task is not None:
                    task.cancel()
            raise
        for row in done:
            yield row
        current = following


def _cell(value: Any) -> Any:
    """A CSV cell: lists ``;``-separated as the importer reads them, booleans lower case, null empty."""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def writer(kind: str, file_format: str, out: TextIO) -> Callable[[Mapping[str, Any]], None]:
    """A function writing one row of ``kind`` to ``out`` as CSV (header first) or NDJSON."""
    fields = EXPORTS[kind].fields
    if file_format == "ndjson":
        return lambda row: out.write(json.dumps(row, ensure_ascii=False) + "\n")
    table = csv.writer(out, lineterminator="\n")
    table.writerow(fields)
    return lambda row: table.writerow([_cell(row[field]) for field in fields])
