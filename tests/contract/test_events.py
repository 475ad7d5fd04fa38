"""The events port: its checks, the time-range filters, clashes, and guarded writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from app.domain.errors import Conflict, InvalidInput, InvalidReference, NotFound
from app.domain.events import EventDraft, EventFilter
from app.domain.paging import PageRequest
from app.domain.ports import UnitOfWork
from tests.contract.rows import DAY, HOUR, NOW, event, user

UowFactory = Callable[[], UnitOfWork]


def at(hour: float) -> datetime:
    return NOW + HOUR * hour


async def test_add_update_and_the_version_guard(uow_factory: UowFactory) -> None:
    later = NOW + DAY
    async with uow_factory() as uow:
        kim = await user(uow)
        added = await event(uow, kim, at(1), at(2), "회의 📅")
        moved = await uow.events.update(added.id, 1, {"starts_at": at(0), "title": "Moved"}, later)
        with pytest.raises(Conflict):
            await uow.events.update(added.id, 1, {"title": "lost"}, later)
        with pytest.raises(NotFound):
            await uow.events.update(987_654_321, 1, {"title": "x"}, later)
        stored = await uow.events.get(added.id)
    assert (added.version, added.created_at, added.updated_at, added.title) == (
        1,
        NOW,
        NOW,
        "회의 📅",
    )
    assert (moved.version, moved.starts_at, moved.title, moved.updated_at) == (
        2,
        at(0),
        "Moved",
        later,
    )
    assert (moved.created_at, moved.ends_at) == (NOW, at(2))
    assert stored == moved


async def test_dangling_owner_is_invalid_reference(uow_factory: UowFactory) -> None:
    draft = EventDraft(owner_id=424_242, title="t", starts_at=NOW, ends_at=NOW)
    async with uow_factory() as uow:
        with pytest.raises(InvalidReference) as caught:
            await uow.events.add(draft, NOW)
    assert caught.value.field == "owner_id"


async def test_event_ending_before_start_is_refused_by_the_database(
    uow_factory: UowFactory,
) -> None:
    # The domain refuses it first; this proves the database's check is a real safety net.
    async with uow_factory() as uow:
        kim = await user(uow)
        made = await event(uow, kim, NOW, NOW, "t")
        with pytest.raises(InvalidInput) as caught:
            await uow.events.update(made.id, made.version, {"ends_at": at(-1 / 60)}, NOW)
    assert "ends_at" in caught.value.errors


async def test_overlapping_excludes_touching_and_includes_contained(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        owner = await user(uow)
        other = await user(uow, "o")
        before = await event(uow, owner, at(8), at(10), "touches the start")
        inside = await event(uow, owner, at(10.5), at(11), "contained")
        across = await event(uow, owner, at(11.5), at(13), "crosses the end")
        await event(uow, owner, at(12), at(13), "touches the end")
        await event(uow, other, at(10), at(12), "someone else's")
        clash = await uow.events.overlapping(owner.id, at(10), at(12))
        without_inside = await uow.events.overlapping(owner.id, at(10), at(12), inside.id)
        within_inside = await uow.events.overlapping(owner.id, at(10.6), at(10.8))
        nothing = await uow.events.overlapping(owner.id, at(20), at(21))
    assert [e.id for e in clash] == [inside.id, across.id]
    assert [e.id for e in without_inside] == [across.id]
    assert before.id not in [e.id for e in clash]
    assert [e.id for e in within_inside] == [inside.id]
    assert list(nothing) == []


async def test_events_filter_by_owner_and_time_range(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        owner = await user(uow)
        other = await user(uow, "o")
        ids = [(await event(uow, owner, NOW + n * DAY, NOW + n * DAY + HOUR)).id for n in range(4)]
        await event(uow, other, NOW + DAY, NOW + DAY + HOUR)
        window = EventFilter(owner_id=owner.id, ends_after=NOW + DAY, starts_before=NOW + 3 * DAY)
        page = await uow.events.list(window, PageRequest(sort="starts_at"))
        # The range's ends touch no event: one ends at its start, the next starts at its end.
        touching = EventFilter(owner_id=owner.id, ends_after=at(1), starts_before=NOW + DAY)
        assert await uow.events.count(touching) == 0
        assert await uow.events.count(window) == 2
    assert [e.id for e in page.items] == ids[1:3]


async def test_search_finds_text_in_the_title_literally(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        owner = await user(uow)
        standup = await event(uow, owner, NOW, at(1), "Stand-up 100%")
        await event(uow, owner, NOW, at(1), "Review")

        async def titles(search: str) -> list[str]:
            wanted = EventFilter(owner_id=owner.id, search=search)
            return [e.title for e in (await uow.events.list(wanted, PageRequest())).items]

        assert await titles("STAND") == [standup.title]
        assert await titles("0%") == [standup.title]
        assert await titles("_") == []
        assert await titles("") == ["Stand-up 100%", "Review"]


async def test_clashing_filter_lists_events_overlapping_another_of_the_same_owner(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim, ana = await user(uow, "kim"), await user(uow, "ana")
        first = await event(uow, kim, at(0), at(2), "first")
        second = await event(uow, kim, at(1), at(3), "overlaps first")
        await event(uow, kim, at(3), at(4), "touches second")
        await event(uow, ana, at(0), at(4), "overlaps both, someone else's")
        query = EventFilter(clashing=True, owner_id=kim.id)
        page = await uow.events.list(query, PageRequest(sort="starts_at"))
        assert await uow.events.count(query) == 2
        assert await uow.events.count(EventFilter(clashing=True, owner_id=ana.id)) == 0
        searched = EventFilter(clashing=True, owner_id=kim.id, search="overlaps")
        assert [e.id for e in (await uow.events.list(searched, PageRequest())).items] == [second.id]
    assert [e.id for e in page.items] == [first.id, second.id]


async def test_delete_many_takes_only_the_events_still_at_their_version(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        made = [await event(uow, kim, NOW, at(1), f"e{n}") for n in range(3)]
        moved = await uow.events.update(made[0].id, 1, {"title": "moved"}, NOW)
        deleted = await uow.events.delete_many({e.id: 1 for e in made})
        again = await uow.events.delete_many({made[1].id: 1})
        left = await uow.events.list(EventFilter(owner_id=kim.id), PageRequest())
    assert list(deleted) == [made[1].id, made[2].id]
    assert list(again) == []
    assert left.items == (moved,)
