"""Integration fixtures: units of work on the test's rolled-back transaction.

The migrated database, its engine and the per-test transaction are in tests/conftest.py,
shared with the contract tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork


@pytest.fixture
def uow_factory(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], SqlUnitOfWork]:
    """Units of work on the test's transaction."""
    return lambda: SqlUnitOfWork(sessions)


@pytest_asyncio.fixture
async def own_engine(empty_database: URL, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A migrated database of the test's own: for tests that commit, or run side by side."""
    engine = create_engine(empty_database, settings)
    await MigrationRunner(engine).upgrade()
    try:
        yield engine
    finally:
        await engine.dispose()
