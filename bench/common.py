"""What the benchmarks share: a throw-away migrated database, interleaved timing, a table."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.bootstrap import Tessera, open_tessera
from app.infrastructure.settings import Settings, async_url


@asynccontextmanager
async def scratch_database(
    data_dir: Path, url: str | None = None
) -> AsyncIterator[tuple[Tessera, Settings]]:
    """A migrated database that disappears afterwards.

    The embedded server in ``data_dir``, or a new database on the server of ``url``
    (``TEST_DATABASE_URL`` when None), dropped at the end.
    """
    configured = (url or os.environ.get("TEST_DATABASE_URL", "")).strip()
    name = f"tessera_bench_{os.getpid()}"
    database_url = None
    if configured:
        server = async_url(configured)
        admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        database_url = server.set(database=name).render_as_string(hide_password=False)
    settings = Settings(_env_file=None, database_url=database_url, data_dir=data_dir)
    try:
        async with open_tessera(settings) as tessera:
            await tessera.migrations.upgrade()
            yield tessera, settings
    finally:
        if configured:
            admin = create_async_engine(async_url(configured), isolation_level="AUTOCOMMIT")
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


def dsn(tessera: Tessera) -> str:
    """The database's URL for plain asyncpg (password included: never print it)."""
    url = tessera.database.url
    assert url is not None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def timed(
    works: Sequence[Callable[[], Awaitable[object]]], repeat: int, *, interleave: bool = True
) -> list[list[float]]:
    """Milliseconds per run of each work.

    Interleaved by default, so background load weighs on every path alike; not when one
    path leaves work behind (a window repainting) that would land on the next one's clock.
    """
    for work in works:
        await work()  # warm caches and prepared statements
    times: list[list[float]] = [[] for _ in works]
    rounds = [(w, t) for _ in range(repeat) for w, t in zip(works, times, strict=True)]
    if not interleave:
        rounds = [(w, t) for w, t in zip(works, times, strict=True) for _ in range(repeat)]
    for work, spent in rounds:
        started = time.perf_counter()
        await work()
        spent.append((time.perf_counter() - started) * 1000)
    return times


def print_table(title: str, rows: Sequence[tuple[str, list[float]]]) -> None:
    """Median, min, max and the ratio to the first row (the floor)."""
    floor = statistics.median(rows[0][1])
    print(f"\n{title}, milliseconds")
    print(f"{'path':<10}{'median':>9}{'min':>9}{'max':>9}{'× floor':>9}")
    for label, times in rows:
        median = statistics.median(times)
        print(
            f"{label:<10}{median:>9.2f}{min(times):>9.2f}{max(times):>9.2f}{median / floor:>9.2f}"
        )
