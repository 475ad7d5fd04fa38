"""Tokens on PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from app.domain.paging import Page, PageRequest
from app.domain.tokens import (
    SORTS,
    ExpiryBucket,
    NewToken,
    QuickFilter,
    Token,
    TokenFilter,
    TokenHealth,
)
from app.infrastructure.repositories import token_queries as q
from app.infrastructure.repositories.base import Clauses, SqlRepository
from app.infrastructure.tables import tokens


class SqlTokenRepository(SqlRepository[Token, NewToken, TokenFilter]):
    """The tokens table."""

    table = tokens
    entity = Token
    entity_name = "token"
    sortable = SORTS
    touches_updated_at = False

    def _values(self, draft: NewToken, now: datetime) -> dict[str, Any]:
        values = super()._values(draft, now)
        values["scopes"] = list(draft.scopes)
        return values

    def _where(self, filter: TokenFilter) -> Clauses:
        return q.filter_clauses(filter)

    async def get_by_hash(self, secret_hash: str) -> Token | None:
        """The token whose secret hashes to ``secret_hash`` (unique index)."""
        rows = await self._rows(select(tokens).where(tokens.c.secret_hash == secret_hash))
        return self._to_entity(rows[0]) if rows else None

    async def delete(self, ident: int, version: int) -> None:
        """Delete the token if it is still at ``version``."""
        statement = (
            delete(tokens)
            .where(tokens.c.id == ident, tokens.c.version == version)
            .returning(tokens.c.id)
        )
        if not await self._rows(statement):
            await self._raise_missing_or_stale(ident, version)

    async def list_expiring(self, now: datetime, until: datetime, page: PageRequest) -> Page[Token]:
        """Unrevoked tokens with ``now < expires_at <= until``, soonest first."""
        where = [
            tokens.c.revoked_at.is_(None),
            tokens.c.expires_at > now,
            tokens.c.expires_at <= until,
        ]
        return await self._page(where, page)

    async def quick_counts(
        self, now: datetime, soon: timedelta, owner_id: int | None
    ) -> dict[QuickFilter, int]:
        """Every quick filter's count at ``now``, in one pass over the tokens."""
        row = (await self._rows(q.quick_counts_query(now, soon, owner_id)))[0]
        return {quick: int(count) for quick, count in zip(QuickFilter, row, strict=True)}

    async def expiry_histogram(
        self, now: datetime, bucket: timedelta, buckets: int, owner_id: int | None
    ) -> list[ExpiryBucket]:
        """ "Already expired" then ``buckets`` buckets of ``bucket`` from now (one query)."""
        if buckets < 0 or bucket <= timedelta(0):
            raise ValueError("a histogram needs a positive bucket and buckets >= 0")
        rows = await self._rows(q.histogram_query(now, bucket, buckets, owner_id))
        counts = {int(number): int(count) for number, count in map(tuple, rows)}
        result = [ExpiryBucket(None, now, counts.get(0, 0))]
        for i in range(buckets):
            starts = now + i * bucket
            result.append(ExpiryBucket(starts, starts + bucket, counts.get(i + 1, 0)))
        return result

    async def health_of(
        self, owner_ids: Collection[int], now: datetime, soon: timedelta
    ) -> dict[int, TokenHealth]:
        """Expired and expiring unrevoked tokens of each owner (one grouped query)."""
        health = {owner: TokenHealth(0, 0) for owner in owner_ids}
        if health:
            rows = await self._rows(q.health_query(health, now, soon))
            for owner, expired, expiring in map(tuple, rows):
                health[int(owner)] = TokenHealth(int(expired), int(expiring))
        return health

    async def next_status_change(self, now: datetime, soon: timedelta) -> datetime | None:
        """Two index probes on unrevoked expiries: the next expiry, the next to come within
        ``soon``."""
        row = (await self._rows(q.next_status_change_query(now, soon)))[0]
        found: datetime | None = row[0]
        return found

    async def revoke_many(self, versions: Mapping[int, int], now: datetime, by: str) -> list[Token]:
        """One UPDATE revoking those still unrevoked and at their version; in id order."""
        where = [tokens.c.revoked_at.is_(None)]
        changes = {"revoked_at": now, "revoked_by": by}
        return list(await self._update_many(versions, where, changes, now))

    async def extend_many(
        self, versions: Mapping[int, int], expires_at: datetime, now: datetime
    ) -> list[Token]:
        """One UPDATE moving to ``expires_at`` the unrevoked tokens expiring before it that
        are still at their version; in id order.

        ``now`` is unused: tokens keep no time of last change.
        """
        where = [tokens.c.revoked_at.is_(None), tokens.c.expires_at < expires_at]
        return list(await self._update_many(versions, where, {"expires_at": expires_at}, now))
