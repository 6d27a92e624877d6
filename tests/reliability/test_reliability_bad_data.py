"""Bad import data: every problem is a clear per-row or per-file error, valid rows land, nothing half-written.

tests/ingest/test_importer.py covers the everyday mistakes of each kind; this adds what real
exports and attackers bring: other encodings, binary files, empty files, huge and broken cells,
control characters, and rows that are valid alone but not together (duplicates, cycles).
"""

import base64
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import graph_counts
from reliability_support import ADMIN, codes, execute, load_sales_graph, settings_env

from graphsvc.errors import InvalidInput
from graphsvc.ingest.importer import Importer

pytestmark = pytest.mark.db

FIVE_MB = "x" * (5 * 1024 * 1024)
SEVENTEEN_MB = "y" * (17 * 1024 * 1024)  # beyond the CSV reader's field size limit

USERS = """id,name,email,role,active,capacity,manager_id,pools
u1,Ann,ann@x.com,AE,true,10,,ae
u2,Negative,neg@x.com,BDR,true,-3,,bdr
u3,Loop One,,MANAGER,true,,u4,
u4,Loop Two,,MANAGER,true,,u3,
u5,Boss,,MANAGER,true,,u1,
"""
# Latin-1 bytes in a file read as UTF-8: only the rows holding them are refused.
ACCOUNTS_LATIN1 = "id,name,parent_id\na1,Acme,\na2,Société Générale,\na3,Müller GmbH,\na4,Acme Four,a1\n".encode(
    "latin-1"
)
ACCOUNTS = (
    "id,name,industry,parent_id,owner_id,employees\n"
    f"a5,Five,{FIVE_MB},,,\n"
    "a6,Six,software,a1,u1,10\n"
    "a6,Six again,,,,\n"
    "a7,Seven,,,u404,\n"
    "a8,Eight,,a9,,\n"
    "a9,Nine,,,,\n"
    "a1,Acme,,a4,,\n"
    "a13,Thirteen,,a14,,\n"
    "a14,Fourteen,,a13,,\n"
    "a10,Ten,,,,,extra\n"
    "a11,Eleven,,,,-5\n"
    f"a15,Fifteen,{SEVENTEEN_MB},,,\n"
    "a16,Sixteen,,,,\n"
    'a12,"Twelve never closes its quote,,,,\n'
    "a17,Swallowed by the open quote,,,,\n"
)
CONTACTS = "\n".join(
    [
        json.dumps({"id": "c1", "account_id": "a1", "email": "jo@acme.com", "roles": ["CHAMPION"]}),
        json.dumps({"id": "c2", "account_id": "nope"}),
        json.dumps({"id": "c3", "account_id": "a1", "first_name": "Bad\u0000Byte"}),
        json.dumps([1, 2]),
        json.dumps({"id": "c4", "account_id": "a1", "title": {"nested": True}}),
        json.dumps({"id": "c5", "account_id": "a4", "first_name": "Ünïcödé is fine"}, ensure_ascii=False),
        '{"id": "c6", "account_id": "a1", "first_name": "trailing garbage"} }',
        "",
        json.dumps({"id": "c7", "account_id": "a4", "last_name": "Bell\u0007"}),
    ]
)
LEADS = """id,email,company,created_at
l1,sam@gmail.com,Zzz,2026-01-05T10:00:00Z
l2,fut@gmail.com,Zzz,2098-01-01T00:00:00Z
l3,bad@gmail.com,Zzz,last tuesday
l4,zone@gmail.com,Zzz,2026-02-30T00:00:00Z
"""
ENGAGEMENTS = """id,person_id,type,detail,occurred_at,campaign
e1,c1,web_visit,pricing,2026-01-06T00:00:00Z,q1
e2,c1,web_visit,pricing,2999-01-06T00:00:00Z,q1
e3,c1,web_visit,pricing,yesterday,q1
e4,ghost,web_visit,pricing,2026-01-06T00:00:00Z,q1
e5,c1,web_visit,pricing,,q1
"""
OPPORTUNITIES = """id,account_id,name,amount,status,created_at,closed_at
o1,a1,Deal,1000,WON,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z
o2,a1,Negative,-1,OPEN,,
o3,a404,Ghost,10,OPEN,,
o4,a1,Time traveller,10,WON,2026-01-01T00:00:00Z,2999-01-01T00:00:00Z
o5,a1,Bad status,10,MAYBE,,
"""

# (file, line, field) of every refused row.
EXPECTED_ERRORS = {
    ("users.csv", 3, "capacity"),
    ("users.csv", 4, "manager_id"),
    ("users.csv", 5, "manager_id"),
    ("accounts-latin1.csv", 3, "name"),
    ("accounts-latin1.csv", 4, "name"),
    ("accounts.csv", 2, "industry"),
    ("accounts.csv", 4, "id"),
    ("accounts.csv", 5, "owner_id"),
    ("accounts.csv", 8, "parent_id"),
    ("accounts.csv", 9, "parent_id"),
    ("accounts.csv", 10, "parent_id"),
    ("accounts.csv", 11, None),
    ("accounts.csv", 12, "employees"),
    ("accounts.csv", 13, None),
    ("accounts.csv", 15, None),
    ("accounts.csv", 16, None),  # inside line 15's unterminated quote
    ("contacts.ndjson", 2, "account_id"),
    ("contacts.ndjson", 3, "first_name"),
    ("contacts.ndjson", 4, None),
    ("contacts.ndjson", 5, "title"),
    ("contacts.ndjson", 7, None),
    ("contacts.ndjson", 9, "last_name"),
    ("leads.csv", 3, "created_at"),
    ("leads.csv", 4, "created_at"),
    ("leads.csv", 5, "created_at"),
    ("engagements.csv", 3, "occurred_at"),
    ("engagements.csv", 4, "occurred_at"),
    ("engagements.csv", 5, "person_id"),
    ("engagements.csv", 6, "occurred_at"),
    ("opportunities.csv", 3, "amount"),
    ("opportunities.csv", 4, "account_id"),
    ("opportunities.csv", 5, "closed_at"),
    ("opportunities.csv", 6, "status"),
}
# What the valid rows make, and nothing more: no node or link of a refused row.
EXPECTED_GRAPH = {
    "User": 2,  # u1, u5
    "Pool": 1,
    "MEMBER_OF": 1,
    "REPORTS_TO": 1,  # u5 -> u1
    "Account": 6,  # a1, a4 (Latin-1 file); a6, a8, a9, a16
    "SUBSIDIARY_OF": 3,  # a4 -> a1, a6 -> a1, a8 -> a9
    "OWNS": 1,  # u1 owns a6
    "Contact": 2,  # c1, c5
    "WORKS_AT": 2,
    "BuyingRole": 1,
    "HAS_ROLE": 1,
    "Lead": 1,
    "Engagement": 1,
    "EngagementDays": 1,  # the read model's bucket of the engaged account
    "PERFORMED": 1,
    "Opportunity": 1,
    "HAS_OPPORTUNITY": 1,
}


@pytest.fixture
def bad_files(tmp_path: Path) -> list[Path]:
    texts = {
        "users.csv": USERS,
        "accounts.csv": ACCOUNTS,
        "contacts.ndjson": CONTACTS,
        "leads.csv": LEADS,
        "engagements.csv": ENGAGEMENTS,
        "opportunities.csv": OPPORTUNITIES,
        "opportunities-header-only.csv": "id,account_id,name\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "accounts-latin1.csv").write_bytes(ACCOUNTS_LATIN1)
    return sorted(tmp_path.iterdir())


async def test_valid_rows_land_and_every_bad_row_is_reported_with_line_and_field(empty_db, bad_files):
    reports = await Importer(empty_db, batch_size=3).import_files(bad_files)
    found = {(Path(error.source).name, error.line, error.field) for report in reports for error in report.errors}
    assert found == EXPECTED_ERRORS
    assert {Path(report.source).name: report.imported for report in reports} == {
        "users.csv": 2,
        "accounts-latin1.csv": 2,
        "accounts.csv": 4,
        "contacts.ndjson": 2,
        "leads.csv": 1,
        "engagements.csv": 1,
        "opportunities.csv": 1,
        "opportunities-header-only.csv": 0,
    }
    assert await graph_counts(empty_db) == EXPECTED_GRAPH
    messages = {(Path(error.source).name, error.line): error.message for report in reports for error in report.errors}
    assert messages[("accounts.csv", 2)] == f"is too long: {len(FIVE_MB)} characters, at most 1000"
    assert messages[("accounts.csv", 8)] == "hierarchy cycle: a1 -> a4 -> a1"
    assert "field larger than field limit" in messages[("accounts.csv", 13)]
    assert "unexpected end of data" in messages[("accounts.csv", 15)]
    assert messages[("accounts.csv", 16)] == "not read: inside the unreadable CSV record that starts on line 15"
    assert "not valid UTF-8" in messages[("accounts-latin1.csv", 3)]
    assert "control characters" in messages[("contacts.ndjson", 3)]
    assert "lies in the future" in messages[("leads.csv", 3)]
    assert "not an ISO-8601 time" in messages[("leads.csv", 4)]
    assert "greater than or equal to 0" in messages[("users.csv", 3)]

    # The same files again: the same errors, and the graph does not move.
    again = await Importer(empty_db, batch_size=3).import_files(bad_files)
    assert {(Path(e.source).name, e.line, e.field) for r in again for e in r.errors} == EXPECTED_ERRORS
    assert await graph_counts(empty_db) == EXPECTED_GRAPH


REFUSED_FILES = {
    "utf16-bom.csv": ("id,name\na1,Café\n".encode("utf-16"), "is UTF-16 text; save it as UTF-8"),
    "utf16-bom.ndjson": ('{"id": "a1", "name": "Café"}\n'.encode("utf-16"), "is UTF-16 text"),
    "utf16-be.csv": (b"\xfe\xff" + "id,name\na1,A\n".encode("utf-16-be"), "is UTF-16 text"),
    "utf32.csv": ("id,name\na1,A\n".encode("utf-32"), "is UTF-32 text"),
    "utf16-no-bom.csv": ("id,name\na1,A\n".encode("utf-16-le"), "NUL bytes"),
    "gzip.csv": (gzip.compress(b"id,name\na1,A\n", mtime=0), "binary data"),
    "gzip.ndjson": (gzip.compress(b'{"id": "a1", "name": "A"}\n', mtime=0), "binary data"),
    "empty.csv": (b"", "the file is empty"),
    "empty.ndjson": (b"", "the file is empty"),
    "no-name-column.csv": (b"id,title\na1,A\n", "missing required column(s) name for accounts"),
    "spreadsheet.xlsx": (b"PK\x03\x04rest", "unsupported file type '.xlsx'"),
}


@pytest.mark.parametrize("name", sorted(REFUSED_FILES))
async def test_a_file_that_is_not_utf8_text_with_the_contract_is_refused_whole(empty_db, tmp_path, name):
    content, message = REFUSED_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await Importer(empty_db).import_file(path, kind="accounts")
    assert await graph_counts(empty_db) == {}


async def test_the_api_reports_bad_rows_by_position_and_imports_the_rest(empty_db):
    rows = [
        {"id": "a1", "name": "Fine"},
        "not an object",
        {"id": "a2", "name": ["a", "list"]},
        {"id": "a3", "name": "Nul\u0000"},
        {"id": "a4", "name": "x" * 5000},
        {"id": 5, "name": "numeric id"},
        {"id": "a6", "name": "Fine too", "employees": "12"},
        {"id": "a7", "name": "Big", "employees": 10**30},
        {"id": "a8", "name": "Float", "annual_revenue": "NaN"},
    ]
    query = """mutation($rows: [JSON!]!) { importRecords(kind: "accounts", rows: $rows) {
        imported failed errors { row field message } } }"""
    result = await execute(empty_db, query, ADMIN, rows=rows)
    assert result.errors is None, result.errors
    answer = result.data["importRecords"]
    assert {(error["row"], error["field"]) for error in answer["errors"]} == {
        (2, None),
        (3, "name"),
        (4, "name"),
        (5, "name"),
        (6, "id"),
        (8, "employees"),
        (9, "annual_revenue"),
    }
    assert (answer["imported"], answer["failed"]) == (2, 7)
    # A null row is refused by the schema ([JSON!]) before the importer runs.
    refused = await execute(empty_db, query, ADMIN, rows=[{"id": "a9", "name": "Nine"}, None])
    assert [error.extensions["code"] for error in refused.errors] == ["GRAPHQL_VALIDATION_FAILED"]
    assert await graph_counts(empty_db) == {"Account": 2}


def test_the_command_line_names_a_refused_file_in_one_line_and_exits_1(embedded, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes("id,name\na1,Café\n".encode("utf-16"))
    env = {**os.environ, **settings_env(embedded)}
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "import", str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"Error: {path}: the file is UTF-16 text; save it as UTF-8"
    assert "Traceback" not in done.stderr


# Six data lines; the third opens a quote it never closes, swallowing the three after it.
UNCLOSED_QUOTE = (
    "id,name,industry\n"
    "q1,One,software\n"
    "q2,Two,software\n"
    'q3,"Three never closes,software\n'
    "q4,Four,software\n"
    "q5,Five,software\n"
    "q6,Six,software\n"
)


async def test_every_line_of_a_csv_file_is_imported_or_named_in_an_error(empty_db, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(UNCLOSED_QUOTE)
    report = await Importer(empty_db).import_file(path)
    stored = {
        row["id"] for row in await empty_db.read("ingest/known_accounts", ids=["q1", "q2", "q3", "q4", "q5", "q6"])
    }
    imported_lines = {int(account_id[1]) + 1 for account_id in stored}  # q1 is on line 2
    named_lines = {error.line for error in report.errors}
    assert imported_lines == {2, 3} and report.imported == 2
    assert named_lines == {4, 5, 6, 7}
    assert imported_lines | named_lines == set(range(2, len(UNCLOSED_QUOTE.splitlines()) + 1))
    messages = [str(error) for error in report.errors]
    assert "line 4" not in messages[0] and "unexpected end of data (the record runs through line 7)" in messages[0]
    assert messages[1:] == [
        f"{path}:{line}: not read: inside the unreadable CSV record that starts on line 4" for line in (5, 6, 7)
    ]


IMPORT = """mutation($kind: String!, $rows: [JSON!]!) { importRecords(kind: $kind, rows: $rows) {
    imported failed errors { row field message } } }"""
PERSON_READS = """{ account(id: "acme") { score { total } contacts { edges { node { score { total } } } } }
    contact(id: "c-jo") { score { total behavioral } } }"""


async def test_an_out_of_range_time_is_refused_by_row_and_the_reads_still_answer(db, embedded):
    await load_sales_graph(db, embedded)
    rows = [
        {"id": "e-ok", "person_id": "c-jo", "type": "web_visit", "occurred_at": "2026-10-01T00:00:00Z"},
        {"id": "e-y0", "person_id": "c-jo", "type": "web_visit", "occurred_at": "0001-01-01T00:00:00+14:00"},
        {"id": "e-y1", "person_id": "c-jo", "type": "web_visit", "occurred_at": 1},  # not ISO-8601
    ]
    answer = (await execute(db, IMPORT, ADMIN, kind="engagements", rows=rows)).data["importRecords"]
    assert answer == {
        "imported": 1,
        "failed": 2,
        "errors": [
            {
                "row": 2,
                "field": "occurred_at",
                "message": "lies outside 1970-01-01 to 2100-01-01 (UTC): '0001-01-01T00:00:00+14:00'",
            },
            {"row": 3, "field": "occurred_at", "message": "not an ISO-8601 time: 1"},
        ],
    }
    for query in (PERSON_READS, "mutation { recompute }", PERSON_READS):
        result = await execute(db, query, ADMIN)
        assert result.errors is None, result.errors


LENIENT_ROWS = {
    "accounts": [
        {"id": "x1", "name": "Boolean employees", "employees": True},
        {"id": "x2", "name": "Yes target", "is_target": "yes"},
        {"id": "x3", "name": "Huge revenue", "annual_revenue": 1e308},
        {"id": "x4", "name": "Lone \ud800 surrogate"},
        {"id": "x5\udc80", "name": "Surrogate id"},
        {"id": "x6", "name": "Fine", "employees": 12, "is_target": "true"},
    ],
    "users": [
        {"id": "x7", "name": "Infinite weight", "role": "AE", "pools": "ae:inf"},
        {"id": "x8", "name": "Huge weight", "role": "AE", "pools": ["ae:1e308"]},
        {"id": "x9", "name": "Fine", "role": "AE", "pools": "ae:2", "active": False},
    ],
}


async def test_lenient_values_and_lone_surrogates_are_refused_row_by_row(empty_db):
    answers = {
        kind: (await execute(empty_db, IMPORT, ADMIN, kind=kind, rows=rows)).data["importRecords"]
        for kind, rows in LENIENT_ROWS.items()
    }
    assert {kind: (answer["imported"], answer["failed"]) for kind, answer in answers.items()} == {
        "accounts": (1, 5),
        "users": (1, 2),
    }
    assert [(error["row"], error["field"]) for error in answers["accounts"]["errors"]] == [
        (1, "employees"),
        (2, "is_target"),
        (3, "annual_revenue"),
        (4, "name"),
        (5, "id"),
    ]
    assert [(error["row"], error["field"]) for error in answers["users"]["errors"]] == [(1, "pools"), (2, "pools")]
    assert await graph_counts(empty_db) == {"Account": 1, "User": 1, "Pool": 1, "MEMBER_OF": 1}


@pytest.mark.parametrize(
    ("query", "variables", "named"),
    [
        ("query($id: ID!) { account(id: $id) { id } }", {"id": "acme\ud800"}, "argument id (variable $id)"),
        ("query($id: ID!) { contact(id: $id) { id } }", {"id": "\udc80"}, "argument id (variable $id)"),
        (
            "query($owner: ID) { accounts(ownerId: $owner) { totalCount } }",
            {"owner": "u-ann\udfff"},
            "argument ownerId (variable $owner)",
        ),
        (
            'query($role: String) { account(id: "acme") { contacts(role: $role) { totalCount } } }',
            {"role": "CHAMPION\ud800"},
            "argument role (variable $role)",
        ),
    ],
)
async def test_a_lone_surrogate_in_an_id_or_string_argument_is_invalid_input_naming_it(db, query, variables, named):
    # First with plain text, so the second request finds its document validated and cached.
    plain = await execute(db, query, ADMIN, **{name: "plain" for name in variables})
    assert plain.errors is None, plain.errors
    result = await execute(db, query, ADMIN, **variables)
    assert codes(result) == ["INVALID_INPUT"]
    assert result.errors[0].message.startswith(named), result.errors[0].message


@pytest.mark.parametrize("position", ["2147483648", "9" * 40, "-1", "+5", " 5", "1_0"])
async def test_an_offset_cursor_out_of_range_is_invalid_input_naming_after(db, embedded, position):
    await load_sales_graph(db, embedded)
    cursor = base64.urlsafe_b64encode(f"graphsvc:{position}".encode()).decode()
    query = 'query($after: String) { account(id: "acme") { contacts(after: $after) { totalCount } } }'
    result = await execute(db, query, ADMIN, after=cursor)
    assert codes(result) == ["INVALID_INPUT"]
    assert result.errors[0].message == f"after: invalid cursor {cursor!r}: pass a cursor from an edge or pageInfo"
