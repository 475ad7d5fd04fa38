"""Bulk deletes of users, tokens and events on the fakes: one transaction, each row reported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.bulk import BulkResult, UsersDeleted
from app.domain.events import EventDraft, EventPatch
from app.domain.tokens import TokenRequest
from app.domain.users import DeleteImpact, User, UserDraft, UserPatch
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory

DAY = timedelta(days=1)


async def _people(users: UserService, *names: str) -> list[User]:
    return [
        await users.create(UserDraft(email=f"{name}@example.org", display_name=name))
        for name in names
    ]


async def test_deleting_users_reports_each_and_counts_what_went_with_them(
    users: UserService,
    tokens: TokenService,
    events: EventService,
    clock: FrozenClock,
    uow_factory: FakeUnitOfWorkFactory,
) -> None:
    ann, bob, cy, dee = await _people(users, "ann", "bob", "cy", "dee")
    for person, count in ((ann, 2), (bob, 1), (cy, 3)):
        for n in range(count):
            request = TokenRequest(owner_id=person.id, name=f"t{n}", expires_at=clock.now + DAY)
            await tokens.issue(request)
    draft = EventDraft(owner_id=ann.id, title="Stand-up", starts_at=clock.now, ends_at=clock.now)
    await events.create(draft)
    # Someone else renames Bob and deletes Dee after the window loaded them.
    bob_now = await users.update(bob.id, bob.version, UserPatch(display_name="Robert"))
    await users.delete_many([dee])
    units = len(uow_factory.units)

    deleted = await users.delete_many([ann, bob, cy, dee, ann])

    assert deleted == UsersDeleted(
        BulkResult(done=(ann, cy), stale=(bob_now,), gone=(dee,)), DeleteImpact(5, 1)
    )
    assert len(uow_factory.units) == units + 1
    assert uow_factory.last.committed
    assert list(uow_factory.tables.users) == [bob.id]
    assert {t.owner_id for t in uow_factory.tables.tokens.values()} == {bob.id}
    assert uow_factory.tables.events == {}


async def test_deleting_tokens_leaves_the_ones_changed_meanwhile(
    tokens: TokenService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    issued = [
        (
            await tokens.issue(
                TokenRequest(owner_id=owner.id, name=f"t{n}", expires_at=clock.now + DAY)
            )
        ).token
        for n in range(4)
    ]
    revoked = await tokens.revoke(issued[1].id, issued[1].version)
    await tokens.delete_many([issued[2]])

    result = await tokens.delete_many(issued)

    assert result == BulkResult(done=(issued[0], issued[3]), stale=(revoked,), gone=(issued[2],))
    assert list(uow_factory.tables.tokens.values()) == [revoked]


async def test_deleting_events_leaves_the_ones_changed_meanwhile(
    events: EventService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    made = [
        await events.create(
            EventDraft(owner_id=owner.id, title=f"e{n}", starts_at=clock.now, ends_at=clock.now)
        )
        for n in range(3)
    ]
    moved = await events.update(made[0].id, made[0].version, EventPatch(title="moved"))

    result = await events.delete_many(made)

    assert result == BulkResult(done=(made[1], made[2]), stale=(moved,))
    assert list(uow_factory.tables.events.values()) == [moved]


async def test_a_failed_commit_deletes_nothing(
    users: UserService, uow_factory: FakeUnitOfWorkFactory
) -> None:
    people = await _people(users, "ann", "bob")
    uow_factory.fail_commit = ConnectionError("gone")

    with pytest.raises(ConnectionError):
        await users.delete_many(people)

    assert list(uow_factory.tables.users.values()) == people


async def test_bulk_deletes_of_nothing_do_nothing(
    users: UserService, tokens: TokenService, events: EventService
) -> None:
    assert await users.delete_many([]) == UsersDeleted(BulkResult(), DeleteImpact(0, 0))
    assert await tokens.delete_many([]) == BulkResult()
    assert await events.delete_many([]) == BulkResult()
