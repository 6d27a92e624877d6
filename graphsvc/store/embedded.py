"""The embedded default database: an ArcadeDB server that graphsvc starts, supervises and stops.

The server comes from the ``arcadedb-embedded`` wheel, which bundles a Java runtime and the
Neo4j-compatible Bolt plugin. graphsvc runs it as a child process on free loopback ports, so the
one store code path (the official ``neo4j`` driver over Bolt) serves both production Neo4j and
the embedded default.

Files in the data directory:

``arcadedb/``       the server's root (its databases, config and logs)
``credentials``     the generated root password, mode 0600, never logged
``graphsvc.lock``   an exclusive ``flock`` held by the server process for its whole life; it
                    names the graphsvc process that took it
``server.json``     pid and ports of the running server
``attached/<pid>``  one file per process attached to a server it did not start (a detached one, or the
                    one ``graphsvc serve --workers`` starts for its workers), locked while it lives
``password.args``   the root password as a java argument file (mode 0600), only while a server starts
``arcadedb.log``    the server's console output

Three guarantees matter in production:

* **No orphans.** An attached server is started with ``PR_SET_PDEATHSIG``, so the kernel sends it
  SIGTERM when graphsvc dies, even by SIGKILL. (``graphsvc db start`` starts a *detached* server
  on purpose; ``graphsvc db stop`` stops it.)
* **One owner per data directory.** The lock file descriptor is inherited by the server, so the
  lock lives exactly as long as the server. A second graphsvc that finds it held refuses at once,
  naming the graphsvc process that holds it, unless the holder is a detached server, which it
  attaches to (and finds again on its new ports after ``db stop`` and ``db start``).
* **Supervision.** A server that dies unexpectedly (crash, OOM kill, ``kill -9``) is restarted on
  the *same* ports, so the driver's pooled connections fail, its managed transactions retry and
  reconnect, and nothing above the store needs restarting. Restarts back off (0.5 s doubling to
  30 s while the server keeps dying within a minute of starting) and are logged. While the server
  is down :attr:`EmbeddedServer.available` is False, so callers fail fast instead of waiting out
  the driver's retries. :meth:`EmbeddedServer.stop` stops supervision first: a stop is never
  mistaken for a crash.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graphsvc.errors import DataDirectoryInUse, EmbeddedServerError

__all__ = ["DATABASE_NAME", "ROOT_USER", "EmbeddedServer", "ServerInfo", "die_with_parent"]

log = logging.getLogger(__name__)

DATABASE_NAME = "graphsvc"
ROOT_USER = "root"
_MAIN_CLASS = "com.arcadedb.server.ArcadeDBServer"
_PR_SET_PDEATHSIG = 1
_LOCK_WAIT_SECONDS = 10.0  # a server that is shutting down still holds the lock for a moment
_POLL_SECONDS = 0.2  # how often the supervisor looks at the server process
_FIRST_RESTART_DELAY = 0.5
_MAX_RESTART_DELAY = 30.0
_STABLE_SECONDS = 60.0  # a server up this long before dying restarts without backoff


@dataclass(frozen=True)
class ServerInfo:
    """How to reach a running embedded server (the password is read from ``credentials``)."""

    pid: int
    bolt_port: int
    http_port: int
    detached: bool
    started_at: float

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"


def _package_dir() -> Path:
    spec = find_spec("arcadedb_embedded")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("the arcadedb-embedded package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Loaded in the parent: the child runs as little Python as possible between fork and exec, since
# servers are also started from the supervisor thread while other threads run.
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)


def die_with_parent() -> None:  # pragma: no cover - runs in the child (between fork and exec for a server)
    """Have the kernel send this process SIGTERM when the thread of its parent that started it ends."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) is not a running server.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _command_line(pid: int) -> str:
    """The command line of process ``pid`` as one string (empty when it is gone)."""
    try:
        return " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")).strip()
    except OSError:
        return ""


def restart_delay(failures: int) -> float:
    """Seconds to wait before restarting a server that died after ``failures`` quick deaths in a row.

    >>> [restart_delay(n) for n in (0, 1, 2, 7, 8)]
    [0.5, 1.0, 2.0, 30.0, 30.0]
    """
    return min(_MAX_RESTART_DELAY, _FIRST_RESTART_DELAY * 2.0 ** min(failures, 16))


class EmbeddedServer:
    """Supervises the ArcadeDB server of one data directory.

    Parameters
    ----------
    data_dir
        Directory for the server's files; created when missing.
    heap
        Java heap limit, e.g. ``"2g"``.
    start_timeout
        Seconds to wait for the server to answer queries.
    """

    def __init__(self, data_dir: Path, heap: str = "2g", start_timeout: float = 60.0) -> None:
        self.data_dir = Path(data_dir)
        self.heap = heap
        self.start_timeout = start_timeout
        self.restarts = 0  # unexpected deaths recovered from, for logs and tests
        self._process: subprocess.Popen[bytes] | None = None
        self._info: ServerInfo | None = None
        # Guards _process and _info between the supervisor thread and stop().
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._up = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._registration: int | None = None  # locked file descriptor while attached to a detached server

    # -- files ----------------------------------------------------------------------------

    @property
    def _state_file(self) -> Path:
        return self.data_dir / "server.json"

    @property
    def _lock_file(self) -> Path:
        return self.data_dir / "graphsvc.lock"

    @property
    def _password_arguments(self) -> Path:
        return self.data_dir / "password.args"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "arcadedb.log"

    def password(self) -> str:
        """The root password of this data directory's server, generated on first use."""
        path = self.data_dir / "credentials"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(24))
        return path.read_text().strip()

    def _read_state(self) -> ServerInfo | None:
        try:
            info = ServerInfo(**json.loads(self._state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        return info if _alive(info.pid) else None

    @property
    def _attached_dir(self) -> Path:
        return self.data_dir / "attached"

    def _attach(self) -> None:
        """Register this process as attached: a file holding its command, locked while it lives."""
        if self._registration is not None:
            return
        self._attached_dir.mkdir(exist_ok=True)
        fd = os.open(self._attached_dir / str(os.getpid()), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, _command_line(os.getpid()).encode())
        self._registration = fd

    def _detach(self) -> None:
        if self._registration is not None:
            (self._attached_dir / str(os.getpid())).unlink(missing_ok=True)
            os.close(self._registration)
            self._registration = None

    def attached(self) -> list[str]:
        """``pid N (command)`` of each live process attached to the detached server; stale entries are removed."""
        found = []
        for entry in sorted(self._attached_dir.glob("[0-9]*")):
            try:
                fd = os.open(entry, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                # A registration's lock dies with its process, even one killed with SIGKILL.
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                entry.unlink(missing_ok=True)
            except OSError:
                found.append(f"pid {entry.name} ({entry.read_text(errors='replace')})")
            finally:
                os.close(fd)
        return found

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, *, detached: bool = False) -> ServerInfo:
        """Start the server, or attach to a detached one already running on this directory.

        A server started attached is supervised until :meth:`stop`: when it dies it is started
        again on the same ports. A process attached to a detached server registers in the data
        directory (so ``graphsvc db stop`` can name it) and follows that server when it is
        stopped and started again (see :meth:`current`). Starting a detached server when one
        runs returns the running one.

        Raises
        ------
        DataDirectoryInUse
            Another graphsvc process runs a server on this data directory.
        EmbeddedServerError
            The server exited or did not become ready in time; the message carries its log tail.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        running = self._read_state()
        if running is not None and running.detached:
            if not detached:
                log.info("attaching to the detached embedded server (pid %d)", running.pid)
                self._attach()
            self._info = running
            return running
        self.refuse_if_in_use()
        self._stopping.clear()
        info = self._launch(detached=detached)
        log.info("embedded ArcadeDB ready on %s (pid %d)", info.uri, info.pid)
        if not detached:
            self._up.set()
            # The supervisor must outlive the servers it starts: PR_SET_PDEATHSIG fires when the
            # *thread* that started a server ends, so this thread ends only after stop().
            self._supervisor = threading.Thread(target=self._supervise, name="arcadedb-supervisor", daemon=True)
            self._supervisor.start()
        return info

    def attach(self) -> ServerInfo:
        """Attach to the server running on this data directory, whoever started it, without supervising it.

        The worker processes of ``graphsvc serve --workers`` attach to the server their parent
        started (and restarts when it dies). Like an attachment to a detached server, this one
        registers in the data directory and follows the server when it runs again on other
        ports. Waits up to ``start_timeout`` seconds for a server to run (one may be restarting).

        Raises
        ------
        EmbeddedServerError
            No server ran on the data directory within ``start_timeout`` seconds.
        """
        deadline = time.monotonic() + self.start_timeout
        while (running := self._read_state()) is None:
            if time.monotonic() >= deadline:
                raise EmbeddedServerError(f"no embedded server runs on {self.data_dir} to attach to")
            time.sleep(_POLL_SECONDS)
        self._attach()
        self._info = running
        return running

    def current(self) -> ServerInfo | None:
        """The running server this object uses, None while there is none.

        An attached process looks the detached server up again once the one it knew is gone:
        after ``graphsvc db stop`` and ``db start`` it runs on other ports.
        """
        info = self._info
        if self._registration is not None and (info is None or not _alive(info.pid)):
            info = self._read_state()
            self._info = info or self._info
        return info

    def resolve(self, address: tuple[str, int]) -> list[tuple[str, int]]:
        """The Bolt address of the current server, for the driver's ``resolver``: it follows a moved server."""
        info = self.current()
        return [("127.0.0.1", info.bolt_port)] if info is not None else [address]

    @property
    def available(self) -> bool:
        """False while the server is known to be down (dead, or restarting); a cheap check before each call."""
        if self._supervisor is not None:
            return self._up.is_set()
        if self._info is not None and _alive(self._info.pid):  # the common case: one check, not two
            return True
        info = self.current()  # an attached process looks up a server that moved
        return info is not None and _alive(info.pid)

    def refuse_if_in_use(self) -> None:
        """Raise :class:`DataDirectoryInUse` at once when another running graphsvc owns the data directory.

        A detached server (``graphsvc db start``) is not refused: graphsvc commands attach to it.
        When the owner is gone but its server still holds the lock (it is shutting down),
        :meth:`start` waits for it instead.
        """
        running = self._read_state()
        if running is not None and running.detached:
            return
        if not self._lock_file.exists():
            return
        lock_fd = os.open(self._lock_file, os.O_RDONLY)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        finally:
            os.close(lock_fd)
        owner = self._owner()
        if owner is not None:
            raise self._in_use(owner)

    def _owner(self) -> str | None:
        """``graphsvc pid N (command)``: the live graphsvc process that took the data directory's lock, if any."""
        try:
            recorded = json.loads(self._lock_file.read_text())
            pid, command = int(recorded["pid"]), str(recorded["command"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        # The command guards against a recycled pid.
        return f"graphsvc pid {pid} ({command})" if pid != os.getpid() and _command_line(pid) == command else None

    def _in_use(self, holder: str) -> DataDirectoryInUse:
        return DataDirectoryInUse(
            f"data directory {self.data_dir} is in use by {holder}; stop it first, or run "
            "`graphsvc db start` so that graphsvc commands share one database, or point GRAPHSVC_DATA_DIR "
            "at another directory"
        )

    def _launch(self, *, detached: bool, ports: tuple[int, int] | None = None) -> ServerInfo:
        """Take the data directory's lock, start a server (on ``ports`` when given) and wait until it answers."""
        lock_fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not self._acquire(lock_fd):
                running = self._read_state()
                raise self._in_use(self._owner() or (f"the server pid {running.pid}" if running else "another process"))
            # Who holds the lock, for the message a second graphsvc gives.
            os.ftruncate(lock_fd, 0)
            os.pwrite(lock_fd, json.dumps({"pid": os.getpid(), "command": _command_line(os.getpid())}).encode(), 0)
            with self._lock:
                if self._stopping.is_set():
                    raise EmbeddedServerError("the embedded server is being stopped")
                self._write_password_arguments()
                info = self._spawn(lock_fd, detached=detached, ports=ports)
            self._wait_until_ready(info)
        finally:
            # The child holds its own copy of the descriptor (and with it the lock); a server
            # that answers has read its arguments long ago.
            os.close(lock_fd)
            self._password_arguments.unlink(missing_ok=True)
        self._state_file.write_text(json.dumps(asdict(info)))
        self._info = info
        return info

    @staticmethod
    def _acquire(lock_fd: int) -> bool:
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def _supervise(self) -> None:
        """Restart the server whenever it dies, until :meth:`stop`; runs on its own thread."""
        failures = 0
        while not self._stopping.wait(_POLL_SECONDS):
            process, info = self._process, self._info
            if process is None or info is None or process.poll() is None:
                continue
            self._up.clear()
            if self._stopping.is_set():
                return
            if time.time() - info.started_at >= _STABLE_SECONDS:
                failures = 0
            log.error(
                "embedded ArcadeDB server (pid %d) died unexpectedly with code %s after %.0f s; restarting it on "
                "the same ports. Its last output:\n%s",
                info.pid,
                process.returncode,
                time.time() - info.started_at,
                self._log_tail(),
            )
            while not self._stopping.is_set():
                delay = restart_delay(failures)
                failures += 1
                if self._stopping.wait(delay):
                    return
                try:
                    restarted = self._launch(detached=False, ports=(info.bolt_port, info.http_port))
                except (EmbeddedServerError, DataDirectoryInUse, OSError) as exc:
                    if self._stopping.is_set():
                        return
                    log.error(
                        "restarting the embedded ArcadeDB server failed (attempt %d, next in %.1f s): %s",
                        failures,
                        restart_delay(failures),
                        str(exc).splitlines()[0],
                    )
                    continue
                self.restarts += 1
                self._up.set()
                log.warning(
                    "embedded ArcadeDB server restarted on %s (pid %d, restart #%d)",
                    restarted.uri,
                    restarted.pid,
                    self.restarts,
                )
                break

    def _command(self, bolt_port: int, http_port: int) -> list[str]:
        package = _package_dir()
        root = self.data_dir / "arcadedb"
        properties = {
            "user.timezone": "UTC",
            "arcadedb.server.rootPath": root,
            "arcadedb.server.databaseDirectory": root / "databases",
            "arcadedb.server.defaultDatabases": f"{DATABASE_NAME}[{ROOT_USER}]",
            "arcadedb.server.httpIncomingHost": "127.0.0.1",
            "arcadedb.server.httpIncomingPort": http_port,
            "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "arcadedb.bolt.host": "127.0.0.1",
            "arcadedb.bolt.port": bolt_port,
            "arcadedb.bolt.defaultDatabase": DATABASE_NAME,
        }
        return [
            str(package / "jre" / "bin" / "java"),
            f"-Xmx{self.heap}",
            # The root password comes from an argument file: the java launcher reads it, so the
            # password never shows in the process's arguments (which any local user may read).
            f"@{self._password_arguments}",
            *(f"-D{key}={value}" for key, value in properties.items()),
            "-cp",
            str(package / "jars" / "*"),
            _MAIN_CLASS,
        ]

    def _write_password_arguments(self) -> None:
        """The java argument file giving the server its root password: mode 0600, removed once it runs."""
        path = self._password_arguments
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f'"-Darcadedb.server.rootPassword={self.password()}"\n')

    def _spawn(self, lock_fd: int, *, detached: bool, ports: tuple[int, int] | None) -> ServerInfo:
        bolt_port, http_port = ports or (_free_port(), _free_port())
        with open(self.log_file, "ab") as log_handle:
            self._process = subprocess.Popen(
                self._command(bolt_port, http_port),
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                pass_fds=(lock_fd,),
                start_new_session=detached,
                preexec_fn=None if detached else die_with_parent,
            )
        return ServerInfo(self._process.pid, bolt_port, http_port, detached, time.time())

    def _wait_until_ready(self, info: ServerInfo) -> None:
        # The Bolt port opens before the database exists: ready means a query answers.
        deadline = time.monotonic() + self.start_timeout
        with GraphDatabase.driver(info.uri, auth=(ROOT_USER, self.password())) as driver:
            while True:
                if self._process is not None and self._process.poll() is not None:
                    raise EmbeddedServerError(
                        f"the embedded ArcadeDB server exited with code {self._process.returncode}:\n"
                        + self._log_tail()
                    )
                try:
                    # A plain read without the driver's retry loop: this loop does the waiting.
                    with driver.session(database=DATABASE_NAME) as session:
                        session.run("RETURN 1").consume()
                    return
                except (ServiceUnavailable, Neo4jError, OSError):
                    pass
                if self._stopping.is_set() or time.monotonic() > deadline:
                    self._terminate(info.pid)
                    if self._stopping.is_set():
                        raise EmbeddedServerError("the embedded server was stopped while starting")
                    raise EmbeddedServerError(
                        f"the embedded ArcadeDB server was not ready after {self.start_timeout:.0f} s:\n"
                        + self._log_tail()
                    )
                time.sleep(0.25)

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the server this object started, or the detached one of the data directory.

        Supervision ends first, so the stop is not taken for a crash. A server this process
        merely attached to is left running. Returns True when a server was stopped.
        """
        if self._registration is not None:
            self._detach()
            self._info = None
            return False  # attached, not ours
        if self._process is None and (running := self._read_state()) is not None and not running.detached:
            # Another graphsvc runs (and supervises) this server: stopping it here would only restart it.
            raise self._in_use(self._owner() or f"the server pid {running.pid}")
        with self._lock:
            self._stopping.set()
            self._up.clear()
            process = self._process
        info = self._info or self._read_state()
        # The supervisor may have started a newer server than the one _info still describes.
        pid = process.pid if process is not None else info.pid if info is not None else None
        if pid is not None:
            self._terminate(pid, timeout)
        if self._supervisor is not None:
            self._supervisor.join(timeout)
            self._supervisor = None
        self._state_file.unlink(missing_ok=True)
        self._info = None
        self._process = None
        return pid is not None

    def _terminate(self, pid: int, timeout: float = 30.0) -> None:
        if not self._is_our_server(pid):
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            if self._process is not None and self._process.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=0.2)
            else:
                time.sleep(0.2)
        if _alive(pid):
            log.warning("embedded server pid %d ignored SIGTERM for %.0f s; killing it", pid, timeout)
            os.kill(pid, signal.SIGKILL)

    def _is_our_server(self, pid: int) -> bool:
        # Guards against a recycled pid: only signal the ArcadeDB server of this directory.
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        root = f"-Darcadedb.server.rootPath={self.data_dir / 'arcadedb'}".encode()
        return _MAIN_CLASS.encode() in cmdline and root in cmdline

    def status(self) -> dict[str, object]:
        """What is running on this data directory, for ``graphsvc db status``."""
        info = self._read_state()
        if info is None:
            return {"running": False, "data_dir": str(self.data_dir), "attached": self.attached()}
        return {
            "running": True,
            "data_dir": str(self.data_dir),
            "pid": info.pid,
            "bolt_uri": info.uri,
            "detached": info.detached,
            "uptime_seconds": round(time.time() - info.started_at, 1),
            "attached": self.attached(),
        }
