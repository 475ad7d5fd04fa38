"""Start-up time of the real program, in a subprocess: process start → window ready.

``TESSERA_ANNOUNCE_READY`` makes Tessera print ``tessera: window ready`` once every tab has
its first page in its model (painting follows on the next turn of the event loop).

* warm: an embedded data folder already initialised, migrated and seeded (1,000 users,
  10,000 tokens), its server stopped; the saved "local" profile opens it directly.
* cold: ``tessera --self-test``: a fresh data folder, initdb, migrations, the window.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.domain.connection_check import Target
from app.infrastructure.profiles import ProfileStore
from app.launcher import LOCAL_PROFILE

READY = "tessera: window ready"
ROOT = Path(__file__).resolve().parents[1]


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "TEST_"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        TESSERA_ANNOUNCE_READY="1",
        TESSERA_DATA_DIR=str(folder / "data"),
        XDG_CONFIG_HOME=str(folder / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    return env


def prepare_warm(folder: Path) -> None:
    """Initialise, migrate and seed a data folder, and save it as the last used profile."""
    env = _env(folder)
    seed = [
        sys.executable,
        "-m",
        "tessera.cli",
        "seed",
        "--users",
        "1000",
        "--events-per-user",
        "2",
    ]
    subprocess.run(seed, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)  # noqa: S603
    store = ProfileStore(folder / "config" / "tessera")
    store.save(LOCAL_PROFILE, Target())
    store.set_last_used(LOCAL_PROFILE)


def _until_ready(args: list[str], env: dict[str, str], stop: bool) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tessera.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.strip() == READY:
                spent = time.perf_counter() - started
                break
        else:
            raise RuntimeError(f"tessera {' '.join(args)} ended before its window was ready")
        if stop:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return spent * 1000


def warm(folder: Path) -> float:
    """Milliseconds to a ready window on the prepared folder (the server starts, not initdb)."""
    return _until_ready([], _env(folder), stop=True)


def cold(folder: Path) -> float:
    """Milliseconds to a ready window on a fresh folder: initdb, migrations, window."""
    return _until_ready(["--self-test"], _env(folder), stop=False)
