"""The served schema keeps every name of the public contract (graphsvc/schema/contract.graphql).

Each contract type, field, argument and enum value must be served with the same type and default,
except the names in NOT_YET_SERVED, which are still being built. That set may only shrink: a name
in it that is served fails the test, so whoever serves it removes it here.
"""

import re
from importlib.resources import files

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    ast_from_value,
    build_schema,
    print_ast,
)

from graphsvc.schema import schema

CONTRACT_FILE = files("graphsvc.schema") / "contract.graphql"

# The contract names its Relay connections without defining them; this is the shape it means.
RELAY = """
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
"""
CONNECTION = """
type {node}Connection {{ edges: [{node}Edge!]! pageInfo: PageInfo! totalCount: Int! }}
type {node}Edge {{ cursor: String! node: {node}! }}
"""


def contract_schema() -> GraphQLSchema:
    """The contract with its connection types spelled out."""
    text = CONTRACT_FILE.read_text(encoding="utf-8")
    nodes = sorted(set(re.findall(r"\b(\w+)Connection\b", text)))
    return build_schema(text + RELAY + "".join(CONNECTION.format(node=node) for node in nodes))


# Contract names not served yet: types, and fields as Type.field. The lead shrinks this to empty.
NOT_YET_SERVED: frozenset[str] = frozenset()  # every name of the contract is served


def _named_types(graphql_schema: GraphQLSchema) -> dict:
    return {name: kind for name, kind in graphql_schema.type_map.items() if not name.startswith("__")}


def _kind(named_type) -> str:
    kinds = (
        GraphQLObjectType,
        GraphQLInterfaceType,
        GraphQLUnionType,
        GraphQLEnumType,
        GraphQLInputObjectType,
        GraphQLScalarType,
    )
    return next(kind.__name__ for kind in kinds if isinstance(named_type, kind))


def _signature(field) -> dict:
    """A field's type and its arguments' types and defaults, as comparable strings."""
    return {
        "type": str(field.type),
        "args": {name: (str(arg.type), _default(arg)) for name, arg in getattr(field, "args", {}).items()},
    }


def _default(arg) -> str:
    """An argument's default as GraphQL prints it, whether it came from SDL or from Python."""
    if arg.ast_node is not None and arg.ast_node.default_value is not None:
        return print_ast(arg.ast_node.default_value)
    if arg.default_value is Undefined:
        return "Undefined"
    value = ast_from_value(arg.default_value, arg.type)
    return "null" if value is None else print_ast(value)


def contract_differences(contract: GraphQLSchema, served: GraphQLSchema, not_yet: frozenset[str]) -> list[str]:
    """Every way ``served`` breaks ``contract`` outside ``not_yet``, one line each."""
    problems = []
    served_types = _named_types(served)
    for name, expected in _named_types(contract).items():
        if name in not_yet:
            if name in served_types:
                problems.append(f"{name} is served now: remove it from NOT_YET_SERVED")
            continue
        actual = served_types.get(name)
        if actual is None:
            problems.append(f"{name} is missing")
            continue
        if _kind(actual) != _kind(expected):
            problems.append(f"{name} is a {_kind(actual)}, the contract says {_kind(expected)}")
            continue
        if isinstance(expected, GraphQLEnumType) and set(actual.values) != set(expected.values):
            problems.append(f"{name} values {sorted(actual.values)} != contract {sorted(expected.values)}")
        if isinstance(expected, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in expected.fields.items():
                qualified = f"{name}.{field_name}"
                served_field = actual.fields.get(field_name)
                if qualified in not_yet:
                    if served_field is not None:
                        problems.append(f"{qualified} is served now: remove it from NOT_YET_SERVED")
                    continue
                if served_field is None:
                    problems.append(f"{qualified} is missing")
                    continue
                want, got = _signature(field), _signature(served_field)
                if got["type"] != want["type"]:
                    problems.append(f"{qualified} is {got['type']}, the contract says {want['type']}")
                for arg, (arg_type, default) in want["args"].items():
                    if got["args"].get(arg) != (arg_type, default):
                        problems.append(
                            f"{qualified}({arg}) is {got['args'].get(arg)}, the contract says {(arg_type, default)}"
                        )
                for arg in got["args"].keys() - want["args"].keys():
                    served_arg = served_field.args[arg]
                    if isinstance(served_arg.type, GraphQLNonNull) and served_arg.default_value is Undefined:
                        problems.append(f"{qualified}({arg}) is an added required argument: it would break callers")
    return problems


def test_served_schema_keeps_the_contract():
    print("\nNOT_YET_SERVED (contract names still to build):", ", ".join(sorted(NOT_YET_SERVED)))
    contract = contract_schema()
    problems = contract_differences(contract, schema._schema, NOT_YET_SERVED)
    assert not problems, "\n".join(problems)


def test_every_not_yet_served_name_is_in_the_contract():
    contract = contract_schema()
    names = set(_named_types(contract))
    names |= {
        f"{type_name}.{field}"
        for type_name, kind in _named_types(contract).items()
        for field in getattr(kind, "fields", {})
    }
    assert names >= NOT_YET_SERVED, sorted(NOT_YET_SERVED - names)


def test_the_comparison_catches_a_renamed_field_and_a_changed_argument():
    contract = build_schema("type Query { account(id: ID!): Account } type Account { id: ID! tier: Int }")
    renamed = build_schema("type Query { account(id: ID!): Account } type Account { id: ID! level: Int }")
    retyped = build_schema("type Query { account(id: String!): Account } type Account { id: ID! tier: Int }")
    assert contract_differences(contract, renamed, frozenset()) == ["Account.tier is missing"]
    assert contract_differences(contract, retyped, frozenset()) == [
        "Query.account(id) is ('String!', 'Undefined'), the contract says ('ID!', 'Undefined')"
    ]
    assert contract_differences(contract, contract, frozenset({"Account.tier"})) == [
        "Account.tier is served now: remove it from NOT_YET_SERVED"
    ]
