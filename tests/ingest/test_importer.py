"""The importer against the real embedded database: good rows land, bad rows are reported."""

from pathlib import Path

import pytest
from conftest import graph_counts

from graphsvc.errors import InvalidInput
from graphsvc.ingest.importer import Importer

pytestmark = pytest.mark.db

FILES = {
    "users.csv": """id,name,email,role,active,capacity,manager_id,pools
u1,Ann AE,ann@x.com,AE,true,10,u3,ae:1
u2,Bob BDR,bob@x.com,BDR,true,5,u3,bdr:2
u3,Meg Manager,meg@x.com,MANAGER,true,,,
u4,Bad,bad@x.com,PILOT,true,-1,,
""",
    "accounts.csv": """id,name,domain,domains,industry,employees,annual_revenue,country,parent_id,owner_id,is_target,tier,technologies,color
a2,Acme GmbH,acme.de,,software,200,1e7,DE,a1,u1,true,2,aws;slack,red
a1,Acme Inc,acme.com,acme.io;acme.net,software,5000,1e9,US,,u1,true,1,aws,blue
a3,Loop A,loopa.com,,retail,10,,US,a4,,false,,,
a4,Loop B,loopb.com,,retail,10,,US,a3,,false,,,
a5,Orphan,orphan.com,,retail,abc,,US,,,false,,,
a6,NoOwner,no.com,,retail,10,,US,,u999,false,,,
a1,Dup,dup.com,,,,,,,,,,,
""",
    "contacts.csv": """id,account_id,email,first_name,last_name,title,seniority,department,roles
c1,a1,jo@acme.com,Jo,Doe,CFO,c_level,finance,ECONOMIC_BUYER
c2,a2,al@acme.de,Al,Roe,Engineer,individual,it,TECHNICAL_EVALUATOR;END_USER
c3,a9,x@y.com,X,Y,,,,
c4,a1,q@acme.com,Q,R,,,,WIZARD
""",
    "leads.ndjson": """{"id": "l1", "email": "Sam@Acme.com", "company": "Acme", "created_at": "2026-10-01T10:00:00Z"}
{"id": "c1", "email": "dup@acme.com"}
not json
{"id": "l2", "email": "x@gmail.com", "company": "Acme Inc", "created_at": "yesterday"}
""",
    "engagements.csv": """id,person_id,type,detail,occurred_at,campaign
e1,c1,web_visit,pricing,2026-10-01T00:00:00Z,q4
e2,l1,demo_request,,2026-10-02T00:00:00Z,q4
e3,nobody,web_visit,,2026-10-02T00:00:00Z,
e4,c2,web_visit,,2099-10-02T00:00:00Z,
""",
    "opportunities.csv": """id,account_id,name,amount,status,created_at,closed_at
o1,a1,Acme platform,50000,WON,2026-05-01T00:00:00Z,2026-08-01T00:00:00Z
o2,a404,Ghost deal,100,OPEN,2026-05-01T00:00:00Z,
o3,a2,Acme DE,-5,OPEN,,
""",
}

# (file, line, field) of every row that must be refused.
EXPECTED_ERRORS = {
    ("users.csv", 5, "role"),
    ("users.csv", 5, "capacity"),
    ("accounts.csv", 4, "parent_id"),
    ("accounts.csv", 5, "parent_id"),
    ("accounts.csv", 6, "employees"),
    ("accounts.csv", 7, "owner_id"),
    ("accounts.csv", 8, "id"),
    ("contacts.csv", 4, "account_id"),
    ("contacts.csv", 5, "roles"),
    ("leads.ndjson", 2, "id"),
    ("leads.ndjson", 3, None),
    ("leads.ndjson", 4, "created_at"),
    ("engagements.csv", 4, "person_id"),
    ("engagements.csv", 5, "occurred_at"),
    ("opportunities.csv", 3, "account_id"),
    ("opportunities.csv", 4, "amount"),
}


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    # A Latin-1 byte in one row: only that row is refused.
    (tmp_path / "engagements-latin1.csv").write_bytes(
        b"id,person_id,type,detail,occurred_at,campaign\n"
        b"e5,c2,web_visit,caf\xe9,2026-10-01T00:00:00Z,x\n"
        b"e6,c2,web_visit,docs,2026-10-01T00:00:00Z,x\n"
    )
    return sorted(tmp_path.iterdir())


async def test_good_rows_land_and_each_bad_row_is_reported(empty_db, files):
    reports = await Importer(empty_db, batch_size=2).import_files(files)
    by_source = {Path(report.source).name: report for report in reports}
    found = {(Path(error.source).name, error.line, error.field) for report in reports for error in report.errors}
    assert found == EXPECTED_ERRORS | {("engagements-latin1.csv", 2, "detail")}
    assert {name: report.imported for name, report in by_source.items()} == {
        "users.csv": 3,
        "accounts.csv": 2,
        "contacts.csv": 2,
        "leads.ndjson": 1,
        "engagements.csv": 2,
        "engagements-latin1.csv": 1,
        "opportunities.csv": 1,
    }
    assert by_source["accounts.csv"].ignored_columns == ["color"]
    counts = await graph_counts(empty_db)
    assert counts == {
        "Account": 2,
        "BuyingRole": 3,
        "Contact": 2,
        "Engagement": 3,
        "EngagementDays": 2,  # the read model's buckets of the accounts engaged with
        "Lead": 1,
        "Opportunity": 1,
        "Pool": 2,
        "User": 3,
        "HAS_OPPORTUNITY": 1,
        "HAS_ROLE": 3,
        "MATCHED_TO": 1,  # l1 (sam@acme.com) is matched to a1 by domain as it is imported
        "MEMBER_OF": 2,
        "OWNS": 2,
        "PERFORMED": 3,
        "REPORTS_TO": 2,
        "SUBSIDIARY_OF": 1,
        "WORKS_AT": 2,
    }


async def test_importing_twice_changes_nothing(empty_db, files):
    await Importer(empty_db).import_files(files)
    first = await graph_counts(empty_db)
    reports = await Importer(empty_db).import_files(files)
    assert await graph_counts(empty_db) == first
    assert sum(report.imported for report in reports) == 12


async def _every_stored_value(db) -> list[str]:
    """Every node and relationship with all its properties, timestamps included, sorted."""
    nodes = [repr(sorted(row.items())) for row in await db.read("admin/node_properties")]
    links = [repr(sorted(row.items())) for row in await db.read("admin/relationship_properties")]
    return sorted(nodes + links)


async def test_importing_the_same_files_again_changes_no_stored_value(empty_db, files):
    await Importer(empty_db).import_files(files)
    before = await _every_stored_value(empty_db)
    await Importer(empty_db).import_files(files)
    assert await _every_stored_value(empty_db) == before


async def test_a_parent_cycle_through_stored_accounts_is_refused(empty_db, tmp_path):
    importer = Importer(empty_db)
    first = tmp_path / "accounts-1.csv"
    first.write_text("id,name,parent_id\nroot,Root,\nmid,Mid,root\nleaf,Leaf,mid\n")
    assert (await importer.import_file(first)).imported == 3
    second = tmp_path / "accounts-2.csv"
    second.write_text("id,name,parent_id\nroot,Root,leaf\nself,Self,self\n")
    report = await importer.import_file(second)
    assert report.imported == 0
    assert [(error.line, error.field) for error in report.errors] == [(2, "parent_id"), (3, "parent_id")]
    assert "root -> leaf -> mid -> root" in report.errors[0].message


async def test_upsert_keeps_stored_values_for_blank_cells_and_moves_relationships(empty_db, tmp_path):
    importer = Importer(empty_db)
    path = tmp_path / "accounts.csv"
    path.write_text("id,name,industry,parent_id\np1,P1,,\np2,P2,,\nc,Child,software,p1\n")
    await importer.import_file(path)
    path.write_text("id,name,industry,parent_id\nc,Child Renamed,,p2\n")
    await importer.import_file(path)
    rows = await empty_db.read("accounts/by_ids", ids=["c"])
    assert rows[0]["account"]["name"] == "Child Renamed"
    assert rows[0]["account"]["industry"] == "software"
    hierarchy = await empty_db.read("ingest/account_hierarchy")
    assert hierarchy == [{"id": "c", "parent_id": "p2"}]


async def test_a_file_missing_a_required_column_is_refused_whole(empty_db, tmp_path):
    path = tmp_path / "engagements.csv"
    path.write_text("id,person_id,type\ne1,p1,web_visit\n")
    with pytest.raises(InvalidInput, match="missing required column\\(s\\) occurred_at"):
        await Importer(empty_db).import_file(path)
    assert await graph_counts(empty_db) == {}


async def test_the_kind_comes_from_the_file_name(empty_db, tmp_path):
    path = tmp_path / "crm-export.csv"
    path.write_text("id,name\na1,A\n")
    with pytest.raises(InvalidInput, match="cannot tell the kind"):
        await Importer(empty_db).import_file(path)
    assert (await Importer(empty_db).import_file(path, kind="accounts")).imported == 1
