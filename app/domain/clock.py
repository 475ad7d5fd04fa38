"""Time for the domain: always aware, always UTC, always injectable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real now, aware, in UTC."""
    return datetime.now(UTC)
