"""Event times: instants stored in UTC, all-day events as floating dates, days per zone.

No database: the rules live in the domain. Zones are fixed (never the machine's).
"""

from __future__ import annotations

import time as time_module
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.errors import InvalidInput
from app.domain.events import Event, EventDraft, local_days

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [UTC, SEOUL, BERLIN, NEW_YORK]
HOUR = timedelta(hours=1)
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def stored(draft: EventDraft) -> Event:
    """The event as the repository would hand it back."""
    return Event(id=1, created_at=STAMP, updated_at=STAMP, version=1, **draft.model_dump())


def timed(start: datetime, end: datetime) -> Event:
    return stored(EventDraft(owner_id=1, title="Meeting", starts_at=start, ends_at=end))


def test_nine_in_seoul_is_midnight_utc() -> None:
    event = timed(
        datetime(2026, 11, 26, 9, 0, tzinfo=SEOUL), datetime(2026, 11, 26, 10, tzinfo=SEOUL)
    )

    assert event.starts_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert event.starts_at.utcoffset() == timedelta(0)
    assert event.starts_at.astimezone(SEOUL).hour == 9
    assert local_days(event, SEOUL) == (date(2026, 11, 26), date(2026, 11, 26))
    assert local_days(event, NEW_YORK) == (date(2026, 11, 25), date(2026, 11, 25))
    assert (event.first_day, event.last_day) == (None, None)


def test_across_berlins_spring_change_the_real_duration_is_kept() -> None:
    # 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST; 01:00 -> 04:00 is 2 real hours.
    event = timed(
        datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 4, tzinfo=BERLIN)
    )

    assert event.ends_at - event.starts_at == 2 * HOUR
    assert (event.starts_at, event.ends_at) == (
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    )
    assert local_days(event, BERLIN) == (date(2026, 3, 29), date(2026, 3, 29))
    assert local_days(event, NEW_YORK) == (date(2026, 3, 28), date(2026, 3, 28))


def test_a_night_across_the_spring_change_covers_both_berlin_days() -> None:
    event = timed(datetime(2026, 3, 28, 22, tzinfo=BERLIN), datetime(2026, 3, 29, 6, tzinfo=BERLIN))

    assert event.ends_at - event.starts_at == 7 * HOUR
    assert local_days(event, BERLIN) == (date(2026, 3, 28), date(2026, 3, 29))
    assert local_days(event, SEOUL) == (date(2026, 3, 29), date(2026, 3, 29))


def test_berlins_autumn_day_has_25_hours_and_ends_at_its_own_midnight() -> None:
    # 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET.
    event = timed(datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN))

    assert event.ends_at - event.starts_at == 25 * HOUR
    # Ending exactly at local midnight does not cover the 26th.
    assert local_days(event, BERLIN) == (date(2026, 10, 25), date(2026, 10, 25))
    assert local_days(event, UTC) == (date(2026, 10, 24), date(2026, 10, 25))
    assert local_days(event, NEW_YORK) == (date(2026, 10, 24), date(2026, 10, 25))


def test_the_repeated_berlin_hour_is_one_real_hour_apart() -> None:
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)  # CEST
    second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)  # CET

    event = timed(first, second)

    assert event.ends_at - event.starts_at == HOUR
    assert local_days(event, BERLIN) == (date(2026, 10, 25), date(2026, 10, 25))


def test_timed_event_ending_at_local_midnight_stays_on_its_day() -> None:
    evening = timed(datetime(2026, 5, 1, 22, tzinfo=SEOUL), datetime(2026, 5, 2, tzinfo=SEOUL))
    instant = timed(datetime(2026, 5, 2, tzinfo=SEOUL), datetime(2026, 5, 2, tzinfo=SEOUL))

    assert local_days(evening, SEOUL) == (date(2026, 5, 1), date(2026, 5, 1))
    assert local_days(instant, SEOUL) == (date(2026, 5, 2), date(2026, 5, 2))
    assert local_days(evening, UTC) == (date(2026, 5, 1), date(2026, 5, 1))


def test_all_day_between_stores_utc_midnights_to_the_day_after() -> None:
    draft = EventDraft.all_day_between(
        1, "Trip", date(2026, 3, 29), date(2026, 3, 30), location="Jeju"
    )

    assert draft.all_day
    assert draft.location == "Jeju"
    assert draft.starts_at == datetime(2026, 3, 29, tzinfo=UTC)
    assert draft.ends_at == datetime(2026, 3, 31, tzinfo=UTC)


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_all_day_events_keep_their_dates_in_every_zone(zone: ZoneInfo) -> None:
    # Spans Berlin's spring change (the 29th); in New York each day starts at 04:00 UTC.
    event = stored(EventDraft.all_day_between(1, "Trip", date(2026, 3, 29), date(2026, 3, 30)))

    assert (event.first_day, event.last_day) == (date(2026, 3, 29), date(2026, 3, 30))
    assert local_days(event, zone) == (date(2026, 3, 29), date(2026, 3, 30))


def test_single_all_day_event_is_one_day() -> None:
    event = stored(EventDraft.all_day_between(1, "Holiday", date(2026, 10, 25), date(2026, 10, 25)))

    assert event.ends_at - event.starts_at == timedelta(days=1)
    assert (event.first_day, event.last_day) == (date(2026, 10, 25), date(2026, 10, 25))
    assert local_days(event, BERLIN) == (date(2026, 10, 25), date(2026, 10, 25))


@pytest.fixture
def far_machine_zone() -> Iterator[None]:
    """Pretend the computer is at UTC+14, then put its zone back."""
    previous = time_module.tzname
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Pacific/Kiritimati")
        time_module.tzset()
        yield
    time_module.tzset()
    assert time_module.tzname == previous


def test_all_day_dates_do_not_move_with_the_computers_zone(far_machine_zone: None) -> None:
    event = stored(EventDraft.all_day_between(1, "Trip", date(2026, 7, 1), date(2026, 7, 2)))

    assert (event.first_day, event.last_day) == (date(2026, 7, 1), date(2026, 7, 2))


def test_a_utc_midnight_written_in_another_zone_is_accepted() -> None:
    # 09:00 in Seoul is 00:00 UTC: the same instant, so a valid all-day bound.
    draft = EventDraft(
        owner_id=1,
        title="Trip",
        starts_at=datetime(2026, 3, 29, 9, tzinfo=SEOUL),
        ends_at=datetime(2026, 3, 30, 9, tzinfo=SEOUL),
        all_day=True,
    )

    assert stored(draft).first_day == stored(draft).last_day == date(2026, 3, 29)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        EventDraft(
            owner_id=1,
            title="Meeting",
            starts_at=datetime(2026, 3, 29, 9),  # noqa: DTZ001 - naive on purpose
            ends_at=datetime(2026, 3, 29, 10, tzinfo=UTC),
        )

    assert excinfo.value.errors == {"starts_at": "A time zone is required."}


def test_all_day_at_a_local_midnight_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        EventDraft(
            owner_id=1,
            title="Trip",
            starts_at=datetime(2026, 3, 29, tzinfo=SEOUL),
            ends_at=datetime(2026, 3, 30, tzinfo=SEOUL),
            all_day=True,
        )

    assert set(excinfo.value.errors) == {"starts_at", "ends_at"}
    assert "midnight UTC" in excinfo.value.errors["starts_at"]


def test_all_day_with_a_time_of_day_end_is_refused_at_ends_at() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        EventDraft(
            owner_id=1,
            title="Trip",
            starts_at=datetime(2026, 3, 29, tzinfo=UTC),
            ends_at=datetime(2026, 3, 29, 17, tzinfo=UTC),
            all_day=True,
        )

    assert set(excinfo.value.errors) == {"ends_at"}


def test_all_day_of_no_days_is_refused() -> None:
    midnight = datetime(2026, 3, 29, tzinfo=UTC)
    with pytest.raises(InvalidInput) as excinfo:
        EventDraft(owner_id=1, title="Trip", starts_at=midnight, ends_at=midnight, all_day=True)

    assert set(excinfo.value.errors) == {"ends_at"}


def test_all_day_between_refuses_a_last_day_before_the_first() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        EventDraft.all_day_between(1, "Trip", date(2026, 3, 30), date(2026, 3, 29))

    assert set(excinfo.value.errors) == {"ends_at"}
