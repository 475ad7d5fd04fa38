"""Test databases: a server for the session, a migrated template, a fresh copy per test.

The server is the one ``TEST_DATABASE_URL`` (or ``--tessera-db-url``) names, or else the
embedded PostgreSQL started once per session (once per pytest-xdist worker) in a temporary
folder. Migrations run once, into a template database; each test gets a copy made with
``CREATE DATABASE … TEMPLATE``, which takes a fraction of a second, and loses it after.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings, async_url

T = TypeVar("T")
URL_VARIABLE = "TEST_DATABASE_URL"
DIRECT_VARIABLE = "TESSERA_TEST_DIRECT_URL"


def worker_name() -> str:
    """This process's pytest-xdist worker ("gw0"), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def database_name(kind: str) -> str:
    """A database name no other test, worker or run uses: ``tessera_<kind>_<worker>_<hex>``."""
    return f"tessera_{kind}_{worker_name()}_{uuid.uuid4().hex[:10]}"


@contextmanager
def test_server(configured: str | None, folder: Path) -> Iterator[URL]:
    """The server URL to make databases on: ``configured``, or an embedded one in ``folder``."""
    if configured and configured.strip():
        yield async_url(configured.strip())
        return
    from app.infrastructure.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(folder)
    try:
        yield async_url(server.start())
    finally:
        server.stop()


def direct(url: URL) -> URL:
    """``url`` on the server itself, past a pooler (TESSERA_TEST_DIRECT_URL), else ``url``.

    Databases are made, copied, migrated and dropped there: a pooler keeps server
    connections to a template open, and ``CREATE DATABASE … TEMPLATE`` refuses a template
    anyone is connected to. The tests themselves connect through the pooler.
    """
    bypass = os.environ.get(DIRECT_VARIABLE, "").strip()
    if not bypass:
        return url
    server = async_url(bypass)
    return url.set(host=server.host, port=server.port, query=server.query)


async def create_database(server: URL, template: str | None = None, kind: str = "test") -> URL:
    """Create a database with a unique name on ``server`` (a copy of ``template`` if given)."""
    name = database_name(kind)
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_async_engine(direct(server), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        await admin.dispose()
    return server.set(database=name)


async def drop_database(url: URL) -> None:
    """Drop a database made by :func:`create_database`, closing stray connections."""
    admin = create_async_engine(direct(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def migrated_database(server: URL, kind: str = "template") -> URL:
    """A new database on ``server`` with Tessera's schema at head."""
    url = await create_database(server, kind=kind)
    engine = create_engine(direct(url), Settings(_env_file=None, database_url=None))
    try:
        await MigrationRunner(engine).upgrade()
    finally:
        await engine.dispose()
    return url


def run_aside(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a loop of its own, in a thread of its own.

    For session set-up outside any test: the thread keeps the caller's event loop (a
    qasync loop set for the tests) untouched.
    """
    result: list[T] = []
    failure: list[BaseException] = []

    def main() -> None:
        try:
            result.append(asyncio.run(_awaited(work)))
        except BaseException as error:  # handed to the caller below
            failure.append(error)

    thread = threading.Thread(target=main, name="tessera-testing-setup")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


async def _awaited(work: Callable[[], Awaitable[T]]) -> T:
    return await work()
