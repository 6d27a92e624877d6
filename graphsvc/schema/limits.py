"""The API's limits: page sizes, query shape and request size, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

__all__ = ["DEFAULT_LIMITS", "ApiLimits", "MaxFieldsLimiter", "expanded_fields"]


@dataclass(frozen=True)
class ApiLimits:
    """Bounds that keep one request from monopolising the service.

    Parameters
    ----------
    default_page_size
        Items per page when a connection's ``first`` is omitted.
    max_page_size
        Largest ``first`` served; larger values are capped to it (not refused).
    max_depth
        Deepest selection set a query may nest (``QueryDepthLimiter``).
    max_tokens
        Most tokens a GraphQL document may hold (``MaxTokensLimiter``); parsing stops beyond it.
    max_aliases
        Most aliases in one document (``MaxAliasesLimiter``), so one request cannot ask for the same
        expensive field hundreds of times.
    max_fields
        Most fields one document selects, fragments expanded (:class:`MaxFieldsLimiter`). GraphQL
        validation compares fields pairwise, so a wide document costs the square of its width in
        CPU before anything runs: 1,600 fields took 3 s. GraphiQL's introspection selects 229.
    max_body_bytes
        Largest request body; larger ones get HTTP 413 before they are parsed.
    """

    default_page_size: int = 20
    max_page_size: int = 100
    max_depth: int = 12
    max_tokens: int = 5000
    max_aliases: int = 30
    max_fields: int = 300
    max_body_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ApiLimits()


def expanded_fields(document: DocumentNode) -> int:
    """How many fields ``document`` selects with every fragment spread expanded.

    Iterative, so neither a long chain of fragments nor a fragment cycle (counted once; validation
    reports it) can exhaust the stack.
    """
    own: dict[str | None, int] = {}  # fields written in each fragment (None: in the operations)
    spreads: dict[str | None, list[str]] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            continue
        key = definition.name.value if isinstance(definition, FragmentDefinitionNode) else None
        names = spreads.setdefault(key, [])
        stack: list[SelectionSetNode | None] = [definition.selection_set]
        while stack:
            selection_set = stack.pop()
            for selection in selection_set.selections if selection_set else ():
                if isinstance(selection, FieldNode):
                    own[key] = own.get(key, 0) + 1
                    stack.append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    stack.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    names.append(selection.name.value)
    totals: dict[str, int] = {}
    pending = {key for key in spreads if key is not None}
    while ready := [
        name for name in pending if all(spread in totals or spread not in spreads for spread in spreads[name])
    ]:
        for name in ready:
            totals[name] = own.get(name, 0) + sum(totals.get(spread, 0) for spread in spreads[name])
            pending.discard(name)
    totals.update({name: own.get(name, 0) for name in pending})
    return own.get(None, 0) + sum(totals.get(spread, 0) for spread in spreads.get(None, []))


class MaxFieldsLimiter(SchemaExtension):
    """Refuses a document selecting more than ``max_fields`` fields before it is validated.

    Setting the error before validation makes strawberry skip validation, so the refusal costs
    one linear walk of the document instead of the quadratic field-merging check.
    """

    def __init__(self, max_fields: int) -> None:
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            count = expanded_fields(document)
            if count > self.max_fields:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"'{context.operation_name or 'anonymous'}' selects {count} fields (fragments expanded), "
                        f"more than the maximum of {self.max_fields}"
                    )
                ]
        yield
