"""End to end: ``graphsvc documents show|set|activate`` as a user runs them, on a database of their own.

The database is started once with ``graphsvc db start`` and every command attaches to it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import GUARD

from graphsvc.documents import default_document

pytestmark = pytest.mark.db


def _graphsvc(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run one graphsvc command on ``data_dir`` (the timeout only guards against a hang)."""
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(data_dir),
        "GRAPHSVC_EMBEDDED_HEAP": "512m",
        "GRAPHSVC_EMBEDDED_START_TIMEOUT": str(GUARD),
    }
    env.pop("GRAPHSVC_NEO4J_URI", None)
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", *args], env=env, input=stdin, capture_output=True, text=True, timeout=GUARD
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("documents-cli") / "data"
    started = _graphsvc(data_dir, "db", "start")
    assert started.returncode == 0, started.stderr
    try:
        yield data_dir
    finally:
        stopped = _graphsvc(data_dir, "db", "stop")
        assert stopped.returncode == 0, stopped.stderr


def _versions(data_dir: Path, kind: str) -> list[dict]:
    shown = _graphsvc(data_dir, "documents", "show", kind, "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_show_set_and_activate_a_routing_document(data_dir, tmp_path):
    # A fresh database: the shipped default is version 1, in force, printed as YAML with the versions as comments.
    shown = _graphsvc(data_dir, "documents", "show", "routing")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "# routing version 1, in force"
    assert lines[1].startswith("#   version 1: saved ") and lines[1].endswith(", in force")
    shipped = default_document("routing").model_dump(mode="json")
    assert yaml.safe_load(shown.stdout) == shipped

    # The printed document, edited, without its version line: saved as version 2 and in force.
    edited = "\n".join(line for line in lines if not line.startswith("version:")).replace(
        "sla_hours: 24", "sla_hours: 12"
    )
    path = tmp_path / "routing.yaml"
    path.write_text(edited, encoding="utf-8")
    saved = _graphsvc(data_dir, "documents", "set", "routing", str(path))
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.startswith("routing version 2 is in force (saved ")
    assert "; recomputed 0 accounts and 0 persons, 0 account stages changed" in saved.stdout
    versions = _versions(data_dir, "routing")
    assert [(v["version"], v["active"]) for v in versions] == [(2, True), (1, False)]
    assert versions[0]["document"]["traditional"] == {"pool": "bdr", "sla_hours": 12.0}
    assert versions[1]["document"] == shipped

    # Back to version 1, and its body printed on asking for it.
    rolled_back = _graphsvc(data_dir, "documents", "activate", "routing", "1")
    assert rolled_back.returncode == 0, rolled_back.stderr
    assert rolled_back.stdout.startswith("routing version 1 is in force (saved ")
    assert [(v["version"], v["active"]) for v in _versions(data_dir, "routing")] == [(2, False), (1, True)]
    older = _graphsvc(data_dir, "documents", "show", "routing", "--version", "2")
    assert older.stdout.splitlines()[0] == "# routing version 2"
    assert yaml.safe_load(older.stdout)["traditional"]["sla_hours"] == 12


def test_an_invalid_document_is_refused_with_every_violation_and_nothing_changes(data_dir):
    before = _versions(data_dir, "committees")
    refused = _graphsvc(
        data_dir,
        "documents",
        "set",
        "committees",
        "-",
        stdin="templates:\n  - {name: everyone, roles: [{role: CHAMPION, weight: heavy}]}\n",
    )
    assert refused.returncode == 1
    lines = refused.stderr.splitlines()  # after the log's lines
    assert lines[lines.index("Error: invalid committees document; the one in force stays:") :] == [
        "Error: invalid committees document; the one in force stays:",
        "templates[0].roles[0].weight: Input should be a valid number",
        "templates: a template named 'default' is required",
    ]
    assert _versions(data_dir, "committees") == before


def test_unknown_kinds_and_versions_are_named(data_dir):
    unknown_kind = _graphsvc(data_dir, "documents", "show", "pricing")
    assert unknown_kind.returncode == 2
    assert "'pricing' is not one of 'scoring', 'icp', 'committees', 'roles', 'routing'" in unknown_kind.stderr
    for command in (["activate", "scoring", "9"], ["show", "scoring", "--version", "9"]):
        unknown_version = _graphsvc(data_dir, "documents", *command)
        assert unknown_version.returncode == 1, command
        assert unknown_version.stderr.splitlines()[-1] == "Error: no scoring document version 9; the versions are 1"
