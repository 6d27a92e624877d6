"""How errors leave the API: stable codes for expected failures, masked internals, logged with a request id.

Every error carries ``extensions.code``:

- graphsvc's expected failures keep their message and their ``GraphsvcError.code``
  (``NOT_FOUND``, ``INVALID_INPUT``, ``FORBIDDEN``, ``DATABASE_UNAVAILABLE``);
- errors in the query itself are ``GRAPHQL_PARSE_FAILED`` or ``GRAPHQL_VALIDATION_FAILED``
  (unknown fields, wrong argument types, depth, token and alias limits);
- an operation over the cost budget is ``QUERY_TOO_COSTLY`` with its ``cost`` and the ``budget``
  (:class:`~graphsvc.schema.limits.QueryCostLimiter`), one past its deadline ``DEADLINE_EXCEEDED``;
- anything else is masked as "Unexpected error." with code ``INTERNAL`` and a ``requestId``
  that finds the full traceback in the log.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from graphsvc.errors import DatabaseUnavailable, DeadlineExceeded, Forbidden, GraphsvcError, InvalidInput, NotFound
from graphsvc.schema.execution import within_deadline

__all__ = ["SUBSCRIPTION_NEEDS_A_STREAM", "ErrorPolicy", "GraphsvcSchema", "error_code", "failed", "is_expected"]

log = logging.getLogger(__name__)

# GraphsvcErrors whose message is meant for the caller; the others (a refused statement, a broken
# embedded server) are internal and masked like any bug.
_EXPECTED = (NotFound, InvalidInput, Forbidden, DatabaseUnavailable, DeadlineExceeded)


def is_expected(error: GraphQLError) -> bool:
    """True for errors whose message may reach the caller unchanged.

    Those are graphsvc's expected failures, and errors in the request itself (parsing, validation,
    variables), which have no field path. An error raised while resolving a field that is not an
    expected failure (a bug, a stored value of the wrong type) is internal.
    """
    original = error.original_error
    if isinstance(original, _EXPECTED):
        return True
    return error.path is None and (original is None or isinstance(original, GraphQLError))


def error_code(error: GraphQLError) -> str:
    """The stable ``extensions.code`` of an error that is not masked."""
    original = error.original_error
    if isinstance(original, GraphsvcError):
        return original.code
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED"


def _request_id(execution_context: ExecutionContext | None) -> str:
    context = execution_context.context if execution_context is not None else None
    return getattr(context, "request_id", None) or "-"


class ErrorPolicy(MaskErrors):
    """``MaskErrors`` that keeps expected errors, codes every error and tags masked ones with the request id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL", "requestId": _request_id(self.execution_context)}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": error_code(error)}
            violations = getattr(error.original_error, "violations", None)
            if violations:  # an invalid document: every violation, by path
                error.extensions["violations"] = [{"path": path, "message": message} for path, message in violations]
        return processed


SUBSCRIPTION_NEEDS_A_STREAM = (
    "a subscription cannot be answered as one JSON result: subscribe over a WebSocket at /graphql "
    "(graphql-transport-ws or graphql-ws)"
)


class GraphsvcSchema(strawberry.Schema):
    """The strawberry schema, logging each error once with its request id (before masking).

    ``execute`` answers one result, so it refuses a subscription (``GRAPHQL_VALIDATION_FAILED``): strawberry's
    HTTP views allow subscriptions on GET and POST for their streaming answers, and hand one to ``execute``
    when the client asked for plain JSON, where its field, run once, has no value.

    Each query runs within ``request_seconds`` (0: no deadline); past it its work is cancelled and
    it is answered ``DEADLINE_EXCEEDED`` (mutations run to their end, see
    :class:`~graphsvc.schema.execution.MutationsFinish`).
    """

    def __init__(self, *args: Any, request_seconds: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_seconds = request_seconds

    async def execute(self, query: str | None, *args: Any, **kwargs: Any) -> ExecutionResult:
        allowed = kwargs.get("allowed_operation_types") or DEFAULT_ALLOWED_OPERATION_TYPES
        kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        context = kwargs.get("context_value", args[1] if len(args) > 1 else None)
        try:
            return await within_deadline(super().execute(query, *args, **kwargs), self.request_seconds)
        except DeadlineExceeded as exc:
            return failed(exc, context)
        except InvalidOperationTypeError as exc:
            if exc.operation_type is not OperationType.SUBSCRIPTION:
                raise  # strawberry's own answer: 400, "mutations are not allowed when using GET"
            error = GraphQLError(SUBSCRIPTION_NEEDS_A_STREAM, extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
        log.info("request %s: %s", getattr(context, "request_id", None) or "-", error.message)
        return ExecutionResult(data=None, errors=[error])

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        request_id = _request_id(execution_context)
        for error in errors:
            if is_expected(error):
                log.info("request %s: %s", request_id, error.message)
            else:
                log.error("request %s: unexpected error at %s", request_id, _path(error), exc_info=error.original_error)


def failed(exc: GraphsvcError, context: object) -> ExecutionResult:
    """The answer to an operation stopped by an expected failure before or around its resolvers: no
    data, one error with the failure's message and code (logged with the request id)."""
    log.info("request %s: %s", getattr(context, "request_id", None) or "-", exc)
    error = GraphQLError(str(exc), original_error=exc, extensions={"code": exc.code})
    return ExecutionResult(data=None, errors=[error])


def _path(error: GraphQLError) -> str:
    return ".".join(str(part) for part in error.path) if error.path else "(operation)"
