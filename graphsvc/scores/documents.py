"""The configuration documents in force, kept in the graph so every graphsvc instance agrees.

Each kind (scoring, icp, committees, roles, routing) has at most one active ``ModelDocument`` node; with
none stored, the shipped default from ``seeds/`` is in force. Saving validates the whole
document first: an invalid one raises :class:`~graphsvc.documents.DocumentInvalid` listing every
violation, and the document in force stays.

Parsed documents are cached per process, and the cache is never stale. Every active document
carries a stamp, the SHA-256 of its body (``digest``, written on save; for a document saved before
digests, its id and save time). Each read of the documents in force asks the database for the
active stamps and sends the stamps this process has already parsed (``$known_documents``); the
database returns bodies only for the others. So a document saved by any graphsvc instance, or a
database emptied under a running process, takes effect on the very next read, while an unchanged
document costs a few short strings and no parsing. Callers that send a statement of their own
anyway can carry the same columns in it (``routing/lead_facts`` does, see
:func:`documents_from_rows`) and save the round trip. The cache holds at most
:data:`MAX_CACHED` parsed documents (five are in force at a time).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.documents import (
    CommitteeTemplates,
    DocumentKind,
    IcpModel,
    RoleRules,
    RoutingRules,
    ScoringModel,
    default_document,
    load_document,
)
from graphsvc.errors import InvalidInput
from graphsvc.store.database import Database

__all__ = [
    "MAX_CACHED",
    "DocumentsInForce",
    "document_body",
    "documents_from_rows",
    "documents_in_force",
    "known_documents",
    "save_document",
]

MAX_CACHED = 32
_KINDS = frozenset(str(kind) for kind in DocumentKind)

# Parsed documents by (kind, stamp); a stamp names one body, so an entry is never stale.
_parsed: OrderedDict[tuple[str, str], Any] = OrderedDict()


@dataclass(frozen=True)
class DocumentsInForce:
    """The documents every score and routing decision is computed with."""

    scoring: ScoringModel
    icp: IcpModel
    committees: CommitteeTemplates
    roles: RoleRules
    routing: RoutingRules

    @classmethod
    def defaults(cls) -> DocumentsInForce:
        return cls(*(default_document(kind) for kind in DocumentKind))


def known_documents() -> list[str]:
    """The documents this process has parsed, as ``kind:stamp`` (the ``$known_documents`` parameter)."""
    return [f"{kind}:{stamp}" for kind, stamp in _parsed]


def documents_from_rows(rows: Iterable[Mapping[str, Any]]) -> DocumentsInForce | None:
    """The documents in force from rows of ``kind``, ``stamp`` and ``body`` (null for a known stamp).

    Returns None when a body was left out for a stamp this process no longer holds (dropped from
    the cache since the statement was sent): read again with :func:`documents_in_force`.
    """
    in_force: dict[str, Any] = {}
    for row in rows:
        if row["kind"] not in _KINDS:
            continue
        key = (row["kind"], row["stamp"])
        if row["body"] is not None:
            if key not in _parsed:
                _parsed[key] = load_document(row["kind"], json.loads(row["body"]))
                while len(_parsed) > MAX_CACHED:
                    _parsed.popitem(last=False)
        elif key not in _parsed:
            return None
        _parsed.move_to_end(key)
        in_force[row["kind"]] = _parsed[key]
    return DocumentsInForce(*(in_force[kind] if kind in in_force else default_document(kind) for kind in DocumentKind))


async def documents_in_force(db: Database) -> DocumentsInForce:
    """The active documents, current as of this call; kinds never saved fall back to the shipped defaults.

    One short statement; bodies cross the wire and are parsed only when this process has not seen
    them yet (module docstring).
    """
    documents = documents_from_rows(await db.read("documents/active", known_documents=known_documents()))
    if documents is None:
        documents = documents_from_rows(await db.read("documents/active", known_documents=[]))
    assert documents is not None  # every body was sent
    return documents


def document_body(document: Any) -> tuple[str, str]:
    """The stored body of a validated document (JSON, keys sorted) and its digest (SHA-256, the stamp)."""
    body = json.dumps(document.model_dump(mode="json"), sort_keys=True)
    return body, hashlib.sha256(body.encode()).hexdigest()


async def save_document(db: Database, kind: str, data: Any) -> Any:
    """Validate ``data`` as a document of ``kind`` and make it the one in force.

    Returns the validated document. Its ``version`` must be new for the kind, so decisions that
    record the version they used stay traceable.
    """
    kind = str(DocumentKind(kind))
    document = load_document(kind, data)
    body, digest = document_body(document)
    stored = await db.read("documents/by_id", id=f"{kind}:{document.version}")
    if stored and stored[0]["body"] != body:
        raise InvalidInput(f"{kind} version {document.version} already exists with other content; raise the version")
    await db.write("documents/activate", kind=kind, version=document.version, body=body, digest=digest)
    return document
