from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.bulk import BulkResult
from app.domain.errors import AlreadyExists, Conflict, NotFound, Unavailable
from app.domain.events import EventDraft
from app.domain.paging import PageRequest
from app.domain.tokens import TokenRequest
from app.domain.users import DeleteImpact, Role, User, UserDraft, UserFilter, UserPatch
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory


async def add(users: UserService, email: str, name: str, **fields: object) -> User:
    return await users.create(
        UserDraft.model_validate({"email": email, "display_name": name, **fields})
    )


async def test_create_stores_version_one_stamped_with_now(
    users: UserService, uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock
) -> None:
    user = await add(users, "ana@example.org", "Ana 🌸", role=Role.STAFF)

    assert user.version == 1
    assert user.created_at == user.updated_at == clock.now
    assert user.role is Role.STAFF
    assert uow_factory.last.committed
    assert uow_factory.tables.users == {user.id: user}


async def test_duplicate_email_in_another_case_is_refused_and_nothing_stored(
    users: UserService, uow_factory: FakeUnitOfWorkFactory
) -> None:
    first = await add(users, "kim@example.org", "Kim")

    with pytest.raises(AlreadyExists) as excinfo:
        await add(users, "KIM@Example.org", "Another Kim")

    assert excinfo.value.field == "email"
    assert excinfo.value.message == "Another user already has this email."
    assert not uow_factory.last.committed
    assert list(uow_factory.tables.users.values()) == [first]


async def test_failed_commit_leaves_nothing(
    users: UserService, uow_factory: FakeUnitOfWorkFactory
) -> None:
    uow_factory.fail_commit = Unavailable()

    with pytest.raises(Unavailable):
        await add(users, "ana@example.org", "Ana")

    uow_factory.fail_commit = None
    assert await users.count(UserFilter()) == 0


async def test_unit_of_work_discards_what_it_did_not_commit(
    uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock
) -> None:
    draft = UserDraft(email="ana@example.org", display_name="Ana")

    async def add_then_fail() -> None:
        async with uow_factory() as uow:
            await uow.users.add(draft, clock.now)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await add_then_fail()

    async with uow_factory() as uow:
        await uow.users.add(draft, clock.now)
        await uow.rollback()
        assert await uow.users.count(UserFilter()) == 0

    assert uow_factory.tables.users == {}


async def test_get_missing_user_says_so(users: UserService) -> None:
    with pytest.raises(NotFound, match="User 42 does not exist"):
        await users.get(42)


async def test_update_applies_set_fields_and_bumps_version(
    users: UserService, clock: FrozenClock
) -> None:
    user = await add(users, "ana@example.org", "Ana")
    later = clock.advance(timedelta(hours=1))

    updated = await users.update(user.id, user.version, UserPatch(display_name="Ana Lee"))

    assert updated.display_name == "Ana Lee"
    assert updated.email == "ana@example.org"
    assert updated.version == 2
    assert updated.updated_at == later
    assert updated.created_at == user.created_at
    assert await users.get(user.id) == updated


async def test_update_with_stale_version_conflicts_and_changes_nothing(users: UserService) -> None:
    user = await add(users, "ana@example.org", "Ana")
    await users.update(user.id, user.version, UserPatch(role=Role.ADMINISTRATOR))

    with pytest.raises(Conflict, match="changed by someone else"):
        await users.update(user.id, user.version, UserPatch(display_name="Stale"))

    stored = await users.get(user.id)
    assert stored.display_name == "Ana"
    assert stored.role is Role.ADMINISTRATOR


async def test_update_to_another_users_email_in_other_case_is_refused(users: UserService) -> None:
    await add(users, "kim@example.org", "Kim")
    ana = await add(users, "ana@example.org", "Ana")

    with pytest.raises(AlreadyExists):
        await users.update(ana.id, ana.version, UserPatch(email="Kim@EXAMPLE.org"))

    assert (await users.get(ana.id)).email == "ana@example.org"


async def test_user_may_change_the_case_of_their_own_email(users: UserService) -> None:
    ana = await add(users, "ana@example.org", "Ana")

    updated = await users.update(ana.id, ana.version, UserPatch(email="Ana@example.org"))

    assert updated.email == "Ana@example.org"


async def test_empty_patch_returns_user_without_writing(
    users: UserService, uow_factory: FakeUnitOfWorkFactory, clock: FrozenClock
) -> None:
    user = await add(users, "ana@example.org", "Ana")
    clock.advance(timedelta(hours=1))

    unchanged = await users.update(user.id, user.version, UserPatch())
    # None is the "unset" value of a patch; no user column may become NULL.
    explicit_none = await users.update(user.id, user.version, UserPatch(display_name=None))

    assert unchanged == explicit_none == user
    assert uow_factory.tables.users[user.id] == user


async def test_update_missing_user_is_not_found(users: UserService) -> None:
    with pytest.raises(NotFound):
        await users.update(7, 1, UserPatch(display_name="Nobody"))


async def test_delete_impact_counts_what_goes_with_the_users(
    users: UserService,
    tokens: TokenService,
    events: EventService,
    clock: FrozenClock,
    uow_factory: FakeUnitOfWorkFactory,
) -> None:
    kim = await add(users, "kim@example.org", "Kim")
    ana = await add(users, "ana@example.org", "Ana")
    for owner, count in ((kim, 2), (ana, 1)):
        for i in range(count):
            await tokens.issue(
                TokenRequest(owner_id=owner.id, name=f"t{i}", expires_at=clock.now + timedelta(1))
            )
    await events.create(
        EventDraft(owner_id=kim.id, title="1:1", starts_at=clock.now, ends_at=clock.now)
    )

    units = len(uow_factory.units)
    assert await users.delete_impact([kim.id]) == DeleteImpact(tokens=2, events=1)
    assert await users.delete_impact([ana.id]) == DeleteImpact(tokens=1, events=0)
    assert await users.delete_impact([kim.id, ana.id]) == DeleteImpact(tokens=3, events=1)
    assert await users.delete_impact([]) == DeleteImpact(tokens=0, events=0)
    with pytest.raises(NotFound):
        await users.delete_impact([999])
    with pytest.raises(NotFound):
        await users.delete_impact([kim.id, 999])
    # One short read per question, whatever the number of users.
    assert len(uow_factory.units) == units + 6


async def test_delete_cascades_to_tokens_and_events_of_that_user_only(
    users: UserService, tokens: TokenService, events: EventService, clock: FrozenClock
) -> None:
    kim = await add(users, "kim@example.org", "Kim")
    ana = await add(users, "ana@example.org", "Ana")
    later = clock.now + timedelta(days=1)
    doomed = await tokens.issue(TokenRequest(owner_id=kim.id, name="kim", expires_at=later))
    kept = await tokens.issue(TokenRequest(owner_id=ana.id, name="ana", expires_at=later))
    meeting = await events.create(
        EventDraft(owner_id=kim.id, title="1:1", starts_at=clock.now, ends_at=later)
    )

    deleted = await users.delete_many([kim])

    assert deleted.result.done == (kim,)
    with pytest.raises(NotFound):
        await users.get(kim.id)
    with pytest.raises(NotFound):
        await tokens.get(doomed.token.id)
    with pytest.raises(NotFound):
        await events.get(meeting.id)
    assert await tokens.get(kept.token.id) == kept.token


async def test_delete_with_stale_version_keeps_the_user(users: UserService) -> None:
    user = await add(users, "ana@example.org", "Ana")
    changed = await users.update(user.id, user.version, UserPatch(is_active=False))

    deleted = await users.delete_many([user])

    assert deleted.result == BulkResult(stale=(changed,))
    assert (await users.get(user.id)).version == 2


async def test_list_filters_by_text_role_and_active_flag(users: UserService) -> None:
    ana = await add(users, "ana@example.org", "Ana Lee")
    kim = await add(users, "kim@corp.example", "김민준", role=Role.ADMINISTRATOR)
    lee = await add(users, "lee@corp.example", "Bob", is_active=False)

    async def ids(query: UserFilter) -> list[int]:
        page = await users.list(query, PageRequest())
        assert await users.count(query) == len(page.items)
        return [u.id for u in page.items]

    assert await ids(UserFilter(search="LEE")) == [ana.id, lee.id]
    assert await ids(UserFilter(search="CORP")) == [kim.id, lee.id]
    assert await ids(UserFilter(search="민준")) == [kim.id]
    assert await ids(UserFilter(role=Role.ADMINISTRATOR)) == [kim.id]
    assert await ids(UserFilter(is_active=False)) == [lee.id]
    assert await ids(UserFilter(search="corp", is_active=True)) == [kim.id]


async def test_keyset_paging_walks_every_row_once_in_order(users: UserService) -> None:
    for name, email in [("B", "b1@x.org"), ("A", "a@x.org"), ("B", "b2@x.org"), ("C", "c@x.org")]:
        await add(users, email, name)
    request = PageRequest(sort="display_name", descending=True, limit=2)

    seen: list[tuple[str, str]] = []
    pages = 0
    while True:
        page = await users.list(UserFilter(), request)
        pages += 1
        seen += [(u.display_name, u.email) for u in page.items]
        if page.next_cursor is None:
            break
        request = request.next(page.next_cursor)

    # Ties on the name are broken by id, in the same (descending) direction.
    assert seen == [("C", "c@x.org"), ("B", "b2@x.org"), ("B", "b1@x.org"), ("A", "a@x.org")]
    assert pages == 2


async def test_search_sorts_by_email_and_limits(users: UserService) -> None:
    for email in ["zoe@x.org", "amy@x.org", "max@x.org", "bo@elsewhere.org"]:
        await add(users, email, email.split("@")[0].title())

    found = await users.search("X.ORG", limit=2)
    everyone = await users.search("  ")

    assert [u.email for u in found] == ["amy@x.org", "max@x.org"]
    assert len(everyone) == 4
