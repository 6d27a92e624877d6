"""Seek pagination of `accounts`: runs of equal names and employee counts are never cut wrongly across pages."""

import base64
import json

import pytest
from api_graph import ADMIN, codes, data_of, execute, import_rows

from graphsvc.auth import Caller, Role
from graphsvc.schema.pagination import encode_cursor, encode_seek_cursor

pytestmark = pytest.mark.db

# Imported in this (shuffled) order so that storage order is not id order.
ACCOUNTS = [
    {"id": "z2", "name": "Zulu", "employees": 200},
    {"id": "k5", "name": "Same", "employees": 100},
    {"id": "k3", "name": "Same", "employees": 100, "is_target": True, "tier": 1, "owner_id": "u-x"},
    {"id": "m1", "name": "Mid"},
    {"id": "k1", "name": "Same", "employees": 100, "is_target": True, "tier": 1, "owner_id": "u-x"},
    {"id": "b1", "name": "Alpha", "employees": 100, "is_target": True, "tier": 2},
    {"id": "k4", "name": "Same", "employees": 50, "owner_id": "u-x"},
    {"id": "z1", "name": "Zulu", "is_target": True, "tier": 3, "owner_id": "u-x"},
    {"id": "k2", "name": "Same"},
]

# By hand: the key, then id; unknown employee counts last (by id) in both directions.
EXPECTED = {
    "name": ["b1", "m1", "k1", "k2", "k3", "k4", "k5", "z1", "z2"],
    "-name": ["z1", "z2", "k1", "k2", "k3", "k4", "k5", "m1", "b1"],
    "employees": ["k4", "b1", "k1", "k3", "k5", "z2", "k2", "m1", "z1"],
    "-employees": ["z2", "b1", "k1", "k3", "k5", "k4", "k2", "m1", "z1"],
}

PAGE = """query($first: Int, $after: String, $o: String, $t: Boolean, $owner: ID) {
    accounts(first: $first, after: $after, orderBy: $o, isTarget: $t, ownerId: $owner) {
        totalCount edges { cursor node { id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


@pytest.fixture(scope="module", autouse=True)
async def tied_accounts(db):
    await db.write("admin/delete_all")
    users = [{"id": "u-x", "name": "Xavier Xu", "email": "x@seller.io", "role": "AE", "active": True, "capacity": 5}]
    await import_rows(db, {"users": users, "accounts": ACCOUNTS})


async def walk(db, first, caller=ADMIN, **variables):
    """Every page from the start, following endCursor; the ids in order and the pages' pageInfo."""
    ids, infos, after = [], [], None
    while True:
        page = (await data_of(db, PAGE, caller, first=first, after=after, **variables))["accounts"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        infos.append(page["pageInfo"])
        if page["edges"]:
            assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, infos
        after = page["pageInfo"]["endCursor"]
        assert len(infos) <= 20, "pages do not end"


@pytest.mark.parametrize("order", list(EXPECTED))
@pytest.mark.parametrize("first", [1, 2, 3, 4, 9, 10])
async def test_every_account_once_in_order_whatever_the_page_size(db, order, first):
    ids, infos = await walk(db, first, o=order)
    assert ids == EXPECTED[order]
    assert len(infos) == -(-len(ids) // first)  # no empty last page: hasNextPage is exact
    assert [info["hasPreviousPage"] for info in infos] == [False] + [True] * (len(infos) - 1)


OWNED_BY_X = {"k1", "k3", "k4", "z1"}


@pytest.mark.parametrize("order", list(EXPECTED))
@pytest.mark.parametrize("first", [1, 2, 3])
async def test_one_owners_accounts_page_from_the_owner_in_the_same_order(db, order, first):
    expected = [account for account in EXPECTED[order] if account in OWNED_BY_X]
    assert (await walk(db, first, o=order, owner="u-x"))[0] == expected
    rep = Caller(Role.REP, "u-x", name="xavier")
    assert (await walk(db, first, caller=rep, o=order))[0] == expected
    assert (await walk(db, first, caller=rep, o=order, t=True))[0] == [a for a in expected if a in {"k1", "k3", "z1"}]


async def test_filters_page_by_seek_too(db):
    assert (await walk(db, 2, o="name", t=True))[0] == ["b1", "k1", "k3", "z1"]
    assert (await walk(db, 1, o="employees", owner="u-x"))[0] == ["k4", "k1", "k3", "z1"]
    assert (await walk(db, 3, o="-name", t=False))[0] == ["z2", "k2", "k4", "k5", "m1"]
    page = (await data_of(db, PAGE, first=1, o="-employees", t=True))["accounts"]
    assert page["totalCount"] == 4  # still a count of the whole filtered list
    page = (await data_of(db, PAGE, first=1, o="-employees", after=page["pageInfo"]["endCursor"]))["accounts"]
    assert page["totalCount"] == 9  # unfiltered: the bare count


async def test_a_page_starts_just_past_its_cursor_even_after_a_write_before_it(db):
    first = (await data_of(db, PAGE, first=3, o="name"))["accounts"]
    assert [edge["node"]["id"] for edge in first["edges"]] == ["b1", "m1", "k1"]
    # Accounts sorted before the cursor (and into the run of "Same" before k1) shift no later row.
    await import_rows(db, {"accounts": [{"id": "a0", "name": "Aardvark"}, {"id": "k0", "name": "Same"}]})
    try:
        after = (await data_of(db, PAGE, first=3, o="name", after=first["pageInfo"]["endCursor"]))["accounts"]
        assert [edge["node"]["id"] for edge in after["edges"]] == ["k2", "k3", "k4"]
    finally:
        await db.write("admin/delete_all")
        users = [{"id": "u-x", "name": "Xavier Xu", "email": "x@seller.io", "role": "AE", "active": True}]
        await import_rows(db, {"users": users, "accounts": ACCOUNTS})


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (encode_seek_cursor("-name", "Same", "k1"), "made for orderBy '-name', not 'name'"),
        (encode_cursor(3), "invalid cursor"),  # a position cursor of another list
        (encode_seek_cursor("name", 7, "k1"), "invalid cursor"),  # a name key must be a string
        (encode_seek_cursor("name", None, "k1"), "invalid cursor"),  # every account has a name
        (_raw("graphsvc-seek:" + json.dumps(["name", "Same"])), "invalid cursor"),
        (_raw("graphsvc-seek:{not json"), "invalid cursor"),
        ("%%%", "invalid cursor"),
    ],
)
async def test_a_bad_cursor_is_invalid_input(db, after, message):
    result = await execute(db, PAGE, first=2, o="name", after=after)
    assert codes(result) == ["INVALID_INPUT"]
    assert message in result.errors[0].message


async def test_a_cursor_of_an_unknown_employee_count_resumes_among_the_unknown(db):
    page = await data_of(db, PAGE, first=2, o="employees", after=encode_seek_cursor("employees", None, "k2"))
    assert [edge["node"]["id"] for edge in page["accounts"]["edges"]] == ["m1", "z1"]
    assert page["accounts"]["pageInfo"]["hasNextPage"] is False
