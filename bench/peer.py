"""graphsvc beside the Neo4j GraphQL Library (issue 13): runs the shared peer harness against this checkout.

Usage::

    python bench/peer.py                      # REPEATS=3, about 8 minutes on 2 cores (first run: + set-up)
    python bench/peer.py --repeats 1          # a smoke run, about 5 minutes
    python bench/peer.py --harness path/to/peer
    python bench/peer.py --answers-kept 0     # graphsvc without kept answers: every request runs its resolvers

The harness (``run_all.sh`` and its README) lives outside the repository, by default in the first
``shared/peer`` folder above the checkout (``/work/shared/peer`` for ``/work/main``); ``--harness`` or
``GRAPHSVC_PEER_HARNESS`` names another. It serves graphsvc's S data set (built by this bench's own
builder into ``bench/.data/S-seed7``) from one ArcadeDB server to both graphsvc and ``@neo4j/graphql``,
checks their answers are equal, then drives Q1-Q3 with one load generator. Its working files go to
``bench/.data/peer`` (node_modules, the served copy of the database, each run's results).

Writes ``bench/results/peer-S.json`` (``peer-S-answers-kept-0.json`` with ``--answers-kept 0``): the
machine and its load, the medians per question, system and mode, the ratios graphsvc / peer; and
``peer-S.md`` beside it (the harness's tables). Without Node and npm on the PATH, or without the
harness, it prints one line saying so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `suite` sits beside this script

from suite.common import BENCH_DIR, DATA_ROOT, machine, now_iso, versions

REPO = BENCH_DIR.parent
SYSTEMS = {"A": "graphsvc", "B": "peer", "A2": "graphsvc-2procs"}
FIGURES = ("p50_ms", "p95_ms", "p99_ms", "req_per_s")


def _default_harness() -> Path | None:
    named = os.environ.get("GRAPHSVC_PEER_HARNESS")
    if named:
        return Path(named)
    for parent in REPO.parents:
        if (parent / "shared" / "peer" / "run_all.sh").is_file():
            return parent / "shared" / "peer"
    return None


def _skip_reason(harness: Path | None) -> str | None:
    if harness is None or not (harness / "run_all.sh").is_file():
        return f"no peer harness (run_all.sh) at {harness or 'any shared/peer above ' + str(REPO)}"
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not on PATH (the peer needs Node 20 with npm)"
    return None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def summarize(out: Path) -> dict[str, Any]:
    """Medians over repeats per question, system and mode, and the ratios graphsvc / peer."""
    results = json.loads((out / "results.json").read_text())
    phases: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for result in results:
        for phase in result["phases"]:
            if "p50_ms" in phase:
                phases.setdefault((result["query"], result["system"], phase["name"]), []).append(phase)
    questions: dict[str, Any] = {}
    for (query, system, mode), runs in sorted(phases.items()):
        figures = {key: _median([run[key] for run in runs]) for key in FIGURES}
        for part in ("db", "server", "client"):
            figures[f"cpu_ms_per_req_{part}"] = _median([run["cpu_ms_per_req"][part] for run in runs])
        figures["errors"] = sum(run["errors"] for run in runs)
        questions.setdefault(query, {}).setdefault(SYSTEMS[system], {})[mode] = figures
    for systems in questions.values():
        ours, peer = systems.get("graphsvc", {}), systems.get("peer", {})
        systems["graphsvc/peer"] = {
            mode: {
                "throughput": round(ours[mode]["req_per_s"] / peer[mode]["req_per_s"], 2),
                "p99": round(ours[mode]["p99_ms"] / peer[mode]["p99_ms"], 2),
            }
            for mode in ours
            if mode in peer and peer[mode]["req_per_s"] and peer[mode]["p99_ms"]
        }
    return {"repeats": len({result["repeat"] for result in results}), "questions": questions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--harness", type=Path, default=_default_harness(), help="the peer harness folder")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=DATA_ROOT / "peer", help="the harness's work folder")
    parser.add_argument(
        "--answers-kept",
        type=int,
        default=None,
        help="GRAPHSVC_ANSWERS_KEPT of the graphsvc servers (0: every request runs its resolvers)",
    )
    args = parser.parse_args(argv)

    reason = _skip_reason(args.harness)
    if reason:
        print(f"peer: skipped: {reason}")
        return 0
    started = now_iso()
    load_before = machine()
    out = args.work.resolve() / "results" / f"run-{started.replace(':', '')}"
    env = {
        **os.environ,
        "GRAPHSVC_REPO": str(REPO),
        "PEER_WORK": str(args.work.resolve()),
        "GRAPHSVC_PYTHON": sys.executable,  # this interpreter has the checkout installed
        "REPEATS": str(args.repeats),
        "OUT": str(out),
        # One worker per graphsvc process, as the harness compares one process each ("2 procs": two
        # serve processes); serve's default would run one worker per core.
        "GRAPHSVC_WORKERS": os.environ.get("GRAPHSVC_WORKERS", "1"),
        # The per-client rate limit (300/s by default) would refuse the one load generator's requests
        # once graphsvc answers faster than that; the peer has none.
        "GRAPHSVC_RATE_LIMIT_PER_SECOND": "0",
    }
    name = "peer-S"
    if args.answers_kept is not None:
        env["GRAPHSVC_ANSWERS_KEPT"] = str(args.answers_kept)
        name = f"peer-S-answers-kept-{args.answers_kept}"
    completed = subprocess.run(["bash", str(args.harness.resolve() / "run_all.sh")], env=env, cwd=REPO)
    if completed.returncode != 0:
        print(f"peer: the harness failed (exit {completed.returncode}); its files are in {args.work}", file=sys.stderr)
        return completed.returncode
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    report = {
        "started": started,
        "finished": now_iso(),
        "commit": commit.stdout.strip(),
        "machine": {**load_before, "load_average_at_end": [round(value, 2) for value in os.getloadavg()]},
        "versions": versions(),
        "harness": str(args.harness.resolve()),
        "answers_kept": env.get("GRAPHSVC_ANSWERS_KEPT", "default"),
        "run": str(out),
        **summarize(out),
    }
    results = BENCH_DIR / "results"
    (results / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n")
    at = report["machine"]
    load = f"load average {at['load_average_at_start']} at start, {at['load_average_at_end']} at end"
    (results / f"{name}.md").write_text(
        f"# graphsvc beside @neo4j/graphql, S (1,000 accounts, seed 7)\n\n"
        f"{report['finished']}, commit {report['commit']}, {report['repeats']} repeat(s), "
        f"GRAPHSVC_ANSWERS_KEPT {report['answers_kept']}, {load} "
        f"on {report['machine']['cores']} cores shared with other work: figures are indicative.\n"
        + (out / "tables.md").read_text()
    )
    print(f"peer: wrote {results / (name + '.json')} and {results / (name + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
