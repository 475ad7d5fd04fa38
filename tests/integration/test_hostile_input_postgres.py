"""Hostile input through the services into real PostgreSQL.

The properties of ``tests/unit/test_hostile_input.py`` on the SQL repositories, with a
deterministic list of hostile strings and datetimes (about a hundred cases per entity):
either :class:`InvalidInput` with a message per field and nothing written, or the row is
stored and reads back identical. PostgreSQL cannot store NUL, so the domain must refuse it
before the database is asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.errors import InvalidInput
from app.domain.events import EventDraft, EventPatch
from app.domain.tokens import TokenRequest
from app.domain.users import User, UserDraft, UserPatch
from app.infrastructure.uow import SqlUnitOfWork
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.hostile_samples import edge_datetimes, hostile_texts

T = TypeVar("T")
UowFactory = Callable[[], SqlUnitOfWork]

NOW = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)
CASES = 100
TEXTS = hostile_texts(CASES)
DATETIMES = (
    *edge_datetimes(NOW),
    NOW + timedelta(days=1),
    NOW + timedelta(days=30, hours=3),
    NOW + timedelta(days=364),
)

_SNAPSHOT = text(
    "SELECT concat_ws('|',"
    " (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM users t),"
    " (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM tokens t),"
    " (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM events t))"
)


class Checker:
    """Runs attempts, counting outcomes and checking that refusals write nothing."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self.stored = 0
        self.refused = 0

    async def _snapshot(self) -> str:
        return str((await self._connection.execute(_SNAPSHOT)).scalar_one())

    async def attempt(self, work: Callable[[], Awaitable[T]], *models: type[BaseModel]) -> T | None:
        before = await self._snapshot()
        refusal: InvalidInput | None = None
        try:
            result = await work()
        except InvalidInput as error:
            refusal = error
        if refusal is None:
            self.stored += 1
            return result
        fields = {name for model in models for name in model.model_fields}
        assert refusal.errors
        assert set(refusal.errors) <= fields, refusal.errors
        assert all(isinstance(m, str) and m.strip() for m in refusal.errors.values())
        assert await self._snapshot() == before, "a refused write changed the tables"
        self.refused += 1
        return None


def _trimmed(stored: str, raw: str) -> bool:
    start = raw.find(stored)
    if start < 0:
        return False
    head, tail = raw[:start], raw[start + len(stored) :]
    return (head == "" or head.isspace()) and (tail == "" or tail.isspace())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def checker(connection: AsyncConnection) -> Checker:
    return Checker(connection)


async def _owner(uow_factory: UowFactory, clock: FrozenClock) -> User:
    return await UserService(uow_factory, clock).create(
        UserDraft(email="hostile-owner@example.org", display_name="Owner")
    )


async def test_users_refuse_or_round_trip(
    uow_factory: UowFactory, clock: FrozenClock, checker: Checker
) -> None:
    service = UserService(uow_factory, clock)
    for i, raw in enumerate(TEXTS):
        name = TEXTS[(i + 7) % CASES]
        email = (raw, f"{raw}.{i}@example.org", f"u{i}@{raw}.org")[i % 3]

        async def create(email: str = email, name: str = name) -> Any:
            return await service.create(UserDraft(email=email, display_name=name))

        user = await checker.attempt(create, UserDraft)
        if user is not None:
            assert await service.get(user.id) == user
            assert _trimmed(user.display_name, name)

        base = await service.create(UserDraft(email=f"base{i}@example.org", display_name="B"))

        async def update(base: User = base, raw: str = raw) -> Any:
            patch = UserPatch(display_name=raw)
            return await service.update(base.id, base.version, patch)

        updated = await checker.attempt(update, UserPatch)
        if updated is not None:
            assert await service.get(base.id) == updated
            assert _trimmed(updated.display_name, raw)
            assert updated.version == base.version + 1
    assert checker.stored > 20
    assert checker.refused > 20


async def test_tokens_refuse_or_round_trip(
    uow_factory: UowFactory, clock: FrozenClock, checker: Checker
) -> None:
    owner = await _owner(uow_factory, clock)
    service = TokenService(uow_factory, clock)
    for i, raw in enumerate(TEXTS):
        scopes = ("read",) if i % 2 else (TEXTS[(i + 3) % CASES],)
        expires_at = DATETIMES[i % len(DATETIMES)]

        async def issue(raw: str = raw, scopes: Any = scopes, expires_at: Any = expires_at) -> Any:
            request = TokenRequest(
                owner_id=owner.id, name=raw, scopes=scopes, expires_at=expires_at
            )
            return await service.issue(request)

        issued = await checker.attempt(issue, TokenRequest)
        if issued is not None:
            assert await service.get(issued.token.id) == issued.token
            assert _trimmed(issued.token.name, raw)
            assert issued.token.expires_at == expires_at
    assert checker.stored > 5
    assert checker.refused > 20


async def test_events_refuse_or_round_trip(
    uow_factory: UowFactory, clock: FrozenClock, checker: Checker
) -> None:
    owner = await _owner(uow_factory, clock)
    service = EventService(uow_factory, clock)
    count = len(DATETIMES)
    for i, raw in enumerate(TEXTS):
        title, description, location = raw, TEXTS[(i + 1) % CASES], TEXTS[(i + 2) % CASES]
        starts_at, ends_at = DATETIMES[i % count], DATETIMES[(i * 7 + 3) % count]
        all_day = i % 5 == 0

        async def create(
            fields: dict[str, Any] = {  # noqa: B006 - bound per iteration, never mutated
                "title": title,
                "description": description,
                "location": location,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "all_day": all_day,
            },
        ) -> Any:
            return await service.create(EventDraft(owner_id=owner.id, **fields))

        event = await checker.attempt(create, EventDraft)
        if event is not None:
            assert await service.get(event.id) == event
            assert _trimmed(event.title, title)
            assert _trimmed(event.description, description)
            assert _trimmed(event.location, location)
            assert (event.starts_at, event.ends_at) == (starts_at, ends_at)

        base = await service.create(
            EventDraft(
                owner_id=owner.id,
                title="Base",
                starts_at=NOW + timedelta(hours=1),
                ends_at=NOW + timedelta(hours=2),
            )
        )
        patch_fields: dict[str, Any] = {("title", "description", "location")[i % 3]: raw}
        if i % 4 == 0:
            patch_fields["starts_at"] = DATETIMES[(i * 3) % count]
        if i % 4 == 1:
            patch_fields["ends_at"] = DATETIMES[(i * 5) % count]

        async def update(base: Any = base, patch_fields: dict[str, Any] = patch_fields) -> Any:
            return await service.update(base.id, base.version, EventPatch(**patch_fields))

        updated = await checker.attempt(update, EventPatch, EventDraft)
        if updated is not None:
            assert await service.get(base.id) == updated
            for field, value in patch_fields.items():
                stored = getattr(updated, field)
                assert _trimmed(stored, value) if isinstance(value, str) else stored == value
            assert updated.version == base.version + 1
    assert checker.stored > 20
    assert checker.refused > 20
