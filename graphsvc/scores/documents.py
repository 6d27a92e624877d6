"""The configuration documents in force, kept in the graph so every graphsvc instance agrees.

Each kind (scoring, icp, committees, roles, routing) has at most one active ``ModelDocument`` node; with
none stored, the shipped default from ``seeds/`` is in force. Saving validates the whole
document first: an invalid one raises :class:`~graphsvc.documents.DocumentInvalid` listing every
violation, and the document in force stays.
"""

from __future__ import annotations

import json
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

__all__ = ["DocumentsInForce", "documents_in_force", "save_document"]


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


async def documents_in_force(db: Database) -> DocumentsInForce:
    """Read the active documents; kinds never saved fall back to the shipped defaults."""
    stored = {row["kind"]: row["body"] for row in await db.read("documents/active")}
    return DocumentsInForce(
        *(
            load_document(kind, json.loads(stored[kind])) if kind in stored else default_document(kind)
            for kind in DocumentKind
        )
    )


async def save_document(db: Database, kind: str, data: Any) -> Any:
    """Validate ``data`` as a document of ``kind`` and make it the one in force.

    Returns the validated document. Its ``version`` must be new for the kind, so decisions that
    record the version they used stay traceable.
    """
    kind = str(DocumentKind(kind))
    document = load_document(kind, data)
    body = json.dumps(document.model_dump(mode="json"), sort_keys=True)
    stored = await db.read("documents/by_id", id=f"{kind}:{document.version}")
    if stored and stored[0]["body"] != body:
        raise InvalidInput(f"{kind} version {document.version} already exists with other content; raise the version")
    await db.write("documents/activate", kind=kind, version=document.version, body=body)
    return document
