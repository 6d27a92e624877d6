"""Which write failures are a lost race that graphsvc runs again (pure logic; the races themselves are
run against the real database in tests/reliability/test_reliability_concurrency.py)."""

import pytest
from neo4j.exceptions import Neo4jError

from graphsvc.store.database import _lost_a_race


def error(code: str, message: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message=message)


@pytest.mark.parametrize(
    ("code", "message", "lost"),
    [
        # Two import processes over the same contacts: the embedded ArcadeDB's answer when the
        # transaction read an index entry of a record another one was writing (failed CI once).
        ("Neo.DatabaseError.General.UnknownError", "Record #9:28 not found", True),
        ("Neo.ClientError.Schema.ConstraintValidationFailed", "Duplicated key on Contact.id", True),
        ("Neo.ClientError.Statement.SyntaxError", "Invalid input 'MATC'", False),
        ("Neo.DatabaseError.General.UnknownError", "Record not found in the import file", False),
    ],
)
def test_a_lost_race_is_told_from_other_failures(code, message, lost):
    assert _lost_a_race(error(code, message)) is lost
