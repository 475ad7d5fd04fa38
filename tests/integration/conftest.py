"""Integration fixtures: units of work on the test's rolled-back transaction.

The migrated database, its engine and the per-test transaction are in tests/conftest.py,
shared with the contract tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.infrastructure.uow import SqlUnitOfWork


@pytest.fixture
def uow_factory(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], SqlUnitOfWork]:
    """Units of work on the test's transaction."""
    return lambda: SqlUnitOfWork(sessions)
