"""The benchmark suite (issue 7): import, recompute, and the served API under load, at one scale.

Usage::

    python bench/run.py --scale S                 # everything at S (1k accounts, 10k persons, 100k engagements)
    python bench/run.py --scale M                 # 10k / 100k / 1M; builds bench/.data/M-seed7 once
    python bench/run.py --scale L                 # 100k / 1M / 10M, in memory only (no database)
    python bench/run.py --scale M --only scorecard --only route --profile
    python bench/run.py --scale M --rebuild       # import the data set again (re-measures the import)

Measures (``--only``): ``recompute-memory`` (``bench/recompute.py`` in its own process), ``import``
(the data set's build: ``graphsvc generate`` rows imported by the Importer into the embedded
database, timed per kind), ``recompute-db`` (``recompute_graph`` end to end on a copy of the
database), and, against ``graphsvc serve`` on a copy of the database driven over HTTP by a
separate load-generating process: ``page``, ``list`` (a filtered, score-ordered page),
``scorecard``, ``strategist`` (targetAccounts and programScorecard, one client), ``incremental``,
``route``.

Writes ``bench/results/<scale>.json`` (with ``--only``, the other measures' earlier figures stay)
with the machine, versions and data scale, and prints the table of figures against targets.
``--profile`` samples the process under test with py-spy and stores its hottest layers and
functions beside the figures.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `suite` sits beside this script

from suite.common import BENCH_DIR, DATA_ROOT, SCALES, Scale, machine, now_iso, versions
from suite.measures import MEASURES, Run, measured_now, table_rows

log = logging.getLogger("bench")


def _results_path(scale: str) -> Path:
    return BENCH_DIR / "results" / f"{scale}.json"


def _source(scale: Scale) -> dict[str, Any]:
    """Where the scale's data comes from: ``graphsvc generate``, or only bench/recompute.py's synthetic graph."""
    synthetic = "recompute-memory always uses bench/recompute.py's seeded synthetic graph of the same totals"
    if not scale.database:
        return {"source": synthetic}
    return {"source": f"graphsvc generate (the database measures); {synthetic}", "generate": scale.generate_arguments()}


def _format_table(rows: list[dict[str, str]]) -> str:
    headers = {"measure": "measure", "figure": "measured", "target": "target", "status": "status"}
    widths = {key: max(len(headers[key]), *(len(row[key]) for row in rows)) for key in headers}
    lines = ["  ".join(headers[key].ljust(widths[key]) for key in headers)]
    lines.append("  ".join("-" * widths[key] for key in headers))
    lines += ["  ".join(row[key].ljust(widths[key]) for key in headers) for row in rows]
    return "\n".join(lines)


_lock: int | None = None  # held until the process exits


def _one_run_at_a_time() -> bool:
    """Take the suite's lock for the life of this process; False when another run holds it."""
    global _lock
    DATA_ROOT.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(DATA_ROOT / "run.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return False
    _lock = descriptor
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit code 1 when a measure failed to run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", action="append", choices=sorted(MEASURES), help="run just this measure (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again even when one matches")
    parser.add_argument("--heap", default="2g", help="Java heap of the embedded database (graphsvc's default 2g)")
    parser.add_argument("--profile", action="store_true", help="sample the process under test with py-spy")
    parser.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the networkx reference in recompute-memory (default: at S and M, not at L)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.WARNING)

    # One run at a time: runs share the working copies under bench/.data/work, and two runs on
    # these cores would also distort each other's figures.
    if not _one_run_at_a_time():
        print("another bench/run.py is running (bench/.data/run.lock is held): wait for it to finish", file=sys.stderr)
        return 2

    scale = SCALES[args.scale]
    names = [name for name in MEASURES if (args.only is None or name in args.only)]
    names = [name for name in names if scale.database or not MEASURES[name][1]]
    if not names:
        parser.error(f"none of {args.only} runs at scale {scale.name} (L has no database)")
    reference = args.reference if args.reference is not None else scale.name != "L"

    path = _results_path(scale.name)
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() and args.only else {}
    results.update(
        {
            "scale": scale.name,
            "data": {
                "seed": args.seed,
                "accounts": scale.accounts,
                "persons": scale.persons,
                "engagements": scale.engagements,
                **_source(scale),
            },
            "machine": machine(),
            "versions": versions(),
            "heap": args.heap,
            "last_run": now_iso(),
        }
    )
    runs: dict[str, Any] = results.setdefault("measures", {})
    run = Run(scale, args.seed, args.heap, args.rebuild, args.profile, reference)
    failed = False
    try:
        for name in names:
            log.info("measuring %s at %s", name, scale.name)
            try:
                runs[name] = measured_now(MEASURES[name][0](run))
            except Exception:
                log.exception("%s failed", name)
                failed = True
                continue
            if scale.database and name == "import":
                results["data"]["generated_rows"] = run.dataset().manifest["generated_rows"]
            results["table"] = table_rows(scale.name, runs)
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(results, indent=2) + "\n")  # after every measure: a stop keeps the rest
    finally:
        run.close()
    results["table"] = table_rows(scale.name, runs)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(_format_table(results["table"]))
    print(f"wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
