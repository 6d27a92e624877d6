"""Scorecards, recommendations, lead plan and the CSV report on the shipped demo set.

The demo (200 accounts, 50 of them targets, 1,000 leads, 20,000 engagements, 29 opportunities of
which 10 won and 7 lost) is loaded once for the module; ``load_demo`` ends with a whole-graph
``recompute_graph``, which also evaluates account stages. The checks are that every answer is
non-empty and sensible, and that the scorecard agrees with what recompute stored at its moment.
"""

from __future__ import annotations

import csv
from dataclasses import fields
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from scorecard_graph import assert_same_json

from graphsvc.cli import main
from graphsvc.config import get_settings
from graphsvc.demo import load_demo
from graphsvc.scorecards.account import AccountScorecard, account_scorecards
from graphsvc.scorecards.planning import lead_plan
from graphsvc.scorecards.program import program_scorecard, read_target_figures, target_account_ids
from graphsvc.scorecards.report import CSV_COLUMNS
from graphsvc.scorecards.targets import account_lookalikes, target_recommendations
from graphsvc.scores.current import account_coverages
from graphsvc.scores.documents import documents_in_force
from graphsvc.scores.read_model import read_account_windows, read_own_levels
from graphsvc.scores.recompute import read_accounts
from graphsvc.scores.subtrees import subtree_scores
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
async def demo(db: Database) -> Database:
    await db.write("admin/delete_all")
    assert await load_demo(db, now=NOW) is not None
    return db


async def _stored(db: Database, ids: list[str]) -> dict[str, dict]:
    return {row["account"]["id"]: row["account"] for row in await db.read("accounts/by_ids", ids=ids)}


async def test_account_scorecards_agree_with_the_stored_recompute(demo):
    targets = await target_account_ids(demo)
    assert len(targets) == 50
    stored = await _stored(demo, targets)
    scored_at = stored[targets[0]]["scored_at"].to_native()
    cards = await account_scorecards(demo, targets, as_of=scored_at)
    assert set(cards) == set(targets)
    for account_id, card in cards.items():
        account = stored[account_id]
        assert card.engagement_level == pytest.approx(account["score_windowed"], rel=1e-9, abs=1e-9)
        assert card.rolled_up_engagement_level == pytest.approx(account["score_rolled_windowed"], rel=1e-9, abs=1e-9)
        assert card.coverage == pytest.approx(account["score_coverage"])
        assert card.engaged_coverage == pytest.approx(account["score_engaged_coverage"])
        assert card.engaged_contacts == account["score_engaged_contacts"]
        assert str(card.stage) == account["stage"] if account.get("stage") else card.stage is None
        assert 0 <= card.engaged_leads <= card.leads_associated and 0.0 <= card.percent_engaged <= 100.0
        assert 0.0 <= card.engaged_coverage <= card.coverage <= 1.0
    assert sum(card.leads_associated for card in cards.values()) > 500
    assert sum(card.engaged_leads > 0 for card in cards.values()) > 10
    assert any(card.engagement_change is not None for card in cards.values())
    assert sum(card.open_opportunities for card in cards.values()) >= 1


async def test_the_read_model_equals_the_live_computation_for_every_account_now(demo):
    ids = [row["account"]["id"] for row in await read_accounts(demo)]
    assert len(ids) == 200
    documents = await documents_in_force(demo)
    now = datetime.now(UTC)
    windows = await read_account_windows(demo, ids, documents, now, 90)
    assert None not in windows.values()  # every account served by the read model
    cards = await account_scorecards(demo, ids, as_of=now, documents=documents)
    live = await account_scorecards(demo, ids, as_of=now, documents=documents, live=True)
    assert cards.keys() == live.keys() == set(ids)
    for account_id, card in cards.items():
        expected = live[account_id].as_dict()
        for name, value in card.as_dict().items():
            if isinstance(value, float):
                assert value == pytest.approx(expected[name], rel=1e-9, abs=1e-9), (account_id, name)
            else:
                assert value == expected[name], (account_id, name)
    coverages = await account_coverages(demo, ids, documents, now)
    exact = await subtree_scores(demo, ids, now, documents=documents)
    for account_id in ids:
        assert coverages[account_id] == exact.committee_coverage(account_id), account_id


@pytest.mark.parametrize("filters", [{}, {"tier": 1}, {"industry": "software"}, {"tier": 3, "industry": "finance"}])
async def test_the_program_scorecard_from_stored_figures_equals_the_live_one_now(demo, filters):
    now = datetime.now(UTC)
    documents = await documents_in_force(demo)
    _, _, rest = await read_target_figures(demo, documents, now, 90, **filters)
    assert rest == []  # every target served by the stored figures
    stored = await program_scorecard(demo, 90, now, **filters)
    live = await program_scorecard(demo, 90, now, live=True, **filters)
    assert stored["abm"]["target_accounts"] > 0
    assert_same_json(stored, live)


async def test_target_recommendations_from_the_read_model_equal_the_live_ones_now(demo):
    now = datetime.now(UTC)
    documents = await documents_in_force(demo)
    levels = await read_own_levels(demo, documents, now, 90)
    assert len(levels) == 200 and None not in levels.values()  # every account served by the read model
    stored = await target_recommendations(demo, first=None, as_of=now)
    live = await target_recommendations(demo, first=None, as_of=now, live=True)
    assert len(stored) == len(live) > 150  # every non-customer: the default tiers hold 560
    assert sum(r.surge > 0 for r in live) > 10
    for found, expected in zip(stored, live, strict=True):
        assert (found.account_id, found.tier, found.reasons) == (expected.account_id, expected.tier, expected.reasons)
        for name in ("priority", "fit", "lookalike", "surge"):
            assert getattr(found, name) == pytest.approx(getattr(expected, name), rel=1e-9, abs=1e-9), name


async def test_program_scorecard_on_the_demo(demo):
    card = await program_scorecard(demo)
    traditional, abm = card["traditional"], card["abm"]
    assert traditional["leads"] == 1000
    assert traditional["mqls"] >= 89 + 45 and traditional["sals"] >= 45
    assert 0 < traditional["conversion"]["lead_to_mql"] < 1
    assert abm["target_accounts"] == 50 and sum(abm["by_stage"].values()) == 50
    assert 0 < abm["percent_engaged"] <= 100 and 0 < abm["mean_coverage"] <= 1
    assert set(card["sla"]) >= {"by_path", "total"}
    narrowed = await program_scorecard(demo, tier=1)
    assert narrowed["abm"]["target_accounts"] == 10 and narrowed["traditional"]["leads"] < 1000


async def test_recommendations_and_lookalikes_on_the_demo(demo):
    customers = {
        row["account"]["id"]
        for row in await demo.read("targets/accounts")
        if row["won_undated"] or any(at.to_native() <= NOW for at in row["won_closed_at"])
    }
    ranked = await target_recommendations(demo)
    assert len(ranked) == 200 - len(customers)  # every non-customer: the default tiers hold 560
    assert customers and not customers & {r.account_id for r in ranked}
    assert [r.tier for r in ranked[:11]] == [1] * 10 + [2]
    assert all(ranked[i].priority >= ranked[i + 1].priority for i in range(len(ranked) - 1))
    assert all(r.reasons[0].startswith("ICP fit") for r in ranked)
    assert sum(r.lookalike > 0 for r in ranked) > 100 and any(r.surge > 0 for r in ranked)
    similar = await account_lookalikes(demo, ranked[0].account_id, first=5)
    assert len(similar) == 5 and all(0 < s.similarity <= 1 and s.shared_attributes for s in similar)


async def test_lead_plan_on_the_demo(demo):
    plan = await lead_plan(demo, 1_000_000, 50_000)
    assert plan.won_deals == 20
    assert plan.won_deals <= plan.opportunities <= plan.sqls <= plan.mqls <= plan.inquiries
    assert plan.rates.win_rate.source == "measured" and plan.rates.inquiry_to_mql.source == "measured"
    assert plan.accounts is not None and plan.accounts > 0


@pytest.fixture
def cli_env(demo, embedded, monkeypatch):
    """Settings that send graphsvc commands to the session's server, where the demo is loaded."""
    monkeypatch.setenv("GRAPHSVC_NEO4J_URI", str(embedded.status()["bolt_uri"]))
    monkeypatch.setenv("GRAPHSVC_NEO4J_USER", ROOT_USER)
    monkeypatch.setenv("GRAPHSVC_NEO4J_PASSWORD", embedded.password())
    monkeypatch.setenv("GRAPHSVC_NEO4J_DATABASE", DATABASE_NAME)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_report_scorecard_command_writes_the_csv(cli_env, tmp_path):
    out = tmp_path / "scorecard.csv"
    result = CliRunner().invoke(
        main,
        ["report", "scorecard", "--out", str(out), "--window-days", "30", "--as-of", NOW.strftime("%Y-%m-%dT%H:%M:%S")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames) == CSV_COLUMNS
        rows = list(reader)
    assert f"wrote {len(rows)} rows (the program scorecard and 50 target accounts)" in result.output
    program = {(row["subject"], row["metric"]): row["value"] for row in rows if row["scope"] == "program"}
    assert program[("program", "window_days")] == "30"
    assert program[("program", "as_of")] == NOW.isoformat()
    assert program[("traditional", "leads")] == "1000"
    assert program[("abm", "target_accounts")] == "50"
    assert ("abm", "by_stage.MQA") in program and ("sla", "total.decisions") in program
    accounts = [row for row in rows if row["scope"] == "account"]
    per_account = len(fields(AccountScorecard)) - 2  # id and name are columns of their own
    assert len(accounts) == 50 * per_account
    assert len({row["subject"] for row in accounts}) == 50 and all(row["name"] for row in accounts)
    window = {row["value"] for row in accounts if row["metric"] == "window_days"}
    assert window == {"30"}


def test_report_scorecard_refuses_a_window_of_zero(cli_env, tmp_path):
    result = CliRunner().invoke(main, ["report", "scorecard", "--out", str(tmp_path / "x.csv"), "--window-days", "0"])
    assert result.exit_code == 2 and "--window-days" in result.output
