"""Who uses and who runs an embedded cluster: the owners file and the processes behind pids.

Processes sharing a data folder register in ``postgres.owners.json`` under an inter-process lock
(``postgres.lock``). An entry is a pid with its process's creation time, so a pid recycled by
another program is not taken for a live owner; dead owners are pruned on every read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fasteners
import psutil

from app.infrastructure.embedded_errors import EmbeddedServerError

_LOG = logging.getLogger("app.infrastructure.embedded")  # one logger for the whole server

Owner = dict[str, Any]  # {"pid": int, "created": float}, as stored in the JSON file


class OwnersFile:
    """The processes sharing one cluster, listed in ``<data_dir>/postgres.owners.json``."""

    def __init__(self, data_dir: Path, pgdata: Path) -> None:
        """Describe the file; nothing is read or written until asked.

        Args:
            data_dir: The app's data folder, which holds the owners file and the lock file.
            pgdata: The cluster's folder, named in log messages.
        """
        self._data_dir = data_dir
        self._pgdata = pgdata
        self._path = data_dir / "postgres.owners.json"

    @contextlib.contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold the data folder's inter-process lock for the ``with`` block.

        Args:
            timeout: Seconds to wait for another process to release it.

        Raises:
            EmbeddedServerError: if the lock is still held by another process after ``timeout``.
        """
        path = self._data_dir / "postgres.lock"
        os.close(_private(path, os.O_WRONLY | os.O_CREAT))  # fasteners would make it 0644
        lock = fasteners.InterProcessLock(str(path))
        if not lock.acquire(timeout=timeout):
            raise EmbeddedServerError(f"Another Tessera process keeps {self._data_dir} busy.")
        try:
            yield
        finally:
            lock.release()

    def live(self) -> list[Owner]:
        """Read the owners that are still running; a missing or garbled file has none.

        Returns:
            The entries whose process is alive, in file order.
        """
        try:
            entries = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = []
        entries = entries if isinstance(entries, list) else []
        live = [
            e for e in entries if isinstance(e, dict) and _alive(e.get("pid"), e.get("created"))
        ]
        if len(live) != len(entries):
            _LOG.info("Pruned %d dead owner(s) of %s", len(entries) - len(live), self._pgdata)
        return live

    def write(self, owners: list[Owner]) -> None:
        """Replace the file's content atomically (call it under :meth:`locked`).

        Args:
            owners: The entries to store.

        Raises:
            OSError: if the file cannot be written.
        """
        scratch = self._path.with_suffix(".tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        with open(_private(scratch, flags), "w", encoding="utf-8") as out:
            out.write(json.dumps(owners))
        os.replace(scratch, self._path)


def _private(path: Path, flags: int) -> int:
    """Open ``path`` as only its owner may read it (0600, an older file too); the descriptor."""
    fd = os.open(path, flags, 0o600)
    os.chmod(path, 0o600)
    return fd


def this_process() -> Owner:
    """The owners-file entry of the calling process.

    Returns:
        Its pid and its creation time.
    """
    return {"pid": os.getpid(), "created": psutil.Process().create_time()}


def _alive(pid: object, created: object) -> bool:
    if not isinstance(pid, int) or not isinstance(created, float):
        return False
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and abs(proc.create_time() - created) < 1
    except psutil.Error:
        return False


def gone(proc: psutil.Process, seconds: float) -> bool:
    """Wait up to ``seconds`` for a process to exit; a zombie counts as exited.

    Args:
        proc: The process to watch.
        seconds: How long to wait.

    Returns:
        True once the process is gone, False if it still runs after ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.Error:
            return True
        time.sleep(0.02)
    return False


def cluster_processes(pgdata: Path, pid: int | None) -> list[psutil.Process]:
    """Find the PostgreSQL processes of one cluster.

    Args:
        pgdata: The cluster's folder, as it appears on the postmaster's command line.
        pid: The postmaster's pid, if known; included even when its command line is unreadable.

    Returns:
        The postgres processes whose command line names ``pgdata``, and the postmaster.
    """
    procs = [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if (p.info["name"] or "").startswith("postgres") and mentions(p.info["cmdline"], pgdata)
    ]
    if pid and pid not in {p.pid for p in procs}:
        with contextlib.suppress(psutil.Error):
            procs.append(psutil.Process(pid))
    return procs


def mentions(cmdline: list[str] | None, pgdata: Path) -> bool:
    """Tell whether a command line names the cluster's folder as one of its arguments.

    Args:
        cmdline: A process's arguments, or None when they could not be read.
        pgdata: The cluster's folder.

    Returns:
        True if an argument is the same path as ``pgdata``.
    """
    # normpath: pg_ctl writes Windows paths with forward slashes.
    target = os.path.normcase(pgdata)
    return any(os.path.normcase(os.path.normpath(arg)) == target for arg in cmdline or ())
