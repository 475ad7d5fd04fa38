"""Events: the overlap warning, and the week view."""

from datetime import timedelta

from tessera.testing import FROZEN_AT

TOMORROW_AT_TEN = FROZEN_AT + timedelta(days=1, hours=1)
HOUR = timedelta(hours=1)


async def test_an_overlapping_event_is_warned_about_before_it_is_saved(tessera):
    await tessera.users.create(email="cal@example.com", display_name="Cal")
    await tessera.events.create(
        owner="cal@example.com",
        title="Stand-up",
        starts_at=TOMORROW_AT_TEN,
        ends_at=TOMORROW_AT_TEN + HOUR,
    )

    warning = await tessera.events.create(
        owner="cal@example.com",
        title="Review",
        starts_at=TOMORROW_AT_TEN + HOUR / 2,
        ends_at=TOMORROW_AT_TEN + 2 * HOUR,
        clash="back",
    )

    assert "overlaps" in warning
    assert "Stand-up" in warning
    assert [row["Title"] for row in await tessera.events.rows()] == ["Stand-up"]


async def test_the_week_shows_the_events_of_each_day(tessera):
    await tessera.users.create(email="cal@example.com", display_name="Cal")
    await tessera.events.create(
        owner="cal@example.com",
        title="Planning",
        starts_at=TOMORROW_AT_TEN,
        ends_at=TOMORROW_AT_TEN + HOUR,
    )

    days = await tessera.events.show_week(TOMORROW_AT_TEN.date())

    assert TOMORROW_AT_TEN.date() in days
    assert await tessera.events.events_on(TOMORROW_AT_TEN.date()) == ["Planning"]
    assert await tessera.events.events_on(FROZEN_AT.date()) == []
