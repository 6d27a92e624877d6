"""The suite's measures. Each takes a :class:`Run` and returns its figures as a JSON-able dict.

Targets (issue 7) live beside the code that judges them, in :func:`table_rows`.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphsvc.schema.pagination import encode_seek_cursor
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store import open_store
from suite.common import BENCH_DIR, DATA_ROOT, Scale, StatementTimer, latency_summary, now_iso
from suite.dataset import IMPORT_BATCH_SIZE, Dataset, ensure_dataset, settings_for, working_copy
from suite.profiles import summarise
from suite.server import Profiler, ServeProcess

__all__ = ["MEASURES", "Run", "table_rows"]

log = logging.getLogger(__name__)

CLIENTS = 16  # concurrent clients of the latency runs (issue 7)
DEFAULT_DB_TIMEOUT = 30.0  # graphsvc's GRAPHSVC_DB_TIMEOUT


@dataclass
class Run:
    """One suite run: scale, seed, options, and the data set and server shared by its measures."""

    scale: Scale
    seed: int
    heap: str
    rebuild: bool
    profile: bool
    reference: bool
    _dataset: Dataset | None = None
    _server: ServeProcess | None = None
    _server_copy: Path | None = None
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))

    def dataset(self) -> Dataset:
        """The built data set (built on first use when missing)."""
        if self._dataset is None:
            self._dataset = ensure_dataset(self.scale, self.seed, self.heap, self.rebuild)
        return self._dataset

    def server(self) -> ServeProcess:
        """``graphsvc serve`` on a fresh copy of the data set, started on first use."""
        if self._server is None:
            self._server_copy = working_copy(self.dataset(), "serve")
            log = DATA_ROOT / "logs" / f"serve-{self.scale.name}-{self.stamp}.log"
            self._server = ServeProcess(self._server_copy, self.heap, log).__enter__()
        return self._server

    def close(self) -> None:
        """Stop the server, if one was started."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    @contextmanager
    def profiled(self, name: str, pid: int) -> Iterator[dict[str, Any]]:
        """py-spy on ``pid`` while the block runs (with ``--profile``); the summary lands in the yielded dict."""
        out = DATA_ROOT / "profiles" / f"{name}-{self.scale.name}-{self.stamp}.txt"
        holder: dict[str, Any] = {}
        started = time.perf_counter()
        with Profiler(pid, out, enabled=self.profile) as profiler:
            yield holder
        if profiler.path is not None:
            holder["profile"] = summarise(profiler.path, time.perf_counter() - started)

    def csv_rows(self, kind: str) -> list[dict[str, str]]:
        """The generated rows of one kind."""
        with (self.dataset().csv_dir / f"{kind}.csv").open(newline="") as handle:
            return list(csv.DictReader(handle))

    def load(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Run the load generator in its own process against the server; returns its result."""
        server = self.server()
        work = DATA_ROOT / "load"
        work.mkdir(parents=True, exist_ok=True)
        spec_path = work / f"{name}-{self.scale.name}-spec.json"
        out_path = work / f"{name}-{self.scale.name}-out.json"
        spec_path.write_text(json.dumps({"url": f"{server.url}/graphql", **spec}))
        before = server.db_totals()
        with self.profiled(name, server.pid) as profile:
            subprocess.run(
                [sys.executable, str(Path(__file__).with_name("loadgen.py")), str(spec_path), str(out_path)],
                check=True,
            )
        after = server.db_totals()
        result = json.loads(out_path.read_text())
        result["server_db"] = {
            "statements": after[0] - before[0],
            "seconds": round(after[1] - before[1], 3),
        }
        result.update(profile)
        return result


def _load_figures(result: dict[str, Any]) -> dict[str, Any]:
    """What a load run reports: latency percentiles, throughput, errors, database time."""
    figures = {
        "clients": result["concurrency"],
        "requests": result["requests"],
        "errors": result["errors"],
        "error_samples": result["error_samples"],
        "wall_s": result["wall_seconds"],
        "throughput_per_s": result["throughput_per_s"],
        "latency": latency_summary(result["latencies_s"]),
        "server_db": result["server_db"],
    }
    if result["requests"] and result["server_db"]["statements"]:
        db = result["server_db"]
        figures["server_db"]["statements_per_request"] = round(db["statements"] / result["requests"], 2)
        figures["server_db"]["mean_statement_ms"] = round(1000 * db["seconds"] / db["statements"], 2)
        # Summed over concurrent requests, so compare it with the summed latencies.
        figures["server_db"]["share_of_request_time"] = round(db["seconds"] / sum(result["latencies_s"]), 3)
    if "profile" in result:
        figures["profile"] = result["profile"]
    return figures


# -- database-free ------------------------------------------------------------------------------


def measure_recompute_memory(run: Run) -> dict[str, Any]:
    """``bench/recompute.py`` at this scale, in its own process (so its peak memory is its own)."""
    command = [sys.executable, str(BENCH_DIR / "recompute.py"), "--scale", run.scale.name, "--seed", str(run.seed)]
    if not run.reference:
        command.append("--no-reference")
    subprocess.run(command, check=True)
    figures = json.loads((BENCH_DIR / "results" / f"recompute-{run.scale.name}.json").read_text())
    figures["build_plus_compute_s"] = round(figures["snapshot_build_s"] + figures["fast_recompute_s"], 3)
    return figures


# -- the database -------------------------------------------------------------------------------


def measure_import(run: Run) -> dict[str, Any]:
    """The bulk import of the data set's CSV files into a fresh embedded database, per kind.

    Every run imports again (into ``work/<data set>-import``), so the figure is the current
    importer's, not the build's; the build's own figures stay in the manifest. Per kind: rows/s,
    the seconds spent inside write transactions and in reads outside them, and with ``--profile``
    py-spy's summary of this process (its samples over the wall-clock are the Python side's share).
    """
    dataset = run.dataset()
    target = DATA_ROOT / "work" / f"{dataset.root.name}-import"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    figures = asyncio.run(_import_into(run, dataset.csv_dir, target))
    return {
        "batch_size": IMPORT_BATCH_SIZE,
        "heap": run.heap,
        "build": {"built_at": dataset.manifest["built_at"], "kinds": dataset.manifest["import"]},
        "kinds": figures,
    }


def _children_cpu_s() -> float:
    """CPU seconds (user + system) of this process's child processes: the embedded database server."""
    return _process_cpu_s(os.getpid())[1]


def _process_cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of process ``pid`` and of its child processes (the database server)."""
    own = children = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid:
            own = int(fields[11]) + int(fields[12])
        elif int(fields[1]) == pid:
            children += int(fields[11]) + int(fields[12])
    return own / os.sysconf("SC_CLK_TCK"), children / os.sysconf("SC_CLK_TCK")


@contextmanager
def _transaction_statements_timed() -> Iterator[dict[str, list[float]]]:
    """Seconds of each statement run inside a write transaction (send, server work, and reading the result)."""
    from graphsvc.store.database import Transaction

    original = Transaction.run
    timings: dict[str, list[float]] = {}

    async def timed(tx: Transaction, name: str, **params: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(tx, name, **params)
        finally:
            timings.setdefault(name, []).append(time.perf_counter() - started)

    Transaction.run = timed  # type: ignore[method-assign]
    try:
        yield timings
    finally:
        Transaction.run = original  # type: ignore[method-assign]


async def _import_into(run: Run, csv_dir: Path, data_dir: Path) -> dict[str, Any]:
    from graphsvc.ingest.importer import Importer
    from graphsvc.ingest.records import KINDS

    figures: dict[str, Any] = {}
    async with open_store(settings_for(data_dir, run.heap)) as db:
        importer = Importer(db, IMPORT_BATCH_SIZE)
        for kind in KINDS:
            with (
                StatementTimer() as timer,
                _transaction_statements_timed() as in_transactions,
                run.profiled(f"import-{kind}", os.getpid()) as profile,
            ):
                started, cpu_before = time.perf_counter(), (time.process_time(), _children_cpu_s())
                report = await importer.import_file(csv_dir / f"{kind}.csv", kind)
                seconds = time.perf_counter() - started
                cpu = (time.process_time() - cpu_before[0], _children_cpu_s() - cpu_before[1])
            by_statement = {name: round(sum(times), 2) for name, times in timer.seconds.items()}
            by_statement.update({f"  in tx: {name}": round(sum(times), 2) for name, times in in_transactions.items()})
            figures[kind] = {
                "rows": report.imported,
                "failed": report.failed,
                "seconds": round(seconds, 2),
                "rows_per_s": round(report.imported / seconds, 1) if seconds else None,
                # CPU per row, robust to the machine's load: graphsvc's process and the database server's.
                "cpu_us_per_row": {
                    "python": round(1e6 * cpu[0] / max(report.imported, 1), 1),
                    "database": round(1e6 * cpu[1] / max(report.imported, 1), 1),
                },
                "statement_s": dict(sorted(by_statement.items(), key=lambda item: -item[1])),
                **profile,
            }
            log.info("imported %s: %s", kind, figures[kind])
    return figures


def measure_recompute_db(run: Run) -> dict[str, Any]:
    """``recompute_graph`` end to end (read, match, compute, grade, write, stages) on a copy of the database.

    With graphsvc's default settings (statement timeout 30 s), as ``graphsvc recompute`` runs; the
    statements that took longest are listed, and any over 30 s would have failed the run.
    """
    started = time.perf_counter()
    data_dir = working_copy(run.dataset(), "recompute")
    copy_s = time.perf_counter() - started

    async def recompute() -> dict[str, Any]:
        async with open_store(settings_for(data_dir, run.heap)) as db:
            with run.profiled("recompute-db", os.getpid()) as profile, StatementTimer() as timer:
                started = time.perf_counter()
                report = await recompute_graph(db)
                seconds = time.perf_counter() - started
        slowest = timer.slowest()
        return {
            "seconds": round(seconds, 2),
            "phases_s": report.seconds,
            "slowest_statements_s": slowest,
            "over_default_timeout": [row["statement"] for row in slowest if row["max_s"] > DEFAULT_DB_TIMEOUT],
            "accounts": report.accounts,
            "persons": report.persons,
            "engagements": report.engagements,
            "copy_database_s": round(copy_s, 1),
            **profile,
        }

    return asyncio.run(recompute())


# -- the served API under load ---------------------------------------------------------------------

SCORECARD_QUERY = """
query Scorecard($id: ID!) {
  account(id: $id) {
    id
    scorecard { windowDays leadsAssociated engagedLeads percentEngaged engagementLevel engagementChange
                coverage engagedCoverage stage daysInStage openOpportunities pipelineAmount }
    coverage { template coverage engagedCoverage engagedContacts singleThreaded missingRoles unengagedRoles
               roles { role required known engaged } }
  }
}"""

PAGE_QUERY = """
query Page($first: Int!, $after: String) {
  accounts(first: $first, after: $after) {
    edges { node {
      id name
      owner { name }
      score { total }
      coverage { coverage engagedCoverage }
      contacts(first: 10) { edges { node { id name title } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""

# The list page that finds: target accounts of one tier scoring at least LIST_MIN_SCORE, best first.
LIST_QUERY = """
query List($first: Int!, $after: String, $minScore: Float, $tier: Int) {
  accounts(first: $first, after: $after, orderBy: "-score", isTarget: true, tier: $tier, minScore: $minScore) {
    edges { node {
      id name
      owner { name }
      score { total }
      coverage { coverage engagedCoverage }
      contacts(first: 10) { edges { node { id name title } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""
LIST_FILTERS = {"minScore": 10.0, "tier": 1}

ROUTE_MUTATION = """
mutation Route($id: ID!) {
  routeLead(leadId: $id) { id status path rule assignee { id } lead { id } }
}"""

QUEUE_QUERY = """
query Queue($after: String) {
  myQueue(first: 100, after: $after) {
    edges { node { id status lead { id } assignee { id capacity } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

IMPORT_MUTATION = """
mutation Add($rows: [JSON!]!) { importRecords(kind: "engagements", rows: $rows) { imported failed } }"""

SCORE_QUERY = """
query Score($id: ID!) { account(id: $id) { score { engagement } } }"""


def measure_scorecard(run: Run) -> dict[str, Any]:
    """Account.scorecard + coverage of random accounts: one client (the cost of a request), then 16 (the target)."""
    ids = [row["id"] for row in run.csv_rows("accounts")]
    rng = random.Random(run.seed)
    bodies = [{"query": SCORECARD_QUERY, "variables": {"id": rng.choice(ids)}} for _ in range(3000)]
    alone = run.load(
        "scorecard-1", {"concurrency": 1, "requests": bodies[:200], "warmup": 5, "max_requests": 200, "max_seconds": 30}
    )
    result = run.load(
        "scorecard", {"concurrency": CLIENTS, "requests": bodies, "warmup": 32, "max_requests": 3000, "max_seconds": 90}
    )
    return {**_load_figures(result), "one_client": _load_figures(alone)}


def measure_page(run: Run) -> dict[str, Any]:
    """A page of accounts with owner, score, coverage and 10 contacts: statements per page size, then latency."""
    server = run.server()
    # Seek cursors: the (name, id) of the row before the page, as the API hands them out.
    rows = sorted(run.csv_rows("accounts"), key=lambda row: (row["name"], row["id"]))

    def encode_cursor(index: int) -> str:
        return encode_seek_cursor("name", rows[index]["name"], rows[index]["id"])

    accounts = len(rows)
    statements = {}
    for size in (10, 50, 100):
        before = server.db_totals()[0]
        answer = server.graphql(PAGE_QUERY, first=size, after=encode_cursor(99))
        if answer.get("errors"):
            raise RuntimeError(f"page query failed: {answer['errors']}")
        statements[str(size)] = server.db_totals()[0] - before
    rng = random.Random(run.seed)
    bodies = []
    for _ in range(200):
        offset = rng.randrange(0, max(1, accounts - 50))
        after = encode_cursor(offset - 1) if offset else None
        bodies.append({"query": PAGE_QUERY, "variables": {"first": 50, "after": after}})
    result = run.load(
        "page", {"concurrency": 1, "requests": bodies, "warmup": 3, "max_requests": 200, "max_seconds": 90}
    )
    return {"statements_by_page_size": statements, **_load_figures(result)}


def measure_incremental(run: Run) -> dict[str, Any]:
    """One new engagement through ``importRecords``, then the account's score read back; one client.

    The latency is both requests together; the score must have risen by the engagement's points.
    """
    server = run.server()
    rng = random.Random(run.seed)
    by_account: dict[str, list[str]] = {}
    for row in run.csv_rows("contacts"):
        by_account.setdefault(row["account_id"], []).append(row["id"])
    samples = 200
    accounts = rng.sample(sorted(by_account), min(samples, len(by_account)))
    before = {}
    for account in accounts:
        before[account] = server.graphql(SCORE_QUERY, id=account)["data"]["account"]["score"]["engagement"]
    at = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0).isoformat()
    sequences = []
    for i, account in enumerate(accounts):
        row = {
            "id": f"bench-{run.stamp}-{i}",
            "person_id": rng.choice(by_account[account]),
            "type": "demo_request",
            "occurred_at": at,
            "campaign": "bench",
        }
        sequences.append(
            [
                {"query": IMPORT_MUTATION, "variables": {"rows": [row]}},
                {"query": SCORE_QUERY, "variables": {"id": account}},
            ]
        )
    result = run.load(
        "incremental",
        {
            "concurrency": 1,
            "requests": sequences,
            "warmup": 0,
            "max_requests": len(sequences),
            "max_seconds": 120,
            "keep_data": True,
        },
    )
    figures = _load_figures(result)
    import_s, read_s, not_seen = [], [], 0
    for index, steps in (result["data"] or {}).items():
        if not steps or len(steps) < 2:
            continue
        import_s.append(steps[0]["seconds"])
        read_s.append(steps[1]["seconds"])
        account = accounts[int(index)]
        after = steps[1]["data"]["account"]["score"]["engagement"]
        not_seen += after <= before[account] + 1e-9
    figures["import_request"] = latency_summary(import_s)
    figures["score_request"] = latency_summary(read_s)
    figures["score_not_risen"] = not_seen
    return figures


def measure_route(run: Run) -> dict[str, Any]:
    """routeLead from 16 clients over NEW leads, a quarter of them sent twice at once; then the checks.

    No double assignment: the answers for a lead sent twice name at most one assigned decision, no
    lead holds two PENDING decisions afterwards, and no assignee holds more PENDING decisions than
    its capacity.
    """
    server = run.server()
    rng = random.Random(run.seed)
    leads = rng.sample(sorted(row["id"] for row in run.csv_rows("leads") if row["status"] == "NEW"), 400)
    twice = set(rng.sample(leads, 100))
    order = [lead for lead in leads for _ in range(2 if lead in twice else 1)]  # neighbours go out together
    bodies = [{"query": ROUTE_MUTATION, "variables": {"id": lead}} for lead in order]
    cpu_before = _process_cpu_s(server.pid)
    result = run.load(
        "route",
        {
            "concurrency": CLIENTS,
            "requests": bodies,
            "warmup": 0,
            "max_requests": len(bodies),
            "max_seconds": 120,
            "keep_data": True,
        },
    )
    cpu = [after - before for after, before in zip(_process_cpu_s(server.pid), cpu_before, strict=True)]
    figures = _load_figures(result)
    # CPU per request, robust to the machine's load (which the latencies are not).
    figures["cpu_ms_per_request"] = {
        "server": round(1000 * cpu[0] / max(result["requests"], 1), 2),
        "database": round(1000 * cpu[1] / max(result["requests"], 1), 2),
    }
    # A nurtured or unassigned lead may be decided again; only assignments must be unique.
    assigned: dict[str, set[str]] = {}
    routed: set[str] = set()
    outcomes: Counter[str] = Counter()
    for index, data in (result["data"] or {}).items():
        decision = (data or {}).get("routeLead")
        if decision is None:
            continue
        routed.add(order[int(index)])
        if decision["assignee"] is not None:
            assigned.setdefault(order[int(index)], set()).add(decision["id"])
        outcomes[f"{decision['path']}/{decision['rule']}/{decision['status']}"] += 1
    pending_by_lead: Counter[str] = Counter()
    pending_by_user: Counter[str] = Counter()
    capacity: dict[str, int | None] = {}
    after = None
    while True:
        page = server.graphql(QUEUE_QUERY, after=after)["data"]["myQueue"]
        for edge in page["edges"]:
            node = edge["node"]
            pending_by_lead[node["lead"]["id"]] += 1
            if node["assignee"] is not None:
                pending_by_user[node["assignee"]["id"]] += 1
                capacity[node["assignee"]["id"]] = node["assignee"]["capacity"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    figures["checks"] = {
        "leads_routed": len(routed),
        "leads_sent_twice": len(twice),
        "leads_assigned_twice": sum(1 for ids in assigned.values() if len(ids) > 1),
        "leads_with_two_pending": sum(1 for n in pending_by_lead.values() if n > 1),
        "assignees_over_capacity": sum(
            1 for user, n in pending_by_user.items() if capacity[user] is not None and n > capacity[user]
        ),
        "pending_decisions": sum(pending_by_lead.values()),
        "outcomes": dict(outcomes.most_common()),
    }
    checks = figures["checks"]
    figures["double_assignments"] = (
        checks["leads_assigned_twice"] + checks["leads_with_two_pending"] + checks["assignees_over_capacity"]
    )
    return figures


TARGETS_QUERY = """
query Targets { targetAccounts(first: 50) { priority fit lookalike surge tier reasons account { id name } } }"""

PROGRAM_QUERY = """
query Program { programScorecard { windowDays traditional abm sla } }"""

# Requests per strategist query: each can take seconds before the read model serves it.
_STRATEGIST_REQUESTS = 40


def measure_strategist(run: Run) -> dict[str, Any]:
    """targetAccounts(first: 50) and programScorecard, one client each (the strategist's questions, issue 13).

    Read-only, so both run on the suite's server; the first request of each is a warm-up (it may
    build the similarity data of the data version, shared by every later request).
    """
    figures: dict[str, Any] = {}
    server = run.server()
    for name, query in (("target_accounts", TARGETS_QUERY), ("program_scorecard", PROGRAM_QUERY)):
        cpu_before = _process_cpu_s(server.pid)
        result = run.load(
            f"strategist-{name}",
            {
                "concurrency": 1,
                "requests": [{"query": query}],
                "warmup": 1,
                "max_requests": _STRATEGIST_REQUESTS,
                "max_seconds": 120,
            },
        )
        cpu = [after - before for after, before in zip(_process_cpu_s(server.pid), cpu_before, strict=True)]
        figures[name] = _load_figures(result)
        # CPU per request (warm-up included), robust to the machine's load, which the latencies are not.
        requests = max(result["requests"] + 1, 1)
        figures[name]["cpu_ms_per_request"] = {
            "server": round(1000 * cpu[0] / requests, 1),
            "database": round(1000 * cpu[1] / requests, 1),
        }
    return figures


def measure_list(run: Run) -> dict[str, Any]:
    """A filtered, score-ordered page of 50 accounts (LIST_QUERY): statements per page size, then latency.

    The cursors are the list's own, taken by walking it once; requests then read the first page or the
    page after one of those cursors.
    """
    server = run.server()
    cursors: list[str | None] = [None]
    total_rows = 0
    while True:
        answer = server.graphql(LIST_QUERY, first=50, after=cursors[-1], **LIST_FILTERS)
        if answer.get("errors"):
            raise RuntimeError(f"list query failed: {answer['errors']}")
        page = answer["data"]["accounts"]
        total_rows += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursors.append(page["pageInfo"]["endCursor"])
    statements = {}
    for size in (10, 50, 100):
        before = server.db_totals()[0]
        server.graphql(LIST_QUERY, first=size, after=cursors[min(1, len(cursors) - 1)], **LIST_FILTERS)
        statements[str(size)] = server.db_totals()[0] - before
    rng = random.Random(run.seed)
    bodies = [
        {"query": LIST_QUERY, "variables": {"first": 50, "after": rng.choice(cursors), **LIST_FILTERS}}
        for _ in range(200)
    ]
    result = run.load(
        "list", {"concurrency": 1, "requests": bodies, "warmup": 3, "max_requests": 200, "max_seconds": 90}
    )
    return {
        "filters": LIST_FILTERS,
        "matching_rows": total_rows,
        "statements_by_page_size": statements,
        **_load_figures(result),
    }


# Name -> (function, needs a database). Order: read-only API measures before the ones that write.
MEASURES: dict[str, tuple[Callable[[Run], dict[str, Any]], bool]] = {
    "recompute-memory": (measure_recompute_memory, False),
    "import": (measure_import, True),
    "recompute-db": (measure_recompute_db, True),
    "page": (measure_page, True),
    "list": (measure_list, True),
    "scorecard": (measure_scorecard, True),
    "strategist": (measure_strategist, True),
    "incremental": (measure_incremental, True),
    "route": (measure_route, True),
}


# -- judging ---------------------------------------------------------------------------------------


def _status(met: bool | None, scale: str, target_scale: str) -> str:
    if met is None:
        return "not measured"
    verdict = "met" if met else "NOT met"
    return verdict if scale in target_scale else f"{verdict} (target is for {target_scale})"


def table_rows(scale: str, runs: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """One row per issue-7 measure: the figure, its target and whether it is met."""
    rows: list[dict[str, str]] = []

    def add(measure: str, figure: str, target: str, met: bool | None, target_scale: str = "M") -> None:
        rows.append(
            {"measure": measure, "figure": figure, "target": target, "status": _status(met, scale, target_scale)}
        )

    if (f := runs.get("import")) is not None:
        kinds = f["kinds"]
        rate = kinds["engagements"]["rows_per_s"]
        others = ", ".join(f"{kind} {kinds[kind]['rows_per_s']:,.0f}" for kind in ("accounts", "contacts", "leads"))
        add("bulk import, engagements", f"{rate:,.0f} rows/s ({others} rows/s)", "≥ 10,000 rows/s at M", rate >= 10_000)
    if (f := runs.get("recompute-db")) is not None:
        phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in f["phases_s"].items())
        over = f.get("over_default_timeout") or []
        note = f"; {', '.join(over)} over the default 30 s statement timeout" if over else ""
        add(
            "full recompute, database end to end",
            f"{f['seconds']:.1f} s ({phases}){note}",
            "≤ 60 s at M",
            f["seconds"] <= 60 and not over,
        )
    if (f := runs.get("recompute-memory")) is not None:
        limit = {"S": 2.0, "M": 2.0, "L": 20.0}[scale]
        add(
            "full recompute in memory (array build + compute)",
            f"{f['build_plus_compute_s']:.2f} s "
            f"(build {f['snapshot_build_s']:.2f} + compute {f['fast_recompute_s']:.3f}; "
            f"from columns {f['columnar_build_s']:.2f} + compute)",
            "≤ 2 s at M, ≤ 20 s at L",
            f["build_plus_compute_s"] <= limit,
            "M/L",
        )
        if scale == "L":
            peak_gb = f["peak_rss_after_fast_mib"] * 1024 * 1024 / 1e9
            add("peak memory of the in-memory recompute", f"{peak_gb:.2f} GB", "≤ 3 GB at L", peak_gb <= 3.0, "L")
        if "speedup_recompute" in f:
            add(
                "fast path vs networkx reference",
                f"{f['speedup_recompute']:.0f}× compute only ({f['speedup_with_builds']:.1f}× with both builds)",
                "≥ 20×",
                f["speedup_recompute"] >= 20,
                "S/M/L",
            )
    if (f := runs.get("incremental")) is not None:
        lat = f["latency"]
        add(
            "incremental: new engagement until the account's score reads it",
            f"p50 {lat['p50_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms; {f['errors']} errors, "
            f"{f['score_not_risen']} not risen",
            "p99 ≤ 50 ms",
            lat["p99_ms"] <= 50 and f["errors"] == 0 and f["score_not_risen"] == 0,
        )
    if (f := runs.get("scorecard")) is not None:
        lat = f["latency"]
        alone = f"; 1 client p50 {f['one_client']['latency']['p50_ms']:.0f} ms" if "one_client" in f else ""
        add(
            "Account.scorecard + coverage, 16 clients",
            f"p50 {lat['p50_ms']:.0f} / p95 {lat['p95_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms, "
            f"{f['throughput_per_s']:.0f}/s, {f['errors']} errors{alone}",
            "p50 ≤ 25 ms, p99 ≤ 100 ms, 0 errors",
            lat["p50_ms"] <= 25 and lat["p99_ms"] <= 100 and f["errors"] == 0,
        )
    if (f := runs.get("route")) is not None:
        lat = f["latency"]
        add(
            "routeLead, 16 clients",
            f"p50 {lat['p50_ms']:.0f} / p95 {lat['p95_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms, "
            f"{f['throughput_per_s']:.0f}/s, {f['errors']} errors, {f['double_assignments']} double assignments"
            + (
                f"; CPU per request {cpu['server']:.1f} ms server + {cpu['database']:.1f} ms database"
                if (cpu := f.get("cpu_ms_per_request"))
                else ""
            ),
            "p99 ≤ 150 ms, 0 errors, no double assignment",
            lat["p99_ms"] <= 150 and f["errors"] == 0 and f["double_assignments"] == 0,
        )
    if (f := runs.get("strategist")) is not None:
        labels = (("target_accounts", "targetAccounts(first: 50)"), ("program_scorecard", "programScorecard"))
        for name, label in labels:
            g = f[name]
            lat, statements = g["latency"], g["server_db"].get("statements_per_request")
            cpu = g.get("cpu_ms_per_request")
            cpu_note = (
                f"; CPU per request {cpu['server']:.0f} ms server + {cpu['database']:.0f} ms database" if cpu else ""
            )
            add(
                f"{label}, 1 client",
                f"p50 {lat['p50_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms, {g['requests']} requests, {g['errors']} errors"
                + (f", {statements} statements per request" if statements else "")
                + cpu_note,
                "p50 ≤ 150 ms",
                lat["p50_ms"] <= 150 and g["errors"] == 0,
            )
    if (f := runs.get("page")) is not None:
        lat = f["latency"]
        counts = f["statements_by_page_size"]
        constant = len(set(counts.values())) == 1
        add(
            "page of 50 accounts (owner, score, coverage, 10 contacts), 1 client",
            f"statements for 10/50/100 per page: {'/'.join(str(v) for v in counts.values())}; "
            f"p50 {lat['p50_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms",
            "constant round trips, p50 ≤ 150 ms",
            constant and lat["p50_ms"] <= 150 and f["errors"] == 0,
        )
    if (f := runs.get("list")) is not None:
        lat = f["latency"]
        counts = f["statements_by_page_size"]
        constant = len(set(counts.values())) == 1
        add(
            "filtered page of 50 accounts by -score (tier 1 targets, minScore 10), 1 client",
            f"statements for 10/50/100 per page: {'/'.join(str(v) for v in counts.values())}; "
            f"p50 {lat['p50_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms; {f['matching_rows']} matching accounts",
            "constant round trips, p50 ≤ 150 ms",
            constant and lat["p50_ms"] <= 150 and f["errors"] == 0,
        )
    return rows


def measured_now(figures: dict[str, Any]) -> dict[str, Any]:
    """Stamp a measure's figures with when it ran and the machine's load then."""
    return {"measured_at": now_iso(), "load_average": [round(v, 2) for v in os.getloadavg()], **figures}
