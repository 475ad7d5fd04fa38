"""Fixtures for service tests: a frozen clock, fake persistence and the three services."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.users import User, UserDraft
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory

START = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    """Now is START until a test advances it."""
    return FrozenClock(START)


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def users(uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock) -> UserService:
    return UserService(uow_factory, clock)


@pytest.fixture
def tokens(uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock) -> TokenService:
    return TokenService(uow_factory, clock)


@pytest.fixture
def events(uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock) -> EventService:
    return EventService(uow_factory, clock)


@pytest.fixture
async def owner(users: UserService) -> User:
    """A user to own tokens and events."""
    return await users.create(UserDraft(email="kim@example.org", display_name="김민준"))
