"""Which operation of a document runs: the one ``operationName`` names, required when there are several."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

__all__ = ["OperationNameRequired"]


class OperationNameRequired(SchemaExtension):
    """Refuses a document of several operations without ``operationName`` (GraphQL spec, GetOperation).

    strawberry would run the first one. Listed after :class:`~graphsvc.schema.document_cache.CachedDocuments`,
    so a document from the validated-document cache (which ignores the operation name) is checked too.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Not context.operation_name: strawberry fills that in with the first operation's name.
        if document is not None and context._provided_operation_name is None:
            operations = sum(isinstance(definition, OperationDefinitionNode) for definition in document.definitions)
            if operations > 1:
                error = GraphQLError(f"the document has {operations} operations: name the one to run in operationName")
                context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield
