"""The services wired to the real adapters: what the window will actually run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.errors import AlreadyExists, Conflict, InvalidInput, InvalidReference
from app.domain.events import EventDraft, EventPatch
from app.domain.paging import PageRequest
from app.domain.tokens import TokenFilter, TokenRequest, TokenStatus
from app.domain.users import UserDraft
from app.infrastructure.uow import SqlUnitOfWork
from app.services.events import EventService
from app.services.token_secrets import hash_secret
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock

UowFactory = Callable[[], SqlUnitOfWork]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))


async def test_issued_secret_is_never_stored_and_matches_its_hash(
    uow_factory: UowFactory, clock: FrozenClock, connection: AsyncConnection
) -> None:
    owner = await UserService(uow_factory, clock).create(
        UserDraft(email="ops@example.org", display_name="Ops")
    )
    tokens = TokenService(uow_factory, clock)
    issued = await tokens.issue(
        TokenRequest(
            owner_id=owner.id,
            name="CI deploy",
            scopes=("deploy",),
            expires_at=clock() + timedelta(days=30),
        )
    )
    row = (
        await connection.execute(
            text("SELECT t::text FROM tokens t WHERE id = :id"), {"id": issued.token.id}
        )
    ).scalar_one()
    assert issued.secret not in row
    assert issued.secret[8:] not in row  # not even the part after the prefix
    assert hash_secret(issued.secret) in row
    assert (await tokens.get(issued.token.id)).secret_hash == hash_secret(issued.secret)
    assert issued.secret.startswith(issued.token.prefix)


async def test_token_lifecycle_with_a_frozen_clock(
    uow_factory: UowFactory, clock: FrozenClock
) -> None:
    owner = await UserService(uow_factory, clock).create(
        UserDraft(email="a@example.org", display_name="A")
    )
    tokens = TokenService(uow_factory, clock, soon=timedelta(days=7))
    issued = await tokens.issue(
        TokenRequest(owner_id=owner.id, name="t", expires_at=clock() + timedelta(days=10))
    )
    token = issued.token
    assert tokens.status(token) is TokenStatus.ACTIVE
    clock.advance(timedelta(days=3))
    assert tokens.status(token) is TokenStatus.EXPIRING_SOON
    expiring = await tokens.count(TokenFilter(statuses=frozenset({TokenStatus.EXPIRING_SOON})))
    assert expiring == 1
    extended = await tokens.extend(token.id, token.version, clock() + timedelta(days=60))
    assert tokens.status(extended) is TokenStatus.ACTIVE
    with pytest.raises(Conflict):
        await tokens.revoke(token.id, token.version)
    revoked = await tokens.revoke(extended.id, extended.version)
    assert tokens.status(revoked) is TokenStatus.REVOKED
    page = await tokens.list_expiring(timedelta(days=365), PageRequest())
    assert page.items == ()


async def test_issue_to_a_missing_owner_is_invalid_reference(
    uow_factory: UowFactory, clock: FrozenClock
) -> None:
    with pytest.raises(InvalidReference):
        await TokenService(uow_factory, clock).issue(
            TokenRequest(owner_id=123_456_789, name="t", expires_at=clock() + timedelta(days=1))
        )


async def test_user_service_refuses_duplicate_email_in_another_case(
    uow_factory: UowFactory, clock: FrozenClock
) -> None:
    users = UserService(uow_factory, clock)
    await users.create(UserDraft(email="dup@example.org", display_name="One"))
    with pytest.raises(AlreadyExists) as caught:
        await users.create(UserDraft(email="DUP@example.org", display_name="Two"))
    assert caught.value.field == "email"


async def test_event_update_merge_is_validated_and_overlaps_found(
    uow_factory: UowFactory, clock: FrozenClock
) -> None:
    owner = await UserService(uow_factory, clock).create(
        UserDraft(email="cal@example.org", display_name="Cal")
    )
    events = EventService(uow_factory, clock)
    start = clock() + timedelta(days=1)
    first = await events.create(
        EventDraft(
            owner_id=owner.id, title="Stand-up", starts_at=start, ends_at=start + timedelta(hours=1)
        )
    )
    second = await events.create(
        EventDraft(
            owner_id=owner.id,
            title="Review",
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(hours=2),
        )
    )
    with pytest.raises(InvalidInput) as caught:
        await events.update(
            first.id, first.version, EventPatch(starts_at=start + timedelta(hours=3))
        )
    assert set(caught.value.errors) == {"ends_at"}
    clashes = await events.overlapping(
        owner.id, first.starts_at, first.ends_at, exclude_id=first.id
    )
    assert [e.id for e in clashes] == [second.id]
