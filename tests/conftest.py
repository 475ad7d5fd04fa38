"""Shared test plumbing: the PostgreSQL server every database test talks to.

The server and the event loops come from Tessera's own pytest plugin (tessera.testing,
registered by the ``pytest11`` entry point): ``TEST_DATABASE_URL`` names a server to use
(any database on it: tests create their own databases next to it); without it, the
embedded server is started once for the whole run in a temporary folder and stopped at
the end. A test that needs the database and cannot reach one fails; nothing is skipped.
Async tests under tests/gui run on a qasync loop (``pytest_tessera_qasync`` below), the
others on plain asyncio.

Integration and contract tests share one migrated database per run and roll back a
transaction per test (``connection``, ``sessions``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from tessera.testing.databases import create_database, drop_database

__all__ = ["create_database", "drop_database"]  # imported from here by some tests

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def server_url(tessera_server_url: URL) -> URL:
    """A URL on the test server with rights to create databases (the plugin's server)."""
    return tessera_server_url


@pytest_asyncio.fixture
async def empty_database(server_url: URL) -> AsyncIterator[URL]:
    """A fresh empty database for one test (migration tests)."""
    url = await create_database(server_url)
    try:
        yield url
    finally:
        await drop_database(url)


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


@pytest.hookimpl(optionalhook=True)
def pytest_tessera_qasync(item: pytest.Item) -> bool | None:
    """Every async test under tests/gui runs on qasync, Qt fixtures or not (see the plugin)."""
    if Path(str(item.path)).is_relative_to(Path(str(item.config.rootpath)) / "tests" / "gui"):
        return True
    return None
