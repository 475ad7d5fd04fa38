"""Event times and the clash filter on PostgreSQL.

Instants must come back as the same instants, all-day events as the same dates whatever
the session's time zone, and the clash filter must agree with the rule written in plain SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.events import EventDraft, EventFilter
from app.domain.paging import PageRequest
from app.domain.users import UserDraft
from app.infrastructure.uow import SqlUnitOfWork
from app.services.events import EventService
from tests.clock import FrozenClock

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
HOUR = timedelta(hours=1)
UowFactory = Callable[[], SqlUnitOfWork]

# The clash rule as a person would write it in SQL.
CLASHING_SQL = """
    SELECT a.id FROM events a
    WHERE EXISTS (
        SELECT 1 FROM events b
        WHERE b.owner_id = a.owner_id
          AND a.starts_at < b.ends_at AND a.ends_at > b.starts_at AND a.id <> b.id
    )
    ORDER BY a.id
"""


async def _user(uow: SqlUnitOfWork, email: str) -> int:
    return (await uow.users.add(UserDraft(email=email, display_name=email), NOW)).id


@pytest.mark.parametrize("session_zone", ["UTC", "Asia/Seoul", "America/New_York"])
async def test_a_seoul_local_time_comes_back_as_the_same_instant(
    uow_factory: UowFactory, connection: AsyncConnection, session_zone: str
) -> None:
    await connection.execute(text(f"SET LOCAL TIME ZONE '{session_zone}'"))
    start = datetime(2026, 11, 26, 9, 0, tzinfo=SEOUL)
    async with uow_factory() as uow:
        owner = await _user(uow, "kim@example.org")
        draft = EventDraft(owner_id=owner, title="회의", starts_at=start, ends_at=start + HOUR)
        added = await uow.events.add(draft, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        read = await uow.events.get(added.id)

    assert read.starts_at == start
    assert read.starts_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert read.ends_at - read.starts_at == HOUR
    local = read.starts_at.astimezone(SEOUL)
    assert (local.date(), local.hour, local.minute) == (date(2026, 11, 26), 9, 0)
    assert read == added


@pytest.mark.parametrize("session_zone", ["UTC", "Asia/Seoul", "America/New_York"])
async def test_an_all_day_event_keeps_its_dates(
    uow_factory: UowFactory, connection: AsyncConnection, session_zone: str
) -> None:
    await connection.execute(text(f"SET LOCAL TIME ZONE '{session_zone}'"))
    async with uow_factory() as uow:
        owner = await _user(uow, "kim@example.org")
        draft = EventDraft.all_day_between(owner, "Trip", date(2026, 3, 29), date(2026, 3, 30))
        added = await uow.events.add(draft, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        read = await uow.events.get(added.id)

    assert read.all_day
    assert (read.first_day, read.last_day) == (date(2026, 3, 29), date(2026, 3, 30))
    assert (read.starts_at, read.ends_at) == (
        datetime(2026, 3, 29, tzinfo=UTC),
        datetime(2026, 3, 31, tzinfo=UTC),
    )


async def test_clash_filter_finds_exactly_the_events_overlapping_another_of_the_owner(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    def at(hour: float) -> datetime:
        return NOW + timedelta(hours=hour)

    async with uow_factory() as uow:
        kim = await _user(uow, "kim@example.org")
        ana = await _user(uow, "ana@example.org")

        async def add(owner_id: int, start: float, end: float, title: str) -> int:
            draft = EventDraft(owner_id=owner_id, title=title, starts_at=at(start), ends_at=at(end))
            return (await uow.events.add(draft, NOW)).id

        touch_a = await add(kim, 0, 1, "ends as the next starts")
        touch_b = await add(kim, 1, 2, "starts as the previous ends")
        outer = await add(kim, 4, 8, "contains another")
        inner = await add(kim, 5, 6, "contained")
        left = await add(kim, 10, 12, "overlaps the next")
        right = await add(kim, 11, 13, "overlaps the previous")
        alone = await add(kim, 20, 21, "alone; only Ana's event overlaps it")
        theirs = await add(ana, 20, 21, "Ana's, overlapping Kim's")
        ana_alone = await add(ana, 0, 2, "Ana's other, overlaps only Kim's")
        all_day = await uow.events.add(
            EventDraft.all_day_between(kim, "Day off", date(2026, 12, 1), date(2026, 12, 1)), NOW
        )
        timed_on_day = await add(kim, 24 * 5 - 9 + 10, 24 * 5 - 9 + 11, "during the day off")
        await uow.commit()

    expected = sorted([outer, inner, left, right, all_day.id, timed_on_day])
    query = EventFilter(clashing=True)
    async with uow_factory() as uow:
        page = await uow.events.list(query, PageRequest(sort="id", limit=100))
        count = await uow.events.count(query)
        kims = await uow.events.list(
            EventFilter(clashing=True, owner_id=kim, search="contain"), PageRequest(sort="id")
        )
        anas = await uow.events.count(EventFilter(clashing=True, owner_id=ana))
    by_sql = list((await connection.execute(text(CLASHING_SQL))).scalars())

    found = [e.id for e in page.items]
    assert found == expected == by_sql
    assert count == len(found)
    assert not {touch_a, touch_b, alone, theirs, ana_alone} & set(found)
    assert [e.id for e in kims.items] == [outer, inner]
    assert anas == 0


async def test_clashes_warns_of_the_owners_overlapping_events(uow_factory: UowFactory) -> None:
    service = EventService(uow_factory, FrozenClock(NOW))
    async with uow_factory() as uow:
        kim = await _user(uow, "kim@example.org")
        ana = await _user(uow, "ana@example.org")
        await uow.commit()
    before = await service.create(
        EventDraft(owner_id=kim, title="before", starts_at=NOW - HOUR, ends_at=NOW)
    )
    during = await service.create(
        EventDraft(owner_id=kim, title="during", starts_at=NOW, ends_at=NOW + HOUR)
    )
    await service.create(EventDraft(owner_id=ana, title="Ana's", starts_at=NOW, ends_at=NOW + HOUR))
    draft = EventDraft(owner_id=kim, title="new", starts_at=NOW, ends_at=NOW + 2 * HOUR)

    # What the event dialog asks before saving the draft.
    span = (draft.owner_id, draft.starts_at, draft.ends_at)
    assert [e.id for e in await service.overlapping(*span)] == [during.id]
    assert await service.overlapping(*span, exclude_id=during.id) == []
    assert before.id not in [e.id for e in await service.overlapping(*span)]
