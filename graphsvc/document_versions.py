"""Versioned configuration documents: each kind's history, saving a new version, putting one back in force.

Every kind (scoring, icp, committees, roles, routing) keeps all its versions as ``ModelDocument``
nodes, one of them active (:mod:`graphsvc.scores.documents` reads the active ones and keeps every
instance current). The shipped default of a kind (``seeds/``, version 1) is part of its history:
it is recorded the first time the history is read or changed, unless a version with its number is
stored already, and it is in force until another version is. Its ``saved_at`` is when it was
recorded.

A change in force (:func:`set_document`, :func:`activate_document`) is followed, in the same call,
by a **full recompute** (:func:`graphsvc.scores.recompute.recompute_graph`): scores, coverage,
inferred roles, lead matches and account stages are then what a recompute gives under the new
documents. The change itself takes effect at once on every instance (the next read of the
documents in force sees it); until the recompute has written, reads that serve stored scores or the
engagement read model find them older than the version's ``activated_at`` and compute from the
engagements instead, so scores and coverage never mix documents; stored account stages move when
the recompute evaluates them. A recompute that fails leaves the change in force, is logged with
the version and raises; ``graphsvc recompute`` finishes the job.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphsvc.documents import default_document, document_kind
from graphsvc.errors import NotFound
from graphsvc.ranges import EARLIEST, stored_time
from graphsvc.scores.documents import document_body, save_document
from graphsvc.scores.recompute import RecomputeReport, recompute_graph
from graphsvc.store.database import Database, Record

__all__ = [
    "DocumentChange",
    "DocumentVersion",
    "activate_document",
    "document_versions",
    "set_document",
    "unknown_version",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentVersion:
    """One stored version of a document: its kind, number, whether it is in force, when saved, its body."""

    kind: str
    version: int
    active: bool
    saved_at: datetime
    document: dict[str, Any]

    @classmethod
    def from_row(cls, kind: str, row: Record) -> DocumentVersion:
        saved_at = stored_time(row["saved_at"])
        assert saved_at is not None, "graphsvc stores saved_at on every version"
        return cls(kind, row["version"], bool(row["active"]), saved_at, json.loads(row["body"]))


@dataclass(frozen=True)
class DocumentChange:
    """A version put in force, and the recompute that followed it."""

    version: DocumentVersion
    recompute: RecomputeReport


async def document_versions(db: Database, kind: str) -> list[DocumentVersion]:
    """Every version of ``kind``, newest first, the shipped default among them.

    Raises
    ------
    InvalidInput
        For an unknown kind, naming the kinds there are.
    """
    kind = str(document_kind(kind))
    rows = await db.read("documents/versions", kind=kind)
    default = default_document(kind)
    if not any(row["version"] == default.version for row in rows):
        body, digest = document_body(default)
        await db.write(
            "documents/record_default",
            kind=kind,
            version=default.version,
            body=body,
            digest=digest,
            since=EARLIEST.isoformat(),
        )
        rows = await db.read("documents/versions", kind=kind)
    return [DocumentVersion.from_row(kind, row) for row in rows]


async def set_document(db: Database, kind: str, data: Any) -> DocumentChange:
    """Validate ``data`` as a document of ``kind``, put it in force, recompute.

    A document without ``version`` gets the next number (the highest stored, plus one); one with
    a ``version`` keeps it, which must be new for the kind unless the body is the same as stored.

    Raises
    ------
    DocumentInvalid
        With every violation; nothing is written and the version in force stays.
    InvalidInput
        For an unknown kind, or a version number stored with another body.
    """
    kind = str(document_kind(kind))
    versions = await document_versions(db, kind)
    if isinstance(data, Mapping) and "version" not in data:
        data = {**data, "version": max(version.version for version in versions) + 1}
    document = await save_document(db, kind, data)
    [row] = [row for row in await db.read("documents/versions", kind=kind) if row["version"] == document.version]
    return await _recomputed(db, DocumentVersion.from_row(kind, row))


async def activate_document(db: Database, kind: str, version: int) -> DocumentChange:
    """Put stored version ``version`` of ``kind`` back in force (roll back or forward), recompute.

    Raises
    ------
    InvalidInput
        For an unknown kind.
    NotFound
        When the kind has no such version; the message lists those it has.
    """
    kind = str(document_kind(kind))
    versions = await document_versions(db, kind)
    rows = await db.write("documents/activate_version", id=f"{kind}:{version}")
    if not rows:
        raise unknown_version(kind, version, versions)
    return await _recomputed(db, DocumentVersion.from_row(kind, rows[0]))


def unknown_version(kind: str, version: int, versions: list[DocumentVersion]) -> NotFound:
    """The error for a version ``kind`` does not have, listing those it has."""
    known = ", ".join(str(stored.version) for stored in versions)
    return NotFound(f"no {kind} document version {version}; the versions are {known}")


async def _recomputed(db: Database, version: DocumentVersion) -> DocumentChange:
    try:
        report = await recompute_graph(db)
    except Exception:
        log.exception(
            "%s version %d is in force but the recompute after it failed: run graphsvc recompute",
            version.kind,
            version.version,
        )
        raise
    log.info("%s version %d in force; recomputed %d accounts", version.kind, version.version, report.accounts)
    return DocumentChange(version, report)
