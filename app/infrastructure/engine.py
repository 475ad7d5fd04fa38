"""Engine, session factory, ``get_db`` and the health check."""

from __future__ import annotations

import getpass
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from app.infrastructure import pooling
from app.infrastructure.errors import translated
from app.infrastructure.settings import Settings, ssl_connect_args

_NAME_BYTES = 63  # NAMEDATALEN - 1
POOLING = "tessera_pooling"  # the connection record's note of what was found at connect


def create_engine(url: URL, settings: Settings) -> AsyncEngine:
    """An asyncpg engine sized for one desktop client.

    A handful of connections is plenty for one window; the statement timeout keeps a
    runaway query from holding a connection forever. READ COMMITTED is pinned rather
    than left to the server's ``default_transaction_isolation``: the repositories'
    lookup by id may run just before a unit of work's BEGIN, which is only the same
    as running just after it when every statement takes a fresh snapshot.

    No ``pool_pre_ping``: with asyncpg it costs BEGIN, a ping and ROLLBACK (three round
    trips, about 0.3 ms here, and three network round trips to a remote server) on
    every checkout, i.e. on every unit of work. A server that stops or restarts closes
    its sockets, and asyncpg marks its connection closed as soon as the event loop sees
    that (as it does after any lost connection), so :func:`_discard_closed` drops such
    a connection at checkout for free. This also covers the repositories' lookup by id,
    which goes around SQLAlchemy's own invalidation of a connection that failed. A
    connection that dies unnoticed (a silent network) fails its next statement instead
    of the ping, reported as ``Unavailable`` all the same.
    """
    server_settings = {"application_name": application_name()}
    if settings.statement_timeout_s:
        server_settings["statement_timeout"] = str(int(settings.statement_timeout_s * 1000))
    url, ssl_args = ssl_connect_args(url)  # a CA certificate travels as an SSLContext
    engine = create_async_engine(
        url,
        isolation_level="READ COMMITTED",
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_s,
        pool_recycle=1800,
        connect_args={
            "timeout": settings.connect_timeout_s,
            "server_settings": server_settings,
            **ssl_args,
        },
    )
    event.listen(engine.sync_engine, "checkout", _discard_closed)
    timeout_ms = int(settings.statement_timeout_s * 1000)
    event.listen(engine.sync_engine, "do_connect", partial(_through_poolers, timeout_ms))
    return engine


def _through_poolers(
    timeout_ms: int, _dialect: Any, record: Any, _args: Any, params: dict[str, Any]
) -> None:
    """Connect as the server, or the pooler in front of it, accepts (see ``pooling``).

    The first connection to a server finds that out (two short extra connections);
    later ones, the listener's engine included, reuse what was found.
    """
    found = pooling.known(params)
    if found is None:
        found = await_only(pooling.detect(dict(params)))
    pooling.connect_parameters(found, params, timeout_ms)
    record.info[POOLING] = found


def pooling_of(connection: Any) -> pooling.Pooling:
    """What stands between a pooled connection (``get_raw_connection()``) and the server."""
    found = connection.info.get(POOLING)
    return found if isinstance(found, pooling.Pooling) else pooling.DIRECT


def application_name() -> str:
    """``tessera (ana)``: what a DBA sees in ``pg_stat_activity`` (and the change log keeps)."""
    try:
        user = getpass.getuser()
    except Exception:
        return "tessera"
    name = f"tessera ({user})"
    while len(name.encode()) > _NAME_BYTES:  # the server would cut it mid-character
        user = user[:-1]
        name = f"tessera ({user}…)"
    return name


def _discard_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection that asyncpg already knows is closed.

    ``DisconnectionError`` makes the pool throw it away and hand out a fresh one.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (nothing lazy-loads later)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def get_db(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Yield a session for one piece of work; roll back whatever was not committed."""
    async with factory() as session:
        try:
            yield session
        finally:
            await session.rollback()


@dataclass(frozen=True, slots=True)
class Health:
    """What the health check learned."""

    server_version: str
    latency_ms: float


async def health_check(factory: async_sessionmaker[AsyncSession]) -> Health:
    """``SELECT 1`` through a session, and the server's version.

    Raises:
        Unavailable: the database cannot be reached.
    """
    started = time.perf_counter()
    async with translated("database"), get_db(factory) as session:
        one = (await session.execute(text("SELECT 1"))).scalar_one()
        version = (await session.execute(text("SHOW server_version"))).scalar_one()
    if one != 1:
        raise RuntimeError("SELECT 1 did not return 1")
    return Health(server_version=str(version), latency_ms=(time.perf_counter() - started) * 1000)
