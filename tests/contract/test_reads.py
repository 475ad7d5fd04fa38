"""Reads: keyset paging by every sort key both ways, and one entity whichever way it is read.

The sorted texts are lowercase ASCII letters of one pattern, so PostgreSQL's collation
(whatever the server's locale) and Python's ``sorted`` agree on their order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from app.domain import events, tokens, users
from app.domain.events import EventFilter
from app.domain.paging import Cursor, Page, PageRequest
from app.domain.ports import UnitOfWork
from app.domain.tokens import TokenFilter
from app.domain.users import Role, UserFilter
from tests.contract.rows import DAY, DOMAIN, HOUR, NOW, event, token, user, walk

UowFactory = Callable[[], UnitOfWork]
ROWS = 23
PAGE = 5
NAMES = ("alpha", "beta", "gamma")  # ties on purpose: broken by id, never lost or repeated
Reader = Callable[[PageRequest], Awaitable[Page[Any]]]


async def _users(uow: UnitOfWork) -> tuple[list[Any], Reader]:
    made = [
        await user(uow, f"pager{chr(97 + n)}", display_name=NAMES[n % 3], now=NOW + n % 4 * HOUR)
        for n in range(ROWS)
    ]
    return made, lambda page: uow.users.list(UserFilter(search=f"@{DOMAIN}"), page)


async def _tokens(uow: UnitOfWork) -> tuple[list[Any], Reader]:
    owner = await user(uow)
    made = [
        await token(
            uow,
            owner,
            n,
            (n % 5 + 1) * DAY,
            name=NAMES[n % 3],
            created_at=NOW - (n % 3 + 1) * DAY,
        )
        for n in range(ROWS)
    ]
    return made, lambda page: uow.tokens.list(TokenFilter(owner_id=owner.id), page)


async def _events(uow: UnitOfWork) -> tuple[list[Any], Reader]:
    owner = await user(uow)
    made = [
        await event(uow, owner, NOW + n % 4 * HOUR, NOW + 5 * HOUR, NAMES[n % 3])
        for n in range(ROWS)
    ]
    return made, lambda page: uow.events.list(EventFilter(owner_id=owner.id), page)


SEEDS = {
    "users": (_users, users.SORTS),
    "tokens": (_tokens, tokens.SORTS),
    "events": (_events, events.SORTS),
}
CASES = [
    (table, sort, descending)
    for table, (_, sorts) in SEEDS.items()
    for sort in sorted(sorts)
    for descending in (False, True)
]


@pytest.mark.parametrize(("table", "sort", "descending"), CASES)
async def test_keyset_paging_walks_every_row_once_in_order(
    uow_factory: UowFactory, table: str, sort: str, descending: bool
) -> None:
    seed, _ = SEEDS[table]
    async with uow_factory() as uow:
        made, read = await seed(uow)
        seen, pages = await walk(read, PageRequest(sort, descending, limit=PAGE))
    keys = [(getattr(row, sort), row.id) for row in seen]
    assert keys == sorted(keys, reverse=descending)
    assert len({row.id for row in seen}) == len(seen) == ROWS
    assert sorted(seen, key=lambda row: row.id) == made
    assert pages == -(-ROWS // PAGE)


async def test_a_page_of_exactly_the_rows_left_is_the_last(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        owner = await user(uow)
        for n in range(4):
            await token(uow, owner, n, DAY)
        mine = TokenFilter(owner_id=owner.id)
        first = await uow.tokens.list(mine, PageRequest(limit=2))
        assert first.next_cursor is not None
        second = await uow.tokens.list(mine, PageRequest(limit=2).next(first.next_cursor))
        whole = await uow.tokens.list(mine, PageRequest(limit=4))
    assert len(second.items) == 2
    assert second.next_cursor is None
    assert whole.next_cursor is None


def _field_types(entity: object) -> dict[str, type]:
    return {name: type(value) for name, value in vars(entity).items()}


async def _reads(repository: Any, ident: int, filter: Any) -> list[Any]:
    """The row read by get, get_many and list (one page of one row)."""
    (many,) = await repository.get_many([ident])
    (listed,) = (await repository.list(filter, PageRequest())).items
    return [await repository.get(ident), many, listed]


async def test_every_read_path_builds_identical_entities_of_the_declared_types(
    uow_factory: UowFactory,
) -> None:
    # get, list and get_many, add and update: the same object whichever way it was read.
    async with uow_factory() as uow:
        owner = await user(uow, "ana", display_name="Ana", role=Role.STAFF)
        made = await token(uow, owner, 1, 3 * DAY)
        booked = await event(uow, owner, NOW, NOW + HOUR, "t")
        revoked = await uow.tokens.update(made.id, 1, {"revoked_at": NOW, "revoked_by": "kim"}, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        reads = [
            (owner, await _reads(uow.users, owner.id, UserFilter(search=owner.email))),
            (revoked, await _reads(uow.tokens, made.id, TokenFilter(owner_id=owner.id))),
            (booked, await _reads(uow.events, booked.id, EventFilter(owner_id=owner.id))),
        ]
    for expected, found in reads:
        assert found == [expected] * 3
        assert [_field_types(read) for read in found] == [_field_types(expected)] * 3
    by_id = reads[0][1][0]
    assert type(by_id.created_at.tzinfo) is type(NOW.tzinfo)
    got_user = _field_types(owner)
    assert (got_user["role"], got_user["created_at"]) == (Role, datetime)
    got_token = _field_types(revoked)
    assert (got_token["scopes"], got_token["revoked_at"], got_token["last_used_at"]) == (
        tuple,
        datetime,
        type(None),
    )
    assert revoked.scopes == ("read", "write")
    assert revoked.revoked_by == "kim"


@pytest.mark.parametrize(("table", "sort", "descending"), CASES)
async def test_reading_backward_from_the_end_walks_every_row_once_in_order(
    uow_factory: UowFactory, table: str, sort: str, descending: bool
) -> None:
    seed, _ = SEEDS[table]
    async with uow_factory() as uow:
        _, read = await seed(uow)
        forward, _ = await walk(read, PageRequest(sort, descending, limit=PAGE))
        pages: list[tuple[Any, ...]] = []
        page = await read(PageRequest(sort, descending, limit=PAGE, last=True))
        pages.append(page.items)
        assert page.next_cursor is None  # the last page: nothing after it
        while page.previous_cursor is not None:
            page = await read(
                PageRequest(sort, descending, limit=PAGE).previous(page.previous_cursor)
            )
            assert page.next_cursor is not None  # read before a row: that row comes after
            pages.append(page.items)
    backward = [row for items in reversed(pages) for row in items]
    assert [row.id for row in backward] == [row.id for row in forward]
    assert [len(items) for items in pages[:-1]] == [PAGE] * (len(pages) - 1)


async def test_a_page_before_a_row_ends_just_before_it(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        owner = await user(uow)
        for n in range(6):
            await token(uow, owner, n, (n + 1) * DAY)
        mine = TokenFilter(owner_id=owner.id)
        request = PageRequest("expires_at", limit=2)
        whole = (await uow.tokens.list(mine, PageRequest("expires_at"))).items
        third = whole[3]
        before = await uow.tokens.list(mine, request.previous(Cursor(third.expires_at, third.id)))
        first = await uow.tokens.list(
            mine, request.previous(Cursor(whole[2].expires_at, whole[2].id))
        )
        none = await uow.tokens.list(
            mine, request.previous(Cursor(whole[0].expires_at, whole[0].id))
        )
    assert before.items == whole[1:3]
    assert before.previous_cursor == Cursor(whole[1].expires_at, whole[1].id)
    assert before.next_cursor == Cursor(whole[2].expires_at, whole[2].id)
    assert first.items == whole[0:2]
    assert first.previous_cursor is None  # nothing before the first row
    assert none.items == ()
    with pytest.raises(ValueError, match="before one"):
        PageRequest(last=True, before=Cursor(1, 1))
