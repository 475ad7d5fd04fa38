"""PgBouncer in front of the test server, for the pooler tests (``tests/poolers``).

Debian's ``pgbouncer`` package (``.ci/run`` installs it when missing). PgBouncer refuses
to run as root, so as root it runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BINARY = "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer stopped: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # a process starting, not async work: polled with a deadline
    raise RuntimeError("pgbouncer did not open its port within 10 s")


@contextmanager
def pgbouncer(mode: str, server_host: str, server_port: int) -> Iterator[int]:
    """Run PgBouncer in ``mode`` (transaction or session) in front of the server; its port."""
    binary = shutil.which("pgbouncer") or BINARY
    if not Path(binary).exists():
        raise RuntimeError(
            "PgBouncer is not installed (Debian: apt-get install pgbouncer); the pooler tests "
            "need it"
        )
    folder = Path(tempfile.mkdtemp(prefix="tessera-pgbouncer-"))
    port = _free_port()
    log = folder / "pgbouncer.log"
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={server_host} port={server_port}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = trust\n"
        f"auth_file = {folder}/users.txt\npool_mode = {mode}\nmax_client_conn = 200\n"
        f"default_pool_size = 10\nlogfile = {log}\nunix_socket_dir =\n"
    )
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer will not run as root
        shutil.chown(folder, "postgres")
        for child in folder.iterdir():
            shutil.chown(child, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    """``python -m tests.pgbouncer MODE COMMAND…``: COMMAND with PgBouncer in front of the server.

    The server is TEST_DATABASE_URL's; COMMAND gets TEST_DATABASE_URL through the pooler and
    TESSERA_TEST_DIRECT_URL for making and dropping databases. PgBouncer stops afterwards,
    whatever COMMAND did. Used by ``.ci/run``.
    """
    from sqlalchemy.engine import make_url

    mode, command = argv[0], argv[1:]
    direct = make_url(os.environ["TEST_DATABASE_URL"])
    with pgbouncer(mode, direct.host or "127.0.0.1", direct.port or 5432) as port:
        pooled = direct.set(host="127.0.0.1", port=port)
        env = dict(os.environ, TEST_DATABASE_URL=pooled.render_as_string(hide_password=False))
        env["TESSERA_TEST_DIRECT_URL"] = direct.render_as_string(hide_password=False)
        print(f"PgBouncer in {mode} pooling mode on 127.0.0.1:{port}", flush=True)
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
