"""A real Tessera process killed with SIGKILL on the embedded server: the next start recovers.

The child opens Tessera through the composition root (as ``tessera status`` does), migrates,
commits users through the service, says so on stdout and waits to be killed. The server it
started outlives it; the next start (the real ``tessera status``) adopts that server, finds
every committed row and none of the uncommitted ones, and stops it on the way out.
"""

from __future__ import annotations

import json
import signal
import textwrap
from collections.abc import Iterator

import psutil
import pytest

from tests.processes import (
    Children,
    data_dir,
    postmaster_pid,
    scratch_folder,
    server_processes,
)

pytestmark = [pytest.mark.slow]

COMMITTED = 12
UNCOMMITTED = 5

# argv: mode ("commit" or "mid-write"), number of users to commit.
CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime

    from app.bootstrap import open_tessera
    from app.domain.users import UserDraft

    mode, committed, uncommitted = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

    def draft(kind, n):
        return UserDraft(email=f"{kind}{n}@example.org", display_name=f"{kind} {n}")

    async def main():
        async with open_tessera() as tessera:
            await tessera.migrations.upgrade()
            for n in range(committed):
                await tessera.users.create(draft("committed", n))
            print("committed", committed, flush=True)
            if mode == "mid-write":
                async with tessera.database.unit_of_work() as uow:
                    for n in range(uncommitted):
                        await uow.users.add(draft("uncommitted", n), datetime.now(UTC))
                    print("in transaction", uncommitted, flush=True)
                    await asyncio.Event().wait()  # killed before the commit
            await asyncio.Event().wait()

    asyncio.run(main())
    """
)

# Prints the e-mail addresses stored, as JSON, then closes Tessera normally.
READER = textwrap.dedent(
    """
    import asyncio, json

    from app.bootstrap import open_tessera
    from app.domain.paging import PageRequest
    from app.domain.users import UserFilter

    async def main():
        async with open_tessera() as tessera:
            page = await tessera.users.list(UserFilter(), PageRequest(limit=100))
            print("emails", json.dumps(sorted(u.email for u in page.items)), flush=True)

    asyncio.run(main())
    """
)


@pytest.fixture
def children() -> Iterator[Children]:
    """Tessera children on the test's own data folder; nothing left running afterwards."""
    with scratch_folder("tessera-crash-") as folder:
        made = Children(folder)
        try:
            yield made
        finally:
            made.cleanup()


def kill_mid_session(children: Children, mode: str, marker: str) -> int:
    """Run :data:`CHILD` until ``marker``, SIGKILL it; the orphaned server's pid."""
    child = children.start("-c", CHILD, mode, str(COMMITTED), str(UNCOMMITTED))
    child.wait_for_line(marker)
    server = postmaster_pid(children.tmp_path)
    assert server is not None, child.output()

    child.process.send_signal(signal.SIGKILL)

    assert child.finish() == -signal.SIGKILL
    assert psutil.Process(server).is_running(), "the server outlives its killed owner"
    assert postmaster_pid(children.tmp_path) == server
    return server


def next_start(children: Children, orphan: int) -> list[str]:
    """Start Tessera twice more (``tessera -v status``, then a reader); the e-mails stored."""
    status = children.start("-m", "tessera.cli", "-v", "status")
    assert status.finish() == 0, status.output()
    assert f"Reusing PostgreSQL server {orphan}" in status.output()
    assert "Schema is up to date." in status.output()
    reader = children.start("-c", READER)
    line = reader.wait_for_line("emails ")
    assert reader.finish() == 0, reader.output()
    emails: list[str] = json.loads(line.removeprefix("emails "))
    return emails


def assert_nothing_left(children: Children, orphan: int) -> None:
    """No server for this data folder runs, and no owner is registered."""
    assert not psutil.pid_exists(orphan) or psutil.Process(orphan).status() == "zombie"
    assert postmaster_pid(children.tmp_path) is None
    assert server_processes(children.tmp_path) == []
    owners = data_dir(children.tmp_path) / "postgres.owners.json"
    assert json.loads(owners.read_text()) == []


def test_killed_after_commits_keeps_every_row_and_leaves_nothing_running(
    children: Children,
) -> None:
    orphan = kill_mid_session(children, "commit", "committed")

    emails = next_start(children, orphan)

    assert emails == sorted(f"committed{n}@example.org" for n in range(COMMITTED))
    status = children.started[1].output()
    assert f"{COMMITTED} users" in status
    assert_nothing_left(children, orphan)


def test_killed_inside_a_write_keeps_the_committed_rows_only(children: Children) -> None:
    orphan = kill_mid_session(children, "mid-write", "in transaction")

    emails = next_start(children, orphan)

    assert emails == sorted(f"committed{n}@example.org" for n in range(COMMITTED))
    assert not any(e.startswith("uncommitted") for e in emails)
    assert_nothing_left(children, orphan)
