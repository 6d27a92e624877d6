"""Huge and slow requests against a real ``graphsvc serve``, over raw sockets.

The request line and headers are bounded (``GRAPHSVC_MAX_HEADER_BYTES``: 431 beyond, and the
connection closed without reading the rest), and a request that has not fully arrived
``GRAPHSVC_REQUEST_READ_TIMEOUT`` seconds after it began is closed by the server (slowloris).
Each test waits for the server to act (a failed send, or a read returning end of file); the
socket timeout is only a guard that fails the test if the server never does.
"""

import socket

import httpx
import pytest
from conftest import ServeProcess

pytestmark = pytest.mark.db

MAX_HEADER_BYTES = 8192
GUARD_SECONDS = 120  # fails the test if the server never acts; not a margin anything waits for
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    served = ServeProcess(
        tmp_path_factory.mktemp("slow-requests") / "data",
        env={"GRAPHSVC_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES), "GRAPHSVC_REQUEST_READ_TIMEOUT": "2"},
    )
    try:
        served.wait_ready()
        yield served
    finally:
        assert served.stop()


def _connect(server: ServeProcess) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=GUARD_SECONDS)
    connection.settimeout(GUARD_SECONDS)
    return connection


def _read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _head(size: int) -> bytes:
    """A GET /healthz whose request line and headers take about ``size`` bytes, in headers of 500 bytes."""
    headers = b"".join(f"X-Filler-{n}: {'a' * 480}\r\n".encode() for n in range(size // 500))
    return b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"


def test_a_30_mib_header_is_refused_without_being_read(server):
    # The server closes after the limit; writing on runs into the closed connection.
    with _connect(server) as connection, pytest.raises((BrokenPipeError, ConnectionResetError)):
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        for _ in range(30):
            connection.sendall(b"a" * MIB)
        connection.sendall(b"\r\n\r\n")
        _read_until_closed(connection)
        raise AssertionError("the server read a 30 MiB header")
    assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200


def test_headers_over_the_limit_get_431(server):
    with _connect(server) as connection:
        connection.sendall(_head(MAX_HEADER_BYTES + 2000))
        answer = _read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert f"larger than {MAX_HEADER_BYTES} bytes".encode() in answer


def test_headers_within_the_limit_are_served_on_a_kept_alive_connection(server):
    with _connect(server) as connection:
        for _ in range(2):
            connection.sendall(_head(MAX_HEADER_BYTES - 1000))
            answer = b""
            while not answer.endswith(b"}"):  # the whole answer (its JSON body closes it), in as many reads as it takes
                chunk = connection.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 ") and b'{"status":"ok",' in answer, answer[:200]


@pytest.mark.parametrize(
    ("partial", "answer"),
    [
        (b"", b"HTTP/1.1 408 "),  # connected, sends nothing
        (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", b"HTTP/1.1 408 "),  # a head that never ends
        (
            b'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"q',
            b"",  # a body that never ends: closed, the application sees the client disconnect
        ),
    ],
    ids=["nothing", "partial-head", "partial-body"],
)
def test_a_partial_request_is_closed_by_the_server(server, partial, answer):
    with _connect(server) as connection:
        connection.sendall(partial)
        received = _read_until_closed(connection)
    assert received.startswith(answer) and (answer or received == b""), received[:200]
    assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
