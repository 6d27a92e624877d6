"""Load generator: N concurrent async HTTP clients sending GraphQL requests to one loopback server.

Run in its own process (``python bench/suite/loadgen.py SPEC.json OUT.json``) so that the
clients' CPU is not the server's. The spec names the URL (127.0.0.1 only), the concurrency, the
request bodies (taken in order, cycling, by whichever client is free next, so two neighbouring
bodies are sent at about the same moment by two clients), a warm-up count, and the bounds: at most
``max_requests`` requests and ``max_seconds`` of wall-clock. An item of ``requests`` may also be
a list of bodies: one client sends them one after the other and the item's latency is their sum
(e.g. a write, then the read that must see it). A request counts as an error when the HTTP status
is not 200 or the answer carries GraphQL ``errors``.

The result: every timed request's latency, the errors (first few verbatim), wall-clock seconds,
throughput, and with ``keep_data`` each answer's ``data`` by request index.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

__all__ = ["run_load"]

_ERRORS_KEPT = 5


async def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Send the spec's requests and return what happened (see the module docstring)."""
    url = spec["url"]
    if urlparse(url).hostname != "127.0.0.1":
        raise ValueError(f"load may target only 127.0.0.1, not {url}")
    bodies: list[Any] = spec["requests"]
    concurrency = int(spec["concurrency"])
    warmup = int(spec.get("warmup", 0))
    max_requests = int(spec["max_requests"])
    max_seconds = float(spec["max_seconds"])
    keep_data = bool(spec.get("keep_data", False))

    latencies: list[float] = []
    errors: list[str] = []
    error_count = 0
    data: dict[int, Any] = {}
    next_index = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120.0, limits=limits) as client:

        async def send(index: int) -> tuple[float, str | None, Any]:
            item = bodies[index % len(bodies)]
            if not isinstance(item, list):
                return await post(item)
            seconds, answers = 0.0, []
            for body in item:
                step_seconds, error, answer = await post(body)
                seconds += step_seconds
                answers.append({"seconds": step_seconds, "data": answer})
                if error is not None:
                    return seconds, error, answers
            return seconds, None, answers

        async def post(body: dict[str, Any]) -> tuple[float, str | None, Any]:
            started = time.perf_counter()
            try:
                response = await client.post(url, json=body)
                seconds = time.perf_counter() - started
                if response.status_code != 200:
                    return seconds, f"HTTP {response.status_code}: {response.text[:300]}", None
                answer = response.json()
            except httpx.HTTPError as exc:
                return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", None
            if answer.get("errors"):
                return seconds, json.dumps(answer["errors"])[:500], answer.get("data")
            return seconds, None, answer.get("data")

        # Warm-up: connections opened, the server's first-request costs paid, nothing recorded.
        await asyncio.gather(*(send(i) for i in range(min(warmup, concurrency))))
        for start in range(concurrency, warmup, concurrency):
            await asyncio.gather(*(send(i) for i in range(start, min(start + concurrency, warmup))))

        deadline = time.perf_counter() + max_seconds
        started = time.perf_counter()

        async def client_loop() -> None:
            nonlocal next_index, error_count
            while next_index < max_requests and time.perf_counter() < deadline:
                index = next_index
                next_index += 1
                seconds, error, answer = await send(warmup + index)
                latencies.append(seconds)
                if error is not None:
                    error_count += 1
                    if len(errors) < _ERRORS_KEPT:
                        errors.append(error)
                if keep_data:
                    data[warmup + index] = answer

        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": error_count,
        "error_samples": errors,
        "wall_seconds": round(wall, 3),
        "throughput_per_s": round(len(latencies) / wall, 2) if wall else None,
        "latencies_s": latencies,
        "data": {str(k): v for k, v in data.items()} if keep_data else None,
    }


def main() -> None:
    """``loadgen.py SPEC.json OUT.json``."""
    spec_path, out_path = (Path(arg) for arg in sys.argv[1:3])
    result = asyncio.run(run_load(json.loads(spec_path.read_text())))
    out_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
