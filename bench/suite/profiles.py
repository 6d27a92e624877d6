"""Reading py-spy's collapsed stacks: where a process spent its CPU, by package and by function.

py-spy samples only threads that are running (not waiting in ``epoll``), so the samples are CPU
time; their count over ``seconds × rate`` is how busy the Python side was. Time the server spends
waiting for ArcadeDB does not show here: it is the wall-clock the samples do not cover.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["summarise"]

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
# py-spy names files relative to their sys.path entry: the first component is the package.
_LAYERS = (
    ("neo4j driver (Bolt, packstream)", ("neo4j/", "neo4j_rust_ext/")),
    ("strawberry / graphql-core", ("strawberry/", "graphql/")),
    ("numpy / scipy", ("numpy/", "scipy/")),
    ("graphsvc", ("graphsvc/",)),
    ("uvicorn / starlette / fastapi / httpx", ("uvicorn/", "starlette/", "fastapi/", "h11/", "httpx/", "httpcore/",
                                               "anyio/")),
    ("pydantic", ("pydantic/", "pydantic_core/")),
)


def _layer(file: str) -> str:
    for name, prefixes in _LAYERS:
        if file.startswith(prefixes):
            return name
    return "standard library and other"


def _parse(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip(), ""
    return match["function"], match["file"]


def summarise(path: Path, seconds: float | None = None, rate: int = 100, top: int = 12) -> dict[str, Any]:
    """Samples by layer (of the leaf frame), and the functions with the most self and total samples."""
    by_layer: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_parse(frame) for frame in stack.split(";") if frame.strip()]
        # The first element is the thread ("process 123:..." / "thread (0x..)"): skip non-code frames.
        frames = [frame for frame in frames if frame[1]]
        if not frames:
            continue
        samples += count
        leaf_function, leaf_file = frames[-1]
        by_layer[_layer(leaf_file)] += count
        own[f"{leaf_function} ({leaf_file})"] += count
        for name in {f"{function} ({file})" for function, file in frames}:
            total[name] += count

    def shares(counter: Counter[str], limit: int) -> list[dict[str, Any]]:
        return [
            {"name": name, "samples": n, "percent": round(100.0 * n / samples, 1)}
            for name, n in counter.most_common(limit)
        ]

    summary: dict[str, Any] = {"file": str(path), "samples": samples}
    if seconds:
        summary["python_busy_percent_of_one_core"] = round(100.0 * samples / (seconds * rate), 1)
    summary["by_layer"] = shares(by_layer, len(by_layer))
    summary["top_self"] = shares(own, top)
    summary["top_total"] = shares(total, top)
    return summary
