"""Reading import files: CSV and NDJSON rows with their line numbers."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.ingest.records import KINDS, RECORD_TYPES

__all__ = ["Row", "kind_of", "read_rows", "unknown_columns"]

Row = tuple[int, dict[str, Any]]  # (line number, cells)

# Big enough for any legitimate cell; larger ones become a per-row "too long" error, not a crash.
csv.field_size_limit(16 * 1024 * 1024)


def kind_of(path: Path) -> str:
    """The record kind named by a file, e.g. ``crm/contacts-2026.csv`` -> ``contacts``."""
    stem = path.name.lower().split(".")[0]
    matches = [kind for kind in KINDS if stem.startswith(kind) or stem.endswith(kind)]
    if len(matches) != 1:
        raise InvalidInput(f"{path}: cannot tell the kind from the file name; pass --kind ({', '.join(KINDS)})")
    return matches[0]


def unknown_columns(kind: str, columns: list[str]) -> list[str]:
    """Columns outside the contract of ``kind`` (they are ignored)."""
    return [column for column in columns if column not in RECORD_TYPES[kind].model_fields]


def read_rows(path: Path, kind: str) -> tuple[list[str], Iterator[Row]]:
    """Open ``path`` and return its columns and an iterator of its rows.

    Bytes that are not UTF-8 are kept as surrogates so the row that holds them, and only that
    row, is reported. A CSV file without an ``id`` column or without a required column of its
    kind is refused as a whole, before anything is imported.
    """
    suffix = path.suffix.lower()
    if suffix in (".ndjson", ".jsonl"):
        return [], _ndjson_rows(path)
    if suffix != ".csv":
        raise InvalidInput(f"{path}: unsupported file type {suffix!r}; use .csv or .ndjson")
    handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.DictReader(handle)
    columns = [column.strip() for column in reader.fieldnames or []]
    required = [name for name, field in RECORD_TYPES[kind].model_fields.items() if field.is_required()]
    missing = [name for name in required if name not in columns]
    if missing:
        handle.close()
        raise InvalidInput(f"{path}: missing required column(s) {', '.join(missing)} for {kind}")
    reader.fieldnames = columns
    return columns, _csv_rows(handle, reader)


def _csv_rows(handle: Any, reader: csv.DictReader) -> Iterator[Row]:
    with handle:
        line = reader.line_num + 1
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1


def _ndjson_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", errors="surrogateescape") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                cells = json.loads(text)
            except json.JSONDecodeError as exc:
                cells = {"__error__": f"not a JSON object: {exc.msg} at column {exc.colno}"}
            if not isinstance(cells, dict):
                cells = {"__error__": "not a JSON object"}
            yield line, cells
