"""The users port: lookups, the unique email, the version guard, filters, and deletes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import CompileError

from app.domain.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from app.domain.events import EventDraft, EventFilter
from app.domain.paging import PageRequest
from app.domain.ports import UnitOfWork
from app.domain.tokens import TokenFilter
from app.domain.users import DeleteImpact, Role, UserDraft, UserFilter
from tests.contract.rows import DAY, DOMAIN, HOUR, NOW, OURS, event, token, user

UowFactory = Callable[[], UnitOfWork]


async def test_add_then_get_returns_equal_domain_object(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        added = await uow.users.add(
            UserDraft(email=f"Ana@{DOMAIN.upper()}", display_name="Ana", role=Role.STAFF), NOW
        )
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.users.get(added.id)
    assert loaded == added
    assert (loaded.email, loaded.role, loaded.is_active, loaded.version) == (
        f"Ana@{DOMAIN}",
        Role.STAFF,
        True,
        1,
    )
    assert loaded.created_at == loaded.updated_at == NOW
    assert loaded.created_at.tzinfo is not None


async def test_get_missing_raises_not_found(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.users.get(987_654_321)


async def test_get_many_returns_existing_rows_in_id_order(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        first = await user(uow, "one")
        second = await user(uow, "two")
        found = await uow.users.get_many({second.id, 987_654_321, first.id})
        twice = await uow.users.get_many([first.id, first.id])
        none = await uow.users.get_many([])
    assert found == [first, second]
    assert twice == [first]
    assert list(none) == []


async def test_korean_and_emoji_text_round_trips(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow, "민수", display_name="김민수 🧑🏽‍💻 Ωmega")
        booked = await uow.events.add(
            EventDraft(
                owner_id=kim.id,
                title="회의 📅",
                location="서울 🇰🇷",
                description="Zwölf Boxkämpfer 👨‍👩‍👧‍👦",
                starts_at=NOW,
                ends_at=NOW + HOUR,
            ),
            NOW,
        )
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.users.get(kim.id)
        meeting = await uow.events.get(booked.id)
    assert stored.display_name == "김민수 🧑🏽‍💻 Ωmega"
    assert stored.email == f"민수@{DOMAIN}"
    assert (meeting.title, meeting.location, meeting.description) == (
        "회의 📅",
        "서울 🇰🇷",
        "Zwölf Boxkämpfer 👨‍👩‍👧‍👦",
    )


async def test_duplicate_email_in_another_case_is_already_exists_email(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await user(uow, "lee")
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists) as caught:
            await user(uow, "LEE")
    assert caught.value.field == "email"
    assert "email" in caught.value.message
    async with uow_factory() as uow:
        assert await uow.users.count(OURS) == 1


async def test_changing_to_another_users_email_in_another_case_is_already_exists(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await user(uow, "kim")
        ana = await user(uow, "ana")
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists) as caught:
            await uow.users.update(ana.id, 1, {"email": f"KIM@{DOMAIN}"}, NOW)
    assert caught.value.field == "email"
    async with uow_factory() as uow:
        # The same user may change the case of their own email.
        changed = await uow.users.update(ana.id, 1, {"email": f"Ana@{DOMAIN}"}, NOW)
    assert changed.email == f"Ana@{DOMAIN}"


async def test_get_by_email_ignores_case(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        mixed = await user(uow, "Mixed.Case")
        found = await uow.users.get_by_email(f"mixed.case@{DOMAIN.upper()}")
        missing = await uow.users.get_by_email(f"nobody@{DOMAIN}")
    assert found == mixed
    assert missing is None


async def test_update_bumps_version_and_stale_version_conflicts(uow_factory: UowFactory) -> None:
    later = NOW + HOUR
    async with uow_factory() as uow:
        user_id = (await user(uow, display_name="Kim")).id
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.users.update(user_id, 1, {"display_name": "Kim Ji-woo"}, later)
        await uow.commit()
    assert (first.version, first.display_name, first.updated_at) == (2, "Kim Ji-woo", later)
    assert first.created_at == NOW
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.users.update(user_id, 1, {"display_name": "lost edit"}, later)
    async with uow_factory() as uow:
        assert await uow.users.delete_many({user_id: 1}) == []
        with pytest.raises(NotFound):
            await uow.users.update(999_999, 1, {"display_name": "x"}, later)
    async with uow_factory() as uow:
        assert (await uow.users.get(user_id)).display_name == "Kim Ji-woo"


async def test_an_update_of_a_column_the_table_lacks_is_refused(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        # A programming error, not a domain one: the fakes raise ValueError, SQLAlchemy this.
        with pytest.raises((ValueError, CompileError)):
            await uow.users.update(kim.id, 1, {"nickname": "K"}, NOW)


async def test_user_filters_search_role_active(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        mine = {
            (await user(uow, "alice", display_name="Alice", role=Role.ADMINISTRATOR)).id,
            (await user(uow, "bo", display_name="박보검")).id,
            (await user(uow, "100%_real", display_name="Percy", is_active=False)).id,
        }
        everyone = PageRequest(sort="email")

        async def emails(f: UserFilter) -> list[str]:
            page = await uow.users.list(f, everyone)
            return [u.email.split("@")[0] for u in page.items if u.id in mine]

        assert await emails(UserFilter(search="ALI")) == ["alice"]
        assert await emails(UserFilter(search="보검")) == ["bo"]
        # LIKE wildcards typed by a person are literal characters.
        assert await emails(UserFilter(search="%_r")) == ["100%_real"]
        assert await emails(UserFilter(search="_")) == ["100%_real"]
        assert await emails(UserFilter(role=Role.ADMINISTRATOR)) == ["alice"]
        assert await emails(UserFilter(is_active=False)) == ["100%_real"]
        assert await emails(UserFilter(search="")) == ["100%_real", "alice", "bo"]
        assert await uow.users.count(UserFilter(search=DOMAIN, is_active=True)) == 2
        assert await uow.users.count(UserFilter(search=DOMAIN, role=Role.MEMBER)) == 2


async def test_a_count_with_a_limit_stops_there_and_is_exact_below_it(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        for n in range(7):
            role = Role.ADMINISTRATOR if n < 2 else Role.MEMBER
            await user(uow, f"c{n}", display_name="C", role=role)
        members = UserFilter(search=DOMAIN, role=Role.MEMBER)
        assert await uow.users.count(members) == 5
        assert await uow.users.count(members, limit=3) == 3
        assert await uow.users.count(members, limit=6) == 5
        assert await uow.users.count(UserFilter(search=DOMAIN, role=Role.ADMINISTRATOR), 3) == 2


async def test_the_estimate_is_a_row_count(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await user(uow)
        estimate = await uow.users.estimate_total()
    # The planner's figure (PostgreSQL) may lag behind; it is never negative.
    assert isinstance(estimate, int)
    assert estimate >= 0


async def test_unknown_sort_field_is_refused(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(InvalidInput) as caught:
            await uow.users.list(UserFilter(), PageRequest(sort="secret_hash"))
    assert "sort" in caught.value.errors


async def test_delete_cascades_and_impact_counts_dependents(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        other = await user(uow, "other")
        for n in range(3):
            await token(uow, kim, n, (n + 1) * DAY)
        await token(uow, other, 9, DAY)
        for hour in range(2):
            start = NOW + hour * HOUR
            await event(uow, kim, start, start)
        impact = await uow.users.delete_impact([kim.id])
        assert await uow.users.delete_many({kim.id: 1}) == [kim.id]
        await uow.commit()
    assert (impact.tokens, impact.events) == (3, 2)
    async with uow_factory() as uow:
        assert await uow.tokens.count(TokenFilter(owner_id=kim.id)) == 0
        assert await uow.events.count(EventFilter(owner_id=kim.id)) == 0
        assert await uow.tokens.count(TokenFilter(owner_id=other.id)) == 1
        with pytest.raises(NotFound):
            await uow.users.delete_impact([kim.id])


async def test_delete_impact_totals_what_goes_with_all_the_users(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        ana, bo, cy, dee = [await user(uow, name) for name in ("ana", "bo", "cy", "dee")]
        for n, owner in enumerate((ana, ana, bo, dee)):
            await token(uow, owner, n, DAY)
        for owner in (ana, cy, cy):
            await event(uow, owner, NOW, NOW + HOUR)
        total = await uow.users.delete_impact([ana.id, bo.id, cy.id, ana.id])
        nothing = await uow.users.delete_impact([])
        with pytest.raises(NotFound) as caught:
            await uow.users.delete_impact([ana.id, 987_654_321, 987_654_320])
    assert total == DeleteImpact(tokens=3, events=3)
    assert nothing == DeleteImpact(tokens=0, events=0)
    assert "987654320" in caught.value.message


async def test_delete_many_takes_only_the_users_still_at_their_version(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        ana, bo, cy = [await user(uow, name) for name in ("ana", "bo", "cy")]
        await token(uow, ana, 1, DAY)
        await token(uow, bo, 2, DAY)
        await event(uow, ana, NOW, NOW)
        moved = await uow.users.update(bo.id, 1, {"display_name": "Bo"}, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        versions = {cy.id: 1, bo.id: 1, ana.id: 1, 987_654_321: 1}
        deleted, impact = await uow.users.delete_many_counted(versions)
        again = await uow.users.delete_many({ana.id: 1, bo.id: 2})
        nothing = await uow.users.delete_many({})
        empty = await uow.users.delete_many_counted({})
        await uow.commit()
    assert list(deleted) == sorted([ana.id, cy.id])
    assert impact == DeleteImpact(tokens=1, events=1)
    assert list(again) == [bo.id]
    assert list(nothing) == []
    assert (list(empty[0]), empty[1]) == ([], DeleteImpact(tokens=0, events=0))
    async with uow_factory() as uow:
        assert await uow.users.get_many([ana.id, bo.id, cy.id]) == []
        assert await uow.tokens.count(TokenFilter(owner_id=bo.id)) == 0
    assert moved.version == 2
