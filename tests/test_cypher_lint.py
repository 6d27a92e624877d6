"""Every file in cypher/ must pass Neo4j's own Cypher linter (SPEC.md §1, portable Cypher rules).

The linter is tools/cypher-lint/lint.mjs (npm package @neo4j-cypher/language-support,
function lintCypherQuery, Neo4j 5 dialect). Its only allowed errors are undeclared
parameters ("Parameter $x is not defined."), which lint.mjs marks blocking=false.

CI must install the Node dependencies first:  npm ci --prefix tools/cypher-lint
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CYPHER_DIR = ROOT / "cypher"
LINT_DIR = ROOT / "tools" / "cypher-lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
INSTALL_HINT = "run `npm ci --prefix tools/cypher-lint` (CI installs it) with Node.js >= 20"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"Node.js is not on PATH; the Cypher lint check needs it: {INSTALL_HINT}")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail(f"{LINT_DIR / 'node_modules'} is missing: {INSTALL_HINT}")
    return node


def run_lint(*paths: Path) -> tuple[int, list[dict], str]:
    """Run lint.mjs once over ``paths``; return (exit code, diagnostics, stderr)."""
    proc = subprocess.run(
        [_node(), str(LINT_SCRIPT), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode not in (0, 1):
        pytest.fail(f"cypher linter crashed (exit {proc.returncode}):\n{proc.stderr}{proc.stdout}")
    diags = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    for d in diags:
        assert {"file", "line", "column", "severity", "message", "blocking"} <= d.keys(), d
    return proc.returncode, diags, proc.stderr


def linted_count(stderr: str) -> int:
    m = re.search(r"cypher-lint: (\d+) file\(s\)", stderr)
    assert m, f"no summary line in linter stderr:\n{stderr}"
    return int(m.group(1))


def blocking(diags: list[dict]) -> list[dict]:
    return [d for d in diags if d["blocking"]]


def describe(diags: list[dict]) -> str:
    return "\n".join(f"  {d['file']}:{d['line']}:{d['column']}: {d['severity']}: {d['message']}" for d in diags)


def write_fixtures(directory: Path, statements: dict[str, str]) -> dict[str, Path]:
    paths = {}
    for name, text in statements.items():
        path = directory / f"{name}.cypher"
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


# --------------------------------------------------------------------------- (1) the real files


def test_repository_cypher_files_pass_neo4j_linter():
    files = sorted(CYPHER_DIR.rglob("*.cypher")) if CYPHER_DIR.is_dir() else []
    if not files:
        pytest.skip("cypher/ contains no .cypher files yet; nothing to lint")
    code, diags, stderr = run_lint(CYPHER_DIR)
    assert linted_count(stderr) == len(files), stderr
    failures = blocking(diags)
    assert not failures, (
        f"{len(failures)} Neo4j Cypher lint error(s) (other than undeclared parameters) "
        f"in cypher/:\n{describe(failures)}"
    )
    assert code == 0, stderr


# --------------------------------------------------------------------------- (2) it can fail

BROKEN = {
    "broken_syntax": "MATCH (a:Account RETURN a",
    "undefined_variable": "MATCH (a:Account) RETURN b",
    "misspelt_function": "MATCH (a:Account) RETURN datetim($s) AS d",
    "plugin_function": "RETURN apoc.coll.sum([1, 2]) AS s",
    "removed_constraint_syntax": ("CREATE CONSTRAINT acc_id IF NOT EXISTS ON (a:Account) ASSERT a.id IS UNIQUE"),
    "two_statements": "MATCH (a:Account) RETURN a;\nMATCH (b:Lead) RETURN b",
    "comment_only": "// a file with no statement\n",
    "cypher_25": "CYPHER 25 MATCH (a:Account) RETURN a",
}

VALID_WITH_PARAMS = """\
// account_by_id: one account and its contacts
// params: $id, $limit
MATCH (a:Account {id: $id})
OPTIONAL MATCH (a)<-[:WORKS_AT]-(c:Contact)
RETURN a.id AS id, collect(c.id)[..$limit] AS contacts
"""


def test_linter_reports_broken_statements_and_passes_valid_one(tmp_path):
    broken = write_fixtures(tmp_path, BROKEN)
    valid = write_fixtures(tmp_path, {"valid_with_params": VALID_WITH_PARAMS})["valid_with_params"]
    code, diags, stderr = run_lint(tmp_path)

    assert code == 1, f"linter must exit 1 on errors; stderr:\n{stderr}"
    assert linted_count(stderr) == len(BROKEN) + 1
    reported = {Path(d["file"]).name for d in blocking(diags)}
    missed = sorted(p.name for p in broken.values() if p.name not in reported)
    assert not missed, f"broken statements not reported: {missed}\n{describe(diags)}"

    syntax = [d for d in blocking(diags) if Path(d["file"]).name == "broken_syntax.cypher"]
    assert syntax[0]["line"] == 1 and "RETURN" in syntax[0]["message"], syntax

    valid_diags = [d for d in diags if Path(d["file"]) == valid]
    assert not blocking(valid_diags), describe(valid_diags)
    # The undeclared parameters are still reported, but do not count as failures.
    params = sorted(d["message"] for d in valid_diags)
    assert params == ["Parameter $id is not defined.", "Parameter $limit is not defined."], params
    assert {d["line"] for d in valid_diags} == {3, 5}  # positions count the // header lines


# --------------------------------------------------------------------------- (3) what we write passes

ACCEPTED = {
    "unwind_merge_on_create": """\
// upsert accounts in batches
UNWIND $rows AS r
MERGE (a:Account {id: r.id})
ON CREATE SET a.created_at = datetime($now)
ON MATCH SET a.updated_at = datetime($now)
SET a += r.props
RETURN count(a) AS n
""",
    "merge_relationship_props": """\
UNWIND $rows AS r
MATCH (c:Contact {id: r.contact_id})
MATCH (a:Account {id: r.account_id})
MERGE (c)-[w:WORKS_AT]->(a)
SET w += r.props, w.since = datetime(r.since)
""",
    "count_subquery": """\
MATCH (a:Account)
WHERE a.id IN $ids
RETURN a.id AS id,
       COUNT { (a)<-[:WORKS_AT]-(:Contact) } AS contacts,
       EXISTS { (a)<-[:OWNS]-(:User) } AS owned
ORDER BY contacts DESC
SKIP $skip LIMIT $limit
""",
    "call_scoped_subquery": """\
MATCH (a:Account {id: $id})
CALL (a) {
  MATCH (a)<-[:WORKS_AT]-(c:Contact)-[:HAS_ENGAGEMENT]->(e:Engagement)
  WHERE e.occurred_at >= datetime($since)
  RETURN count(e) AS engagements, max(e.occurred_at) AS last_seen
}
RETURN a.id AS id, engagements, toString(last_seen) AS last_seen
""",
    "optional_match_coalesce": """\
MATCH (l:Lead {id: $id})
OPTIONAL MATCH (l)-[:MATCHED_TO]->(a:Account)
OPTIONAL MATCH (a)<-[:OWNS]-(u:User)
RETURN l.id AS lead, coalesce(a.id, null) AS account, u.id AS owner,
       duration.between(datetime(l.created_at), datetime($now)).days AS age_days
""",
    "constraint_unique": ("CREATE CONSTRAINT account_id IF NOT EXISTS FOR (a:Account) REQUIRE a.id IS UNIQUE"),
    "index_range": "CREATE INDEX lead_email IF NOT EXISTS FOR (l:Lead) ON (l.email)",
    "index_relationship": ("CREATE INDEX engaged_at IF NOT EXISTS FOR ()-[r:ENGAGED]-() ON (r.occurred_at)"),
    "detach_delete": "MATCH (n:RoutingDecision) WHERE n.id IN $ids DETACH DELETE n",
}


def test_portable_cypher_constructs_pass(tmp_path):
    write_fixtures(tmp_path, ACCEPTED)
    code, diags, stderr = run_lint(tmp_path)
    assert linted_count(stderr) == len(ACCEPTED)
    failures = blocking(diags)
    assert not failures, f"valid Neo4j 5 statements were rejected:\n{describe(failures)}"
    assert code == 0, stderr
    # Only undeclared-parameter errors may appear.
    others = [d for d in diags if not d["message"].startswith("Parameter $")]
    assert not others, describe(others)


# --------------------------------------------------------------------------- (4) composed statements


def test_every_composed_statement_passes_neo4j_linter(tmp_path):
    """Every statement composed from cypher/**/*.part (the lists' orders and filters) is linted as a file is."""
    import graphsvc.schema  # noqa: F401  (binds and composes every statement)
    from graphsvc.store.cypher import composed

    statements = composed()
    assert {
        "lists/accounts/score_desc/page",
        "lists/owned_accounts/name_desc/first",
        "lists/all_leads/createdAt/ties",
    } <= set(statements)
    write_fixtures(tmp_path, {name.replace("/", "__"): text for name, text in statements.items()})
    code, diags, stderr = run_lint(tmp_path)
    assert linted_count(stderr) == len(statements), stderr
    failures = blocking(diags)
    assert not failures, f"{len(failures)} lint error(s) in composed statements:\n{describe(failures)}"
    assert code == 0, stderr
