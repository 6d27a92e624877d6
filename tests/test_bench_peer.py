"""bench/peer.py: its one-line skip and the figures it keeps from a harness run."""

import json
import subprocess
import sys
from pathlib import Path

PEER = Path(__file__).resolve().parents[1] / "bench" / "peer.py"


def _phase(name: str, req_per_s: float, p99_ms: float, server_ms: float) -> dict:
    return {
        "name": name,
        "p50_ms": p99_ms / 2,
        "p95_ms": p99_ms,
        "p99_ms": p99_ms,
        "req_per_s": req_per_s,
        "errors": 0,
        "cpu_ms_per_req": {"db": 1.0, "server": server_ms, "client": 0.5},
    }


def test_without_the_harness_it_says_so_in_one_line_and_succeeds(tmp_path):
    done = subprocess.run(
        [sys.executable, str(PEER), "--harness", str(tmp_path / "absent")], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"peer: skipped: no peer harness (run_all.sh) at {tmp_path / 'absent'}"]


def test_medians_over_repeats_and_ratios_to_the_peer(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(PEER.parent))
    import peer

    results = [
        {"repeat": repeat, "query": "Q2", "system": system, "phases": [{"name": "warmup"}, _phase("c16", *figures)]}
        for repeat, by_system in enumerate([{"A": (60, 900, 5), "B": (150, 500, 3)}, {"A": (80, 700, 7), "B": (50, 700, 3)}])
        for system, figures in by_system.items()
    ]
    (tmp_path / "results.json").write_text(json.dumps(results))
    summary = peer.summarize(tmp_path)
    assert summary["repeats"] == 2
    q2 = summary["questions"]["Q2"]
    assert q2["graphsvc"]["c16"]["req_per_s"] == 70  # the median of 60 and 80
    assert q2["graphsvc"]["c16"]["cpu_ms_per_req_server"] == 6
    assert q2["graphsvc/peer"]["c16"] == {"throughput": 0.7, "p99": 1.33}  # 70 / 100, 800 / 600
