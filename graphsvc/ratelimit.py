"""Per-client request rate limits: one token bucket per API key (in open mode, per client address)."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

__all__ = ["TokenBuckets"]


class TokenBuckets:
    """A bucket of ``burst`` tokens per client, refilled at ``rate`` tokens per second; a request takes one.

    Parameters
    ----------
    rate
        Tokens added per second; the average requests per second a client may send.
    burst
        Tokens a bucket holds; the requests a client may send at once after a quiet spell.
    clock
        Seconds on a monotonic clock.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # client -> (tokens, when counted)

    def take(self, client: Hashable) -> float:
        """Take a token for one request of ``client``: 0.0 when it may run, else the seconds until a token is due."""
        now = self._clock()
        tokens, counted = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - counted) * self.rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens - 1.0, now)
        return 0.0
