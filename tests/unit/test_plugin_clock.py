"""The tester's kit's frozen clock: moves only when told, and says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tessera.testing.clock import FROZEN_AT, FrozenClock


def test_the_clock_starts_at_the_documented_instant_and_stays_there() -> None:
    clock = FrozenClock()
    assert clock() == FROZEN_AT == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert clock() == clock()


def test_advance_and_set_move_it_and_tell_each_listener() -> None:
    clock = FrozenClock()
    heard: list[datetime] = []
    stop = clock.on_change(heard.append)
    assert clock.advance(timedelta(days=27)) == FROZEN_AT + timedelta(days=27)
    later = datetime(2027, 1, 1, 12, tzinfo=timezone(timedelta(hours=9)))
    clock.set(later)
    stop()
    clock.advance(timedelta(hours=1))
    assert heard == [FROZEN_AT + timedelta(days=27), later]
    assert clock().tzinfo is UTC


def test_a_naive_moment_is_taken_as_utc() -> None:
    clock = FrozenClock(datetime(2026, 1, 5, 8, 0))  # noqa: DTZ001 - the point of the test
    assert clock() == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
