"""Reading tokens for the window: pages, quick-filter counts, the expiry histogram, health."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from app.domain.clock import Clock, system_clock
from app.domain.paging import Page, PageRequest
from app.domain.ports import UnitOfWork
from app.domain.tokens import (
    DEFAULT_SOON,
    ExpiryBucket,
    QuickFilter,
    Token,
    TokenFilter,
    TokenHealth,
)
from app.domain.users import User
from app.services.base import Service


class TokenReports(Service):
    """Reads of tokens for the Tokens and Users tabs, judged at the clock's now.

    A :class:`~app.services.tokens.TokenService` holds one as ``reports``, made from the
    same inputs, so its statuses and these lists agree.

    Args:
        uow_factory: makes a fresh unit of work per read.
        clock: the source of now, for the statuses and quick filters.
        soon: how much time left makes a token "expiring soon".
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock = system_clock,
        soon: timedelta = DEFAULT_SOON,
    ) -> None:
        super().__init__(uow_factory, clock)
        self._soon = soon

    def _dated(self, filter: TokenFilter) -> TokenFilter:
        return filter.dated(self._clock(), self._soon)

    async def next_status_change(self, soon: timedelta | None = None) -> datetime | None:
        """When the next unrevoked token turns expiring soon or expired (None: never).

        The window sets one timer to that moment instead of polling: counts, chart and
        badge change when a token crosses a line, not a minute later.
        """
        threshold = self._soon if soon is None else soon
        now = self._clock()
        return await self._read(lambda uow: uow.tokens.next_status_change(now, threshold))

    async def quick_counts(
        self, owner_id: int | None = None, *, soon: timedelta | None = None
    ) -> dict[QuickFilter, int]:
        """How many tokens each quick filter holds now, in one query.

        Args:
            owner_id: count only this user's tokens; None for everyone's.
            soon: the "expiring soon" threshold; the service's own when None.

        Returns:
            Every quick filter with its count (0 included).
        """
        threshold = self._soon if soon is None else soon
        now = self._clock()
        return await self._read(lambda uow: uow.tokens.quick_counts(now, threshold, owner_id))

    async def expiry_histogram(
        self, weeks: int = 8, owner_id: int | None = None
    ) -> list[ExpiryBucket]:
        """Unrevoked tokens by expiry: already expired, then week by week from now.

        Args:
            weeks: how many weekly buckets after the "already expired" one.
            owner_id: only this user's tokens; None for everyone's.

        Returns:
            ``weeks + 1`` buckets, empty ones included, oldest first.
        """
        now = self._clock()
        week = timedelta(days=7)
        return await self._read(lambda uow: uow.tokens.expiry_histogram(now, week, weeks, owner_id))

    async def health_of(self, owner_ids: Collection[int]) -> dict[int, TokenHealth]:
        """Each user's expired and expiring unrevoked tokens, now (one query).

        Args:
            owner_ids: the users to look at, typically a page of the Users tab.

        Returns:
            Every id asked for, users without tokens mapping to zeros.
        """
        now = self._clock()
        ids = set(owner_ids)
        return await self._read(lambda uow: uow.tokens.health_of(ids, now, self._soon))

    async def list(self, filter: TokenFilter, page: PageRequest) -> Page[Token]:
        """One page of the tokens that match ``filter``.

        Args:
            filter: owner, text and statuses; statuses are judged at the clock's now
                unless ``filter.as_of`` is set.
            page: sort, direction, cursor and size.

        Returns:
            The page and the cursor of the next one.
        """
        return await self._read(lambda uow: uow.tokens.list(self._dated(filter), page))

    async def list_with_owners(
        self, filter: TokenFilter, page: PageRequest, known: Collection[int] = ()
    ) -> tuple[Page[Token], Sequence[User]]:
        """:meth:`list`, and the owners not in ``known`` read along (to name them)."""
        return await self._owned(lambda uow: uow.tokens.list(self._dated(filter), page), known)
