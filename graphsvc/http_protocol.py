"""uvicorn's HTTP protocol with two bounds it lacks: the size of a request's head and the time a request may take
to arrive.

Without them one client holds memory with a huge header (uvicorn's httptools parser buffers a header whole)
or a connection with a request it never finishes (slowloris): uvicorn times out idle keep-alive
connections only between requests.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from graphsvc.config import get_settings

__all__ = ["BoundedHttpProtocol", "ConfiguredHttpProtocol"]


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing; uvicorn then calls ``send_400_response``."""


class BoundedHttpProtocol(HttpToolsProtocol):
    """Answers 431 to a request line and headers above ``max_head_bytes``, and closes a connection whose
    current request has not fully arrived ``read_timeout`` seconds after it began (408 when still in its head).
    """

    max_head_bytes = 32 * 1024
    read_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # between requests, or reading a request line and headers
        self._head_received = 0  # bytes received since this head began (httptools buffers a header whole)
        self._head_parsed = 0  # bytes of request line and headers parsed so far
        self._oversized = False
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._arm()  # the next request of a keep-alive connection starts its clock with its first byte
            self._head_received += len(data)
        super().data_received(data)
        if self._in_head and not self._oversized and self._head_received > self.max_head_bytes:
            self._oversized = True
            self.send_400_response("")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_parsed = 0

    def on_url(self, url: bytes) -> None:
        self._count(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(name + value)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_received = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head = True
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        super().handle_websocket_upgrade()

    def send_400_response(self, msg: str) -> None:
        if not self._oversized:
            super().send_400_response(msg)
            return
        detail = f"request line and headers larger than {self.max_head_bytes} bytes".encode()
        self._send_and_close(b"431 Request Header Fields Too Large", detail)

    def _count(self, part: bytes) -> None:
        self._head_parsed += len(part)
        if self._head_parsed > self.max_head_bytes:
            self._oversized = True
            raise _HeadTooLarge

    def _arm(self) -> None:
        if self._read_deadline is None:
            self._read_deadline = self.loop.call_later(self.read_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _timed_out(self) -> None:
        self._read_deadline = None
        if self.transport.is_closing():
            return
        if self._in_head and self.cycle is not None and not self.cycle.response_complete:
            self._arm()  # a pipelined request waits for the answer to the one before: the server is the slow one
            return
        if self._in_head:
            detail = f"the request did not arrive within {self.read_timeout:g} seconds".encode()
            self._send_and_close(b"408 Request Timeout", detail)
        else:  # the body is late: the application sees the client disconnect
            self.transport.close()

    def _send_and_close(self, status: bytes, detail: bytes) -> None:
        self._disarm()
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(detail)).encode() + b"\r\nconnection: close\r\n\r\n" + detail
        )
        self.transport.close()


class ConfiguredHttpProtocol(BoundedHttpProtocol):
    """The bounds of this process's settings (``GRAPHSVC_MAX_HEADER_BYTES``, ``GRAPHSVC_REQUEST_READ_TIMEOUT``).

    ``graphsvc serve`` names it to uvicorn by import path, so that each worker process reads them itself.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.read_timeout = settings.request_read_timeout
