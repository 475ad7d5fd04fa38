"""GUI fixtures: the window on fake services (fast) or on a fresh PostgreSQL database (real).

Tests are ``async def`` on the qasync loop. They wait on signals (``loaded``, ``ready``)
or on a condition with a deadline — never on a fixed sleep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.access import WRITABLE, Access
from app.domain.errors import Unavailable
from app.domain.schema import Revision, SchemaState
from app.domain.tokens import DEFAULT_SOON
from app.infrastructure.access import check_access
from app.infrastructure.changes import PgChangeSignal, SqlChangeLog
from app.infrastructure.engine import create_engine, create_session_factory
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork
from app.services.changes import ChangeFeed
from app.services.events import EventService
from app.services.history import HistoryService
from app.services.tokens import TokenService
from app.services.users import UserService
from tessera.testing.driving import release_modifiers
from tests.clock import FrozenClock
from tests.fake_changes import FakeChangeLog
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.helpers import NOW
from ui.window import MainWindow

KEPT = timedelta(days=365)


@dataclass
class FakeMigrator:
    """A schema that is wherever the test says."""

    current: SchemaState = SchemaState.CURRENT
    revisions: list[Revision] = field(
        default_factory=lambda: [Revision("0001", "Users, tokens and events.")]
    )
    upgraded: int = 0

    async def state(self) -> SchemaState:
        return self.current

    async def pending(self) -> list[Revision]:
        return [] if self.current is SchemaState.CURRENT else list(self.revisions)

    async def upgrade(
        self, target: str = "head", progress: Callable[[Revision], None] | None = None
    ) -> None:
        for revision in await self.pending():
            if progress:
                progress(revision)
        self.current = SchemaState.CURRENT
        self.upgraded += 1


@dataclass
class Backend:
    """What the window is given: services, schema, and the database's name."""

    users: UserService
    tokens: TokenService
    events: EventService
    migrations: Any
    label: str
    changes: ChangeFeed
    history: HistoryService
    engine: AsyncEngine | None = None  # for looking at the rows behind the window
    reachable: bool = True  # False: the connection probe fails, as with a stopped server
    granted: Access = WRITABLE  # what the fake role may do (a real engine is asked instead)

    async def access(self) -> Access:
        """What the connected role may do: asked of PostgreSQL when there is an engine."""
        if self.engine is None:
            return self.granted
        return await check_access(create_session_factory(self.engine))

    async def server_version(self) -> str:
        """The connection probe: "17.0", or Unavailable while ``reachable`` is False."""
        if not self.reachable:
            raise Unavailable()
        return "17.0"

    async def scalar(self, sql: str, **params: Any) -> Any:
        """Run SQL straight on PostgreSQL (committed) and return the first value."""
        assert self.engine is not None
        async with self.engine.begin() as connection:
            return (await connection.execute(text(sql), params)).scalar()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def fake_db() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def fake_log(fake_db: FakeUnitOfWorkFactory) -> FakeChangeLog:
    return FakeChangeLog(fake_db)


@pytest.fixture
def fake_backend(
    fake_db: FakeUnitOfWorkFactory, fake_log: FakeChangeLog, clock: FrozenClock
) -> Backend:
    return Backend(
        UserService(fake_db, clock),
        TokenService(fake_db, clock),
        EventService(fake_db, clock),
        FakeMigrator(),
        "Fake database",
        ChangeFeed(fake_log, fake_log, clock, KEPT),
        HistoryService(fake_log, fake_log),
    )


@pytest.fixture
def ui_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "tessera.ini"), QSettings.Format.IniFormat)


@pytest_asyncio.fixture
async def make_window(
    qapp: QApplication, clock: FrozenClock, ui_settings: QSettings
) -> AsyncIterator[Callable[[Any], MainWindow]]:
    """Windows made by the test; closed and their work cancelled afterwards."""
    made: list[MainWindow] = []

    def make(backend: Any) -> MainWindow:
        # Not qtbot.addWidget: pytest-qt would delete the window before this fixture
        # could cancel its work.
        window = MainWindow(backend, clock, DEFAULT_SOON, ui_settings)
        made.append(window)
        return window

    yield make
    release_modifiers()  # a Ctrl+End sent by this test must not hold Ctrl for the next
    for window in made:
        window.close()
        await window.shutdown()
        window.deleteLater()


@pytest_asyncio.fixture
async def real_backend(empty_database: URL, clock: FrozenClock) -> AsyncIterator[Backend]:
    """Services on a fresh, migrated PostgreSQL database of the test's own."""
    engine = create_engine(empty_database, Settings(_env_file=None))
    try:
        runner = MigrationRunner(engine)
        await runner.upgrade()
        sessions = create_session_factory(engine)

        def factory() -> SqlUnitOfWork:
            return SqlUnitOfWork(sessions, "tester")

        log = SqlChangeLog(sessions, "tester")
        signal = PgChangeSignal(empty_database, Settings(_env_file=None))
        yield Backend(
            UserService(factory, clock),
            TokenService(factory, clock),
            EventService(factory, clock),
            runner,
            "test database",
            ChangeFeed(log, signal, clock, KEPT),
            HistoryService(log, log),
            engine,
        )
    finally:
        await engine.dispose()
