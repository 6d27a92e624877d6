"""The API's limits: page sizes, query shape and cost, request size and time, in one place."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
)
from strawberry.extensions import SchemaExtension

__all__ = [
    "DEFAULT_FIELD_COSTS",
    "DEFAULT_LIMITS",
    "ApiLimits",
    "MaxFieldsLimiter",
    "QueryCostLimiter",
    "expanded_fields",
    "query_cost",
]

DEFAULT_FIELD_COSTS: Mapping[str, int] = {
    # Whole-graph computations: every account, its fit, similarity and engagement.
    "Query.targetAccounts": 1000,
    "Query.programScorecard": 500,
    "Query.leadPlan": 100,
    "Mutation.recompute": 1000,
    "Mutation.importRecords": 100,
    "Mutation.routeLead": 20,
    "Query.matchAccount": 10,
    # Per-account figures computed from raw rows.
    "Account.lookalikes": 20,
    "Account.scorecard": 10,
    "Account.coverage": 10,
    # Sorts every engagement of everyone at the account to serve one page.
    "Account.engagements": 5,
    "AccountScore.contributions": 5,
    "Account.score": 2,
    "Contact.score": 2,
    "Lead.score": 2,
}
"""Cost of resolving a field once, by ``Type.field``; any other field returning an object costs 1, a scalar 0."""


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
    max_query_cost
        Largest static cost (:func:`query_cost`) of the operation a request runs; a costlier one is
        refused with ``QUERY_TOO_COSTLY`` before anything executes (``GRAPHSVC_MAX_QUERY_COST``).
    field_costs
        Cost of resolving each expensive field once (:data:`DEFAULT_FIELD_COSTS`).
    request_seconds
        Deadline of one GraphQL request; past it the work is cancelled and the request answered
        ``DEADLINE_EXCEEDED`` (``GRAPHSVC_REQUEST_SECONDS``; 0: none).
    """

    default_page_size: int = 20
    max_page_size: int = 100
    max_depth: int = 12
    max_tokens: int = 5000
    max_aliases: int = 30
    max_fields: int = 300
    max_body_bytes: int = 1024 * 1024
    max_query_cost: int = 20_000
    field_costs: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_FIELD_COSTS), hash=False)
    request_seconds: float = 30.0


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


def _page_size(node: FieldNode, definition: Any, variables: Mapping[str, Any], limits: ApiLimits) -> int:
    """How many items a list field may return: its ``first`` (given, variable or default), capped."""
    first = definition.args.get("first")
    size: Any = None
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                size = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                size = variables.get(argument.value.name.value)
            break
    else:
        size = first.default_value if first is not None else None
    if not isinstance(size, int) or isinstance(size, bool):
        size = limits.default_page_size
    return max(0, min(size, limits.max_page_size))


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    limits: ApiLimits = DEFAULT_LIMITS,
) -> int:
    """The static cost of the operation of ``document`` that a request runs, before running it.

    Each field costs its entry in ``limits.field_costs``, otherwise 1 when it returns an object and 0
    for a scalar. A field returning a list multiplies the cost of what it selects by the number of
    items it may return: its ``first`` (literal, variable or declared default), else the default
    page size, capped by the largest page. A connection's ``edges`` and ``nodes`` take the
    connection's size. Nested lists multiply; aliases and fragment spreads count each time they
    appear. The document must have passed validation (fields exist, no fragment cycles).
    """
    variables = variables or {}
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [d for d in operations if d.name is not None and d.name.value == operation_name]

    def selection_cost(selection_set: SelectionSetNode | None, parent: GraphQLNamedType, size: int) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += field_cost(selection, parent, size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                typed = schema.get_type(condition.name.value) if condition else parent
                total += selection_cost(selection.selection_set, typed, size)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                fragment = fragments[selection.name.value]
                typed = schema.get_type(fragment.type_condition.name.value)
                total += selection_cost(fragment.selection_set, typed, size)
        return total

    def field_cost(node: FieldNode, parent: GraphQLNamedType, size: int) -> int:
        if not isinstance(parent, GraphQLObjectType) or node.name.value not in parent.fields:
            return 0  # __typename and other introspection
        definition = parent.fields[node.name.value]
        returned = get_named_type(definition.type)
        default = 1 if isinstance(returned, GraphQLObjectType) else 0
        own = limits.field_costs.get(f"{parent.name}.{node.name.value}", default)
        if returned.name.endswith("Connection"):
            return own + selection_cost(node.selection_set, returned, _page_size(node, definition, variables, limits))
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            if not parent.name.endswith("Connection"):
                size = _page_size(node, definition, variables, limits)
            return own + size * selection_cost(node.selection_set, returned, size)
        return own + selection_cost(node.selection_set, returned, size)

    roots = {"query": schema.query_type, "mutation": schema.mutation_type, "subscription": schema.subscription_type}
    return max(
        (selection_cost(op.selection_set, roots[op.operation.value], limits.default_page_size) for op in operations),
        default=0,
    )


class QueryCostLimiter(SchemaExtension):
    """Refuses an operation whose :func:`query_cost` is over ``limits.max_query_cost``, before it executes.

    The cost depends on the variables (``first: $n``), so it is computed per request, after
    validation (cached documents included) and before execution. The error carries
    ``extensions.code`` ``QUERY_TOO_COSTLY`` with ``cost`` and ``budget``.
    """

    def __init__(self, limits: ApiLimits) -> None:
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            cost = query_cost(
                context.schema._schema, context.graphql_document, context.operation_name, context.variables, self.limits
            )
            if cost > self.limits.max_query_cost:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"'{context.operation_name or 'anonymous'}' costs {cost}, more than the budget of "
                            f"{self.limits.max_query_cost}: ask for smaller pages (first) or fewer nested lists",
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "budget": self.limits.max_query_cost},
                        )
                    ],
                )
        yield
