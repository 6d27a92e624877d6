"""API latency while a webhook receiver hangs or fails (issue 16): the delivery worker must not slow the API.

Starts ``graphsvc serve`` (its own embedded database, webhooks allowed to call loopback) and a
local receiver, imports leads, then times ``routeLead`` (a write that also queues two webhook
events: ``routing.decided`` and ``lead.status_changed``) and a ``lead`` read, one request after
the other from one client, in four phases:

1. no webhook (no event is queued);
2. a webhook whose receiver answers 204 at once (the outbox writes and the deliveries' own
   database writes: the baseline the next two are compared with);
3. a webhook whose receiver answers 500 at once (every delivery fails and is retried);
4. a webhook whose receiver accepts the connection and never answers (each delivery waits out
   ``GRAPHSVC_WEBHOOK_TIMEOUT_SECONDS``, 5 s, with up to 32 in flight, then retries).

The four phases run in turn ``--rounds`` times after a warm-up round (connections, statement
caches, the database's JIT), so drift of a shared machine spreads over all of them.

Writes ``bench/results/webhooks.json`` (machine, versions, per phase and operation the latency
percentiles, and how many requests the receiver got, which shows the worker was busy).

Usage::

    python bench/webhooks.py                          # 3 rounds of 100 routings and reads per phase, ~4 min
    python bench/webhooks.py --rounds 1 --requests 50
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `suite` sits beside this script

from suite.common import BENCH_DIR, latency_summary, machine, now_iso, versions
from suite.server import ServeProcess

ROUTE = "mutation($id: ID!) { routeLead(leadId: $id) { id status } }"
READ = "query($id: ID!) { lead(id: $id) { id status routing { id } } }"
IMPORT = 'mutation($rows: [JSON!]!) { importRecords(kind: "leads", rows: $rows) { imported failed } }'
ADD = 'mutation($url: String!) { addWebhook(url: $url, events: ["routing.decided", "lead.status_changed"]) { id } }'
REMOVE = "mutation($id: ID!) { removeWebhook(id: $id) }"
PHASES = ("no webhook", "receiver answers 204", "receiver answers 500", "receiver hangs")
MODES = {"receiver answers 204": "ok", "receiver answers 500": "fail", "receiver hangs": "hang"}


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on a free loopback port: ``mode`` "ok" answers 204, "fail" 500, "hang" never."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self) -> None:
        self.mode = "hang"
        self.requests = 0
        self.stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests += 1
                if receiver.mode == "hang":
                    receiver.stopping.wait()
                    return
                self.send_response(500 if receiver.mode == "fail" else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def _ok(answer: dict[str, Any]) -> dict[str, Any]:
    if "errors" in answer:
        raise RuntimeError(f"the server refused a set-up request: {answer['errors']}")
    return answer["data"]


def _timed(client: httpx.Client, url: str, query: str, lead_id: str) -> float:
    started = time.perf_counter()
    response = client.post(url, json={"query": query, "variables": {"id": lead_id}})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    if "errors" in response.json():
        raise RuntimeError(f"{query.split('(')[0]} failed: {response.json()['errors']}")
    return elapsed


def run(requests: int, rounds: int) -> dict[str, Any]:
    os.environ["GRAPHSVC_WEBHOOK_ALLOW_PRIVATE"] = "true"
    receiver = Receiver()
    samples: dict[str, dict[str, list[float]]] = {name: {"routeLead": [], "lead": []} for name in PHASES}
    sent = dict.fromkeys(PHASES, 0)
    with (
        tempfile.TemporaryDirectory(prefix="graphsvc-bench-webhooks-") as tmp,
        ServeProcess(Path(tmp) / "data", "1g", Path(tmp) / "serve.log") as serve,
    ):
        batches = [f"{round_}-{phase}" for round_ in range(rounds + 1) for phase in range(len(PHASES))]
        leads = [{"id": f"lead-{batch}-{i:04d}"} for batch in batches for i in range(requests)]
        for start in range(0, len(leads), 1000):
            _ok(serve.graphql(IMPORT, rows=leads[start : start + 1000]))
        url = f"{serve.url}/graphql"
        with httpx.Client(timeout=120) as client:
            for round_ in range(rounds + 1):  # round 0 warms up
                for phase, name in enumerate(PHASES):
                    hook = None
                    if name in MODES:
                        receiver.mode = MODES[name]
                        hook = _ok(serve.graphql(ADD, url=receiver.url))["addWebhook"]["id"]
                    before = receiver.requests
                    ids = [f"lead-{round_}-{phase}-{i:04d}" for i in range(requests)]
                    routed = [_timed(client, url, ROUTE, lead_id) for lead_id in ids]
                    read = [_timed(client, url, READ, lead_id) for lead_id in ids]
                    if hook:
                        _ok(serve.graphql(REMOVE, id=hook))
                    if round_:
                        samples[name]["routeLead"] += routed
                        samples[name]["lead"] += read
                        sent[name] += receiver.requests - before
    receiver.close()
    results = {
        name: {
            "routeLead": latency_summary(s["routeLead"]),
            "lead": latency_summary(s["lead"]),
            "receiver_requests": sent[name],
        }
        for name, s in samples.items()
    }
    for name, figures in results.items():
        print(
            f"{name:22} routeLead p50 {figures['routeLead']['p50_ms']:6.2f} ms"
            f" p95 {figures['routeLead']['p95_ms']:7.2f} ms | lead p50 {figures['lead']['p50_ms']:6.2f} ms"
            f" p95 {figures['lead']['p95_ms']:7.2f} ms"
            f" | receiver got {figures['receiver_requests']} requests"
        )
    return {
        "measured_at": now_iso(),
        "machine": machine(),
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "versions": versions(),
        "rounds": rounds,
        "requests_per_phase_and_round": requests,
        "webhook_timeout_seconds": 5.0,
        "phases": results,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="routings and reads per phase and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four phases after the warm-up")
    args = parser.parse_args(argv)
    figures = run(args.requests, args.rounds)
    out = BENCH_DIR / "results" / "webhooks.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
