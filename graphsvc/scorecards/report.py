"""The scorecard report as CSV (SPEC §11, export of scorecards): ``graphsvc report scorecard``.

One long table, so the program scorecard and every target account's scorecard share one header
and any spreadsheet can pivot it::

    scope,subject,name,metric,value
    program,program,,as_of,2026-11-01T00:00:00+00:00
    program,traditional,,conversion.lead_to_mql,0.75
    program,abm,,by_stage.MQA,1
    program,sla,,by_path.ABM.accepted,1
    account,acc-00001,Briant Goods LLC,percent_engaged,33.33333333333333

Nested figures are named by their dotted path; an absent value (None) is an empty cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO

from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS, AccountScorecard
from graphsvc.scorecards.program import program_and_account_scorecards
from graphsvc.store.database import Database

__all__ = ["CSV_COLUMNS", "account_rows", "program_rows", "write_scorecard_report"]

CSV_COLUMNS = ("scope", "subject", "name", "metric", "value")
_SECTIONS = ("traditional", "abm", "sla")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def program_rows(card: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of a :func:`~graphsvc.scorecards.program.program_scorecard` result."""
    header = {"as_of": card["as_of"], "window_days": card["window_days"]}
    header.update({f"filters.{key}": value for key, value in card["filters"].items()})
    for metric, value in header.items():
        yield {"scope": "program", "subject": "program", "name": "", "metric": metric, "value": _cell(value)}
    for section in _SECTIONS:
        for metric, value in _flatten(card[section]):
            yield {"scope": "program", "subject": section, "name": "", "metric": metric, "value": _cell(value)}


def account_rows(card: AccountScorecard) -> Iterator[dict[str, Any]]:
    """Rows of one account scorecard."""
    for metric, value in card.as_dict().items():
        if metric not in ("account_id", "name"):
            yield {
                "scope": "account",
                "subject": card.account_id,
                "name": card.name or "",
                "metric": metric,
                "value": _cell(value),
            }


async def write_scorecard_report(
    db: Database,
    out: TextIO,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | str | None = None,
) -> tuple[int, int]:
    """Write the program scorecard and every target account's scorecard to ``out`` as CSV.

    Returns
    -------
    tuple
        ``(rows written, target accounts)``.
    """
    program, cards = await program_and_account_scorecards(db, window_days, as_of)
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    rows = 0
    for row in program_rows(program):
        writer.writerow(row)
        rows += 1
    for account_id in sorted(cards):
        for row in account_rows(cards[account_id]):
            writer.writerow(row)
            rows += 1
    return rows, len(cards)
