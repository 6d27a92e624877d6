"""The embedded server's lifecycle: data survives restarts, one owner, no orphans."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GUARD, arcadedb_processes, wait_until
from neo4j import GraphDatabase

from graphsvc.errors import DataDirectoryInUse
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER, EmbeddedServer

pytestmark = pytest.mark.db


def _query(server: EmbeddedServer, text: str) -> list[dict]:
    with GraphDatabase.driver(server.status()["bolt_uri"], auth=(ROOT_USER, server.password())) as driver:
        return [record.data() for record in driver.execute_query(text, database_=DATABASE_NAME).records]


# 127.0.0.1 as /proc/net/tcp writes it, the same mapped into IPv6, and ::1.
LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening (state 0A) on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def _wait_gone(data_dir) -> list[int]:
    """ArcadeDB servers of ``data_dir`` still running when they stopped going away (after the guard)."""
    wait_until(lambda: not arcadedb_processes(data_dir))
    return arcadedb_processes(data_dir)


def test_data_survives_a_restart_and_the_server_listens_on_loopback_only(tmp_path):
    server = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    info = server.start()
    try:
        assert info.uri.startswith("bolt://127.0.0.1:")
        _query(server, "CREATE (:Account {id: 'kept', name: 'Kept'})")
        password_file = tmp_path / "credentials"
        assert password_file.stat().st_mode & 0o777 == 0o600
        for port in (info.bolt_port, info.http_port):
            addresses = _listening_addresses(port)
            assert addresses and addresses <= LOOPBACK, (port, addresses)
    finally:
        assert server.stop()
    assert arcadedb_processes(tmp_path) == []
    again = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    again.start()
    try:
        assert _query(again, "MATCH (a:Account {id: 'kept'}) RETURN a.name AS name") == [{"name": "Kept"}]
    finally:
        again.stop()


def test_a_second_owner_of_the_data_directory_is_refused(tmp_path):
    server = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    server.start()
    try:
        with pytest.raises(DataDirectoryInUse, match=str(tmp_path)):
            EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD).start()
    finally:
        server.stop()


def test_sigkill_of_graphsvc_leaves_no_server_behind(tmp_path):
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from graphsvc.store.embedded import EmbeddedServer\n"
        "EmbeddedServer(Path(sys.argv[1]), heap='512m', start_timeout=float(sys.argv[2])).start()\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(GUARD)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout.readline().strip() == "ready"
        servers = arcadedb_processes(tmp_path)
        assert len(servers) == 1
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert _wait_gone(tmp_path) == []
    # The lock died with the server: the directory can be opened again at once.
    server = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    server.start()
    server.stop()


def test_a_detached_server_is_shared_then_stopped(tmp_path):
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(tmp_path),
        "GRAPHSVC_EMBEDDED_HEAP": "512m",
        "GRAPHSVC_EMBEDDED_START_TIMEOUT": str(GUARD),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "graphsvc", "db", *args], env=env, capture_output=True, text=True)

    assert run("status").returncode == 3
    started = run("start")
    assert started.returncode == 0, started.stderr
    try:
        attached = EmbeddedServer(tmp_path, start_timeout=GUARD)
        info = attached.start()
        assert info.detached and info.pid in arcadedb_processes(tmp_path)
        assert attached.stop() is False  # attached, not ours: it keeps running
        assert run("status").returncode == 0
    finally:
        stopped = run("stop")
    assert stopped.stdout.strip() == "stopped"
    assert arcadedb_processes(tmp_path) == []


def _processes_showing(secret: bytes) -> list[str]:
    """``/proc/<pid>/cmdline`` and ``environ`` files, of every process we may read, that contain ``secret``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            for name in ("cmdline", "environ"):
                try:
                    if secret in (entry / name).read_bytes():
                        found.append(f"{entry}/{name}")
                except OSError:
                    continue
    return found


def test_the_root_password_is_in_no_process_arguments_environment_or_log(tmp_path):
    server = EmbeddedServer(tmp_path, heap="512m", start_timeout=GUARD)
    info = server.start()
    try:
        secret = server.password().encode()
        # The server and its parent must be among the processes looked at.
        for pid in (info.pid, os.getpid()):
            assert Path(f"/proc/{pid}/cmdline").read_bytes() and Path(f"/proc/{pid}/environ").read_bytes()
        assert _processes_showing(secret) == []
        _query(server, "RETURN 1 AS one")  # the password it was given is the one graphsvc uses
        assert secret not in server.log_file.read_bytes()
        # Only the credentials file keeps it (mode 0600); nothing else in the data directory does.
        leaks = [p for p in tmp_path.iterdir() if p.is_file() and p.name != "credentials" and secret in p.read_bytes()]
        assert leaks == []
    finally:
        server.stop()
