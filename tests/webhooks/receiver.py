"""A real HTTP webhook receiver for the tests: records every request, and can fail, hang and recover.

It runs ``http.server`` in a thread of the test process, on a free loopback port, so graphsvc's
delivery worker (in the test's event loop or in a ``graphsvc serve`` child) reaches it over TCP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conftest import GUARD


@dataclass
class Received:
    """One request as it arrived, and what the receiver answered (None: it hung, no answer)."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None = None

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """The signature header is the hex HMAC-SHA256 of the raw body under ``secret``."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("x-graphsvc-signature", ""), expected)


@dataclass
class Receiver:
    """The receiver's state; ``mode`` is "ok" (204), "fail" (500) or "hang" (answers once ``recover()`` runs)."""

    mode: str = "ok"
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def fail(self) -> None:
        self.mode = "fail"

    def hang(self) -> None:
        self.released.clear()
        self.mode = "hang"

    def recover(self) -> None:
        """Answer 204 from now on, and let hanging requests finish."""
        self.mode = "ok"
        self.released.set()

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def delivered_ids(self, path: str = "/hook") -> list[str]:
        """Event ids of the requests to ``path`` answered 2xx, in arrival order (a repeat shows twice)."""
        return [
            r.payload["id"]
            for r in self.requests()
            if r.path == path and r.answered is not None and 200 <= r.answered < 300
        ]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            entry = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            mode = receiver.mode
            with receiver.lock:
                receiver.received.append(entry)
            if mode == "hang":
                receiver.released.wait(GUARD)
                return  # the sender gave up long ago; nothing is answered
            status = 500 if mode == "fail" else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with receiver.lock:
                entry.answered = status

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the senders' concurrency: the default backlog (5) refuses connections


class ReceiverServer:
    """Start with ``with ReceiverServer() as receiver:``; the receiver's ``url`` is set."""

    def __init__(self) -> None:
        self.receiver = Receiver()
        self.server = _Server(("127.0.0.1", 0), _handler(self.receiver))
        self.receiver.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self.receiver

    def __exit__(self, *exc_info: object) -> None:
        self.receiver.recover()
        self.server.shutdown()
        self.server.server_close()
