"""Cancelling a write half-way leaves nothing behind: no row, no running query, no broken
connection in the pool."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.users import UserDraft
from app.infrastructure.engine import create_engine, create_session_factory
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork

ACTIVE = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE pid = :pid AND state <> 'idle' AND query ILIKE '%pg_sleep%'"
)


@pytest_asyncio.fixture
async def one_connection(database_url: URL) -> AsyncIterator[AsyncEngine]:
    """An engine with a pool of exactly one connection: whatever it hands out next is the
    connection a cancelled task used, unless the pool threw that one away."""
    settings = Settings(_env_file=None, database_url=None, pool_size=1, max_overflow=0)
    engine = create_engine(database_url, settings)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _scalar(engine: AsyncEngine, sql: str, **params: object) -> object:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


async def _until(condition: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_cancelled_write_leaves_no_row_no_query_and_no_broken_connection(
    one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    sessions = create_session_factory(one_connection)
    email = f"half-{uuid.uuid4().hex[:8]}@example.org"
    holding = asyncio.Event()
    backend_pid: list[int] = []

    async def slow_write() -> None:
        async with SqlUnitOfWork(sessions) as uow:
            await uow.users.add(UserDraft(email=email, display_name="Half"), datetime.now(UTC))
            session = uow._active()  # the same session, so the same open transaction
            backend_pid.append(
                (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            )
            holding.set()
            await session.execute(text("SELECT pg_sleep(30)"))
            await uow.commit()

    task = asyncio.create_task(slow_write())
    await asyncio.wait_for(holding.wait(), 10)
    (pid,) = backend_pid
    # The insert is in flight on the server: pg_sleep is running in its transaction.
    await _until(lambda: _active(engine, pid))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    # asyncpg sends a cancel request and SQLAlchemy closes the connection: the backend stops.
    await _until(lambda: _idle(engine, pid))
    count = await _scalar(engine, "SELECT count(*) FROM users WHERE email = :e", e=email)
    assert count == 0

    # The pool did not keep the connection the cancelled task was using.
    pool = one_connection.pool
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    async with SqlUnitOfWork(sessions) as uow:
        session = uow._active()
        fresh_pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert fresh_pid != pid
        added = await uow.users.add(UserDraft(email=email, display_name="Whole"), datetime.now(UTC))
        await uow.commit()
    stored = await _scalar(engine, "SELECT display_name FROM users WHERE id = :i", i=added.id)
    assert stored == "Whole"
    async with engine.begin() as connection:  # committed: the shared database stays clean
        await connection.execute(text("DELETE FROM users WHERE id = :i"), {"i": added.id})


async def _active(engine: AsyncEngine, pid: int) -> bool:
    return await _scalar(engine, ACTIVE, pid=pid) == 1


async def _idle(engine: AsyncEngine, pid: int) -> bool:
    return await _scalar(engine, ACTIVE, pid=pid) == 0
