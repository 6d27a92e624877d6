"""Tests for the demo-data generator and the shipped demo set (SPEC §11)."""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from graphsvc import datagen
from graphsvc.datagen import DEMO_ACCOUNTS, DEMO_SEED, generate
from graphsvc.funnel import can_move

__all__: list[str] = []

# The contract, copied from SPEC §11 and the brief rather than imported, so a drift fails here.
SPEC_COLUMNS = {
    "accounts": ["id", "name", "domain", "domains", "industry", "employees", "annual_revenue",
                 "country", "parent_id", "owner_id", "is_target", "tier", "technologies"],
    "users": ["id", "name", "email", "role", "active", "capacity", "manager_id", "pools"],
    "contacts": ["id", "account_id", "email", "first_name", "last_name", "title", "seniority",
                 "department", "roles"],
    "leads": ["id", "email", "first_name", "last_name", "company", "website", "title",
              "seniority", "industry", "country", "source", "created_at", "status"],
    "engagements": ["id", "person_id", "type", "detail", "occurred_at", "campaign"],
    "opportunities": ["id", "account_id", "name", "amount", "status", "created_at", "closed_at"],
    "stage_changes": ["id", "account_id", "stage", "previous", "at"],
    "lead_status_changes": ["id", "lead_id", "status", "previous", "at", "reason", "by"],
}
VOCABULARY = {
    "demo_request": {""}, "trial_signup": {""},
    "web_visit": {"pricing", "product", "docs", "blog", "careers", "home"},
    "content_download": {"whitepaper", "ebook", "case_study", "datasheet"},
    "webinar": {"registered", "attended"}, "event": {"registered", "attended"},
    "email_open": {""}, "email_click": {""}, "ad_click": {""}, "unsubscribe": {""},
}
FREE_MAIL = {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com"}
LEGAL_TOKENS = {"inc", "llc", "corp", "ltd", "plc", "gmbh", "ag", "sa", "sas", "bv", "nv", "pty",
                "pvt", "pte", "kk", "ab", "sl", "spa", "srl", "ltda"}
BUYING_ROLES = {"ECONOMIC_BUYER", "DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR",
                "INFLUENCER", "END_USER", "BLOCKER"}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 180
DEMO_DIR = Path(__file__).resolve().parents[1] / "seeds" / "demo"
KINDS = tuple(SPEC_COLUMNS)


def read(directory: Path, kind: str) -> list[dict[str, str]]:
    with (directory / f"{kind}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def normalise(company: str) -> str:
    """Company name as a matcher would compare it: lower case, no dots, no legal suffixes."""
    tokens = company.lower().replace(".", "").split()
    while tokens and tokens[-1] in LEGAL_TOKENS:
        tokens.pop()
    return " ".join(tokens)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)


@pytest.fixture(scope="module")
def data(demo: tuple[Path, dict[str, int]]) -> dict[str, list[dict[str, str]]]:
    return {kind: read(demo[0], kind) for kind in KINDS}


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    arguments = {"accounts": 40, "engagements_per_account": 30}
    generate(tmp_path / "a", seed=3, **arguments)
    generate(tmp_path / "b", seed=3, **arguments)
    generate(tmp_path / "c", seed=4, **arguments)
    for kind in KINDS:
        first = (tmp_path / "a" / f"{kind}.csv").read_bytes()
        assert first == (tmp_path / "b" / f"{kind}.csv").read_bytes(), kind
    for kind in ("accounts", "engagements"):
        other = (tmp_path / "c" / f"{kind}.csv").read_bytes()
        assert (tmp_path / "a" / f"{kind}.csv").read_bytes() != other, kind


def test_row_counts_are_exact(tmp_path: Path) -> None:
    written = generate(tmp_path, accounts=30, contacts_per_account=2.5, leads_per_account=1.7,
                       engagements_per_account=12.3)
    assert written["accounts"] == 30
    assert written["contacts"] == 75
    assert written["leads"] == 51
    assert written["engagements"] == 369
    for kind in KINDS:
        assert len(read(tmp_path, kind)) == written[kind], kind


def test_demo_counts(demo: tuple[Path, dict[str, int]]) -> None:
    _, written = demo
    assert (written["accounts"], written["contacts"], written["leads"], written["engagements"]) == (
        200, 2000, 1000, 20000)
    assert 5 <= written["users"] <= 60
    assert written["opportunities"] > 0


def test_columns_are_exactly_the_contract(demo: tuple[Path, dict[str, int]]) -> None:
    for kind, columns in SPEC_COLUMNS.items():
        with (demo[0] / f"{kind}.csv").open(encoding="utf-8", newline="") as file:
            assert next(csv.reader(file)) == columns, kind


def test_ids_are_readable_unique_and_persons_unambiguous(
        data: dict[str, list[dict[str, str]]]) -> None:
    patterns = {"accounts": r"acc-\d{5}", "users": r"usr-\d{4}", "contacts": r"con-\d{6}",
                "leads": r"lead-\d{6}", "engagements": r"eng-\d{7}", "opportunities": r"opp-\d{5}",
                "stage_changes": r"sc-\d{5}", "lead_status_changes": r"ls-\d{5}"}
    for kind, pattern in patterns.items():
        ids = [row["id"] for row in data[kind]]
        assert all(re.fullmatch(pattern, i) for i in ids), kind
        assert len(set(ids)) == len(ids), kind
    contacts = {row["id"] for row in data["contacts"]}
    assert contacts.isdisjoint(row["id"] for row in data["leads"])


def test_references_exist(data: dict[str, list[dict[str, str]]]) -> None:
    accounts = {row["id"] for row in data["accounts"]}
    users = {row["id"]: row for row in data["users"]}
    persons = {row["id"] for row in data["contacts"]} | {row["id"] for row in data["leads"]}
    for row in data["accounts"]:
        assert not row["parent_id"] or row["parent_id"] in accounts
        assert not row["owner_id"] or users[row["owner_id"]]["role"] == "AE"
    assert all(not user["manager_id"] or users[user["manager_id"]]["role"] == "MANAGER"
               for user in users.values())
    assert all(row["account_id"] in accounts for row in data["contacts"])
    assert all(row["account_id"] in accounts for row in data["opportunities"])
    assert all(row["person_id"] in persons for row in data["engagements"])
    # both kinds of person engage
    assert {row["person_id"].split("-")[0] for row in data["engagements"]} == {"con", "lead"}


def test_hierarchy_is_acyclic_parents_first_at_most_three_levels(
        data: dict[str, list[dict[str, str]]]) -> None:
    seen: dict[str, int] = {}
    for row in data["accounts"]:
        parent = row["parent_id"]
        assert not parent or parent in seen, f"{row['id']} listed before its parent {parent}"
        seen[row["id"]] = seen[parent] + 1 if parent else 1
    assert max(seen.values()) == 3
    subsidiaries = sum(1 for depth in seen.values() if depth > 1) / len(seen)
    assert 0.08 <= subsidiaries <= 0.22


def test_accounts_look_like_companies(data: dict[str, list[dict[str, str]]]) -> None:
    accounts = data["accounts"]
    domains = [row["domain"] for row in accounts]
    domains += [alias for row in accounts for alias in row["domains"].split(";") if alias]
    assert len(domains) == len(set(domains)), "a domain must identify one account"
    names = [normalise(row["name"]) for row in accounts]
    assert len(names) == len(set(names)), "normalised names must not tie"
    assert any(row["parent_id"] and row["domains"] for row in accounts), "subsidiary alias domains"
    assert sum(row["is_target"] == "true" for row in accounts) == 50
    assert {row["tier"] for row in accounts if row["is_target"] == "true"} == {"1", "2", "3"}
    assert all(row["tier"] == "" for row in accounts if row["is_target"] == "false")
    assert {row["is_target"] for row in accounts} == {"true", "false"}
    assert len({row["industry"] for row in accounts} - {""}) == 10
    assert Counter(row["country"] for row in accounts).most_common(1)[0][0] == "US"
    assert sum(1 for row in accounts if row["name"].endswith((" Inc", " GmbH", " Ltd"))) > 20
    employees = sorted(int(row["employees"]) for row in accounts if row["employees"])
    assert employees[len(employees) // 2] * 10 < employees[-1], "employees should be heavy-tailed"
    assert any(row["technologies"] for row in accounts)


def test_users_and_owners(data: dict[str, list[dict[str, str]]]) -> None:
    users = {row["id"]: row for row in data["users"]}
    assert {row["role"] for row in users.values()} == {"AE", "BDR", "SDR", "MANAGER", "MARKETING"}
    assert sum(row["role"] == "AE" for row in users.values()) == 10  # one per 20 accounts
    pools = Counter(item for row in users.values() for item in row["pools"].split(";") if item)
    assert pools["bdr:2"] >= 1 and pools["ae:1"] >= 1
    assert all(re.fullmatch(r"[a-z]+:\d+", item) for item in pools)
    targets = [row for row in data["accounts"] if row["is_target"] == "true"]
    assert sum(1 for row in targets if row["owner_id"]) / len(targets) >= 0.75
    owners = {row["owner_id"] for row in data["accounts"] if row["owner_id"]}
    assert any(users[owner]["active"] == "false" for owner in owners), "a few inactive owners"


def test_contacts(data: dict[str, list[dict[str, str]]]) -> None:
    domains = {row["id"]: {row["domain"], *row["domains"].split(";")} - {""}
               for row in data["accounts"]}
    for row in data["contacts"]:
        assert row["email"].split("@")[1] in domains[row["account_id"]]
        assert set(row["roles"].split(";")) - {""} <= BUYING_ROLES
    assert {row["seniority"] for row in data["contacts"]} == {
        "c_level", "vp", "director", "manager", "individual"}
    assert 0.15 <= sum(1 for row in data["contacts"] if row["roles"]) / len(data["contacts"]) <= 0.5
    emails = [row["email"] for row in data["contacts"]]
    emails += [row["email"] for row in data["leads"] if row["email"]]
    assert len(emails) == len(set(emails))


def test_every_lead_variety_is_present(data: dict[str, list[dict[str, str]]]) -> None:
    account_domains = {row["domain"] for row in data["accounts"]}
    account_domains |= {alias for row in data["accounts"]
                        for alias in row["domains"].split(";") if alias}
    account_names = {normalise(row["name"]) for row in data["accounts"]}
    varieties: Counter[str] = Counter()
    for lead in data["leads"]:
        domain = lead["email"].partition("@")[2]
        company = normalise(lead["company"])
        if domain in account_domains:
            varieties["corporate"] += 1
        elif any(domain.endswith("." + known) for known in account_domains):
            varieties["subdomain"] += 1
        elif domain in FREE_MAIL and company in account_names:
            varieties["free-mail"] += 1
        elif not domain and company in account_names:
            varieties["company-only"] += 1
        if company and company not in account_names and any(
                Levenshtein.distance(company, name) == 1 for name in account_names):
            varieties["misspelled"] += 1
        if domain and domain not in FREE_MAIL and not any(
                domain == known or domain.endswith("." + known) for known in account_domains):
            varieties["unknown company"] += 1
    for variety in ("corporate", "subdomain", "free-mail", "company-only", "misspelled",
                    "unknown company"):
        assert varieties[variety] >= 10, (variety, varieties)


def test_leads_fields(data: dict[str, list[dict[str, str]]]) -> None:
    leads = data["leads"]
    statuses = Counter(row["status"] for row in leads)
    assert statuses.most_common(1)[0][0] == "NEW"
    assert set(statuses) == {"NEW", "MQL", "SAL", "NURTURE", "DISQUALIFIED"}
    assert {row["source"] for row in leads} == {"webinar", "paid_search", "organic", "event",
                                               "referral", "content"}
    assert 0 < sum(row["seniority"] == "student" for row in leads) < len(leads) * 0.05


def test_engagements_use_only_the_vocabulary(data: dict[str, list[dict[str, str]]]) -> None:
    pairs = Counter((row["type"], row["detail"]) for row in data["engagements"])
    for kind, detail in pairs:
        assert detail in VOCABULARY[kind], (kind, detail)
    assert {(k, d) for k, details in VOCABULARY.items() for d in details} == set(pairs)
    types = Counter(row["type"] for row in data["engagements"])
    assert types["email_open"] > types["demo_request"] * 5
    assert types["web_visit"] > types["demo_request"] * 5
    assert {k: set(v) for k, v in datagen.ENGAGEMENT_VOCABULARY.items()} == VOCABULARY


def test_times_fall_in_the_window(data: dict[str, list[dict[str, str]]]) -> None:
    start = (END - timedelta(days=DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = END.strftime("%Y-%m-%dT%H:%M:%SZ")
    created = {row["id"]: row["created_at"] for row in data["leads"]}
    for row in data["leads"]:
        assert ISO_Z.match(row["created_at"]) and start <= row["created_at"] < end
    for row in data["engagements"]:
        assert ISO_Z.match(row["occurred_at"]) and start <= row["occurred_at"] < end
        assert row["occurred_at"] >= created.get(row["person_id"], start), "touch before the lead"
    for row in data["opportunities"]:
        assert ISO_Z.match(row["created_at"]) and row["created_at"] < end
        assert (row["status"] == "OPEN") == (row["closed_at"] == "")
        assert not row["closed_at"] or row["created_at"] <= row["closed_at"] < end
        assert float(row["amount"]) > 0
    assert {row["status"] for row in data["opportunities"]} == {"OPEN", "WON", "LOST"}


def test_stage_histories_follow_the_funnel_and_the_opportunities(
        data: dict[str, list[dict[str, str]]]) -> None:
    funnel = ["TARGET", "AWARE", "ENGAGED", "MQA", "OPPORTUNITY", "CUSTOMER"]
    accounts = {row["id"]: row for row in data["accounts"]}
    histories: dict[str, list[dict[str, str]]] = {}
    for row in data["stage_changes"]:
        histories.setdefault(row["account_id"], []).append(row)
    deals: dict[str, list[dict[str, str]]] = {}
    for row in data["opportunities"]:
        deals.setdefault(row["account_id"], []).append(row)
    end = END.strftime("%Y-%m-%dT%H:%M:%SZ")
    for account_id, changes in histories.items():
        assert account_id in accounts
        previous, at = "", ""
        for change in changes:  # oldest first, each moving on from the one before
            assert change["stage"] in funnel and change["stage"] != previous
            assert change["previous"] == previous and ISO_Z.match(change["at"]) and at <= change["at"] < end
            previous, at = change["stage"], change["at"]
        # target accounts start at TARGET, others higher
        assert (changes[0]["stage"] == "TARGET") == (accounts[account_id]["is_target"] == "true")
        own = deals.get(account_id, [])
        won = [deal["closed_at"] for deal in own if deal["status"] == "WON"]
        assert (previous == "CUSTOMER") == bool(won), account_id
        if won:  # a customer since its first won deal, after an opportunity
            assert next(c["at"] for c in changes if c["stage"] == "CUSTOMER") == min(won)
            assert changes[-2]["stage"] == "OPPORTUNITY"
        if any(deal["status"] == "OPEN" for deal in own) and not won:
            assert previous == "OPPORTUNITY"
        if own:
            first = min(deal["created_at"] for deal in own)
            assert next(c["at"] for c in changes if c["stage"] == "OPPORTUNITY") == first
    assert sum(len(changes) > 1 for changes in histories.values()) > len(accounts) / 2


def test_recent_surge_is_concentrated(data: dict[str, list[dict[str, str]]]) -> None:
    """Some accounts surge in the last weeks: their recent share stands out from the median."""
    account_of = {row["id"]: row["account_id"] for row in data["contacts"]}
    cutoff = (END - timedelta(days=21)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in data["engagements"]:
        account = account_of.get(row["person_id"])
        if account:
            total[account] += 1
            recent[account] += row["occurred_at"] >= cutoff
    shares = sorted(recent[a] / total[a] for a in total if total[a] >= 20)
    assert shares[len(shares) // 2] < 0.3 and shares[-5] > 0.5


def test_chunked_streaming_keeps_counts_and_references(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datagen, "_ENGAGEMENT_CHUNK", 97)
    written = generate(tmp_path, accounts=25, engagements_per_account=40)
    engagements = read(tmp_path, "engagements")
    persons = {row["id"] for kind in ("contacts", "leads") for row in read(tmp_path, kind)}
    assert len(engagements) == written["engagements"] == 1000
    assert [row["id"] for row in engagements] == [f"eng-{n:07d}" for n in range(1, 1001)]
    assert all(row["person_id"] in persons for row in engagements)


def test_a_one_day_window_still_gives_stage_histories_inside_it(tmp_path: Path) -> None:
    written = generate(tmp_path, accounts=50, days=1, engagements_per_account=3)
    with_deals = {row["account_id"] for row in read(tmp_path, "opportunities")}
    changes = [row for row in read(tmp_path, "stage_changes") if row["account_id"] not in with_deals]
    assert written["stage_changes"] > 0 and changes
    start = (END - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(start <= row["at"] < END.strftime("%Y-%m-%dT%H:%M:%SZ") for row in changes)


@pytest.mark.parametrize("arguments", [{"accounts": 0}, {"accounts": 5, "days": 0},
                                       {"accounts": 5, "seed": -1},
                                       {"accounts": 5, "leads_per_account": -1}])
def test_rejects_impossible_arguments(tmp_path: Path, arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, **arguments)


def test_shipped_demo_set_is_a_fresh_generation(demo: tuple[Path, dict[str, int]]) -> None:
    for kind in KINDS:
        shipped = DEMO_DIR / f"{kind}.csv"
        assert shipped.read_bytes() == (demo[0] / f"{kind}.csv").read_bytes(), (
            f"{shipped} is stale: regenerate with generate(Path('seeds/demo'), "
            f"accounts={DEMO_ACCOUNTS}, seed={DEMO_SEED})")


def test_lead_status_changes_lead_each_lead_to_its_status_by_allowed_moves(
        demo: tuple[Path, dict[str, int]], data: dict[str, list[dict[str, str]]]) -> None:
    moves = read(demo[0], "lead_status_changes")
    assert len(moves) == demo[1]["lead_status_changes"] > 0
    leads = {lead["id"]: lead for lead in data["leads"]}
    by_lead: dict[str, list[dict[str, str]]] = {}
    for move in moves:
        by_lead.setdefault(move["lead_id"], []).append(move)
    for lead_id, path in by_lead.items():
        lead = leads[lead_id]
        assert path[0]["previous"] == "NEW" and path[-1]["status"] == lead["status"], lead_id
        times = [move["at"] for move in path]
        assert all(ISO_Z.match(t) for t in times) and times == sorted(times) and len(set(times)) == len(times)
        assert lead["created_at"] < times[0] and times[-1] < END.strftime("%Y-%m-%dT%H:%M:%SZ"), lead_id
        for before, after in itertools.pairwise(path):
            assert after["previous"] == before["status"], lead_id
        assert all(can_move(move["previous"], move["status"]) for move in path), lead_id
    # NEW leads never moved; every other one did.
    assert {i for i, lead in leads.items() if lead["status"] != "NEW"} == set(by_lead)
