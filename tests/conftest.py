"""Shared test plumbing: the PostgreSQL server every database test talks to.

``TEST_DATABASE_URL`` names a server to use (any database on it: tests create their
own databases next to it). Without it, the embedded server is started once for the
whole run in a temporary folder and stopped at the end. A test that needs the
database and cannot reach one fails; nothing is skipped.

Integration and contract tests share one migrated database per run and roll back a
transaction per test (``connection``, ``sessions``).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    """A URL on the test server with rights to create databases."""
    from app.infrastructure.settings import async_url

    configured = os.environ.get("TEST_DATABASE_URL", "").strip()
    if configured:
        yield async_url(configured)
        return
    from app.infrastructure.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("embedded-pg"))
    try:
        yield async_url(server.start())
    finally:
        server.stop()


async def create_database(server: URL) -> URL:
    """Create an empty database with a unique name on the test server."""
    name = f"tessera_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return server.set(database=name)


async def drop_database(url: URL) -> None:
    """Drop a database made by :func:`create_database`, closing stray connections."""
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


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


def _qasync_loop() -> asyncio.AbstractEventLoop:
    # GUI tests run on a qasync loop over the one QApplication, as the app does.
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # as in the app: closing a window must not stop the loop
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    return loop


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Qt tests get a qasync loop; everything else (unit, integration, contract) plain asyncio."""
    if Path(str(item.path)).is_relative_to(Path(str(config.rootpath)) / "tests" / "gui"):
        return {"qasync": _qasync_loop}
    return {"asyncio": asyncio.new_event_loop}
