"""Soak: concurrent clients against a real ``graphsvc serve`` for a long while, watching errors, latency and memory.

A fresh data directory gets the demo data set (``graphsvc import seeds/demo/*.csv``), then
``graphsvc serve`` runs on a loopback port (``bench/suite/server.py``) and ``--clients`` clients
(default 32) loop until ``--duration`` (default 10 minutes) is up or ``--max-requests`` were sent,
each request bounded by ``--timeout``. Each client mixes, at random:

- reads (70 %): an account panel (owner, tree, contacts), account lists by each order, a lead with
  its score and match, a contact with its roles and score, an account's score and committee
  coverage, a lead-to-account match, the routing queue;
- imports (20 %): ``importRecords`` of five new engagements of demo people, occurring now;
- routing (10 %): ``routeLead`` of a demo lead, half of them dry runs.

Every minute it prints requests, errors, p50, p99 and the resident memory of graphsvc and of its
ArcadeDB server; at the end the totals, and writes ``bench/results/soak.json``. An error is a
transport failure, an HTTP status other than 200, or a GraphQL error of any code (the workload only
sends valid operations).

The run passes (exit code 0) when there were no errors, ``/readyz`` answers 200 at the end,
graphsvc's memory at the end is within 10 % of its memory after the first minute, and the p99 of
the second half is within 1.5× that of the first half. Memory is judged from the end of the first
minute because that minute fills what a server fills once (imported modules, strawberry's parse and
validation caches, the driver's connection pool, interned strings); growth after it is what a leak
would show. The Java server's resident memory is reported but not judged: its heap grows to the
configured limit by design before it collects.

Usage::

    python bench/soak.py                              # 32 clients, 10 minutes
    python bench/soak.py --duration 60 --clients 8    # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `suite` sits beside this script

from suite.common import BENCH_DIR, latency_summary, machine, now_iso, versions
from suite.server import ServeProcess

__all__ = ["Workload", "main", "soak"]

READS = {
    "account_panel": """query($id: ID!) { account(id: $id) { name domain industry employees isTarget tier stage
        owner { name openAssignments capacity } parent { id name } ultimateParent { id name }
        children(first: 10) { totalCount edges { node { id name } } }
        contacts(first: 25) { totalCount edges { cursor node { id name title roles } } pageInfo { endCursor } } } }""",
    "account_list": """query($order: String, $target: Boolean) {
        accounts(orderBy: $order, isTarget: $target, first: 50) {
        totalCount edges { node { id name employees owner { name } } } pageInfo { hasNextPage endCursor } } }""",
    "lead": """query($id: ID!) { lead(id: $id) { name email status
        score { total grade interest nurtureObjectives } match { method confidence account { name } } } }""",
    "contact": """query($id: ID!) { contact(id: $id) { name title roles score { total grade } account { name } } }""",
    "committee": """query($id: ID!) { account(id: $id) {
        score { engagement rolledUp fit total contributions(first: 5) { sourceId points } }
        coverage { coverage engagedCoverage singleThreaded missingRoles } } }""",
    "match": """query($email: String) { matchAccount(email: $email) { best { method confidence account { id } } } }""",
    "queue": "{ myQueue(first: 20) { totalCount edges { node { id status slaDueAt lead { id } } } } }",
}
IMPORT = """mutation($rows: [JSON!]!) { importRecords(kind: "engagements", rows: $rows) { imported failed } }"""
ROUTE = """mutation($id: ID!, $dry: Boolean) { routeLead(leadId: $id, dryRun: $dry) { status rule } }"""
ENGAGEMENTS = [("web_visit", "pricing"), ("web_visit", "docs"), ("demo_request", None), ("email_click", None)]


@dataclass
class Workload:
    """The demo ids the clients pick from."""

    accounts: list[str]
    contacts: list[str]
    leads: list[str]
    emails: list[str]

    @classmethod
    def demo(cls) -> Workload:
        demo = files("graphsvc.seeds") / "demo"

        def rows(name: str) -> list[dict[str, str]]:
            with (demo / name).open(encoding="utf-8") as handle:
                return list(csv.DictReader(handle))

        leads = rows("leads.csv")
        return cls(
            accounts=[row["id"] for row in rows("accounts.csv")],
            contacts=[row["id"] for row in rows("contacts.csv")],
            leads=[row["id"] for row in leads],
            emails=[row["email"] for row in leads if row["email"]],
        )

    def request(self, rng: random.Random, client: int, serial: int) -> tuple[str, str, dict[str, Any]]:
        """(kind, query, variables) of the next request of ``client``."""
        draw = rng.random()
        if draw < 0.2:
            now = datetime.now(UTC)
            rows = []
            for n in range(5):
                kind, detail = rng.choice(ENGAGEMENTS)
                person = rng.choice(self.contacts if rng.random() < 0.7 else self.leads)
                moment = now - timedelta(seconds=rng.randrange(1, 86_400))
                rows.append(
                    {
                        "id": f"soak-{client}-{serial}-{n}",
                        "person_id": person,
                        "type": kind,
                        "detail": detail,
                        "occurred_at": moment.isoformat(),
                    }
                )
            return "import", IMPORT, {"rows": rows}
        if draw < 0.3:
            return "route", ROUTE, {"id": rng.choice(self.leads), "dry": rng.random() < 0.5}
        kind = rng.choice(list(READS))
        variables: dict[str, Any] = {
            "account_panel": lambda: {"id": rng.choice(self.accounts)},
            "account_list": lambda: {
                "order": rng.choice(["name", "-name", "employees", "-employees"]),
                "target": rng.choice([None, True, False]),
            },
            "lead": lambda: {"id": rng.choice(self.leads)},
            "contact": lambda: {"id": rng.choice(self.contacts)},
            "committee": lambda: {"id": rng.choice(self.accounts)},
            "match": lambda: {"email": rng.choice(self.emails)},
            "queue": dict,
        }[kind]()
        return kind, READS[kind], variables


@dataclass
class Minute:
    """What happened in one minute of the run."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    memory: dict[str, float] = field(default_factory=dict)  # sampled when the minute is over

    def row(self, index: int) -> dict[str, Any]:
        summary = latency_summary(self.latencies)
        return {
            "minute": index + 1,
            "requests": summary["count"],
            "errors": sum(self.errors.values()),
            "p50_ms": summary["p50_ms"],
            "p99_ms": summary["p99_ms"],
            "max_ms": summary["max_ms"],
            "errors_by_kind": dict(self.errors),
            "requests_by_kind": dict(self.kinds),
            "memory": self.memory,
        }


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for pid {pid}")


def memory(serve: ServeProcess) -> dict[str, float]:
    """Resident memory of graphsvc and of the ArcadeDB server it supervises."""
    server = json.loads((serve.data_dir / "server.json").read_text())
    return {"graphsvc_mib": rss_mib(serve.pid), "arcadedb_mib": rss_mib(server["pid"])}


async def _client(
    index: int,
    http: httpx.AsyncClient,
    workload: Workload,
    minutes: list[Minute],
    started: float,
    deadline: float,
    budget: list[int],
    seed: int,
) -> None:
    rng = random.Random(seed * 1000 + index)
    serial = 0
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        serial += 1
        kind, query, variables = workload.request(rng, index, serial)
        began = time.monotonic()
        error = None
        try:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
            if response.status_code != 200:
                error = f"HTTP {response.status_code}"
            elif errors := response.json().get("errors"):
                error = (errors[0].get("extensions") or {}).get("code", "no code")
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        ended = time.monotonic()
        minute = minutes[min(int((ended - started) // 60), len(minutes) - 1)]
        minute.latencies.append(ended - began)
        minute.kinds[kind] += 1
        if error is not None:
            minute.errors[f"{kind}: {error}"] += 1


def _print(row: dict[str, Any]) -> None:
    print(
        f"minute {row['minute']:3d}: {row['requests']:7d} requests {row['errors']:5d} errors "
        f"p50 {row['p50_ms']:8.1f} ms  p99 {row['p99_ms']:8.1f} ms  memory {row['memory']}",
        flush=True,
    )


async def _report(
    minutes: list[Minute], started: float, shown: list[int], probe: Callable[[], dict[str, float]]
) -> None:
    """Sample memory and print each minute once it is over; the last one when the clients are done."""
    while True:
        await asyncio.sleep(1)
        over = min(int((time.monotonic() - started) // 60), len(minutes) - 1)
        while shown[0] < over:
            minutes[shown[0]].memory = probe()
            _print(minutes[shown[0]].row(shown[0]))
            shown[0] += 1


async def soak(
    url: str,
    workload: Workload,
    clients: int,
    duration: float,
    timeout: float,
    max_requests: int,
    seed: int,
    probe: Callable[[], dict[str, float]],
) -> list[Minute]:
    """Run ``clients`` clients against ``url`` for ``duration`` seconds; the minutes as they went.

    ``probe`` samples the servers' memory at the end of each minute.
    """
    minutes = [Minute() for _ in range(max(1, int(-(-duration // 60))))]
    started = time.monotonic()
    deadline = started + duration
    budget = [max_requests]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    shown = [0]
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        reporter = asyncio.create_task(_report(minutes, started, shown, probe))
        await asyncio.gather(
            *(_client(n, http, workload, minutes, started, deadline, budget, seed) for n in range(clients))
        )
        reporter.cancel()
    for index in range(shown[0], len(minutes)):
        minutes[index].memory = probe()
        _print(minutes[index].row(index))
    return minutes


def verdict(rows: list[dict[str, Any]], errors: int, ready: bool) -> dict[str, Any]:
    """Judge a run: no errors, ready at the end, memory growth after the first minute ≤ 10 %, stable p99.

    >>> rows = [{"memory": {"graphsvc_mib": m}, "p99_ms": p} for m, p in [(100, 9), (104, 10), (108, 11), (109, 10)]]
    >>> verdict(rows, 0, True)["passed"]
    True
    >>> verdict(rows, 0, True)["graphsvc_memory_growth_pct"], verdict(rows, 0, True)["p99_second_half_over_first"]
    (9.0, 1.1)
    >>> verdict(rows[:1] + [{"memory": {"graphsvc_mib": 111}, "p99_ms": 9}], 0, True)["passed"]
    False
    """
    warm, end = rows[0]["memory"]["graphsvc_mib"], rows[-1]["memory"]["graphsvc_mib"]
    growth = round(100.0 * (end - warm) / warm, 1)
    half = max(1, len(rows) // 2)
    first = max(row["p99_ms"] for row in rows[:half])
    second = max(row["p99_ms"] for row in rows[half:]) if rows[half:] else first
    ratio = round(second / first, 2) if first else 1.0
    checks = {
        "no_errors": errors == 0,
        "ready_at_end": ready,
        "memory_growth_within_10pct": growth <= 10.0,
        "p99_stable": ratio <= 1.5,
    }
    return {
        "graphsvc_memory_growth_pct": growth,
        "p99_second_half_over_first": ratio,
        "checks": checks,
        "passed": all(checks.values()),
    }


def _load_demo(data_dir: Path, heap: str) -> None:
    demo = files("graphsvc.seeds") / "demo"
    paths = [
        str(demo / name)
        for name in ("users.csv", "accounts.csv", "contacts.csv", "leads.csv", "opportunities.csv", "engagements.csv")
    ]
    environment = {**os.environ, "GRAPHSVC_DATA_DIR": str(data_dir), "GRAPHSVC_EMBEDDED_HEAP": heap}
    environment.pop("GRAPHSVC_NEO4J_URI", None)
    subprocess.run(
        [sys.executable, "-m", "graphsvc", "import", *paths], env=environment, check=True, stdout=subprocess.DEVNULL
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--max-requests", type=int, default=5_000_000, help="stop after this many requests")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one request may take")
    parser.add_argument("--heap", default="2g", help="Java heap of the embedded database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "soak.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="graphsvc-soak-") as scratch:
        data_dir = Path(scratch) / "data"
        print("loading the demo data set ...", flush=True)
        _load_demo(data_dir, args.heap)
        with ServeProcess(data_dir, args.heap, Path(scratch) / "serve.log") as serve:
            at_start = memory(serve)
            print(f"graphsvc serve on {serve.url}; memory at start {at_start}", flush=True)
            began = now_iso()
            minutes = asyncio.run(
                soak(
                    serve.url,
                    Workload.demo(),
                    args.clients,
                    args.duration,
                    args.timeout,
                    args.max_requests,
                    args.seed,
                    lambda: memory(serve),
                )
            )
            at_end = memory(serve)
            ready = httpx.get(f"{serve.url}/readyz", timeout=10).status_code
    rows = [minute.row(index) for index, minute in enumerate(minutes)]
    everything = Minute()
    for minute in minutes:
        everything.latencies += minute.latencies
        everything.errors.update(minute.errors)
        everything.kinds.update(minute.kinds)
    total = everything.row(len(minutes) - 1)
    del total["minute"], total["memory"]
    judged = verdict(rows, total["errors"], ready == 200)
    result = {
        "started": began,
        "machine": machine(),
        "versions": versions(),
        "config": {
            "clients": args.clients,
            "duration_s": args.duration,
            "timeout_s": args.timeout,
            "max_requests": args.max_requests,
            "heap": args.heap,
            "seed": args.seed,
            "data": "seeds/demo (200 accounts, 2,000 contacts, 1,000 leads, 20,000 engagements)",
        },
        "minutes": rows,
        "total": total,
        "memory": {"start": at_start, "after_first_minute": rows[0]["memory"], "end": at_end},
        "ready_at_end": ready == 200,
        "verdict": judged,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"total: {total['requests']} requests, {total['errors']} errors, p50 {total['p50_ms']} ms, "
        f"p99 {total['p99_ms']} ms; memory start {at_start}, end {at_end}; ready at end: {ready == 200}"
    )
    if total["errors_by_kind"]:
        print("errors:", json.dumps(total["errors_by_kind"]))
    print(f"verdict: {json.dumps(judged)}")
    print(f"wrote {args.out}")
    return 0 if judged["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
