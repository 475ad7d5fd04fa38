"""Shared test plumbing: the PostgreSQL server every database test talks to.

``TEST_DATABASE_URL`` names a server to use (any database on it: tests create their
own databases next to it). Without it, the embedded server is started once for the
whole run in a temporary folder and stopped at the end. A test that needs the
database and cannot reach one fails; nothing is skipped.
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
from sqlalchemy.ext.asyncio import create_async_engine

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
    """Qt tests get a qasync loop; everything else a plain asyncio loop."""
    if Path(str(item.path)).is_relative_to(Path(str(config.rootpath)) / "tests" / "gui"):
        return {"qasync": _qasync_loop}
    return {"asyncio": asyncio.new_event_loop}
