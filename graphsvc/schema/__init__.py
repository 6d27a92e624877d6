"""The GraphQL schema: one module per feature, root types merged here, guards and caches installed here."""

from __future__ import annotations

import functools
from datetime import datetime

from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from graphsvc.schema.account import AccountMutation, AccountQuery
from graphsvc.schema.arguments import BoundedDateTime, UnicodeArguments
from graphsvc.schema.contact import ContactMutation, ContactQuery
from graphsvc.schema.document_cache import CachedDocuments, DocumentCache
from graphsvc.schema.document_versions import DocumentVersionMutation, DocumentVersionQuery
from graphsvc.schema.errors import ErrorPolicy, GraphsvcSchema
from graphsvc.schema.execution import MutationsFinish
from graphsvc.schema.imports import ImportMutation
from graphsvc.schema.lead import LeadMutation, LeadQuery
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits, MaxFieldsLimiter, QueryCostLimiter
from graphsvc.schema.match import MatchQuery
from graphsvc.schema.metrics import OperationMetrics
from graphsvc.schema.operations import OperationNameRequired
from graphsvc.schema.routing import RoutingMutation, RoutingQuery, RoutingSubscription
from graphsvc.schema.score import ScoreMutation
from graphsvc.schema.scorecard import ScorecardQuery
from graphsvc.schema.webhook import WebhookMutation, WebhookQuery

__all__ = ["create_schema", "schema"]

Query = merge_types(
    "Query",
    (
        AccountQuery,
        LeadQuery,
        ContactQuery,
        MatchQuery,
        RoutingQuery,
        ScorecardQuery,
        WebhookQuery,
        DocumentVersionQuery,
    ),
)
Subscription = merge_types("Subscription", (RoutingSubscription,))
Mutation = merge_types(
    "Mutation",
    (
        ImportMutation,
        ContactMutation,
        AccountMutation,
        LeadMutation,
        ScoreMutation,
        RoutingMutation,
        WebhookMutation,
        DocumentVersionMutation,
    ),
)


def create_schema(limits: ApiLimits = DEFAULT_LIMITS) -> GraphsvcSchema:
    """The schema with its guards (depth, token, alias, field and cost limits, error masking, metrics).

    Parsed documents that passed validation are cached per schema (:mod:`graphsvc.schema.document_cache`).
    The depth and alias rules are built once here, not per request, so that every request
    validates with the same rule classes and a cached pass can be recognised.
    """
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    cache = DocumentCache()
    return GraphsvcSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={datetime: BoundedDateTime},
        request_seconds=limits.request_seconds,
        extensions=[
            functools.partial(AddValidationRules, rules),
            functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
            functools.partial(CachedDocuments, cache),  # before the field limit: a hit skips it
            OperationNameRequired,  # after the cache: a cached document is checked too
            functools.partial(MaxFieldsLimiter, max_fields=limits.max_fields),
            functools.partial(QueryCostLimiter, limits),
            MutationsFinish,
            UnicodeArguments,
            ErrorPolicy,
            OperationMetrics,
        ],
    )


schema = create_schema()
