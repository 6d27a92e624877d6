"""Reading import files: CSV and NDJSON rows with their line numbers."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.ingest.records import KINDS, RECORD_TYPES

__all__ = ["Row", "kind_of", "read_rows", "unknown_columns"]

Row = tuple[int, dict[str, Any]]  # (line number, cells)

# Big enough for any legitimate cell; larger ones become a per-row error, not a crash.
csv.field_size_limit(16 * 1024 * 1024)

# UTF-32 first: its little-endian mark starts with UTF-16's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SNIFF_BYTES = 8192


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
    row, is reported. A file that is empty, UTF-16/32 or binary, and a CSV file without a required
    column of its kind, are refused as a whole, before anything is imported.
    """
    suffix = path.suffix.lower()
    if suffix not in (".ndjson", ".jsonl", ".csv"):
        raise InvalidInput(f"{path}: unsupported file type {suffix!r}; use .csv or .ndjson")
    _check_text(path)
    if suffix != ".csv":
        return [], _ndjson_rows(path)
    handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    # strict: an unterminated quote is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(handle, strict=True)
    try:
        columns = [column.strip() for column in next(reader, [])]
    except csv.Error as exc:
        handle.close()
        raise InvalidInput(f"{path}: unreadable CSV header: {exc}") from None
    required = [name for name, field in RECORD_TYPES[kind].model_fields.items() if field.is_required()]
    missing = [name for name in required if name not in columns]
    if missing:
        handle.close()
        raise InvalidInput(f"{path}: missing required column(s) {', '.join(missing)} for {kind}")
    return columns, _csv_rows(handle, reader, columns)


def _check_text(path: Path) -> None:
    """Refuse files that cannot be UTF-8 text, naming what they are instead."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise InvalidInput(f"{path}: the file is empty")
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            raise InvalidInput(f"{path}: the file is {encoding} text; save it as UTF-8")
    if b"\0" in head:
        raise InvalidInput(f"{path}: the file holds NUL bytes: binary data or UTF-16/32 text, not UTF-8 CSV or NDJSON")


def _csv_rows(handle: Any, reader: Any, columns: list[str]) -> Iterator[Row]:
    """Rows by the line they start on; every physical line is in a row, a blank line or an error.

    A record the reader cannot parse (an unterminated quote runs to the end of the file) is
    reported on its first line, and each further line it took in is reported too, naming it.
    """
    with handle:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                through = f" (the record runs through line {end})" if end > start else ""
                yield start, {"__error__": f"unreadable CSV: {exc}{through}"}
                for line in range(start + 1, end + 1):
                    yield line, {"__error__": f"not read: inside the unreadable CSV record that starts on line {start}"}
                continue
            if cells:  # an empty list is a blank line
                yield start, _by_column(columns, cells)


def _by_column(columns: list[str], cells: list[str]) -> dict[str | None, Any]:
    """Cells by column name; missing cells are None, extra cells are listed under None."""
    row: dict[str | None, Any] = dict(zip(columns, cells, strict=False))
    row.update({column: None for column in columns[len(cells) :]})
    if len(cells) > len(columns):
        row[None] = cells[len(columns) :]
    return row


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
