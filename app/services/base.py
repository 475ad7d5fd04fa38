"""What every service shares: its unit-of-work factory, its clock, and read-only work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Protocol, TypeVar

from app.domain.clock import Clock, system_clock
from app.domain.paging import Page
from app.domain.ports import UnitOfWork
from app.domain.users import User

T = TypeVar("T")


class Owned(Protocol):
    """A record that belongs to a user (a token, an event)."""

    @property
    def owner_id(self) -> int: ...


OwnedT = TypeVar("OwnedT", bound=Owned)


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

    async def _owned(
        self, listing: Callable[[UnitOfWork], Awaitable[Page[OwnedT]]], known: Collection[int]
    ) -> tuple[Page[OwnedT], Sequence[User]]:
        """A page and, in the same short read, the owners of its rows not in ``known``.

        A table that names owners then needs one round of work per page, not two.
        """

        async def work(uow: UnitOfWork) -> tuple[Page[OwnedT], Sequence[User]]:
            page = await listing(uow)
            # Membership tests only: ``known`` may be a large live view of a cache.
            missing = {row.owner_id for row in page.items if row.owner_id not in known}
            return page, (await uow.users.get_many(missing) if missing else ())

        return await self._read(work)
