"""Open the configured database — a server named by URL, or the embedded one — and close it."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.infrastructure.engine import Health, create_engine, create_session_factory, health_check
from app.infrastructure.local_server import LocalServer
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings, async_url, describe_url
from app.infrastructure.uow import SqlUnitOfWork

_log = logging.getLogger(__name__)

LOCAL_LABEL = "Local database"


class Database:
    """The app's handle on PostgreSQL: engine, sessions, migrations, and the embedded server.

    ``async with Database(settings) as db:`` starts the embedded server when no URL is
    configured and stops it on exit, unless it was handed a :class:`LocalServer` that
    someone else owns (the launcher's, started by the start-up check, kept for the window).
    """

    def __init__(self, settings: Settings, local_server: LocalServer | None = None) -> None:
        self._settings = settings
        self._local = local_server or LocalServer(settings.data_dir)
        self._owns_local = local_server is None
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self.label = LOCAL_LABEL
        self.url: URL | None = None
        self.actor: str | None = None  # who the change log names for this app's writes

    async def open(self) -> None:
        """Resolve the URL (starting the embedded server if needed) and create the engine."""
        if self._settings.database_url is not None:
            self.url = async_url(self._settings.database_url.get_secret_value())
            self.label = describe_url(self.url)
        else:
            self._settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.url = await self._local.url()
            self.label = LOCAL_LABEL
        self._engine = create_engine(self.url, self._settings)
        self._sessions = create_session_factory(self._engine)
        _log.info("database opened: %s", self.label)

    async def close(self) -> None:
        """Dispose the engine and stop the embedded server if this object owns it."""
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
        if self._owns_local:
            await self._local.stop()

    async def __aenter__(self) -> Self:
        if self._engine is None:
            try:
                await self.open()
            except BaseException:
                await self.close()
                raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def engine(self) -> AsyncEngine:
        """The engine (only while open)."""
        if self._engine is None:
            raise RuntimeError("the database is not open")
        return self._engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The session factory (only while open)."""
        if self._sessions is None:
            raise RuntimeError("the database is not open")
        return self._sessions

    def unit_of_work(self) -> SqlUnitOfWork:
        """A fresh unit of work: the factory the services take."""
        return SqlUnitOfWork(self.sessions, self.actor)

    def migrations(self) -> MigrationRunner:
        """Schema inspection and upgrades for this database."""
        return MigrationRunner(self.engine)

    async def health(self) -> Health:
        """``SELECT 1`` and the server version; raises Unavailable."""
        return await health_check(self.sessions)
