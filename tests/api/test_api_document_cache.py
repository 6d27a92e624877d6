"""The parsed and validated document cache: a repeated document skips parsing and validation, a refused
one is refused in full every time, and the cache stays bounded.

Validation is counted by wrapping strawberry's ``validate_document`` (what it runs when no
extension has validated the document); parsing by wrapping graphql-core's ``parse`` as strawberry
calls it.
"""

import pytest
import strawberry.schema.schema as strawberry_schema
from api_graph import ADMIN, INTEGRATION, codes, execute, load_sales_graph
from graphql import parse

from graphsvc.schema import create_schema
from graphsvc.schema.context import Context
from graphsvc.schema.document_cache import DocumentCache
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits

pytestmark = pytest.mark.db

QUERY = 'query Acme { account(id: "acme") { id name } }'


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


@pytest.fixture
def counted(monkeypatch):
    """Counts strawberry's parse and validate calls during a test."""
    calls = {"parse": 0, "validate": 0}
    validate, parse_ = strawberry_schema.validate_document, strawberry_schema.parse

    def counting_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    def counting_parse(*args, **kwargs):
        calls["parse"] += 1
        return parse_(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting_validate)
    monkeypatch.setattr(strawberry_schema, "parse", counting_parse)
    return calls


async def _run(db, schema, query, **variables):
    return await schema.execute(query, variable_values=variables, context_value=Context(db, ADMIN))


async def test_a_repeated_document_is_parsed_and_validated_once(db, counted):
    schema = create_schema()
    first = await _run(db, schema, QUERY)
    second = await _run(db, schema, QUERY)
    assert first.errors is None and second.errors is None
    assert first.data == second.data == {"account": {"id": "acme", "name": "Acme Corp"}}
    assert counted == {"parse": 1, "validate": 1}


async def test_variables_do_not_split_the_cache_and_are_still_checked(db, counted):
    schema = create_schema()
    query = "query One($id: ID!) { account(id: $id) { id } }"
    assert (await _run(db, schema, query, id="acme")).data == {"account": {"id": "acme"}}
    assert (await _run(db, schema, query, id="acme-berlin")).data == {"account": {"id": "acme-berlin"}}
    wrong = await _run(db, schema, query)  # a required variable missing: refused at execution
    assert codes(wrong) == ["GRAPHQL_VALIDATION_FAILED"] and wrong.data is None
    assert counted == {"parse": 1, "validate": 1}


REFUSED = {
    "too deep": ('{ account(id: "acme") ' + "{ parent " * 20 + "{ id }" + " }" * 21, "maximum operation depth"),
    "too many aliases": ("{ " + " ".join(f'a{n}: account(id: "acme") {{ id }}' for n in range(31)) + " }", "aliases"),
    "unknown field": ('{ account(id: "acme") { id nope } }', "nope"),
    "fragment cycle": (
        'query { account(id: "acme") { ...A } } fragment A on Account { parent { ...B } } '
        "fragment B on Account { children { edges { node { ...A } } } }",
        "Cannot spread fragment",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_a_document_refused_by_validation_is_validated_and_refused_every_time(db, counted, name):
    query, message = REFUSED[name]
    schema = create_schema()
    before = db.round_trips
    for _ in range(3):
        result = await _run(db, schema, query)
        assert codes(result)[0] == "GRAPHQL_VALIDATION_FAILED" and message in result.errors[0].message
        assert result.data is None
    assert counted["validate"] == 3  # never served from the cache
    assert db.round_trips == before


async def test_a_wide_document_is_refused_by_the_field_limit_every_time_without_validation(db, counted):
    wide = '{ account(id: "acme") { ' + " ".join(["id name"] * 200) + " } }"
    schema = create_schema()
    for _ in range(3):
        result = await _run(db, schema, wide)
        assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
        assert f"more than the maximum of {DEFAULT_LIMITS.max_fields}" in result.errors[0].message
    assert counted["validate"] == 0  # refused before the quadratic validation, each time


async def test_a_document_over_the_token_limit_is_refused_every_time(db):
    schema = create_schema()
    for _ in range(2):
        result = await _run(db, schema, "{ " + "__typename " * 6000 + "}")
        assert codes(result) == ["GRAPHQL_PARSE_FAILED"] and "tokens" in result.errors[0].message


async def test_a_pass_under_loose_limits_is_not_a_pass_under_strict_ones(db):
    deep = '{ account(id: "acme-berlin") { parent { parent { id } } } }'
    assert (await execute(db, deep, limits=ApiLimits(max_depth=12))).errors is None
    strict = await execute(db, deep, limits=ApiLimits(max_depth=2))
    assert codes(strict) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "exceeds maximum operation depth of 2" in strict.errors[0].message


async def test_a_cached_pass_still_meets_the_caller_permissions(db):
    # The cache skips parsing and validation only; permissions run at execution for each caller.
    schema = create_schema()
    assert (await _run(db, schema, QUERY)).errors is None
    denied = await schema.execute(QUERY, context_value=Context(db, INTEGRATION))
    assert codes(denied) == ["FORBIDDEN"]


def test_the_cache_keeps_the_most_recently_used_documents_up_to_its_size():
    cache = DocumentCache(maxsize=2, max_query_chars=100)
    documents = {text: parse(text) for text in ("{ a }", "{ b }", "{ c }")}
    cache.put("a", "{ a }", documents["{ a }"])
    cache.put("b", "{ b }", documents["{ b }"])
    assert cache.get("a") is documents["{ a }"]  # a is now the most recently used
    cache.put("c", "{ c }", documents["{ c }"])
    assert len(cache) == 2
    assert cache.get("b") is None  # the least recently used went
    assert cache.get("a") is documents["{ a }"] and cache.get("c") is documents["{ c }"]


def test_a_long_document_is_never_kept():
    cache = DocumentCache(maxsize=2, max_query_chars=10)
    text = "{ " + "a " * 10 + "}"
    cache.put("long", text, parse(text))
    assert len(cache) == 0 and cache.get("long") is None
