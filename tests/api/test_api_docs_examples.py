"""The GraphQL examples of README.md and docs/api.md answer on the demo set, as the docs promise.

Every query (and the dry-run routing, which writes nothing) runs against the real database
holding the demo set, as an ADMIN, and must answer without an error and with every root field
found (an example naming an id the demo lacks answers null). Mutations that change the graph are
only validated against the schema, in tests/test_docs.py.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from api_graph import ADMIN
from graphql import OperationType, parse

from graphsvc.demo import load_demo
from graphsvc.schema import schema
from graphsvc.schema.context import Context
from graphsvc.schema.limits import DEFAULT_LIMITS

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "api.md"]
GRAPHQL_BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.S | re.M)
# Variables of the examples that declare some, as the docs give them.
VARIABLES = {
    "AccountThen": {"then": (datetime.now(UTC) - timedelta(days=30)).isoformat()},
    "AccountPanel": {"id": "acc-00013"},
    "Committee": {"id": "acc-00013"},
}
READ_ONLY_MUTATIONS = {"DryRun"}


def examples() -> list:
    found = []
    for document in DOCUMENTS:
        for block in GRAPHQL_BLOCK.findall(document.read_text(encoding="utf-8")):
            for operation in parse(block).definitions:
                name = operation.name.value
                if operation.operation is OperationType.QUERY or name in READ_ONLY_MUTATIONS:
                    found.append(pytest.param(block, name, id=f"{document.name}:{name}"))
    return found


@pytest.fixture(scope="module", autouse=True)
async def demo(db):
    await db.write("admin/delete_all")
    await load_demo(db)


async def run(db, document: str, operation: str):
    return await schema.execute(
        document,
        variable_values=VARIABLES.get(operation, {}),
        context_value=Context(db, ADMIN, limits=DEFAULT_LIMITS),
        operation_name=operation,
    )


@pytest.mark.parametrize(("document", "operation"), examples())
async def test_example_answers_on_the_demo(db, document: str, operation: str) -> None:
    result = await run(db, document, operation)
    assert result.errors is None, result.errors
    missing = [field for field, value in result.data.items() if value is None]
    assert not missing, f"{operation}: {missing} answered null on the demo set"


async def test_the_match_examples_find_the_demo_account_they_name(db) -> None:
    readme = next(param.values for param in examples() if param.id == "README.md:Match")
    api = next(param.values for param in examples() if param.id == "api.md:Match")
    readme_data = (await run(db, *readme)).data
    api_data = (await run(db, *api)).data
    assert readme_data["matchAccount"]["best"]["account"]["id"] == "acc-00013"
    assert api_data["byDomain"]["best"] == {
        "method": "DOMAIN",
        "confidence": 0.95,
        "account": {"id": "acc-00013", "name": "East Rock Therapeutics Inc"},
    }
    assert api_data["byName"]["best"]["method"] == "FUZZY"
    assert api_data["byName"]["best"]["account"]["id"] == "acc-00013"
