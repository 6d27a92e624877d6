"""graphsvc's exception hierarchy: one root, a stable ``code`` on each kind.

Driver errors are translated into these at the store boundary, so callers (the CLI, the
GraphQL layer) never see a ``neo4j`` exception and can map ``code`` straight to
``extensions.code``.
"""

from __future__ import annotations

__all__ = [
    "DataDirectoryInUse",
    "DatabaseError",
    "DatabaseUnavailable",
    "DeadlineExceeded",
    "EmbeddedServerError",
    "Forbidden",
    "GraphsvcError",
    "InvalidInput",
    "NotFound",
]


class GraphsvcError(Exception):
    """Root of every error graphsvc raises on purpose."""

    code = "INTERNAL"


class NotFound(GraphsvcError):
    """An id that names nothing."""

    code = "NOT_FOUND"


class InvalidInput(GraphsvcError):
    """Input that breaks a rule; the message says which rule and where."""

    code = "INVALID_INPUT"


class Forbidden(GraphsvcError):
    """The caller's role does not allow this."""

    code = "FORBIDDEN"


class DatabaseUnavailable(GraphsvcError):
    """The database cannot be reached (or timed out); retrying later may succeed."""

    code = "DATABASE_UNAVAILABLE"


class DatabaseError(GraphsvcError):
    """The database refused a statement."""

    code = "DATABASE_ERROR"


class DataDirectoryInUse(GraphsvcError):
    """Another graphsvc process owns the embedded database's data directory."""

    code = "DATA_DIRECTORY_IN_USE"


class EmbeddedServerError(GraphsvcError):
    """The embedded ArcadeDB server could not be started or stopped."""

    code = "EMBEDDED_SERVER"


class DeadlineExceeded(GraphsvcError):
    """A request ran past its deadline; its work was cancelled."""

    code = "DEADLINE_EXCEEDED"
