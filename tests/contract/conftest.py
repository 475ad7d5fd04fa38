"""The ports' contract, run on both implementations of them.

Every test here takes ``uow_factory`` and runs twice: ``[memory]`` on the fakes of
:mod:`tests.fakes`, ``[postgresql]`` on the SQL adapters through the real unit of work, in
the test's rolled-back transaction (the fixtures of tests/conftest.py). A fake that drifts
from PostgreSQL fails here, not in a service test that trusted it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ports import UnitOfWork
from app.infrastructure.uow import SqlUnitOfWork
from tests.fakes import FakeUnitOfWorkFactory


@pytest.fixture(params=["memory", "postgresql"])
def uow_factory(request: pytest.FixtureRequest) -> Callable[[], UnitOfWork]:
    """Units of work on the fakes, or on PostgreSQL in the test's own transaction."""
    if request.param == "memory":
        return FakeUnitOfWorkFactory()
    sessions: async_sessionmaker[AsyncSession] = request.getfixturevalue("sessions")
    return lambda: SqlUnitOfWork(sessions)
