"""Reading tokens for the window: pages, quick-filter counts, the expiry histogram, health."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import timedelta

from app.domain.paging import Page, PageRequest
from app.domain.tokens import ExpiryBucket, QuickFilter, Token, TokenFilter, TokenHealth
from app.domain.users import User
from app.services.base import Service


class TokenReports(Service):
    """Reads of tokens, judged at the clock's now; the base of TokenService."""

    _soon: timedelta

    def _dated(self, filter: TokenFilter) -> TokenFilter:
        # A filter without its own moment is read against this service's clock and
        # threshold, so the statuses listed agree with status() below.
        if filter.as_of is None:
            return replace(filter, as_of=self._clock(), soon=self._soon)
        return filter

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
