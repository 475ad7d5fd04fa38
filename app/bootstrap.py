"""The composition root: concrete adapters in, services out.

The only module that knows both the services and the infrastructure. The window (and
the command line) get a :class:`Tessera` and never see SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.domain.clock import Clock, system_clock
from app.infrastructure.database import Database
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from app.services.events import EventService
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


@asynccontextmanager
async def open_tessera(
    settings: Settings | None = None, clock: Clock = system_clock
) -> AsyncIterator[Tessera]:
    """Open the configured database and wire the services to it; close it on exit."""
    settings = settings or Settings()
    async with Database(settings) as database:
        factory = database.unit_of_work
        yield Tessera(
            users=UserService(factory, clock),
            tokens=TokenService(factory, clock, settings.expiring_soon),
            events=EventService(factory, clock),
            database=database,
            migrations=database.migrations(),
        )
