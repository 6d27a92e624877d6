"""The importRecords mutation: the same validated, idempotent importer as ``graphsvc import``."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.ingest.files import unknown_columns
from graphsvc.ingest.importer import Importer, ImportReport
from graphsvc.ingest.records import KINDS
from graphsvc.schema.context import Context
from graphsvc.schema.permissions import CanImport

__all__ = ["ImportMutation", "ImportResult", "RowError"]


@strawberry.type(description="Why one row was not imported.")
class RowError:
    row: int = strawberry.field(description="1-based position of the row in `rows`.")
    field: str | None
    message: str


@strawberry.type(description="What one importRecords call did.")
class ImportResult:
    imported: int
    failed: int
    errors: list[RowError]
    ignored_fields: list[str] = strawberry.field(description="Fields outside the import contract, which were ignored.")

    record: strawberry.Private[ImportReport]

    @classmethod
    def from_record(cls, record: ImportReport) -> ImportResult:
        """The result of an importer report (its line numbers are row positions)."""
        return cls(
            imported=record.imported,
            failed=record.failed,
            errors=[RowError(row=error.line, field=error.field, message=error.message) for error in record.errors],
            ignored_fields=record.ignored_columns,
            record=record,
        )


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description=f"Upsert rows of one kind ({', '.join(KINDS)}), one JSON object per row with the columns of "
        "the import contract (README). Valid rows land; each invalid row is reported; nothing is half-written.",
        permission_classes=[CanImport],
    )
    async def import_records(self, info: Info[Context, None], kind: str, rows: list[JSON]) -> ImportResult:
        context = info.context
        cells = [row if isinstance(row, dict) else {"__error__": "not a JSON object"} for row in rows]
        importer = Importer(context.db, context.import_batch_size)
        report = await importer.import_rows(kind, enumerate(cells, start=1), source="importRecords")
        report.ignored_columns = unknown_columns(kind, sorted({name for row in cells for name in row} - {"__error__"}))
        return ImportResult.from_record(report)
