"""The Cypher registry: every statement loads once, a missing one fails loudly."""

import pytest

from graphsvc.store.cypher import CypherRegistry, MissingStatement, registry, statement


def test_every_file_is_registered_by_its_path():
    names = set(registry())
    assert {"health/ping", "ingest/accounts", "schema/constraint_account_id"} <= names
    assert statement("health/ping") == "RETURN 1 AS ok"


def test_a_missing_statement_names_the_file_it_expected():
    with pytest.raises(MissingStatement, match=r"cypher/nope/never\.cypher"):
        statement("nope/never")


def test_the_registry_is_immutable_and_lists_folders(tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "b.cypher").write_text("RETURN 2\n")
    (tmp_path / "schema" / "a.cypher").write_text("RETURN 1\n")
    (tmp_path / "other.cypher").write_text("RETURN 3")
    loaded = CypherRegistry.load(tmp_path)
    assert loaded.under("schema") == ["schema/a", "schema/b"]
    assert loaded["other"] == "RETURN 3"
    with pytest.raises(TypeError):
        loaded._statements["x"] = "y"


def test_a_composed_statement_fills_every_slot_of_its_skeleton_once():
    from graphsvc.store.cypher import compose

    name = compose("test_only/count_targets", "lists/count", match="MATCH (n:Account)", filters="n.is_target")
    assert statement(name) == "MATCH (n:Account)\nWHERE n.is_target\nRETURN count(n) AS total"
    assert compose(name, "lists/count", match="MATCH (n:Account)", filters="n.is_target") == name  # the same again
    with pytest.raises(ValueError, match="already defined"):
        compose(name, "lists/count", match="MATCH (n:Lead)", filters="n.is_target")
    with pytest.raises(ValueError, match="already defined"):
        compose("health/ping", "lists/count", match="MATCH (n:Account)", filters="true")  # a file's name
    with pytest.raises(ValueError, match=r"has the slots \['filters', 'match'\], given \['match'\]"):
        compose("test_only/other", "lists/count", match="MATCH (n:Account)")
    with pytest.raises(MissingStatement):
        compose("test_only/other", "lists/nope", match="MATCH (n:Account)")
