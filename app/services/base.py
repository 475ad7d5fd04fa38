"""What every service shares: its unit-of-work factory, its clock, and read-only work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from app.domain.clock import Clock, system_clock
from app.domain.ports import UnitOfWork

T = TypeVar("T")


class Service:
    """Base of the services.

    Args:
        uow_factory: makes a fresh unit of work per use case.
        clock: the source of now, for timestamps and expiry rules.
    """

    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock = system_clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def _read(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run read-only ``work`` in its own short transaction (rolled back: nothing to keep)."""
        async with self._uow_factory() as uow:
            return await work(uow)
