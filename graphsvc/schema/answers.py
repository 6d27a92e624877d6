"""Whole answers kept under the data version, for queries whose answer cannot depend on the moment.

A dashboard asks the same questions again and again (an account's page, the list of targets, a
scorecard as of the end of last quarter), and between two writes the answer is the same. A query
whose every field is *timeless* (its answer is the graph's and its arguments' alone, never "now")
is answered once per data version (:mod:`graphsvc.store.versioned`) and caller, and kept: the
next identical request (same text, operation, variables, role and user) costs one indexed read of
the data version. Any write, from any process sharing the database, changes the version and so
sends the next request through the resolvers again.

Which fields are timeless is decided here, in one table (:data:`TIMELESS`), by the schema's type
and field name; the default is "not timeless". A field whose answer defaults to "now" is timeless
only with the argument that pins the moment (``score(asOf: ...)``); a field with an argument that
reads the clock is timeless only without it (``contacts(engaged: ...)`` asks about the last 90
days). A test executes every field of the table at two moments a year apart and compares them.

Not kept: mutations and subscriptions, answers with errors, answers over :data:`MAX_KEPT_BYTES` of
JSON, requests whose query text or variables are longer than ``MAX_QUERY_CHARS`` (they bound what
one kept entry and one plan may hold), and any operation naming a field outside the table
(target recommendations, the program scorecard at "now", routing and webhook state, introspection).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)
from strawberry import Schema
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from graphsvc.auth import Caller, Role
from graphsvc.schema.document_cache import MAX_QUERY_CHARS
from graphsvc.store.database import Database
from graphsvc.store.versioned import VersionedCache

__all__ = ["MAX_KEPT_BYTES", "TIMELESS", "AnswerKey", "KeptAnswers", "Pinned"]

MAX_KEPT_BYTES = 64 * 1024


@dataclass(frozen=True)
class Pinned:
    """A field that is timeless only when ``given`` is given (not null) and ``absent`` is not."""

    given: str | None = None
    absent: str | None = None


ANY = Pinned()
AT_A_MOMENT = Pinned(given="asOf")


def _any(names: str) -> dict[str, Pinned]:
    return dict.fromkeys(names.split(), ANY)


# Type -> field -> the condition under which the field's answer cannot depend on the moment.
TIMELESS: Mapping[str, Mapping[str, Pinned]] = {
    "Query": _any("account accounts contact lead leads documents"),
    "Account": {
        **_any(
            "id name domain industry employees annualRevenue country isTarget tier stage stageHistory owner parent"
            " ultimateParent children leads"
        ),
        "contacts": Pinned(absent="engaged"),  # engaged: in the last 90 days
        "engagements": Pinned(absent="windowDays"),  # a window ends now
        "score": AT_A_MOMENT,
        "coverage": AT_A_MOMENT,
        "scorecard": AT_A_MOMENT,
    },
    "Contact": {**_any("id name email title account roles engagements"), "score": AT_A_MOMENT},
    "Lead": {**_any("id email name company title status match engagements statusHistory"), "score": AT_A_MOMENT},
    **{f"{kind}Connection": _any("edges pageInfo totalCount") for kind in ("Account", "Contact", "Lead", "Engagement")},
    **{f"{kind}Edge": _any("cursor node") for kind in ("Account", "Contact", "Lead", "Engagement")},
    "PageInfo": _any("hasNextPage hasPreviousPage startCursor endCursor"),
    # Reached only through a field pinned to a moment (or timeless itself):
    "AccountScore": _any("engagement rolledUp fit total contributions"),
    "ScoreContribution": _any("sourceId kind points weight path"),
    "Coverage": _any(
        "template coverage engagedCoverage engagedContacts singleThreaded missingRoles unengagedRoles roles"
    ),
    "RoleCoverage": _any("role required weight known engaged contacts"),
    "AccountScorecard": _any(
        "windowDays leadsAssociated engagedLeads percentEngaged engagementLevel engagementChange coverage"
        " engagedCoverage stage daysInStage openOpportunities pipelineAmount"
    ),
    "LeadScore": _any("demographic behavioral total fit completeness interest grade nurtureObjectives disqualified"),
    "AccountMatch": _any("account method confidence"),
    "User": _any("id name email role active capacity openAssignments"),
    "StageChange": _any("stage previous at"),
    "LeadStatusChange": _any("status previous at reason by"),
    "Engagement": _any("id personId type detail campaign occurredAt points"),
    "DocumentVersion": _any("kind version active savedAt document"),
}


class _NotTimeless(Exception):
    pass


@dataclass(frozen=True)
class _Plan:
    """What a timeless operation needs of its variables: these given (not null), those null or left out."""

    name: str | None
    given: frozenset[str]
    absent: frozenset[str]

    def holds(self, variables: Mapping[str, Any]) -> bool:
        return all(variables.get(name) is not None for name in self.given) and all(
            variables.get(name) is None for name in self.absent
        )


class _Timeless(Visitor):
    """Collects a plan from a document, raising :class:`_NotTimeless` at the first field that may read the clock."""

    def __init__(self, type_info: TypeInfo, defaults: frozenset[str]) -> None:
        super().__init__()
        self.type_info = type_info
        self.defaults = defaults  # variables with a default value: what a request leaves out is not null
        self.given: set[str] = set()
        self.absent: set[str] = set()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        name = node.name.value
        if name == "__typename":
            return
        parent = self.type_info.get_parent_type()
        pinned = TIMELESS.get(parent.name if parent else "", {}).get(name)
        if pinned is None:
            raise _NotTimeless
        values = {argument.name.value: argument.value for argument in node.arguments or ()}
        if pinned.given is not None:
            self._need(values.get(pinned.given), self.given, null_ok=False)
        if pinned.absent is not None:
            self._need(values.get(pinned.absent), self.absent, null_ok=True)

    def _need(self, value: ValueNode | None, of_variables: set[str], *, null_ok: bool) -> None:
        if isinstance(value, VariableNode):
            if null_ok and value.name.value in self.defaults:
                raise _NotTimeless
            of_variables.add(value.name.value)
        elif (value is None or isinstance(value, NullValueNode)) != null_ok:
            raise _NotTimeless


def _plan(schema: GraphQLSchema, max_tokens: int, query: str, operation_name: str | None) -> _Plan | None:
    """The variables a timeless query needs, or None when the operation may depend on the moment."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return None
    defaults = frozenset(
        definition.variable.name.value
        for definition in chosen[0].variable_definitions or ()
        if definition.default_value is not None
    )
    type_info = TypeInfo(schema)
    found = _Timeless(type_info, defaults)
    # Every definition: the fragments the operation spreads are walked with their own type conditions.
    others = [d for d in document.definitions if not isinstance(d, OperationDefinitionNode)]
    try:
        for definition in [chosen[0], *others]:
            visit(definition, TypeInfoVisitor(type_info, found))
    except _NotTimeless:
        return None
    name = chosen[0].name.value if chosen[0].name else None
    return _Plan(name, frozenset(found.given), frozenset(found.absent))


@dataclass(frozen=True)
class AnswerKey:
    """What identifies a kept answer: the request as sent and who sent it."""

    query: str
    operation_name: str | None
    variables: str  # canonical JSON
    role: Role
    user_id: str | None
    operation: str | None = field(compare=False)  # the operation's own name, for metrics


class KeptAnswers:
    """The answers of timeless queries, the ``size`` most recently asked, per data version and caller.

    Parameters
    ----------
    schema
        The GraphQL schema the queries run on (to know each field's type).
    size
        How many answers to keep; 0 keeps none (every request runs its resolvers).
    max_tokens
        The schema's token limit: a longer document is not planned (the schema refuses it).
    """

    def __init__(self, schema: Schema, size: int, max_tokens: int) -> None:
        self.size = size
        self._kept: VersionedCache[ExecutionResult] = VersionedCache(size=max(size, 1))
        graphql_schema = schema._schema  # graphql-core's schema, which strawberry builds and keeps
        self._plan = lru_cache(maxsize=256)(
            lambda query, operation: _plan(graphql_schema, max_tokens, query, operation)
        )

    def key(self, caller: Caller | None, request: GraphQLRequestData) -> AnswerKey | None:
        """What identifies the request's answer, or None when it is not kept (also when the request
        carries extensions, such as a persisted query's hash)."""
        query, operation_name, variables = request.query, request.operation_name, request.variables or {}
        if self.size == 0 or caller is None or not query or len(query) > MAX_QUERY_CHARS or request.extensions:
            return None
        plan = self._plan(query, operation_name)
        if plan is None or not plan.holds(variables):
            return None
        try:
            arguments = json.dumps(variables, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        if len(arguments) > MAX_QUERY_CHARS:
            return None
        return AnswerKey(query, operation_name, arguments, caller.role, caller.user_id, plan.name)

    async def answer(
        self,
        db: Database,
        key: AnswerKey | None,
        execute: Callable[[], Awaitable[ExecutionResult]],
        kept: Callable[[str | None], None] = lambda name: None,
    ) -> ExecutionResult:
        """The kept answer of ``key`` at the current data version, else ``execute()``'s (kept when it has
        no errors and is small enough); ``kept`` is called with the operation's name when this request
        ran no resolvers.
        Identical requests that arrive together share one execution."""
        if key is None:
            return await execute()
        ran = False

        async def run() -> ExecutionResult:
            nonlocal ran
            ran = True
            return await execute()

        result = await self._kept.get(db, key, run, keep=_worth_keeping)
        if not ran:
            kept(key.operation)
        return result


def _worth_keeping(result: ExecutionResult) -> bool:
    if result.errors or result.data is None:
        return False
    return len(json.dumps(result.data, separators=(",", ":"))) <= MAX_KEPT_BYTES
