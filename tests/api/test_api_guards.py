"""Guards: query depth, tokens and aliases, request body size, and masked internal errors."""

import logging

import pytest
from api_graph import api_client, codes, data_of, execute, load_sales_graph

pytestmark = pytest.mark.db


@pytest.fixture(scope="module", autouse=True)
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


def nested_parents(levels: int) -> str:
    """``{ account { parent { parent ... { id } } } }`` with ``levels`` selection levels in all."""
    return '{ account(id: "acme-berlin") ' + "{ parent " * (levels - 2) + "{ id }" + " }" * (levels - 1)


async def test_a_query_nested_30_levels_is_refused_quickly_before_touching_the_database(db):
    # "Quickly" is shown by what happens, not by a clock: refused at validation, no statement sent.
    before = db.round_trips
    result = await execute(db, nested_parents(30))
    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "exceeds maximum operation depth of 12" in result.errors[0].message
    assert result.data is None
    assert db.round_trips == before


async def test_a_query_at_the_depth_limit_is_served(db):
    data = await data_of(db, nested_parents(4))  # account > parent > parent > id
    assert data == {"account": {"parent": {"parent": {"id": "acme"}}}}
    assert (await execute(db, nested_parents(12))).errors is None


def aliased(count: int) -> str:
    return "{ " + " ".join(f'a{n}: account(id: "acme") {{ id }}' for n in range(count)) + " }"


async def test_too_many_aliases_are_refused(db):
    result = await execute(db, aliased(31))
    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in result.errors[0].message.lower()
    assert (await execute(db, aliased(30))).errors is None


async def test_too_many_tokens_are_refused_while_parsing(db):
    result = await execute(db, "{ " + "__typename " * 6000 + "}")
    assert codes(result) == ["GRAPHQL_PARSE_FAILED"]
    assert "tokens" in result.errors[0].message


async def test_query_errors_keep_their_message_with_a_validation_code(db):
    result = await execute(db, "query($id: ID!) { account(id: $id) { id nope } }", id="acme")
    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "nope" in result.errors[0].message
    typed = await execute(db, "query($n: Int) { accounts(first: $n) { totalCount } }", n="many")
    assert codes(typed) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Int cannot represent" in typed.errors[0].message


async def test_internal_errors_are_masked_and_logged_with_the_request_id(db, embedded, caplog, monkeypatch):
    # A bug inside the schema (no stored value fails a read: tests/reliability/test_reliability_stored_values.py).
    def broken(value: object) -> int:
        raise TypeError(f"gold is not a tier: {value!r}")

    monkeypatch.setattr("graphsvc.schema.account.stored_int", broken)
    caplog.set_level(logging.INFO, logger="graphsvc.schema.errors")
    async with api_client(embedded) as client:
        response = await client.post("/graphql", json={"query": '{ account(id: "gamma") { name tier } __typename }'})
    body = response.json()
    request_id = response.headers["x-request-id"]
    assert body["data"] == {"account": None, "__typename": "Query"}  # the rest is still served
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert "gold" not in response.text
    logged = [record for record in caplog.records if request_id in record.getMessage()]
    assert logged and logged[0].levelno == logging.ERROR and logged[0].exc_info is not None
    assert "gold" in caplog.text  # the full error is in the log, not in the answer


async def test_an_oversized_body_gets_413_before_it_is_parsed(embedded):
    padding = "x" * (1024 * 1024)
    async with api_client(embedded) as client:
        declared = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": padding}})
        assert declared.status_code == 413

        async def chunks():  # no Content-Length: the limit counts what arrives
            yield b'{"query": "{ __typename }", "variables": {"pad": "'
            for _ in range(17):
                yield b"x" * 65536
            yield b'"}}'

        streamed = await client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        small = await client.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": "x" * 1000}})
        assert small.json() == {"data": {"__typename": "Query"}}
