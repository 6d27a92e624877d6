"""``graphsvc import`` piped to a file, as a service manager or a CI log runs it: progress lines
with the file's total, a summary as each file ends, and ``--json`` for machines."""

import json
import os
import subprocess
import sys

import pytest
from conftest import GUARD

from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db


def _import(embedded, *args):
    env = {
        **os.environ,
        "GRAPHSVC_NEO4J_URI": str(embedded.status()["bolt_uri"]),
        "GRAPHSVC_NEO4J_USER": ROOT_USER,
        "GRAPHSVC_NEO4J_PASSWORD": embedded.password(),
        "GRAPHSVC_NEO4J_DATABASE": DATABASE_NAME,
    }
    # One pipe for both streams: their order is the order the command wrote them in.
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", "import", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=GUARD,
    )


def _files(tmp_path, bad_contact=False):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id,name\n" + "".join(f"a{n},Account {n}\n" for n in range(3)))
    contacts = tmp_path / "contacts.csv"
    lines = [f"c{n},a{n % 3},person{n}@example.com\n" for n in range(10)]
    if bad_contact:
        lines.append("c10,nowhere,lost@example.com\n")  # an unknown account
    contacts.write_text("id,account_id,email\n" + "".join(lines))
    return contacts, accounts  # out of order: the import puts accounts first


def test_piped_progress_lines_carry_the_total_and_each_file_ends_with_its_summary(embedded, empty_db, tmp_path):
    result = _import(embedded, *map(str, _files(tmp_path)), "--batch-size", "4", "--progress-every", "0")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    progress = [line for line in lines if line.startswith(("accounts.csv:", "contacts.csv:"))]
    # Rows done of the file's rows, the share, the rate and the time left; each batch of 4 written.
    assert [line.split(" rows")[0] for line in progress] == [
        "accounts.csv: 0/3",
        "accounts.csv: 3/3",
        "contacts.csv: 0/10",
        "contacts.csv: 4/10",
        "contacts.csv: 8/10",
        "contacts.csv: 10/10",
    ]
    assert all(" left" in line and "rows/s" in line for line in progress[1:]), progress
    assert "(40%)" in progress[3]
    summaries = [line for line in lines if " imported, " in line]
    assert [line.split(" (")[0] for line in summaries] == [
        f"{tmp_path / 'accounts.csv'}: accounts: 3 imported, 0 failed",
        f"{tmp_path / 'contacts.csv'}: contacts: 10 imported, 0 failed",
    ]
    assert "(accounts.csv: 3 rows in " in summaries[0]
    # The accounts' summary comes as that file ends, before the contacts' first progress line.
    assert lines.index(summaries[0]) < lines.index(progress[2]) < lines.index(summaries[1])


def test_json_summary_for_machines(embedded, empty_db, tmp_path):
    files = _files(tmp_path, bad_contact=True)
    env_result = _import(embedded, *map(str, files), "--json")
    assert env_result.returncode == 2  # a row failed
    summary = json.loads(env_result.stdout.strip().splitlines()[-1])
    assert (summary["imported"], summary["failed"]) == (13, 1)
    accounts, contacts = summary["files"]
    assert {key: accounts[key] for key in ("file", "kind", "name", "rows", "total", "imported", "failed")} == {
        "file": str(tmp_path / "accounts.csv"),
        "kind": "accounts",
        "name": "accounts.csv",
        "rows": 3,
        "total": 3,
        "imported": 3,
        "failed": 0,
    }
    assert (contacts["rows"], contacts["total"], contacts["imported"], contacts["failed"]) == (11, 11, 10, 1)
    assert contacts["errors"] == [f"{tmp_path / 'contacts.csv'}:12: account_id: unknown account 'nowhere'"]
    assert contacts["seconds"] >= 0 and summary["seconds"] >= contacts["seconds"]
