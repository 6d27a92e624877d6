"""The GraphQL schema: one module per feature, root types merged here."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from graphsvc.schema.account import AccountQuery

__all__ = ["schema"]

Query = merge_types("Query", (AccountQuery,))

schema = strawberry.Schema(query=Query)
