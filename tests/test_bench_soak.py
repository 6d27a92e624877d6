"""The soak's verdict (bench/soak.py): the rule that judges issue 8's 10-minute run."""

import doctest
import importlib.util
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parents[1] / "bench" / "soak.py"


def _soak_module():
    spec = importlib.util.spec_from_file_location("bench_soak", SOAK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _rows(memory: list[float], p99: list[float]) -> list[dict]:
    return [{"memory": {"graphsvc_mib": m}, "p99_ms": p} for m, p in zip(memory, p99, strict=True)]


def test_memory_is_judged_from_the_end_of_the_first_minute():
    soak = _soak_module()
    # 140 MiB at the start of the run is not a row: the first row (after warm-up) is the baseline.
    judged = soak.verdict(_rows([150, 160, 164, 165], [100, 100, 100, 100]), errors=0, ready=True)
    assert judged["graphsvc_memory_growth_pct"] == 10.0  # (165 − 150) / 150
    assert judged["passed"]
    grown = soak.verdict(_rows([150, 160, 164, 166], [100, 100, 100, 100]), errors=0, ready=True)
    assert grown["checks"]["memory_growth_within_10pct"] is False and not grown["passed"]


def test_errors_readiness_and_a_rising_p99_each_fail_the_run():
    soak = _soak_module()
    steady = _rows([150, 150, 150, 150], [100, 120, 110, 140])
    assert soak.verdict(steady, errors=0, ready=True)["p99_second_half_over_first"] == 1.17  # 140 / 120
    assert soak.verdict(steady, errors=1, ready=True)["checks"]["no_errors"] is False
    assert soak.verdict(steady, errors=0, ready=False)["passed"] is False
    rising = soak.verdict(_rows([150, 150, 150, 150], [100, 100, 100, 151]), errors=0, ready=True)
    assert rising["checks"]["p99_stable"] is False


def test_docstring_examples():
    assert doctest.testmod(_soak_module()).failed == 0
