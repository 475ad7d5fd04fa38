"""Integration fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.infrastructure.db import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork
from tests.conftest import create_database, drop_database


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings for tests: no .env file, no URL from the developer's environment."""
    return Settings(_env_file=None, database_url=None)


@pytest_asyncio.fixture(scope="session")
async def database_url(server_url: URL, settings: Settings) -> AsyncIterator[URL]:
    """A database migrated to head, shared by the run, dropped at the end."""
    url = await create_database(server_url)
    engine = create_engine(url, settings)
    try:
        await MigrationRunner(engine).upgrade()
    finally:
        await engine.dispose()
    try:
        yield url
    finally:
        await drop_database(url)


@pytest_asyncio.fixture(scope="session")
async def engine(database_url: URL, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The engine on the migrated test database."""
    engine = create_engine(database_url, settings)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        try:
            yield connection
        finally:
            await outer.rollback()


@pytest.fixture
def sessions(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions joined to the test's transaction: their commits are savepoints."""
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def uow_factory(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], SqlUnitOfWork]:
    """Units of work on the test's transaction."""
    return lambda: SqlUnitOfWork(sessions)
