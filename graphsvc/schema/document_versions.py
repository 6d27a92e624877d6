"""Configuration documents in the API: each kind's versions, saving one, putting one back in force (ADMIN only)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc import document_versions
from graphsvc.schema.context import Context
from graphsvc.schema.permissions import CanManageDocuments

__all__ = ["DocumentVersion", "DocumentVersionMutation", "DocumentVersionQuery"]


@strawberry.type(description="One version of a configuration document (scoring, icp, committees, roles, routing).")
class DocumentVersion:
    kind: str
    version: int
    active: bool = strawberry.field(description="True for the one version of its kind in force.")
    saved_at: datetime = strawberry.field(
        description="When it was saved; for the shipped default, when graphsvc first recorded it."
    )
    document: JSON = strawberry.field(description="The whole document, as validated (defaults filled in).")

    @classmethod
    def from_record(cls, record: document_versions.DocumentVersion) -> DocumentVersion:
        return cls(
            kind=record.kind,
            version=record.version,
            active=record.active,
            saved_at=record.saved_at,
            document=record.document,
        )


@strawberry.type
class DocumentVersionQuery:
    @strawberry.field(
        description="Every version of a kind of document (scoring, icp, committees, roles, routing), newest first; "
        "the shipped default is version 1.",
        permission_classes=[CanManageDocuments],
    )
    async def documents(self, info: Info[Context, None], kind: str) -> list[DocumentVersion]:
        versions = await document_versions.document_versions(info.context.db, kind)
        return [DocumentVersion.from_record(version) for version in versions]


@strawberry.type
class DocumentVersionMutation:
    @strawberry.mutation(
        description="Validate a document and put it in force, then recompute everything (scores, coverage, roles, "
        "matches, stages). Without a version it gets the next one. An invalid document is refused with every "
        "violation (DOCUMENT_INVALID, extensions.violations) and the one in force stays.",
        permission_classes=[CanManageDocuments],
    )
    async def set_document(self, info: Info[Context, None], kind: str, document: JSON) -> DocumentVersion:
        change = await document_versions.set_document(info.context.db, kind, document)
        return DocumentVersion.from_record(change.version)

    @strawberry.mutation(
        description="Put a stored version back in force (roll back or forward), then recompute everything.",
        permission_classes=[CanManageDocuments],
    )
    async def activate_document(self, info: Info[Context, None], kind: str, version: int) -> DocumentVersion:
        change = await document_versions.activate_document(info.context.db, kind, version)
        return DocumentVersion.from_record(change.version)
