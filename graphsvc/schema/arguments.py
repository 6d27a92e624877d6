"""Arguments: ``UNSET`` read as None, and the ranges every moment and window argument must keep.

Moments must lie in the range of :mod:`graphsvc.ranges`; moments and windows are checked here,
once, at the API's edge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TypeVar

import dateutil.parser
from graphql import ArgumentNode, GraphQLError, NamedTypeNode, Visitor, visit
from graphql.language import DocumentNode, TypeNode, VariableNode
from strawberry import UNSET
from strawberry.extensions import SchemaExtension
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from graphsvc.errors import InvalidInput
from graphsvc.ranges import EARLIEST, LATEST, in_range

__all__ = ["EARLIEST", "LATEST", "MAX_WINDOW_DAYS", "BoundedDateTime", "UnicodeArguments", "given", "window"]

T = TypeVar("T")

MAX_WINDOW_DAYS = 3650


def _moment(text: str) -> datetime:
    moment = dateutil.parser.isoparse(text)
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if not in_range(aware):
        raise ValueError(f"a moment must lie from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}")
    return moment


# strawberry's DateTime, refusing moments outside the supported range as it refuses malformed ones.
BoundedDateTime: ScalarDefinition = dataclasses.replace(
    DateTimeDefinition, parse_value=wrap_parser(_moment, "DateTime")
)


class UnicodeArguments(SchemaExtension):
    """Refuses an ``ID`` or ``String`` variable holding a lone UTF-16 surrogate, naming the arguments it feeds.

    A JSON ``"\\ud800"`` escape decodes to a lone surrogate, which has no UTF-8 form for the
    database driver. A document's own string literals cannot hold one (the parser refuses them);
    only variables can, so only they are checked, before validation (like
    :class:`~graphsvc.schema.limits.MaxFieldsLimiter`). ``JSON`` variables are data: the importer
    refuses such rows one by one.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Also on a cached document (pre_execution_errors == []): its variables are new.
        if document is not None and context.variables and not context.pre_execution_errors:
            for name in _text_variables(document):
                if _holds_surrogate(context.variables.get(name)):
                    arguments = ", ".join(_arguments_fed_by(document, name)) or "no argument"
                    error = InvalidInput(
                        f"argument {arguments} (variable ${name}) is not valid Unicode text: "
                        "it holds a lone UTF-16 surrogate"
                    )
                    context.pre_execution_errors = [GraphQLError(str(error), original_error=error)]
                    break
        yield


def _text_variables(document: DocumentNode) -> list[str]:
    names = []
    for definition in document.definitions:
        for variable in getattr(definition, "variable_definitions", None) or ():
            type_node: TypeNode = variable.type
            while not isinstance(type_node, NamedTypeNode):
                type_node = type_node.type  # type: ignore[attr-defined]
            if type_node.name.value in ("ID", "String"):
                names.append(variable.variable.name.value)
    return names


def _holds_surrogate(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    return isinstance(value, list) and any(_holds_surrogate(item) for item in value)


def _arguments_fed_by(document: DocumentNode, variable: str) -> list[str]:
    """The names of the arguments whose value is, or holds, ``$variable``."""
    found: list[str] = []

    class Arguments(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            uses: list[str] = []

            class Uses(Visitor):
                def enter_variable(self, inner: VariableNode, *_: object) -> None:
                    uses.append(inner.name.value)

            visit(node.value, Uses())
            if variable in uses and node.name.value not in found:
                found.append(node.name.value)

    visit(document, Arguments())
    return found


def window(days: int | None, default: int = 90) -> int:
    """A ``windowDays`` argument: ``default`` when omitted, else whole days from 1 to ten years.

    Raises
    ------
    InvalidInput
        The window is shorter than a day or longer than :data:`MAX_WINDOW_DAYS`.
    """
    days = default if days is None else days
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InvalidInput(f"windowDays must lie from 1 to {MAX_WINDOW_DAYS}, got {days}")
    return days


def given(value: T | None) -> T | None:
    """The argument's value, or None when the query left it out.

    Optional arguments default to ``UNSET`` rather than None so the served schema prints them
    without ``= null``, exactly as the contract does.
    """
    return None if value is UNSET else value
