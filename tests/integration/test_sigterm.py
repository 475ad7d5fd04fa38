"""SIGTERM to a real ``tessera window`` (off screen, embedded server): it ends cleanly.

The window opens without the wizard because the test saves the "local" profile first, as
the wizard would. ``TESSERA_ANNOUNCE_READY`` makes the window print a line once its data is
shown; the test waits for that line, sends SIGTERM, and expects exit code 0 with the server
stopped. A second test sends SIGTERM while the window's loads wait on a lock the test holds.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
from keyring.backends.null import Keyring as NoKeyring

from app.domain.connection_check import Target
from app.infrastructure.embedded import EmbeddedPostgres
from app.infrastructure.profiles import ProfileStore
from app.launcher import LOCAL_PROFILE
from tests.processes import (
    DEADLINE_S,
    Child,
    Children,
    data_dir,
    pgdata,
    postmaster_pid,
    scratch_folder,
    server_processes,
)
from ui.app import ANNOUNCE_READY_ENV, READY_LINE

pytestmark = [pytest.mark.slow]

WAITING_LOADS = """
SELECT count(*) FROM pg_stat_activity
WHERE application_name LIKE 'tessera (%' AND wait_event_type = 'Lock'
"""


@pytest.fixture
def children() -> Iterator[Children]:
    """A migrated local database and a saved "local" profile; nothing left running after."""
    with scratch_folder("tessera-term-") as folder:
        made = Children(folder)
        try:
            upgrade = made.start("-m", "tessera.cli", "upgrade")
            assert upgrade.finish() == 0, upgrade.output()
            store = ProfileStore(folder / "config" / "tessera", NoKeyring())  # type: ignore[no-untyped-call]
            store.save(LOCAL_PROFILE, Target())
            store.set_last_used(LOCAL_PROFILE)
            yield made
        finally:
            made.cleanup()


def start_window(children: Children) -> Child:
    """``python -m tessera`` (the ``tessera`` command, window mode) announcing readiness."""
    return children.start("-m", "tessera", **{ANNOUNCE_READY_ENV: "1"})


def owners(folder: Path) -> list[int]:
    """The pids registered as users of the embedded server."""
    entries = json.loads((data_dir(folder) / "postgres.owners.json").read_text())
    return [entry["pid"] for entry in entries]


def test_sigterm_closes_the_window_and_stops_the_server(children: Children) -> None:
    window = start_window(children)
    window.wait_for_line(READY_LINE)
    server = postmaster_pid(children.tmp_path)
    assert server is not None
    assert owners(children.tmp_path) == [window.pid]

    window.process.send_signal(signal.SIGTERM)

    assert window.finish() == 0, window.output()
    assert not psutil.pid_exists(server) or psutil.Process(server).status() == "zombie"
    assert server_processes(children.tmp_path) == []
    assert owners(children.tmp_path) == []
    assert "Traceback" not in window.output()


async def wait_for_blocked_load(connection: asyncpg.Connection, window: Child) -> None:
    """Poll the server until one of the window's queries waits for our lock."""
    deadline = time.monotonic() + DEADLINE_S
    while not await connection.fetchval(WAITING_LOADS):
        assert window.process.poll() is None, window.output()
        assert time.monotonic() < deadline, "no load of the window ever waited for the lock"
        await asyncio.sleep(0.05)


async def test_sigterm_during_a_load_cancels_it_and_exits(children: Children) -> None:
    # The test shares the server (as a second owner) so it can hold a lock across the start.
    ours = EmbeddedPostgres(data_dir(children.tmp_path))
    ours.start()
    try:
        blocker = await asyncpg.connect(
            host=str(pgdata(children.tmp_path)), user="postgres", database="tessera"
        )
        watcher = await asyncpg.connect(
            host=str(pgdata(children.tmp_path)), user="postgres", database="tessera"
        )
        try:
            async with blocker.transaction():
                await blocker.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
                window = start_window(children)
                await wait_for_blocked_load(watcher, window)

                window.process.send_signal(signal.SIGTERM)
                code = await asyncio.to_thread(window.finish)

                assert code == 0, window.output()
                assert READY_LINE not in window.output()  # it never finished loading
                assert not await watcher.fetchval(WAITING_LOADS)  # the query was cancelled
                assert owners(children.tmp_path) == [os.getpid()]
        finally:
            await blocker.close()
            await watcher.close()
    finally:
        ours.stop()
    assert server_processes(children.tmp_path) == []
