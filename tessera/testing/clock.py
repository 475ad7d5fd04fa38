"""A clock for tests: frozen at a documented instant until the test moves it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

FROZEN_AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
"""Where :class:`FrozenClock` starts: Thursday 26 November 2026, 09:00 UTC."""


class FrozenClock:
    """A clock (``clock()`` returns an aware UTC datetime) that moves only when told to.

    Tessera's services and window take it wherever they take a clock. ``advance`` and
    ``set`` tell each listener (the ``tessera`` fixture makes the window look again), so
    statuses and relative times follow after ``await tessera.idle()``.
    """

    def __init__(self, now: datetime = FROZEN_AT) -> None:
        self.now = _aware(now)
        self._listeners: list[Callable[[datetime], None]] = []

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (backward when negative); returns the new time."""
        return self.set(self.now + delta)

    def set(self, moment: datetime) -> datetime:
        """Jump to ``moment`` (aware; a naive one is taken as UTC); returns it."""
        self.now = _aware(moment)
        for listener in list(self._listeners):
            listener(self.now)
        return self.now

    def on_change(self, listener: Callable[[datetime], None]) -> Callable[[], None]:
        """Call ``listener(now)`` after each move; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
