"""Real Tessera processes for crash and signal tests: start, read their lines, clean up.

Every child gets its own folders (data, config, state) under the test's folder and the
embedded server (no ``TESSERA_DATABASE_URL``). Waiting is reading a pipe with a deadline.

The folder is made with :func:`scratch_folder`, outside pytest's base temp: a pytest run
starting meanwhile (another engineer's, in the same account) makes ``/tmp/pytest-of-<user>``
0700 again, and the server, which runs as another user when we are root, loses its way in.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
DEADLINE_S = 90.0


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A new folder in the system's temp folder, deleted at exit."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a Tessera child whose every folder is under ``tmp_path``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TESSERA_", "PG", "XDG_")) and k != "TEST_DATABASE_URL"
    }
    env.update(
        PYTHONPATH=str(REPO),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "share"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TESSERA_DATA_DIR=str(data_dir(tmp_path)),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        QT_QPA_PLATFORM="offscreen",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def data_dir(tmp_path: Path) -> Path:
    """The Tessera data folder of a test's children."""
    return tmp_path / "data"


def pgdata(tmp_path: Path) -> Path:
    """The embedded cluster of a test's children, as the server names it."""
    return data_dir(tmp_path).resolve() / "postgres"


def postmaster_pid(tmp_path: Path) -> int | None:
    """The pid in postmaster.pid when that process is alive, else None."""
    try:
        first = (pgdata(tmp_path) / "postmaster.pid").read_text().splitlines()[0]
        proc = psutil.Process(int(first))
        return proc.pid if proc.status() != psutil.STATUS_ZOMBIE else None
    except (OSError, IndexError, ValueError, psutil.Error):
        return None


def processes_mentioning(folder: Path) -> list[psutil.Process]:
    """Live (non-zombie) processes whose command line mentions ``folder``."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["status"] != psutil.STATUS_ZOMBIE and any(
            str(folder) in part for part in proc.info["cmdline"] or ()
        ):
            found.append(proc)
    return found


def kill_cluster(folder: Path) -> None:
    """Last resort: kill whatever still serves the cluster in ``folder``; wait until gone."""
    leftovers = processes_mentioning(folder)
    for proc in leftovers:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(leftovers, timeout=DEADLINE_S)


def server_processes(tmp_path: Path) -> list[psutil.Process]:
    """Every live process serving the test's cluster."""
    return processes_mentioning(pgdata(tmp_path))


class Child:
    """A Tessera child process whose stdout is read line by line, with a deadline."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        cwd.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, *args],
            cwd=cwd,  # not the repository: no .env file from a developer
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.lines: list[str] = []
        self._buffer = b""

    @property
    def pid(self) -> int:
        """The child's pid."""
        return self.process.pid

    def wait_for_line(self, wanted: str, timeout: float = DEADLINE_S) -> str:
        """Read lines until one starts with ``wanted``; fail with the output if it never does."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                line = raw.decode(errors="replace")
                self.lines.append(line)
                if line.startswith(wanted):
                    return line
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                why = "timed out" if not ready else f"exited {self.process.wait(DEADLINE_S)}"
                raise AssertionError(f"{why} before “{wanted}”; output:\n{self.output()}")
            self._buffer += chunk

    def finish(self, timeout: float = DEADLINE_S) -> int:
        """Wait for the exit; the exit code, with the rest of the output read."""
        code = self.process.wait(timeout)
        assert self.process.stdout is not None
        rest = self.process.stdout.read()
        self.lines += (self._buffer + rest).decode(errors="replace").splitlines()
        self._buffer = b""
        return code

    def output(self) -> str:
        """What the child printed so far."""
        return "\n".join(self.lines) + "\n" + self._buffer.decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL the child if it still runs, and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE_S)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Children:
    """Starts children for one test; kills them and any server they left, at teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Child] = []

    def start(self, *args: str, **env: str) -> Child:
        """``python <args>`` with :func:`app_env`."""
        child = Child(list(args), app_env(self.tmp_path, **env), self.tmp_path / "cwd")
        self.started.append(child)
        return child

    def cleanup(self) -> None:
        """Kill what still runs: the children, then the cluster's processes."""
        for child in self.started:
            with contextlib.suppress(Exception):
                child.kill()
        kill_cluster(pgdata(self.tmp_path))
