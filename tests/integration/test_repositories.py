"""The PostgreSQL repositories against a real server, each test in a rolled-back transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from app.domain.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    InvalidReference,
    NotFound,
    Unavailable,
)
from app.domain.events import EventDraft, EventFilter
from app.domain.paging import PageRequest
from app.domain.tokens import NewToken, Token, TokenFilter, TokenStatus
from app.domain.users import Role, UserDraft, UserFilter
from app.infrastructure.repositories.base import SqlRepository
from app.infrastructure.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
UowFactory = Callable[[], SqlUnitOfWork]


def _token(owner_id: int, n: int, expires_in: timedelta, created: datetime = NOW) -> NewToken:
    return NewToken(
        owner_id=owner_id,
        name=f"token {n}",
        scopes=("read", "write"),
        prefix=f"tsr_{n:08d}",
        secret_hash=f"{n:064x}",
        created_at=created,
        expires_at=NOW + expires_in,
    )


async def _user(uow: SqlUnitOfWork, email: str = "kim@example.org", name: str = "Kim") -> int:
    user = await uow.users.add(UserDraft(email=email, display_name=name), NOW)
    return user.id


async def test_add_then_get_returns_equal_domain_object(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        added = await uow.users.add(
            UserDraft(email="Ana@Example.org", display_name="Ana", role=Role.STAFF), NOW
        )
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.users.get(added.id)
    assert loaded == added
    assert (loaded.email, loaded.role, loaded.is_active, loaded.version) == (
        "Ana@example.org",
        Role.STAFF,
        True,
        1,
    )
    assert loaded.created_at == NOW
    assert loaded.created_at.tzinfo is not None


async def test_get_missing_raises_not_found(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.users.get(987_654_321)


async def test_korean_and_emoji_text_round_trips(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        user_id = await _user(uow, "민수@example.org", "김민수 🧑🏽‍💻 Ωmega")
        event = await uow.events.add(
            EventDraft(
                owner_id=user_id,
                title="회의 📅",
                location="서울 🇰🇷",
                description="Zwölf Boxkämpfer 👨‍👩‍👧‍👦",
                starts_at=NOW,
                ends_at=NOW + timedelta(hours=1),
            ),
            NOW,
        )
        await uow.commit()
    async with uow_factory() as uow:
        user = await uow.users.get(user_id)
        stored = await uow.events.get(event.id)
    assert user.display_name == "김민수 🧑🏽‍💻 Ωmega"
    assert user.email == "민수@example.org"
    assert (stored.title, stored.location, stored.description) == (
        "회의 📅",
        "서울 🇰🇷",
        "Zwölf Boxkämpfer 👨‍👩‍👧‍👦",
    )


async def test_duplicate_email_in_another_case_is_already_exists_email(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await _user(uow, "lee@example.org")
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists) as caught:
            await _user(uow, "LEE@example.org")
    assert caught.value.field == "email"
    assert "email" in caught.value.message
    async with uow_factory() as uow:
        assert await uow.users.count(UserFilter()) == 1


async def test_get_by_email_ignores_case(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        user_id = await _user(uow, "Mixed.Case@example.org")
        found = await uow.users.get_by_email("mixed.case@EXAMPLE.org")
        missing = await uow.users.get_by_email("nobody@example.org")
    assert found is not None
    assert found.id == user_id
    assert missing is None


async def test_dangling_owner_is_invalid_reference(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(InvalidReference) as caught:
            await uow.tokens.add(_token(424_242, 1, timedelta(days=1)), NOW)
    assert caught.value.field == "owner_id"


async def test_event_ending_before_start_is_refused_by_the_database(
    uow_factory: UowFactory,
) -> None:
    # The domain refuses it first; this proves the database's check is a real safety net.
    async with uow_factory() as uow:
        user_id = await _user(uow)
        event = await uow.events.add(
            EventDraft(owner_id=user_id, title="t", starts_at=NOW, ends_at=NOW), NOW
        )
        with pytest.raises(InvalidInput) as caught:
            await uow.events.update(
                event.id, event.version, {"ends_at": NOW - timedelta(minutes=1)}, NOW
            )
    assert "ends_at" in caught.value.errors


async def test_update_bumps_version_and_stale_version_conflicts(uow_factory: UowFactory) -> None:
    later = NOW + timedelta(hours=1)
    async with uow_factory() as uow:
        user_id = await _user(uow)
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.users.update(user_id, 1, {"display_name": "Kim Ji-woo"}, later)
        await uow.commit()
    assert (first.version, first.display_name, first.updated_at) == (2, "Kim Ji-woo", later)
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.users.update(user_id, 1, {"display_name": "lost edit"}, later)
        with pytest.raises(Conflict):
            await uow.users.delete(user_id, 1)
        with pytest.raises(NotFound):
            await uow.users.update(999_999, 1, {"display_name": "x"}, later)
    async with uow_factory() as uow:
        assert (await uow.users.get(user_id)).display_name == "Kim Ji-woo"


async def test_delete_cascades_and_impact_counts_dependents(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        user_id = await _user(uow)
        other_id = await _user(uow, "other@example.org")
        for n in range(3):
            await uow.tokens.add(_token(user_id, n, timedelta(days=n + 1)), NOW)
        await uow.tokens.add(_token(other_id, 9, timedelta(days=1)), NOW)
        for hour in range(2):
            start = NOW + timedelta(hours=hour)
            await uow.events.add(
                EventDraft(owner_id=user_id, title="e", starts_at=start, ends_at=start), NOW
            )
        impact = await uow.users.delete_impact(user_id)
        await uow.users.delete(user_id, 1)
        await uow.commit()
    assert (impact.tokens, impact.events) == (3, 2)
    async with uow_factory() as uow:
        assert await uow.tokens.count(TokenFilter(owner_id=user_id)) == 0
        assert await uow.events.count(EventFilter(owner_id=user_id)) == 0
        assert await uow.tokens.count(TokenFilter(owner_id=other_id)) == 1
        with pytest.raises(NotFound):
            await uow.users.delete_impact(user_id)


async def test_token_is_expired_after_round_trip(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        user_id = await _user(uow)
        token = await uow.tokens.add(_token(user_id, 1, timedelta(hours=2)), NOW)
        loaded = await uow.tokens.get(token.id)
        by_hash = await uow.tokens.get_by_hash(f"{1:064x}")
    assert loaded.scopes == ("read", "write")
    assert by_hash == loaded
    assert not loaded.is_expired(NOW + timedelta(hours=2) - timedelta(microseconds=1))
    assert loaded.is_expired(NOW + timedelta(hours=2))
    assert loaded.status(NOW) is TokenStatus.EXPIRING_SOON


async def test_token_status_filter_matches_domain_rule(uow_factory: UowFactory) -> None:
    soon = timedelta(days=7)
    async with uow_factory() as uow:
        user_id = await _user(uow)
        offsets = [
            timedelta(seconds=-1),
            timedelta(0),
            timedelta(seconds=1),
            soon,
            soon + timedelta(seconds=1),
            timedelta(days=30),
        ]
        created = NOW - timedelta(days=1)
        tokens = [
            await uow.tokens.add(_token(user_id, n, offset, created), NOW)
            for n, offset in enumerate(offsets)
        ]
        revoked = await uow.tokens.update(tokens[-1].id, 1, {"revoked_at": NOW}, NOW)
        tokens[-1] = revoked
        for status in TokenStatus:
            page = await uow.tokens.list(
                TokenFilter(statuses=frozenset({status}), as_of=NOW, soon=soon),
                PageRequest(sort="expires_at", limit=50),
            )
            expected = {t.id for t in tokens if t.status(NOW, soon) is status}
            assert {t.id for t in page.items} == expected, status
            assert expected, f"the seed should cover {status}"


async def test_list_expiring_is_unrevoked_within_window_soonest_first(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        user_id = await _user(uow)
        created = NOW - timedelta(days=1)
        in_3 = await uow.tokens.add(_token(user_id, 1, timedelta(days=3), created), NOW)
        in_1 = await uow.tokens.add(_token(user_id, 2, timedelta(days=1), created), NOW)
        await uow.tokens.add(_token(user_id, 3, timedelta(days=9), created), NOW)
        await uow.tokens.add(_token(user_id, 4, timedelta(hours=-1), created), NOW)
        gone = await uow.tokens.add(_token(user_id, 5, timedelta(days=2), created), NOW)
        await uow.tokens.update(gone.id, 1, {"revoked_at": NOW}, NOW)
        page = await uow.tokens.list_expiring(
            NOW, NOW + timedelta(days=7), PageRequest(sort="expires_at")
        )
    assert [t.id for t in page.items] == [in_1.id, in_3.id]


async def test_keyset_paging_walks_every_row_once_in_order(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        user_id = await _user(uow)
        created = NOW - timedelta(days=1)
        # Duplicate expiries on purpose: ties must be broken by id, not lost or repeated.
        for n in range(23):
            await uow.tokens.add(_token(user_id, n, timedelta(days=n % 5 + 1), created), NOW)
        for descending in (False, True):
            request = PageRequest(sort="expires_at", descending=descending, limit=5)
            seen: list[Token] = []
            pages = 0
            while True:
                page = await uow.tokens.list(TokenFilter(owner_id=user_id), request)
                seen.extend(page.items)
                pages += 1
                if page.next_cursor is None:
                    break
                request = request.next(page.next_cursor)
            keys = [(t.expires_at, t.id) for t in seen]
            assert keys == sorted(keys, reverse=descending)
            assert len({t.id for t in seen}) == len(seen) == 23
            assert pages == 5


async def test_user_filters_search_role_active(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.add(
            UserDraft(email="a@x.org", display_name="Alice", role=Role.ADMINISTRATOR), NOW
        )
        await uow.users.add(UserDraft(email="b@x.org", display_name="박보검"), NOW)
        await uow.users.add(
            UserDraft(email="100%_real@x.org", display_name="Percy", is_active=False), NOW
        )
        everyone = PageRequest(sort="email")

        async def emails(f: UserFilter) -> list[str]:
            return [u.email for u in (await uow.users.list(f, everyone)).items]

        assert await emails(UserFilter(search="ALI")) == ["a@x.org"]
        assert await emails(UserFilter(search="보검")) == ["b@x.org"]
        # LIKE wildcards typed by a person are literal characters.
        assert await emails(UserFilter(search="%_r")) == ["100%_real@x.org"]
        assert await emails(UserFilter(search="_")) == ["100%_real@x.org"]
        assert await emails(UserFilter(role=Role.ADMINISTRATOR)) == ["a@x.org"]
        assert await emails(UserFilter(is_active=False)) == ["100%_real@x.org"]
        assert await uow.users.count(UserFilter(is_active=True)) == 2
        assert await uow.users.estimate_total() >= 0


async def test_unknown_sort_field_is_refused(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(InvalidInput) as caught:
            await uow.users.list(UserFilter(), PageRequest(sort="secret_hash"))
    assert "sort" in caught.value.errors


async def test_overlapping_excludes_touching_and_includes_contained(
    uow_factory: UowFactory,
) -> None:
    def at(hour: float) -> datetime:
        return NOW + timedelta(hours=hour)

    async with uow_factory() as uow:
        owner = await _user(uow)
        other = await _user(uow, "o@x.org")

        async def add(owner_id: int, start: float, end: float, title: str) -> int:
            draft = EventDraft(owner_id=owner_id, title=title, starts_at=at(start), ends_at=at(end))
            return (await uow.events.add(draft, NOW)).id

        before = await add(owner, 8, 10, "touches the start")
        inside = await add(owner, 10.5, 11, "contained")
        across = await add(owner, 11.5, 13, "crosses the end")
        await add(owner, 12, 13, "touches the end")
        await add(other, 10, 12, "someone else's")
        clash = await uow.events.overlapping(owner, at(10), at(12))
        without_inside = await uow.events.overlapping(owner, at(10), at(12), exclude_id=inside)
    assert [e.id for e in clash] == [inside, across]
    assert [e.id for e in without_inside] == [across]
    assert before not in [e.id for e in clash]


async def test_events_filter_by_owner_and_time_range(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        owner = await _user(uow)
        day = timedelta(days=1)
        ids = []
        for n in range(4):
            start = NOW + n * day
            draft = EventDraft(
                owner_id=owner,
                title=f"day {n}",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )
            ids.append((await uow.events.add(draft, NOW)).id)
        window = EventFilter(owner_id=owner, ends_after=NOW + day, starts_before=NOW + 3 * day)
        page = await uow.events.list(window, PageRequest(sort="starts_at"))
    assert [e.id for e in page.items] == ids[1:3]


async def test_uncommitted_work_is_rolled_back(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await _user(uow, "ghost@example.org")

    async def fail_half_way() -> None:
        async with uow_factory() as uow:
            await _user(uow, "ghost2@example.org")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_half_way()
    async with uow_factory() as uow:
        assert await uow.users.count(UserFilter(search="ghost")) == 0


async def test_get_many_returns_existing_rows_in_id_order(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        first = await _user(uow, "one@x.org")
        second = await _user(uow, "two@x.org")
        found = await uow.users.get_many({second, 999_999, first})
        none = await uow.users.get_many([])
    assert [u.id for u in found] == [first, second]
    assert none == []


def _field_types(entity: object) -> dict[str, type]:
    return {name: type(value) for name, value in vars(entity).items()}


async def _reads(repository: SqlRepository[Any, Any, Any], ident: int, filter: Any) -> list[Any]:
    """The row read by get, get_many and list (one page of one row)."""
    (many,) = await repository.get_many([ident])
    (listed,) = (await repository.list(filter, PageRequest())).items
    return [await repository.get(ident), many, listed]


async def test_every_read_path_builds_identical_entities_of_the_declared_types(
    uow_factory: UowFactory,
) -> None:
    # get (straight to asyncpg), list and get_many (a batch through SQLAlchemy), add and
    # update (RETURNING, one row): the same object whichever way it was read.
    async with uow_factory() as uow:
        user = await uow.users.add(
            UserDraft(email="ana@example.org", display_name="Ana", role=Role.STAFF), NOW
        )
        token = await uow.tokens.add(_token(user.id, 1, timedelta(days=3)), NOW)
        event = await uow.events.add(
            EventDraft(
                owner_id=user.id, title="t", starts_at=NOW, ends_at=NOW + timedelta(hours=1)
            ),
            NOW,
        )
        revoked = await uow.tokens.update(
            token.id, 1, {"revoked_at": NOW, "revoked_by": "kim"}, NOW
        )
        await uow.commit()
    async with uow_factory() as uow:
        reads = [
            (user, await _reads(uow.users, user.id, UserFilter())),
            (revoked, await _reads(uow.tokens, token.id, TokenFilter())),
            (event, await _reads(uow.events, event.id, EventFilter())),
        ]
    for expected, found in reads:
        assert found == [expected] * 3
        assert [_field_types(read) for read in found] == [_field_types(expected)] * 3
    by_id = reads[0][1][0]
    assert type(by_id.created_at.tzinfo) is type(NOW.tzinfo)
    got_user = _field_types(user)
    assert (got_user["role"], got_user["created_at"]) == (Role, datetime)
    got_token = _field_types(revoked)
    assert (got_token["scopes"], got_token["revoked_at"], got_token["last_used_at"]) == (
        tuple,
        datetime,
        type(None),
    )
    assert revoked.scopes == ("read", "write")
    assert revoked.revoked_by == "kim"


async def test_get_by_id_sees_the_unit_of_works_own_writes_before_and_after_commit(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        first = await uow.users.get_many([1])  # something ran before: the transaction is open
        user_id = await _user(uow, "mid@example.org")
        assert (await uow.users.get(user_id)).email == "mid@example.org"
        await uow.commit()
        # A new transaction after commit: the lookup asks for the connection again.
        changed = await uow.users.update(user_id, 1, {"display_name": "Changed"}, NOW)
        assert await uow.users.get(user_id) == changed
    async with uow_factory() as uow:
        assert (await uow.users.get(user_id)).display_name == "Kim"  # the update rolled back
    assert first == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), Unavailable),
        (asyncpg.AdminShutdownError("terminating connection"), Unavailable),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), Unavailable),
        (ConnectionResetError(), Unavailable),
        (asyncpg.UndefinedColumnError("no such column"), DBAPIError),
    ],
)
async def test_get_by_id_translates_driver_errors(
    uow_factory: UowFactory,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    expected: type[Exception],
) -> None:
    async with uow_factory() as uow:

        class Failing:
            async def fetchrow(self, *_: object) -> None:
                raise error

        async def failing() -> Failing:
            return Failing()

        monkeypatch.setattr(uow.users, "_driver_connection", failing)
        with pytest.raises(expected):
            await uow.users.get(1)


async def test_a_count_with_a_limit_stops_there_and_is_exact_below_it(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        for n in range(7):
            role = Role.ADMINISTRATOR if n < 2 else Role.MEMBER
            await uow.users.add(
                UserDraft(email=f"c{n}@example.org", display_name="C", role=role), NOW
            )
        members = UserFilter(role=Role.MEMBER)
        assert await uow.users.count(members) == 5
        assert await uow.users.count(members, limit=3) == 3
        assert await uow.users.count(members, limit=6) == 5
        assert await uow.users.count(UserFilter(role=Role.ADMINISTRATOR), limit=3) == 2
