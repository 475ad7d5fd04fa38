"""The composition root: concrete adapters in, services out.

The only module that knows both the services and the infrastructure. The window (and
the command line) get a :class:`Tessera` and never see SQLAlchemy.
"""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.domain.access import Access
from app.domain.clock import Clock, system_clock
from app.domain.errors import Unavailable
from app.infrastructure.access import check_access
from app.infrastructure.changes import PgChangeSignal, SqlChangeLog
from app.infrastructure.database import Database
from app.infrastructure.embedded import EmbeddedServerError
from app.infrastructure.local_server import LocalServer
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from app.services.changes import ChangeFeed
from app.services.events import EventService
from app.services.history import HistoryService
from app.services.tokens import TokenService
from app.services.users import UserService


@dataclass(frozen=True, slots=True)
class Tessera:
    """Everything the window needs: the services, the database's name, and its schema."""

    users: UserService
    tokens: TokenService
    events: EventService
    database: Database
    migrations: MigrationRunner
    changes: ChangeFeed
    history: HistoryService

    @property
    def label(self) -> str:
        """The database in use, for the title bar: "Local database" or ``user@host/db``."""
        return self.database.label

    async def access(self) -> Access:
        """What the connected role may do (privileges, read-only server), asked at connect."""
        return await check_access(self.database.sessions)

    async def server_version(self) -> str:
        """The PostgreSQL server's version (``SHOW server_version``), for the About box."""
        return (await self.database.health()).server_version


def _login_name() -> str:
    # Recorded as who revoked a token. getuser() raises when no name can be found
    # (no LOGNAME/USER and an uid without a passwd entry, as in some containers).
    try:
        return getpass.getuser()
    except Exception:
        return "tessera"


@asynccontextmanager
async def open_tessera(
    settings: Settings | None = None,
    clock: Clock = system_clock,
    local_server: LocalServer | None = None,
) -> AsyncIterator[Tessera]:
    """Open the configured database and wire the services to it; close it on exit.

    A ``local_server`` already started (the launcher's, for its start-up check) is used
    as it is and left running: its owner stops it, so one launch starts it once.
    """
    settings = settings or Settings()
    database = Database(settings, local_server)
    try:
        await database.open()
    except EmbeddedServerError as error:
        await database.close()
        first_line = str(error).splitlines()[0]
        raise Unavailable(f"The local database could not start: {first_line}") from None
    except BaseException:
        await database.close()
        raise
    async with database:
        actor = _login_name()
        database.actor = actor
        factory = database.unit_of_work
        log = SqlChangeLog(database.sessions, actor)
        assert database.url is not None  # open() resolved it
        signal = PgChangeSignal(database.url, settings)
        yield Tessera(
            users=UserService(factory, clock),
            tokens=TokenService(factory, clock, settings.expiring_soon, actor=actor),
            events=EventService(factory, clock),
            database=database,
            migrations=database.migrations(),
            changes=ChangeFeed(log, signal, clock, settings.history_kept),
            history=HistoryService(log, log),
        )
