from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.bulk import BulkResult
from app.domain.errors import Conflict, InvalidInput, InvalidReference, NotFound
from app.domain.events import Event, EventDraft, EventFilter, EventPatch
from app.domain.paging import PageRequest
from app.domain.users import User, UserDraft
from app.services.events import EventService
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


async def book(
    events: EventService, owner: User, start: datetime, end: datetime, title: str = "Meeting"
) -> Event:
    return await events.create(
        EventDraft(owner_id=owner.id, title=title, starts_at=start, ends_at=end)
    )


async def _clashes(
    events: EventService, draft: EventDraft, exclude_id: int | None = None
) -> Sequence[Event]:
    """What the event dialog asks before saving ``draft`` (see ui/dialogs/events.py)."""
    return await events.overlapping(draft.owner_id, draft.starts_at, draft.ends_at, exclude_id)


async def test_create_stores_the_event(
    events: EventService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    event = await events.create(
        EventDraft(
            owner_id=owner.id,
            title="회의 🗓",
            location="Room 2",
            starts_at=clock.now,
            ends_at=clock.now + HOUR,
        )
    )

    assert event.version == 1
    assert event.created_at == event.updated_at == clock.now
    assert uow_factory.tables.events == {event.id: event}
    assert await events.get(event.id) == event


async def test_create_for_a_missing_owner_stores_nothing(
    events: EventService, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    with pytest.raises(InvalidReference) as excinfo:
        await events.create(
            EventDraft(owner_id=404, title="Ghost", starts_at=clock.now, ends_at=clock.now)
        )

    assert excinfo.value.field == "owner_id"
    assert not uow_factory.last.committed
    assert uow_factory.tables.events == {}


async def test_update_merges_the_patch_and_bumps_version(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)
    edited_at = clock.advance(timedelta(minutes=3))

    updated = await events.update(event.id, 1, EventPatch(ends_at=clock.now + 2 * HOUR))

    assert updated.starts_at == event.starts_at
    assert updated.ends_at == clock.now + 2 * HOUR
    assert updated.title == "Meeting"
    assert (updated.version, updated.updated_at) == (2, edited_at)


async def test_start_moved_past_the_unchanged_end_is_caught_at_ends_at(
    events: EventService, owner: User, clock: FrozenClock, uow_factory: FakeUnitOfWorkFactory
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)

    with pytest.raises(InvalidInput) as excinfo:
        await events.update(event.id, 1, EventPatch(starts_at=clock.now + 2 * HOUR))

    assert excinfo.value.errors == {"ends_at": "The event cannot end before it starts."}
    assert uow_factory.tables.events[event.id] == event


async def test_moving_both_ends_together_is_valid(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)
    # All-day events run from a UTC midnight to a UTC midnight.
    start = datetime(2030, 3, 20, tzinfo=UTC)

    moved = await events.update(
        event.id, 1, EventPatch(starts_at=start, ends_at=start + 2 * DAY, all_day=True)
    )

    assert (moved.starts_at, moved.ends_at, moved.all_day) == (start, start + 2 * DAY, True)
    assert (moved.first_day, moved.last_day) == (date(2030, 3, 20), date(2030, 3, 21))


async def test_making_an_event_all_day_at_a_time_of_day_is_refused(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)

    with pytest.raises(InvalidInput) as excinfo:
        await events.update(event.id, 1, EventPatch(all_day=True))

    assert set(excinfo.value.errors) == {"starts_at", "ends_at"}
    assert not (await events.get(event.id)).all_day


async def test_update_with_stale_version_conflicts(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)
    await events.update(event.id, 1, EventPatch(title="Renamed"))

    with pytest.raises(Conflict):
        await events.update(event.id, 1, EventPatch(location="Elsewhere"))

    stored = await events.get(event.id)
    assert (stored.title, stored.location, stored.version) == ("Renamed", "", 2)


async def test_stale_edit_is_a_conflict_not_judged_against_unseen_changes(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + 3 * HOUR)
    await events.update(event.id, 1, EventPatch(ends_at=clock.now + HOUR))

    # Valid against version 1, which the editor saw; invalid against version 2.
    with pytest.raises(Conflict):
        await events.update(event.id, 1, EventPatch(starts_at=clock.now + 2 * HOUR))


async def test_update_to_a_missing_owner_is_refused(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)

    with pytest.raises(InvalidReference) as excinfo:
        await events.update(event.id, 1, EventPatch(owner_id=999))

    assert excinfo.value.field == "owner_id"
    assert "may have been deleted" in excinfo.value.message
    assert (await events.get(event.id)).owner_id == owner.id


async def test_update_can_hand_the_event_to_another_user(
    events: EventService, users: UserService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)
    ana = await users.create(UserDraft(email="ana@example.org", display_name="Ana"))

    moved = await events.update(event.id, 1, EventPatch(owner_id=ana.id))

    assert moved.owner_id == ana.id


async def test_empty_patch_returns_event_unchanged(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)

    assert await events.update(event.id, 1, EventPatch()) == event
    assert await events.update(event.id, 1, EventPatch(title=None)) == event


async def test_update_missing_event_is_not_found(events: EventService) -> None:
    with pytest.raises(NotFound, match="Event 3 does not exist"):
        await events.update(3, 1, EventPatch(title="x"))


async def test_overlapping_counts_shared_time_not_touching(
    events: EventService, users: UserService, owner: User, clock: FrozenClock
) -> None:
    t = clock.now
    before = await book(events, owner, t - HOUR, t, "ends as the span starts")
    after = await book(events, owner, t + 2 * HOUR, t + 3 * HOUR, "starts as the span ends")
    inside = await book(events, owner, t + HOUR, t + HOUR + timedelta(minutes=30), "inside")
    around = await book(events, owner, t - HOUR, t + 4 * HOUR, "around")
    straddle = await book(events, owner, t - HOUR, t + timedelta(minutes=1), "straddles start")
    ana = await users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    await book(events, ana, t, t + 2 * HOUR, "someone else's")

    found = await events.overlapping(owner.id, t, t + 2 * HOUR)
    without = await events.overlapping(owner.id, t, t + 2 * HOUR, exclude_id=inside.id)

    assert [e.id for e in found] == [around.id, straddle.id, inside.id]
    assert [e.id for e in without] == [around.id, straddle.id]
    assert not {before.id, after.id} & {e.id for e in found}


async def test_list_filters_by_owner_title_and_touched_range(
    events: EventService, users: UserService, owner: User, clock: FrozenClock
) -> None:
    t = clock.now
    morning = await book(events, owner, t, t + HOUR, "Morning Stand-up")
    noon = await book(events, owner, t + 3 * HOUR, t + 4 * HOUR, "Lunch")
    ana = await users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    theirs = await book(events, ana, t, t + HOUR, "Stand-up")

    async def ids(query: EventFilter) -> list[int]:
        page = await events.list(query, PageRequest(sort="starts_at"))
        assert await events.count(query) == len(page.items)
        return [e.id for e in page.items]

    assert await ids(EventFilter(owner_id=owner.id)) == [morning.id, noon.id]
    assert await ids(EventFilter(search="STAND")) == [morning.id, theirs.id]
    # Range [t + 1h, t + 3h] touches neither: one ends at its start, one starts at its end.
    assert await ids(EventFilter(ends_after=t + HOUR, starts_before=t + 3 * HOUR)) == []
    window = EventFilter(ends_after=t + HOUR - timedelta(seconds=1), starts_before=t + 3 * HOUR)
    assert await ids(window) == [morning.id, theirs.id]


async def test_unknown_sort_is_refused_at_sort(events: EventService) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        await events.list(EventFilter(), PageRequest(sort="owner_secret"))

    assert set(excinfo.value.errors) == {"sort"}


async def test_delete_is_guarded_by_version(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    event = await book(events, owner, clock.now, clock.now + HOUR)
    moved = await events.update(event.id, 1, EventPatch(title="Moved"))

    assert await events.delete_many([event]) == BulkResult(stale=(moved,))
    assert await events.delete_many([moved]) == BulkResult(done=(moved,))

    with pytest.raises(NotFound):
        await events.get(event.id)


async def test_clashes_finds_the_owners_events_sharing_time_with_the_draft(
    events: EventService, users: UserService, owner: User, clock: FrozenClock
) -> None:
    t = clock.now
    await book(events, owner, t - HOUR, t, "ends as the draft starts")
    await book(events, owner, t + 2 * HOUR, t + 3 * HOUR, "starts as the draft ends")
    inside = await book(events, owner, t + HOUR, t + HOUR + timedelta(minutes=30), "inside")
    around = await book(events, owner, t - HOUR, t + 4 * HOUR, "around")
    ana = await users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    await book(events, ana, t, t + 2 * HOUR, "someone else's")
    draft = EventDraft(owner_id=owner.id, title="New", starts_at=t, ends_at=t + 2 * HOUR)

    assert [e.id for e in await _clashes(events, draft)] == [around.id, inside.id]
    # Editing "inside" itself: it does not clash with its own old state.
    edited = inside.as_draft().model_copy(update={"ends_at": t + 2 * HOUR})
    assert [e.id for e in await _clashes(events, edited, exclude_id=inside.id)] == [around.id]


async def test_clashes_of_an_all_day_draft_cover_its_whole_days(
    events: EventService, owner: User, clock: FrozenClock
) -> None:
    late = datetime(2030, 3, 15, 23, 30, tzinfo=UTC)
    evening = await book(events, owner, late, late + HOUR, "late on the 15th into the 16th")
    await book(events, owner, late + 2 * HOUR, late + 3 * HOUR, "on the 16th")
    draft = EventDraft.all_day_between(owner.id, "Trip", date(2030, 3, 14), date(2030, 3, 15))

    assert [e.id for e in await _clashes(events, draft)] == [evening.id]


async def test_clashing_filter_lists_events_overlapping_another_of_the_same_owner(
    events: EventService, users: UserService, owner: User, clock: FrozenClock
) -> None:
    t = clock.now
    first = await book(events, owner, t, t + 2 * HOUR, "first")
    second = await book(events, owner, t + HOUR, t + 3 * HOUR, "overlaps first")
    await book(events, owner, t + 3 * HOUR, t + 4 * HOUR, "touches second")
    ana = await users.create(UserDraft(email="ana@example.org", display_name="Ana"))
    await book(events, ana, t, t + 4 * HOUR, "overlaps both, someone else's")

    query = EventFilter(clashing=True)
    page = await events.list(query, PageRequest(sort="starts_at"))

    assert [e.id for e in page.items] == [first.id, second.id]
    assert await events.count(query) == 2
    assert await events.count(EventFilter(clashing=True, owner_id=ana.id)) == 0
