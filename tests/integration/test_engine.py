"""The connection: SELECT 1 through the session factory, health, and an unreachable server."""

from __future__ import annotations

import getpass
import socket

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.errors import Unavailable
from app.infrastructure.engine import (
    application_name,
    create_engine,
    create_session_factory,
    get_db,
    health_check,
)
from app.infrastructure.settings import Settings


async def test_select_one_through_get_db(engine: AsyncEngine) -> None:
    async with get_db(create_session_factory(engine)) as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_get_db_rolls_back_what_was_not_committed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with get_db(sessions) as session:
        await session.execute(text("CREATE TEMP TABLE scratch (x int)"))
    async with get_db(sessions) as session:
        found = await session.execute(text("SELECT to_regclass('pg_temp.scratch')"))
        assert found.scalar_one() is None


async def test_health_reports_server_version(engine: AsyncEngine) -> None:
    health = await health_check(create_session_factory(engine))
    major = int(health.server_version.split(".")[0])
    assert major >= 15
    assert health.latency_ms > 0


async def test_session_objects_survive_commit(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    assert factory.kw["expire_on_commit"] is False


async def test_unreachable_server_is_unavailable_not_a_traceback(settings: Settings) -> None:
    # A port nobody listens on: bind one, then close it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = URL.create("postgresql+asyncpg", "postgres", "s3cret-pw", "127.0.0.1", port, "x")
    engine = create_engine(url, settings)
    try:
        with pytest.raises(Unavailable) as caught:
            await health_check(create_session_factory(engine))
    finally:
        await engine.dispose()
    assert "cannot be reached" in caught.value.message
    assert "s3cret-pw" not in repr(caught.value)
    assert caught.value.__cause__ is None


async def test_a_dba_sees_tessera_and_the_os_user_in_pg_stat_activity(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        shown = await connection.scalar(
            text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        )
    assert shown == f"tessera ({getpass.getuser()})"


def test_a_long_user_name_is_shortened_whole_characters_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "김민준" * 10)

    name = application_name()

    assert len(name.encode()) <= 63
    assert name.startswith("tessera (김민준")
    assert name.endswith("…)")
