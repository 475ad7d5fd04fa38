"""Following the change log on PostgreSQL: nothing missed, nothing twice, woken by NOTIFY."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from app.domain.changes import Entity, Operation
from app.domain.errors import Unavailable
from app.infrastructure.changes import PgChangeSignal, SqlChangeLog
from app.infrastructure.settings import Settings
from app.services.changes import ChangeFeed

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _feed(engine: AsyncEngine, url: URL, settings: Settings) -> ChangeFeed:
    log = SqlChangeLog(async_sessionmaker(engine, expire_on_commit=False))
    return ChangeFeed(log, PgChangeSignal(url, settings), lambda: NOW, timedelta(days=30))


async def _add_user(connection: AsyncConnection, email: str) -> int:
    result = await connection.execute(
        text("INSERT INTO users (email, display_name) VALUES (:e, 'Someone') RETURNING id"),
        {"e": email},
    )
    return int(result.scalar_one())


async def test_a_reader_gets_each_change_after_its_start_once(
    own_engine: AsyncEngine, empty_database: URL, settings: Settings
) -> None:
    async with own_engine.begin() as connection:
        await _add_user(connection, "before@example.org")
    feed = _feed(own_engine, empty_database, settings)
    await feed.start()
    async with own_engine.begin() as connection:
        kim = await _add_user(connection, "kim@example.org")
        await connection.execute(
            text("UPDATE users SET is_active = false WHERE id = :i"), {"i": kim}
        )

    batch = await feed.read()

    assert [(c.entity, c.row_id, c.operation) for c in batch.changes] == [
        (Entity.USER, kim, Operation.INSERT),
        (Entity.USER, kim, Operation.UPDATE),
    ]
    assert batch.changes[1].after == {"is_active": False, "version": 2}
    assert batch.complete
    assert (await feed.read()).changes == ()


async def test_a_transaction_that_commits_late_with_a_lower_id_is_not_missed(
    own_engine: AsyncEngine, empty_database: URL, settings: Settings
) -> None:
    feed = _feed(own_engine, empty_database, settings)
    await feed.start()
    async with own_engine.connect() as slow, own_engine.connect() as quick:
        await slow.begin()
        early = await _add_user(slow, "early@example.org")  # takes the lower log id
        await quick.begin()
        late = await _add_user(quick, "late@example.org")
        await quick.commit()

        first = await feed.read()
        await slow.commit()
    second = await feed.read()
    third = await feed.read()

    assert [c.row_id for c in first.changes] == [late]
    assert [c.row_id for c in second.changes] == [early]
    assert second.changes[0].id < first.changes[0].id
    assert third.changes == ()


async def test_a_read_stops_at_its_limit_and_the_next_goes_on(
    own_engine: AsyncEngine, empty_database: URL, settings: Settings
) -> None:
    feed = _feed(own_engine, empty_database, settings)
    await feed.start()
    async with own_engine.begin() as connection:
        ids = [await _add_user(connection, f"u{i}@example.org") for i in range(5)]

    batches = [await feed.read(limit=2) for _ in range(3)]

    assert [[c.row_id for c in b.changes] for b in batches] == [ids[:2], ids[2:4], ids[4:]]
    assert [b.complete for b in batches] == [False, False, True]


async def test_a_commit_wakes_the_listener_and_a_dropped_line_is_told(
    own_engine: AsyncEngine, empty_database: URL, settings: Settings
) -> None:
    feed = _feed(own_engine, empty_database, settings)
    woken, lost = asyncio.Event(), asyncio.Event()
    assert await feed.listen(woken.set, lost.set)
    try:
        async with own_engine.begin() as connection:
            await _add_user(connection, "kim@example.org")
        await asyncio.wait_for(woken.wait(), 5)

        async with own_engine.begin() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                )
            )
        await asyncio.wait_for(lost.wait(), 5)
    finally:
        await feed.stop()


async def test_history_older_than_the_kept_period_is_pruned(
    own_engine: AsyncEngine, empty_database: URL, settings: Settings
) -> None:
    async with own_engine.begin() as connection:
        for i in range(3):
            await _add_user(connection, f"u{i}@example.org")
        await connection.execute(
            text("UPDATE change_log SET changed_at = :old WHERE id <= 2"),
            {"old": NOW - timedelta(days=31)},
        )
    feed = _feed(own_engine, empty_database, settings)

    assert await feed.prune() == 2

    async with own_engine.connect() as connection:
        left = (await connection.execute(text("SELECT id FROM change_log"))).scalars().all()
    assert list(left) == [3]


async def test_listening_to_a_server_that_is_gone_is_unavailable(settings: Settings) -> None:
    gone = URL.create("postgresql+asyncpg", "postgres", host="127.0.0.1", port=1, database="x")
    signal = PgChangeSignal(gone, settings)
    try:
        with pytest.raises(Unavailable):
            await signal.listen(lambda: None, lambda: None)
    finally:
        await signal.close()
